"""Where files are analysed when the library outgrows one machine: the workers of a Dask
cluster that see the same paths (a shared mount). The second implementation of the pool's
`Analyser`: the main process still writes the index and decides.

A file whose task kills Dask workers (Dask retries it elsewhere, then gives up) becomes that
file's `unreadable`; a scheduler that cannot be reached stops the run with one line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reconcile.errors import ReconcileError
from reconcile.model import FileFacts, Task

CONNECT_SECONDS = 10


class ClusterError(ReconcileError):
    """The Dask scheduler cannot be reached, or Dask is not installed."""


class DaskAnalyser:
    """Analyses files on the Dask cluster whose scheduler listens at `address`."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("--scheduler needs Dask: pip install 'reconcile[dask]'") from None
        try:
            self._client = Client(address, timeout=f"{CONNECT_SECONDS}s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterError(
                f"{address}: cannot reach the Dask scheduler ({_first_line(error)})"
            ) from None

    def analyse(self, tasks: Sequence[Task]) -> Iterator[FileFacts]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        from reconcile.analyse import analyse  # pickled by name: the workers import it

        futures = self._client.map(analyse, list(tasks), pure=False)
        task_of = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        with self._client.as_current():  # this client for as_completed, not a global default
            done = as_completed(futures)
        for future in done:  # as each finishes: the index is written while the cluster works
            task = task_of[future.key]
            try:
                facts = future.result()
            except KilledWorker:
                facts = FileFacts(
                    task.path, task.size, task.mtime_ns,
                    reason="killed the Dask workers that read it (out of memory?)", kind=task.kind,
                )  # fmt: skip
            except Exception as error:  # a worker-side failure is this file's, not the run's
                facts = FileFacts(
                    task.path, task.size, task.mtime_ns,
                    reason=f"failed on the cluster ({_first_line(error)})", kind=task.kind,
                )  # fmt: skip
            future.release()
            yield facts

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> DaskAnalyser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
