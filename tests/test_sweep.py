"""Sweeps on a local Dask cluster: interruption, resumption, failures, store and CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmot.cli import app
from qmot.errors import InvalidInputError
from qmot.sweep import TASKS, load_spec, read_rows, register_task, run_sweep, task_key
from tests.sweep_tasks import fails_if

SPEC = """
[sweep]
task = "fails_if"
[parameters]
x = [1, 2, 3, 4]
fail = [false, true]
"""


@pytest.fixture(autouse=True)
def _fails_if_registered() -> Iterator[None]:
    register_task("fails_if", fails_if)
    yield
    TASKS.pop("fails_if", None)


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    )
    with Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def _write_spec(tmp_path: Path, text: str = SPEC) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


def test_interrupted_sweep_resumes_without_recomputing(tmp_path: Path, client: object) -> None:
    spec = load_spec(_write_spec(tmp_path))
    store = tmp_path / "store.sqlite"
    first = run_sweep(spec, store, client=client, stop_after=3)  # the run is cut short
    assert first["ran"] == 3
    stored = {row["key"]: row["finished_at"] for row in read_rows(store)}
    assert len(stored) == 3
    second = run_sweep(spec, store, client=client)
    assert second == {"total": 8, "skipped": 3, "ran": 5, "failed": 4, "elsewhere": 0}
    rows = read_rows(store)
    keys = [row["key"] for row in rows]
    assert len(keys) == len(set(keys)) == 8  # every task exactly once
    assert {task_key("fails_if", p) for p in spec.grid} == set(keys)
    for key, finished in stored.items():  # nothing recomputed
        assert next(r for r in rows if r["key"] == key)["finished_at"] == finished
    failures = [r for r in rows if r["status"] == "failed"]
    assert len(failures) == 4 and all("task asked to fail" in r["error"] for r in failures)
    assert all(r["cost"] == r["parameters"]["x"] ** 2 for r in rows if r["status"] == "optimal")
    third = run_sweep(spec, store, client=client)
    assert third["ran"] == 0 and third["skipped"] == 8  # failures are not retried either
    fourth = run_sweep(spec, store, client=client, retry_failed=True)
    assert fourth["ran"] == 4 and fourth["failed"] == 4 and fourth["skipped"] == 4
    retried = {r["key"]: r["finished_at"] for r in read_rows(store)}
    assert len(retried) == 8
    assert all(retried[k] > v for k, v in stored.items() if k in {r["key"] for r in failures})


def test_store_rows_carry_the_evidence(tmp_path: Path, client: object) -> None:
    spec_path = _write_spec(
        tmp_path,
        '[sweep]\ntask = "nbody_line"\n[parameters]\nN = [2, 3]\ncost = "gaussian"\nsites = 5\n',
    )
    store = tmp_path / "nbody.sqlite"
    run_sweep(load_spec(spec_path), store, client=client)
    with sqlite3.connect(store) as connection:
        rows = connection.execute(
            "SELECT lower_bound, cost, upper_bound, status, solver, qmot_version FROM results"
        ).fetchall()
    assert len(rows) == 2
    for lower, cost, upper, status, solver, version in rows:
        assert lower <= cost <= upper and status == "optimal" and "HiGHS" in solver and version


def test_cli_sweep_show_export_and_plot(tmp_path: Path) -> None:
    runner = CliRunner()
    spec = _write_spec(
        tmp_path,
        '[sweep]\ntask = "fails_if"\n[parameters]\nx = [1, 2, 3]\nfail = false\nk = [1, 2]\n',
    )
    result = runner.invoke(app, ["sweep", str(spec), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "6 tasks: 0 already stored, 6 ran (0 failed)" in result.output
    store = spec.with_suffix(".sqlite")
    again = runner.invoke(app, ["sweep", str(spec), "--workers", "1"])
    assert "6 already stored, 0 ran" in again.output
    shown = runner.invoke(app, ["results", "show", str(store)], terminal_width=200)
    assert shown.exit_code == 0 and "6 tasks" in shown.output
    header = next(line for line in shown.output.splitlines() if "cost" in line)
    assert all(name in header.split() for name in ("fail", "k", "x"))  # a column each
    for fmt in ("csv", "parquet"):
        exported = runner.invoke(app, ["results", "export", str(store), "--format", fmt])
        assert exported.exit_code == 0 and store.with_suffix(f".{fmt}").stat().st_size > 0
    import pyarrow.parquet as pq

    table = pq.read_table(store.with_suffix(".parquet"))
    assert table.num_rows == 6 and "param_x" in table.column_names
    plotted = runner.invoke(app, ["plot", str(store), "--x", "x", "--y", "cost", "--hue", "k"])
    assert plotted.exit_code == 0 and store.with_suffix(".png").stat().st_size > 1000
    bad = runner.invoke(app, ["plot", str(store), "--x", "nope"])
    assert bad.exit_code == 2 and "must be sweep parameters" in bad.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[sweep]\ntask = "nope"\n[parameters]\nx = 1\n', "`sweep.task` must be one of"),
        ('[sweep]\ntask = "fails_if"\n', "`parameters` must be a non-empty table"),
        ('[sweep]\ntask = "fails_if"\n[parameters]\nx = []\n', "lists must not be empty"),
        ("[sweep\n", "must be valid TOML"),
    ],
)
def test_bad_specs(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        load_spec(_write_spec(tmp_path, text))


def test_task_key_ignores_parameter_order() -> None:
    assert task_key("t", {"a": 1, "b": 2}) == task_key("t", {"b": 2, "a": 1})
    assert task_key("t", {"a": 1}) != task_key("t", {"a": 2})
