"""Where files are analysed when the library outgrows one machine: the workers of a Dask
cluster that see the same paths (a shared mount). The second implementation of the pool's
`Analyser`: the main process still writes the index and decides.

A file whose task kills Dask workers (Dask retries it elsewhere, then gives up) becomes that
file's `unreadable`; a scheduler that cannot be reached stops the run with one line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reconcile.errors import ReconcileError
from reconcile.facts import FileFacts, Task

CONNECT_SECONDS = 10
MAX_BATCH = 8  # files per Dask task (see `batch_size`)
KILLED = "killed the Dask workers that read it (out of memory?)"


class ClusterError(ReconcileError):
    """The Dask scheduler cannot be reached, or Dask is not installed."""


class DaskAnalyser:
    """Analyses files on the Dask cluster whose scheduler listens at `address`."""

    def __init__(self, address: str, *, connect_seconds: float = CONNECT_SECONDS) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("--scheduler needs Dask: pip install 'reconcile[dask]'") from None
        try:
            self._client = Client(address, timeout=f"{connect_seconds}s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterError(
                f"{address}: cannot reach the Dask scheduler ({_first_line(error)})"
            ) from None

    def analyse(self, tasks: Sequence[Task]) -> Iterator[FileFacts]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        tasks = list(tasks)
        workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        size = batch_size(len(tasks), workers)
        batches = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        futures = self._client.map(analyse_batch, batches, pure=False)
        batch_of = {future.key: batch for future, batch in zip(futures, batches, strict=True)}
        with self._client.as_current():  # this client for as_completed, not a global default
            done = as_completed(futures)
        for future in done:  # as each finishes: the index is written while the cluster works
            batch = batch_of.pop(future.key)
            try:
                results = future.result()
            except KilledWorker:
                if len(batch) > 1:
                    # One of these files kills the workers that read it: each alone, so that
                    # only that one is lost and the others get their statuses.
                    alone = [[task] for task in batch]
                    singles = self._client.map(analyse_batch, alone, pure=False)
                    batch_of.update(zip((single.key for single in singles), alone, strict=True))
                    done.update(singles)
                    future.release()
                    continue
                results = [_failed(batch[0], KILLED)]
            except Exception as error:  # a worker-side failure is these files', not the run's
                reason = f"failed on the cluster ({_first_line(error)})"
                results = [_failed(task, reason) for task in batch]
            future.release()
            yield from results

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> DaskAnalyser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def analyse_batch(tasks: Sequence[Task]) -> list[FileFacts]:
    """One Dask task: a few files, so that Dask's cost per task (scheduling, a round trip to
    the client; milliseconds) is paid once per batch rather than once per photo."""
    from reconcile.media.analyse import analyse

    return [analyse(task) for task in tasks]


def batch_size(files: int, workers: int) -> int:
    """Files per Dask task: up to MAX_BATCH, but at least four tasks per worker, so that the
    last batches do not leave workers idle and the index is written as the cluster works."""
    return max(1, min(MAX_BATCH, files // (4 * workers)))


def _failed(task: Task, reason: str) -> FileFacts:
    return FileFacts(
        task.path, task.size, task.mtime_ns, reason=reason, kind=task.kind, inode=task.inode,
        ctime_ns=task.ctime_ns,
    )  # fmt: skip


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
