"""Sweeps under concurrency and failure: claims, dead workers, Ctrl-C, validation, BLAS threads."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmot.cli import app
from qmot.errors import InvalidInputError
from qmot.sweep import NoWorkersError, load_spec, read_rows, run_sweep
from qmot.sweep.store import Store

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _spec(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


# -- claims -------------------------------------------------------------------------------


def test_a_claim_is_exclusive_until_its_process_dies(tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    first, second = Store(store), Store(store)
    assert first.claim("k") == "claimed"
    assert second.claim("k") == "elsewhere"  # the same process id, but a live claim of another
    first.connection.close()  # the first sweep vanishes without releasing its claim ...
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    with sqlite3.connect(store) as connection:  # ... and its process id is one that has exited
        connection.execute("UPDATE claims SET pid = ?", (int(dead.stdout),))
    assert second.claim("k") == "claimed"
    second.close()


def test_a_claim_without_heartbeat_goes_stale(tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    first, second = Store(store), Store(store, stale_after=0.2)
    assert first.claim("k") == "claimed"
    assert second.claim("k") == "elsewhere"
    time.sleep(0.3)
    assert second.claim("k") == "claimed"
    first.close()
    second.close()


def test_stored_results_are_never_claimed(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite")
    assert store.claim("k") == "claimed"
    row = dict.fromkeys(("cost", "lower_bound", "upper_bound", "solver", "error"))
    row.update(
        key="k",
        task="t",
        parameters="{}",
        status="failed",
        seconds=0.0,
        qmot_version="0",
        finished_at=time.time(),
    )
    store.record(row)
    assert store.connection.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)
    assert store.claim("k") == "stored"
    later = Store(tmp_path / "store.sqlite")
    assert later.claim("k", retry_failed=True) == "claimed"  # failed before it opened the store
    store.close()
    later.close()


def test_two_sweep_processes_on_one_store_compute_each_task_once(tmp_path: Path) -> None:
    log = tmp_path / "computed.log"
    spec = _spec(
        tmp_path,
        '[sweep]\ntask = "tests.sweep_tasks:logged_square"\n[parameters]\n'
        f'x = {list(range(16))}\nlog = "{log}"\nseconds = 0.4\n',
    )
    command = [sys.executable, "-m", "qmot", "sweep", str(spec), "--workers", "1"]
    processes = [
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=240) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    ran = [int(re.search(r"(\d+) ran", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(ran) == 16  # the two sweeps shared the work (each says how many it ran)
    computed = [line.split()[0] for line in log.read_text().splitlines()]
    assert sorted(computed, key=int) == [str(x) for x in range(16)]  # each exactly once
    rows = read_rows(spec.with_suffix(".sqlite"))
    assert sorted(r["parameters"]["x"] for r in rows) == list(range(16))
    with sqlite3.connect(spec.with_suffix(".sqlite")) as connection:
        assert connection.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)


# -- dead workers and Ctrl-C ---------------------------------------------------------------


@pytest.fixture
def scheduler() -> Iterator[str]:
    from dask.distributed import LocalCluster

    cluster = LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=":0")
    yield cluster.scheduler_address
    cluster.close()


def _start_worker(address: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            address,
            "--no-nanny",
            "--nthreads",
            "1",
            "--no-dashboard",
        ],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.1)


def test_a_sweep_whose_worker_is_killed_ends_with_a_message(tmp_path: Path, scheduler: str) -> None:
    started = tmp_path / "started"
    spec = _spec(
        tmp_path,
        '[sweep]\ntask = "tests.sweep_tasks:sleeps"\n[parameters]\n'
        f'x = [1, 2]\nstarted = "{started}"\n',
    )
    worker = _start_worker(scheduler)

    def kill_once_started() -> None:
        with contextlib.suppress(TimeoutError):
            _wait_for(started, 60)
        worker.kill()

    killer = threading.Thread(target=kill_once_started)
    killer.start()
    began = time.monotonic()
    result = runner.invoke(
        app, ["sweep", str(spec), "--scheduler", scheduler, "--worker-timeout", "2"]
    )
    killer.join()
    worker.wait()
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().startswith("error: no Dask worker alive for 2 s")
    assert len(result.stderr.strip().splitlines()) == 1
    assert time.monotonic() - began < 60  # not a hang (the task alone would sleep 60 s)
    with sqlite3.connect(spec.with_suffix(".sqlite")) as connection:
        assert connection.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)
        assert connection.execute("SELECT COUNT(*) FROM results").fetchone() == (0,)


def test_a_scheduler_without_workers_times_out(tmp_path: Path, scheduler: str) -> None:
    spec = load_spec(
        _spec(tmp_path, '[sweep]\ntask = "tests.sweep_tasks:fails_if"\n[parameters]\nx = [1, 2]\n')
    )
    with pytest.raises(NoWorkersError, match=r"no Dask worker alive for 0.5 s \(0 tasks stored"):
        run_sweep(spec, tmp_path / "store.sqlite", scheduler=scheduler, worker_timeout=0.5)


def test_ctrl_c_stops_a_sweep_with_one_line(tmp_path: Path) -> None:
    started = tmp_path / "started"
    spec = _spec(
        tmp_path,
        '[sweep]\ntask = "tests.sweep_tasks:sleeps"\n[parameters]\n'
        f'x = [1, 2, 3]\nstarted = "{started}"\n',
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "qmot", "sweep", str(spec), "--workers", "1"],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _wait_for(started, 120)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == [
        f"error: interrupted: 0 tasks of this run are stored in {spec.with_suffix('.sqlite')}; "
        "run the same command to resume"
    ]
    with sqlite3.connect(spec.with_suffix(".sqlite")) as connection:
        assert connection.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)


# -- checks before any cluster starts ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'task = "nbody_line"\n[parameters]\nN = 2\ncost = "coulomb"\nsite = 4\n',
            "`parameters.site` must be an argument of task 'nbody_line' (it takes: cost, N, sites",
        ),
        (
            'task = "mk2_two_particles"\n[parameters]\neta = "big"\nhbar = 1\n',
            "`parameters.eta` must be float for task 'mk2_two_particles' (got str 'big')",
        ),
        (
            'task = "nbody_line"\n[parameters]\nN = true\ncost = "coulomb"\n',
            "`parameters.N` must be int for task 'nbody_line' (got bool True)",
        ),
        (
            'task = "nbody_line"\nsolver = "IPM"\n[parameters]\nN = 2\ncost = "coulomb"\n',
            "`sweep.solver` must be an argument of task 'nbody_line'",
        ),
        (
            'task = "nbody_line"\nsolvr = "IPM"\n[parameters]\nN = 2\ncost = "coulomb"\n',
            "`sweep` keys must be task, solver, tol, max_time (got 'solvr')",
        ),
        (
            'task = "no_such_module_xyz:f"\n[parameters]\nx = 1\n',
            "`sweep.task` module 'no_such_module_xyz' must be importable",
        ),
        (
            'task = "tests.sweep_tasks:nothing"\n[parameters]\nx = 1\n',
            "`sweep.task` must name a function of 'tests.sweep_tasks' (got 'nothing': missing)",
        ),
        ('task = "fails_if"\n[parameters]\nx = 1\n', "`sweep.task` must be one of"),
        (
            'task = "dpt_random"\n[parameters]\ndim = 2\n[solver_options]\nx = 1\n[extra]\n',
            "only the tables sweep, parameters and solver_options (got 'extra')",
        ),
    ],
)
def test_specs_are_checked_against_the_task_signature(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_spec(_spec(tmp_path, "[sweep]\n" + text))


def test_fails_if_is_not_shipped() -> None:
    from qmot.sweep import TASKS

    assert "fails_if" not in TASKS


def test_workers_with_a_scheduler_is_refused(tmp_path: Path) -> None:
    spec = load_spec(_spec(tmp_path, '[sweep]\ntask = "dpt_random"\n[parameters]\ndim = 2\n'))
    with pytest.raises(InvalidInputError, match="`workers` applies to the local cluster only"):
        run_sweep(spec, tmp_path / "s.sqlite", scheduler="tcp://127.0.0.1:1", workers=2)
    with pytest.raises(InvalidInputError, match=r"`workers` must be a positive integer \(got 0\)"):
        run_sweep(spec, tmp_path / "s.sqlite", workers=0)


# -- running: failures, options, user tasks, BLAS threads -----------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_solver_options_reach_the_solver(tmp_path: Path, client: object) -> None:
    import numpy as np

    from qmot.linalg import random_density_matrix
    from qmot.quantum import dpt_divergence, spin

    text = (
        '[sweep]\ntask = "dpt_random"\nsolver = "QMOT-IPM"\n[solver_options]\n'
        "max_iterations = 1\n[parameters]\ndim = 3\n"
    )
    spec = load_spec(_spec(tmp_path, text))
    assert spec.options == {"solver": "QMOT-IPM", "solver_options": {"max_iterations": 1}}
    counts = run_sweep(spec, tmp_path / "s.sqlite", client=client)
    (row,) = read_rows(tmp_path / "s.sqlite")
    rng = np.random.default_rng(0)
    rho, sigma = (random_density_matrix(3, 3, seed=rng) for _ in range(2))
    direct = dpt_divergence(  # the same call made directly: what the row must agree with
        rho, sigma, spin(1.0), solver="QMOT-IPM", solver_options={"max_iterations": 1}
    )
    assert counts["ran"] == 1 and direct.status == "gap_exceeds_tolerance"  # one iteration
    assert (row["status"], row["solver"]) == (str(direct.status), direct.solver)
    assert row["lower_bound"] == pytest.approx(direct.lower_bound, rel=1e-9, abs=1e-12)
    bad = load_spec(_spec(tmp_path, text.replace("max_iterations", "no_such_option")))
    run_sweep(bad, tmp_path / "bad.sqlite", client=client)
    (failed,) = read_rows(tmp_path / "bad.sqlite")
    assert failed["status"] == "failed" and "no_such_option" in failed["error"]


def test_failed_tasks_give_exit_code_1_and_retry(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path, '[sweep]\ntask = "tests.sweep_tasks:no_result"\n[parameters]\nx = [1, 2]\n'
    )
    result = runner.invoke(app, ["sweep", str(spec), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "2 tasks failed" in result.stderr and "--retry-failed" in result.stderr
    rows = read_rows(spec.with_suffix(".sqlite"))
    assert all("must return a TransportResult (got float" in r["error"] for r in rows)
    again = runner.invoke(app, ["sweep", str(spec), "--workers", "1", "--retry-failed"])
    assert again.exit_code == 1 and "0 already stored, 2 ran (2 failed)" in again.output


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--workers", "1", "--threads-per-task", "1"], lambda cores: 1),
        (["--workers", "1"], lambda cores: cores),  # cores ÷ concurrent tasks
        (["--workers", "2"], lambda cores: max(1, cores // 2)),
    ],
)
def test_threads_per_task_limits_blas(
    tmp_path: Path, arguments: list[str], expected: Callable[[int], int]
) -> None:
    """Worker processes (as in a real sweep): the BLAS pools seen inside each task."""
    spec = _spec(
        tmp_path, '[sweep]\ntask = "tests.sweep_tasks:blas_threads"\n[parameters]\nx = [0, 1]\n'
    )
    result = runner.invoke(app, ["sweep", str(spec), *arguments])
    assert result.exit_code == 0, result.output
    rows = read_rows(spec.with_suffix(".sqlite"))
    assert [r["cost"] for r in rows] == [expected(len(os.sched_getaffinity(0)))] * 2
