"""Parameter sweeps executed with Dask, stored in SQLite as they finish (resumable).

A sweep spec (TOML)::

    [sweep]
    task = "mk2_two_particles"          # one of TASKS
    [parameters]                        # lists are swept (Cartesian product), scalars fixed
    hbar = [0.2, 0.5, 1.0]
    eta = [0.1, 0.3, 0.5]
    a = 1.0

Every task is identified by a hash of its task name and parameters. Each finished task — a
result or an error — is written at once as one row of the SQLite store (parameters, cost,
bracket, status, solver, seconds, qmot version, error). Running the same spec again skips the
keys already in the store, so an interrupted sweep loses nothing and nothing is recomputed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qmot._version import __version__
from qmot.errors import InvalidInputError
from qmot.results import TransportResult

__all__ = [
    "REQUIRED_PARAMETERS",
    "TASKS",
    "SweepSpec",
    "load_spec",
    "read_rows",
    "run_sweep",
    "task_key",
]

COLUMNS = (
    "key",
    "task",
    "parameters",
    "cost",
    "lower_bound",
    "upper_bound",
    "status",
    "solver",
    "seconds",
    "qmot_version",
    "error",
    "finished_at",
)


def _mk2_two_particles(p: Mapping[str, Any]) -> TransportResult:
    from qmot.quantum import CoherentMixture, mk2

    a, eta, hbar = float(p.get("a", 1.0)), float(p["eta"]), float(p["hbar"])
    first = CoherentMixture([[a, 0.0], [-a, 0.0]], [(1 + eta) / 2, (1 - eta) / 2], hbar=hbar)
    second = CoherentMixture([[a, 0.0], [-a, 0.0]], [0.5, 0.5], hbar=hbar)
    return mk2(first, second)


def _mk2_random(p: Mapping[str, Any]) -> TransportResult:
    from qmot.quantum import CoherentMixture, mk2

    rng = np.random.default_rng(int(p.get("seed", 0)))
    size, modes, hbar = int(p["size"]), int(p.get("modes", 1)), float(p["hbar"])
    states = [
        CoherentMixture(rng.normal(size=(size, 2 * modes)), rng.dirichlet(np.ones(size)), hbar=hbar)
        for _ in range(2)
    ]
    return mk2(*states)


def _dpt_random(p: Mapping[str, Any]) -> TransportResult:
    from qmot.linalg import random_density_matrix
    from qmot.quantum import dpt_divergence, spin

    dim, seed = int(p["dim"]), int(p.get("seed", 0))
    rank = int(p.get("rank", dim))
    rng = np.random.default_rng(seed)
    return dpt_divergence(
        random_density_matrix(dim, rank, seed=rng),
        random_density_matrix(dim, rank, seed=rng),
        spin((dim - 1) / 2),
    )


def _nbody_line(p: Mapping[str, Any]) -> TransportResult:
    from qmot import manybody

    costs = {
        "coulomb": manybody.Coulomb(),
        "gaussian": manybody.Gaussian(0.3),
        "exponential": manybody.Exponential(2.0),
        "quadratic": manybody.Quadratic(),
    }
    name = str(p["cost"])
    if name not in costs:
        raise InvalidInputError(f"`cost` must be one of {sorted(costs)} (got {name!r})")
    sites = int(p.get("sites", 8))
    x = np.linspace(0.0, 1.0, sites)
    return manybody.symmetric_ot(costs[name].matrix(x), np.full(sites, 1 / sites), int(p["N"]))


def _fails_if(p: Mapping[str, Any]) -> TransportResult:
    """A test task: raises when ``fail`` is true, otherwise a trivial certified result."""
    if p.get("fail"):
        raise RuntimeError(f"task asked to fail (x = {p.get('x')})")
    value = float(p.get("x", 0.0)) ** 2
    return TransportResult(value, value, value, "optimal", "closed-form")


TASKS: dict[str, Callable[[Mapping[str, Any]], TransportResult]] = {
    "mk2_two_particles": _mk2_two_particles,
    "mk2_random": _mk2_random,
    "dpt_random": _dpt_random,
    "nbody_line": _nbody_line,
    "fails_if": _fails_if,
}


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the task and the list of parameter dictionaries."""

    task: str
    grid: tuple[dict[str, Any], ...]


def _expand(parameters: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    names = sorted(parameters)
    axes = [parameters[n] if isinstance(parameters[n], list) else [parameters[n]] for n in names]
    for values in itertools.product(*axes):
        yield dict(zip(names, values, strict=True))


REQUIRED_PARAMETERS: dict[str, tuple[str, ...]] = {
    "mk2_two_particles": ("eta", "hbar"),
    "mk2_random": ("size", "hbar"),
    "dpt_random": ("dim",),
    "nbody_line": ("cost", "N"),
    "fails_if": (),
}
"""Parameters each task reads without a default (checked before any task is scheduled)."""

_SCALARS = (str, int, float, bool)


def _check_parameters(task: str, parameters: Mapping[str, Any]) -> None:
    for name, value in parameters.items():
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if not isinstance(v, _SCALARS)]
        if bad:
            raise InvalidInputError(
                f"`parameters.{name}` must be strings, numbers or booleans, or lists of them "
                f"(got {type(bad[0]).__name__} {bad[0]!s})"
            )
    missing = [name for name in REQUIRED_PARAMETERS[task] if name not in parameters]
    if missing:
        raise InvalidInputError(
            f"`parameters` must set {', '.join(missing)} for task {task!r} "
            f"(required: {', '.join(REQUIRED_PARAMETERS[task])}; got {sorted(parameters)})"
        )


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a TOML sweep spec.

    Raises
    ------
    InvalidInputError
        The file is missing, not UTF-8 TOML, has no ``[sweep]`` table with a known ``task``,
        or its ``[parameters]`` are empty, not plain values (e.g. TOML dates) or miss one the
        task needs (:data:`REQUIRED_PARAMETERS`).
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(f"`{file}` must be an existing TOML file (not found)")
    try:
        data = tomllib.loads(file.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"`{file}` must be UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"`{file}` must be valid TOML ({exc})") from exc
    sweep = data.get("sweep")
    if not isinstance(sweep, dict):
        raise InvalidInputError(
            f"`sweep` must be a table with key 'task' (got {type(sweep).__name__} {sweep!r})"
        )
    task = sweep.get("task")
    if task not in TASKS:
        raise InvalidInputError(f"`sweep.task` must be one of {sorted(TASKS)} (got {task!r})")
    parameters = data.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        raise InvalidInputError("`parameters` must be a non-empty table of values or lists")
    if any(isinstance(v, list) and not v for v in parameters.values()):
        raise InvalidInputError("`parameters` lists must not be empty")
    _check_parameters(task, parameters)
    return SweepSpec(task, tuple(_expand(parameters)))


def task_key(task: str, parameters: Mapping[str, Any]) -> str:
    """Stable identifier of one task (hash of its name and sorted parameters)."""
    text = json.dumps(
        {"task": task, "parameters": dict(sorted(parameters.items()))}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def check_store(store: str | Path) -> None:
    """Check that ``store`` can hold a sweep (before any task is scheduled).

    Raises
    ------
    InvalidInputError
        Its folder is missing, it is a folder, or it exists but is not a qmot SQLite store.
    """
    _connect(store).close()


def _connect(store: str | Path) -> sqlite3.Connection:
    path = Path(store)
    if not path.parent.is_dir():
        raise InvalidInputError(f"`store` must be in an existing folder (got {path})")
    if path.exists() and not path.is_file():
        raise InvalidInputError(f"`store` must be a file (got the folder {path})")
    connection = sqlite3.connect(str(path))
    try:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, task TEXT, "
            "parameters TEXT, cost REAL, lower_bound REAL, upper_bound REAL, status TEXT, "
            "solver TEXT, seconds REAL, qmot_version TEXT, error TEXT, finished_at REAL)"
        )
        connection.execute("SELECT key FROM results LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        connection.close()
        raise InvalidInputError(
            f"`store` must be a qmot SQLite sweep store (got {path}: {exc})"
        ) from exc
    return connection


def execute_task(task: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Run one task where it is scheduled; errors become records, never exceptions."""
    started = time.perf_counter()
    row: dict[str, Any] = {
        "key": task_key(task, parameters),
        "task": task,
        "parameters": json.dumps(parameters, sort_keys=True),
        "qmot_version": __version__,
    }
    try:
        result = TASKS[task](parameters)
        row.update(
            cost=result.cost,
            lower_bound=result.lower_bound,
            upper_bound=result.upper_bound,
            status=result.status,
            solver=result.solver,
            error=None,
        )
    except Exception as exc:
        row.update(
            cost=None,
            lower_bound=None,
            upper_bound=None,
            status="failed",
            solver=None,
            error=f"{type(exc).__name__}: {exc}",
        )
    row["seconds"] = time.perf_counter() - started
    row["finished_at"] = time.time()
    return row


def _record(connection: sqlite3.Connection, row: dict[str, Any]) -> None:
    placeholders = ", ".join("?" for _ in COLUMNS)
    connection.execute(
        f"INSERT OR IGNORE INTO results VALUES ({placeholders})",
        [row[c] for c in COLUMNS],
    )
    connection.commit()


def run_sweep(
    spec: SweepSpec,
    store: str | Path,
    *,
    client: Any = None,
    scheduler: str | None = None,
    stop_after: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Run the tasks of ``spec`` that the store does not have yet; record each as it finishes.

    Parameters
    ----------
    client
        A ``dask.distributed.Client`` to use; otherwise one is made for ``scheduler``
        (``tcp://host:port``) or for a new local cluster.
    stop_after
        Stop (cancelling the rest) after this many tasks finished — what an interruption does.
    progress
        Called with ``(finished, pending)`` after each task.

    Returns
    -------
    dict
        Counts: ``total``, ``skipped`` (already stored), ``ran``, ``failed``.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    connection = _connect(store)
    done = {key for (key,) in connection.execute("SELECT key FROM results")}
    pending = [p for p in spec.grid if task_key(spec.task, p) not in done]
    counts = {
        "total": len(spec.grid),
        "skipped": len(spec.grid) - len(pending),
        "ran": 0,
        "failed": 0,
    }
    if not pending:
        return counts
    own = client is None
    cluster = None
    if own:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0")
            client = Client(cluster)
    futures = [client.submit(execute_task, spec.task, p, pure=False) for p in pending]
    try:
        for future in as_completed(futures):
            row = future.result()
            _record(connection, row)
            counts["ran"] += 1
            counts["failed"] += row["status"] == "failed"
            if progress is not None:
                progress(counts["ran"], len(pending))
            if stop_after is not None and counts["ran"] >= stop_after:
                break
    finally:
        client.cancel([f for f in futures if not f.done()])
        connection.close()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    return counts


def read_rows(store: str | Path) -> list[dict[str, Any]]:
    """All rows of a store, parameters decoded, ordered by finishing time."""
    path = Path(store)
    if not path.is_file():
        raise InvalidInputError(f"`{path}` must be an existing sweep store (not found)")
    connection = sqlite3.connect(str(path))
    try:
        cursor = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM results ORDER BY finished_at"
        )
        rows = [dict(zip(COLUMNS, values, strict=True)) for values in cursor]
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(f"`{path}` must be a qmot sweep store ({exc})") from exc
    finally:
        connection.close()
    for row in rows:
        _decode_row(row, path)
    return rows


_NUMBER_COLUMNS = ("cost", "lower_bound", "upper_bound", "seconds", "finished_at")
_TEXT_COLUMNS = ("key", "task", "status", "solver", "qmot_version", "error")


def _decode_row(row: dict[str, Any], path: Path) -> None:
    """Decode ``parameters`` in place; refuse a row whose columns have the wrong types."""
    where = f"`{path}` row {row.get('key')!r}"
    try:
        parameters = json.loads(row["parameters"])
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{where} must hold parameters as a JSON object ({exc})") from exc
    if not isinstance(parameters, dict):
        raise InvalidInputError(
            f"{where} must hold parameters as a JSON object (got {type(parameters).__name__})"
        )
    row["parameters"] = parameters
    for column in _NUMBER_COLUMNS:
        value = row[column]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidInputError(f"{where} must have a number in `{column}` (got {value!r})")
    for column in _TEXT_COLUMNS:
        if row[column] is not None and not isinstance(row[column], str):
            raise InvalidInputError(f"{where} must have text in `{column}` (got {row[column]!r})")
    if row["status"] is None or row["seconds"] is None:
        raise InvalidInputError(f"{where} must have a status and seconds (got None)")
