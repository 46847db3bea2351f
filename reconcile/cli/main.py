"""The command line's one error boundary: each command runs here, and whatever ends it becomes
one line on stderr and an exit status."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
from collections.abc import Callable, Sequence

from reconcile.cli import check, consoles, decide, dupes, find
from reconcile.cli.parser import parse
from reconcile.errors import ReconcileError

EXIT_TODO = 1  # the to-do list is not empty
EXIT_ERROR = 2  # a usage error or a failure that stopped the run
EXIT_INTERRUPTED = 130

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": check.run,
    "decide": decide.run,
    "dupes": dupes.run,
    "find": find.run,
}


class _Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C (workers stopped, index consistent)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        consoles.error("stdout is closed: nowhere to write the report")
        return EXIT_ERROR
    # What `timeout`, systemd and `kill` send, and a closed terminal, end the run as Ctrl-C does.
    previous = {sig: signal.signal(sig, _stop) for sig in _STOP_SIGNALS}
    try:
        return COMMANDS[args.command](args)
    except ReconcileError as error:
        consoles.error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        consoles.error("interrupted; the index keeps what was finished", plain=True)
        return EXIT_INTERRUPTED
    except _Stopped as stop:
        name = signal.Signals(stop.signum).name
        consoles.error(f"stopped by {name}; the index keeps what was finished", plain=True)
        return 128 + stop.signum
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining.
        consoles.silence_stdout()
        return EXIT_TODO
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EIO, errno.EBADF):  # stdout on a full disk
            consoles.silence_stdout()
            consoles.error(f"cannot write the report ({error.strerror})")
            return EXIT_ERROR
        consoles.error(f"unexpected error: {error}")
        return EXIT_ERROR
    except Exception as error:  # a bug: still one line and "failed", never "to-do not empty"
        consoles.error(f"unexpected error ({type(error).__name__}: {error}); please report it")
        return EXIT_ERROR
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
