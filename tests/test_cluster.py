"""Fingerprinting on a Dask cluster (`--scheduler`): a real `dask scheduler` and two `dask
worker` processes on 127.0.0.1, on free ports, stopped at the end. The report equals a local
run's, a worker killed mid-run loses nothing, and an unreachable scheduler is one line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, cli_env, distinct_jpegs, run_cli

pytest.importorskip("distributed", reason="needs the dask extra: pip install -e '.[dask]'")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dask(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    command = [os.path.join(os.path.dirname(sys.executable), "dask"), *args]
    return subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture
def cluster(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler (its environment from the test's parameter, if any) and two workers."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _dask("scheduler", "--host", "127.0.0.1", "--port", str(port),
                      "--dashboard-address", ":0", "--no-show",
                      env=getattr(request, "param", None))  # fmt: skip
    workers = [
        _dask(
            "worker",
            address,
            "--nthreads",
            "1",
            "--nworkers",
            "1",
            "--host",
            "127.0.0.1",
            "--dashboard-address",
            ":0",
            "--no-nanny",
        )
        for _ in range(2)
    ]
    from distributed import Client

    deadline = time.monotonic() + 90
    while True:
        try:
            with Client(address, timeout="5s") as client:
                if len(client.scheduler_info()["workers"]) == 2:
                    break
        except (OSError, TimeoutError):
            pass
        assert time.monotonic() < deadline, "the Dask cluster did not come up"
        time.sleep(0.5)
    yield address, workers
    for process in (*workers, scheduler):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in (*workers, scheduler):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _images(report: dict) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((i["path"], i["status"], i["match"], i["reason"]) for i in report["images"])


def test_a_cluster_run_reports_what_a_local_run_reports(tmp_path: Path, cluster) -> None:  # type: ignore[no-untyped-def]
    """The sample through two Dask workers: the same statuses, matches and reasons, item for
    item, as the local process pool's."""
    address, _ = cluster
    args = ("--haystack", "sample_data/haystack", "--needles", "sample_data/needles",
            "--format", "json")  # fmt: skip
    local = run_cli(tmp_path, *args, "--db", str(tmp_path / "local.sqlite"))
    remote = run_cli(tmp_path, *args, "--db", str(tmp_path / "dask.sqlite"), "--scheduler", address)
    assert remote.returncode == local.returncode == 1, remote.stderr
    assert _images(json.loads(remote.stdout)) == _images(json.loads(local.stdout))


# Dask's default retries a task whose worker died (three times); with none allowed, the batch
# the dead worker held fails at once, and reconcile retries its files one by one.
_RETRIES = {
    "Dask retries": None,
    "no retries": {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"},
}


@pytest.mark.parametrize("cluster", list(_RETRIES.values()), ids=list(_RETRIES), indirect=True)
def test_a_worker_killed_mid_run_loses_nothing(tmp_path: Path, cluster) -> None:  # type: ignore[no-untyped-def]
    """Killing one of two workers while a library is being indexed: its files go to the
    other (by Dask's retry, or file by file by reconcile when Dask gives the batch up), and
    the report still has every file with the local run's status."""
    address, workers = cluster
    hay = tmp_path / "hay"
    distinct_jpegs(hay, 300)
    shutil.copytree(SAMPLE / "haystack", hay / "sample")
    args = ("--haystack", str(hay), "--needles", str(SAMPLE / "needles"), "--format", "json")
    run = subprocess.Popen(
        [sys.executable, "-m", "reconcile", *args, "--db", str(tmp_path / "dask.sqlite"),
         "--scheduler", address],
        cwd=REPO, env=cli_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip

    def stored() -> int:
        try:
            with sqlite3.connect(tmp_path / "dask.sqlite", timeout=1) as db:
                return int(db.execute("SELECT count(*) FROM files").fetchone()[0])
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 120
    while stored() < 128 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)  # until the first batch of the 300 photos is in the index
    assert run.poll() is None, "the run ended before a worker could be killed"
    os.killpg(workers[0].pid, signal.SIGKILL)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 1, err
    local = run_cli(tmp_path, *args, "--db", str(tmp_path / "local.sqlite"))
    assert _images(json.loads(out)) == _images(json.loads(local.stdout))
    # The library too, file for file: a lost library photo rarely shows in the report.
    assert _indexed(tmp_path / "dask.sqlite") == _indexed(tmp_path / "local.sqlite")


def _indexed(db: Path) -> list[tuple[bytes, str | None, int | None]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT path, reason, dhash FROM files"))


def test_an_unreachable_scheduler_is_one_line_and_exit_two(tmp_path: Path) -> None:
    """Nobody listens at the address: one line naming it and exit 2, once the connect time
    (here one second) is up."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = run_cli(tmp_path, "--haystack", "sample_data/haystack", "--needles",
                     "sample_data/needles", "--scheduler", address,
                     "--scheduler-timeout", "1")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"reconcile: {address}: cannot reach the Dask scheduler")
    assert result.stderr.count("\n") == 1
