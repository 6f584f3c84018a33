"""Parameter sweeps executed with Dask, stored in SQLite as they finish (resumable, shareable).

A sweep spec (TOML)::

    [sweep]
    task = "mk2_two_particles"          # a name of TASKS, or "package.module:function"
    solver = "IPM"                      # optional: solver, tol, max_time are passed to the task
    [solver_options]                    # optional: passed to the task as solver_options
    max_iterations = 200
    [parameters]                        # lists are swept (Cartesian product), scalars fixed
    hbar = [0.2, 0.5, 1.0]
    eta = [0.1, 0.3, 0.5]
    a = 1.0

Every task is identified by a hash of its task name, parameters and options. The parameters are
checked against the task's signature before any cluster starts. Before a task is scheduled it
is *claimed* in the store inside a write transaction, so several ``qmot sweep`` processes may
share one store and no task is computed twice; a claim whose process died is taken over (see
:mod:`qmot.sweep.store`). Each finished task — a result or an error — is written at once as
one row (parameters, cost, bracket, status, solver, seconds, qmot version, error). Running the
same spec again skips the keys already stored (failed ones too, unless ``retry_failed``).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
import signal
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmot._version import __version__
from qmot.errors import InvalidInputError, QmotError
from qmot.sweep.store import COLUMNS, Store, check_store, read_rows
from qmot.sweep.tasks import TASKS, check_task_arguments, register_task, resolve_task

__all__ = [
    "COLUMNS",
    "DEFAULT_WORKER_TIMEOUT",
    "TASKS",
    "NoWorkersError",
    "SweepSpec",
    "check_store",
    "execute_task",
    "load_spec",
    "read_rows",
    "register_task",
    "run_sweep",
    "task_key",
]

DEFAULT_WORKER_TIMEOUT = 60.0
"""Seconds a sweep waits with no live Dask worker before it stops with :class:`NoWorkersError`."""

OPTION_KEYS = ("solver", "tol", "max_time")
"""Keys of the ``[sweep]`` table passed through to the task as keyword arguments."""

_POLL = 0.5


class NoWorkersError(QmotError, RuntimeError):
    """No Dask worker was alive for longer than the sweep's ``worker_timeout``."""


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the task, the parameter dictionaries and the options of every task."""

    task: str
    grid: tuple[dict[str, Any], ...]
    options: dict[str, Any] = field(default_factory=dict)


def _expand(parameters: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    names = sorted(parameters)
    axes = [parameters[n] if isinstance(parameters[n], list) else [parameters[n]] for n in names]
    for values in itertools.product(*axes):
        yield dict(zip(names, values, strict=True))


_SCALARS = (str, int, float, bool)


def _check_values(parameters: Mapping[str, Any]) -> None:
    for name, value in parameters.items():
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if not isinstance(v, _SCALARS)]
        if bad:
            raise InvalidInputError(
                f"`parameters.{name}` must be strings, numbers or booleans, or lists of them "
                f"(got {type(bad[0]).__name__} {bad[0]!s})"
            )


def _read_toml(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise InvalidInputError(f"`{file}` must be an existing TOML file (not found)")
    try:
        return tomllib.loads(file.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"`{file}` must be UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"`{file}` must be valid TOML ({exc})") from exc


def _options(sweep: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(sweep) - {"task", *OPTION_KEYS})
    if unknown:
        raise InvalidInputError(
            f"`sweep` keys must be task, {', '.join(OPTION_KEYS)} (got {unknown[0]!r})"
        )
    options = {k: sweep[k] for k in OPTION_KEYS if k in sweep}
    bad = [k for k, v in options.items() if not isinstance(v, _SCALARS)]
    if bad:
        raise InvalidInputError(
            f"`sweep.{bad[0]}` must be a string or number (got {type(options[bad[0]]).__name__})"
        )
    if "solver_options" in data:
        table = data["solver_options"]
        if not isinstance(table, dict):
            raise InvalidInputError(
                f"`solver_options` must be a table (got {type(table).__name__} {table!r})"
            )
        options["solver_options"] = table
    unknown_tables = sorted(set(data) - {"sweep", "parameters", "solver_options"})
    if unknown_tables:
        raise InvalidInputError(
            f"a sweep spec must have only the tables sweep, parameters and solver_options "
            f"(got {unknown_tables[0]!r})"
        )
    return options


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a TOML sweep spec (everything is checked before any task runs).

    Raises
    ------
    InvalidInputError
        The file is missing, not UTF-8 TOML, has no ``[sweep]`` table with a known ``task``
        (a registered name or an importable ``module:function``), its ``[parameters]`` are
        empty, not plain values (e.g. TOML dates), miss one the task needs or name one it does
        not take, or the options are not ones the task accepts.
    """
    file = Path(path)
    data = _read_toml(file)
    sweep = data.get("sweep")
    if not isinstance(sweep, dict):
        raise InvalidInputError(
            f"`sweep` must be a table with key 'task' (got {type(sweep).__name__} {sweep!r})"
        )
    task = sweep.get("task")
    function = resolve_task(task)
    options = _options(sweep, data)
    parameters = data.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        raise InvalidInputError("`parameters` must be a non-empty table of values or lists")
    if any(isinstance(v, list) and not v for v in parameters.values()):
        raise InvalidInputError("`parameters` lists must not be empty")
    _check_values(parameters)
    check_task_arguments(str(task), function, parameters, options)
    return SweepSpec(str(task), tuple(_expand(parameters)), options)


def task_key(
    task: str, parameters: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> str:
    """Stable identifier of one task (hash of its name, sorted parameters and options)."""
    content: dict[str, Any] = {"task": task, "parameters": dict(sorted(parameters.items()))}
    if options:
        content["options"] = dict(options)
    text = json.dumps(content, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _blas_threads(threads_per_task: int | None, host_threads: Mapping[str, int]) -> int:
    """BLAS threads for one task: given, or the cores of this host ÷ its concurrent tasks."""
    if threads_per_task is not None:
        return threads_per_task
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    concurrent = 1
    with contextlib.suppress(ValueError):
        from distributed import get_worker

        concurrent = host_threads.get(get_worker().address.rsplit(":", 1)[0], 1)
    return max(1, (cores or 1) // max(1, concurrent))


def _result_fields(result: Any) -> dict[str, Any]:
    names = ("cost", "lower_bound", "upper_bound", "status", "solver")
    missing = [n for n in names if not hasattr(result, n)]
    if missing:
        raise TypeError(
            f"a sweep task must return a TransportResult (got {type(result).__name__}, "
            f"without {', '.join(missing)})"
        )
    fields = {n: getattr(result, n) for n in names}
    fields["status"] = str(fields["status"])
    return fields


def execute_task(
    task: str,
    parameters: dict[str, Any],
    options: Mapping[str, Any] | None = None,
    *,
    threads_per_task: int | None = None,
    host_threads: Mapping[str, int] | None = None,
    function: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Run one task where it is scheduled; errors become records, never exceptions.

    The task runs inside ``threadpoolctl.threadpool_limits(limits=k, user_api="blas")`` with
    ``k = threads_per_task``, by default the cores of the host divided by the tasks running on
    it at once (so that concurrent tasks do not oversubscribe the cores). ``function`` is the
    task's function when the caller resolved it already (a task registered in the sweep's
    process travels to the workers this way); otherwise ``task`` is resolved here.
    """
    from threadpoolctl import threadpool_limits

    options = dict(options or {})
    started = time.perf_counter()
    row: dict[str, Any] = {
        "key": task_key(task, parameters, options),
        "task": task,
        "parameters": json.dumps(parameters, sort_keys=True),
        "qmot_version": __version__,
        "error": None,
    }
    try:
        with threadpool_limits(
            limits=_blas_threads(threads_per_task, host_threads or {}), user_api="blas"
        ):
            run = function if function is not None else resolve_task(task)
            row.update(_result_fields(run(**parameters, **options)))
    except Exception as exc:
        row.update(_failed_fields(exc))
    row["seconds"] = time.perf_counter() - started
    row["finished_at"] = time.time()
    return row


def _failed_fields(exc: BaseException) -> dict[str, Any]:
    return {
        "cost": None,
        "lower_bound": None,
        "upper_bound": None,
        "status": "failed",
        "solver": None,
        "error": f"{type(exc).__name__}: {exc}",
    }


def _lost_row(spec: SweepSpec, parameters: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    """The record of a task whose worker died (Dask gave up after its allowed failures)."""
    row = {
        "key": task_key(spec.task, parameters, spec.options),
        "task": spec.task,
        "parameters": json.dumps(parameters, sort_keys=True),
        "qmot_version": __version__,
        "seconds": 0.0,
        "finished_at": time.time(),
    }
    row.update(_failed_fields(exc))
    row["error"] = f"the worker running this task died ({row['error']})"
    return row


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Silence Dask's shutdown chatter (cancelled tasks, closing comms) while a sweep stops."""
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _local_cluster(workers: int) -> Any:
    """A local cluster of ``workers`` single-threaded processes that ignore Ctrl-C.

    The worker processes are started while SIGINT is ignored (the disposition is inherited),
    so a Ctrl-C in the terminal reaches only the sweep, which then stops them cleanly.
    """
    from dask.distributed import LocalCluster

    if threading.current_thread() is not threading.main_thread():
        return LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=":0", silence_logs=40
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def _check_run_arguments(
    workers: int | None, threads_per_task: int | None, worker_timeout: float
) -> None:
    for name, value in (("workers", workers), ("threads_per_task", threads_per_task)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidInputError(f"`{name}` must be a positive integer (got {value!r})")
        if value is not None and value < 1:
            raise InvalidInputError(f"`{name}` must be a positive integer (got {value})")
    if not isinstance(worker_timeout, int | float) or not worker_timeout > 0:
        raise InvalidInputError(
            f"`worker_timeout` must be a positive number (got {worker_timeout!r})"
        )


def run_sweep(
    spec: SweepSpec,
    store: str | Path,
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    threads_per_task: int | None = None,
    retry_failed: bool = False,
    worker_timeout: float = DEFAULT_WORKER_TIMEOUT,
    stop_after: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Run the tasks of ``spec`` that the store does not have yet; record each as it finishes.

    Parameters
    ----------
    client
        A ``dask.distributed.Client`` to use; otherwise one is made for ``scheduler``
        (``tcp://host:port``) or for a new local cluster of ``workers`` processes
        (default: one per core, at most one per task).
    threads_per_task
        BLAS threads of each task (default: cores of its host ÷ tasks running there at once).
    retry_failed
        Run again the tasks stored as failed (otherwise they are skipped like the others).
    worker_timeout
        Stop with :class:`NoWorkersError` after this many seconds without a live worker.
    stop_after
        Stop (cancelling the rest) after this many tasks finished — what an interruption does.
    progress
        Called with ``(finished, pending)`` after each task.

    Returns
    -------
    dict
        Counts: ``total``, ``skipped`` (already stored), ``ran``, ``failed`` and
        ``elsewhere`` (claimed by another live sweep process on the same store).

    Raises
    ------
    NoWorkersError
        No worker was alive for ``worker_timeout`` seconds; unfinished tasks are released.
    KeyboardInterrupt
        On Ctrl-C, after the running tasks are cancelled, their claims released and the
        cluster closed; every finished task is already stored.
    """
    _check_run_arguments(workers, threads_per_task, worker_timeout)
    if workers is not None and (client is not None or scheduler):
        raise InvalidInputError(
            f"`workers` applies to the local cluster only (got {workers} with a scheduler)"
        )
    owned = Store(store)
    try:
        pending = _pending(spec, owned, retry_failed)
        counts = {
            "total": len(spec.grid),
            "skipped": len(spec.grid) - len(pending),
            "ran": 0,
            "failed": 0,
            "elsewhere": 0,
        }
        if pending:
            with _client(client, scheduler, workers, len(pending)) as dask_client:
                _schedule(
                    _Run(spec, owned, dask_client, counts, retry_failed, threads_per_task),
                    pending,
                    worker_timeout=worker_timeout,
                    stop_after=stop_after,
                    progress=progress,
                )
    finally:
        owned.close()
    return counts


def _pending(spec: SweepSpec, owned: Store, retry_failed: bool) -> list[dict[str, Any]]:
    stored = owned.stored_keys(retry_failed=retry_failed)
    return [p for p in spec.grid if task_key(spec.task, p, spec.options) not in stored]


@contextlib.contextmanager
def _client(client: Any, scheduler: str | None, workers: int | None, tasks: int) -> Iterator[Any]:
    """The given client, or a new one (closed quietly on the way out, Ctrl-C included)."""
    if client is not None:
        yield client
        return
    from dask.distributed import Client

    cluster = None
    if scheduler:
        new = Client(scheduler, timeout="20s")
    else:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        cluster = _local_cluster(workers or max(1, min(cores, tasks)))
        new = Client(cluster)
    try:
        yield new
    finally:
        with _quiet_dask():
            new.close()
            if cluster is not None:
                cluster.close()


@dataclass
class _Run:
    spec: SweepSpec
    store: Store
    client: Any
    counts: dict[str, int]
    retry_failed: bool
    threads_per_task: int | None
    in_flight: dict[Any, dict[str, Any]] = field(default_factory=dict)

    def host_threads(self) -> dict[str, int]:
        """Task slots per worker host (for the default BLAS threads of each task)."""
        threads: dict[str, int] = {}
        for address, count in self.client.nthreads().items():
            host = address.rsplit(":", 1)[0]
            threads[host] = threads.get(host, 0) + int(count)
        return threads

    def submit(self, parameters: dict[str, Any], host_threads: Mapping[str, int]) -> None:
        future = self.client.submit(
            execute_task,
            self.spec.task,
            parameters,
            self.spec.options,
            threads_per_task=self.threads_per_task,
            host_threads=dict(host_threads),
            function=resolve_task(self.spec.task),
            pure=False,
        )
        self.in_flight[future] = parameters

    def collect(self, future: Any) -> dict[str, Any]:
        parameters = self.in_flight.pop(future)
        try:
            row = future.result()
        except Exception as exc:  # KilledWorker: the task's worker died too often
            row = _lost_row(self.spec, parameters, exc)
        self.store.record(row)
        self.counts["ran"] += 1
        self.counts["failed"] += row["status"] == "failed"
        return row


def _schedule(
    run: _Run,
    pending: list[dict[str, Any]],
    *,
    worker_timeout: float,
    stop_after: int | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Claim and submit tasks as slots free up; record them as they finish."""
    from dask.distributed import wait

    queue = list(pending)
    last_worker = time.monotonic()
    last_beat = time.monotonic()
    try:
        while queue or run.in_flight:
            host_threads = run.host_threads()
            slots = sum(host_threads.values())
            now = time.monotonic()
            if slots:
                last_worker = now
            elif now - last_worker > worker_timeout:
                raise NoWorkersError(
                    f"no Dask worker alive for {worker_timeout:g} s "
                    f"({run.counts['ran']} tasks stored, {len(run.in_flight) + len(queue)} "
                    "not run); start workers for the scheduler and run the sweep again"
                )
            while queue and len(run.in_flight) < max(1, slots) + 1:
                parameters = queue.pop(0)
                key = task_key(run.spec.task, parameters, run.spec.options)
                outcome = run.store.claim(key, retry_failed=run.retry_failed)
                if outcome == "claimed":
                    run.submit(parameters, host_threads)
                else:
                    run.counts["skipped" if outcome == "stored" else "elsewhere"] += 1
            if now - last_beat > 5.0:
                run.store.heartbeat()
                last_beat = now
            if not run.in_flight:
                continue
            done, _ = _wait_some(wait, list(run.in_flight))
            for future in done:
                run.collect(future)
                if progress is not None:
                    progress(run.counts["ran"], len(pending))
                if stop_after is not None and run.counts["ran"] >= stop_after:
                    return
    finally:
        with _quiet_dask():
            run.client.cancel(list(run.in_flight))


def _wait_some(wait: Callable[..., Any], futures: list[Any]) -> tuple[set[Any], set[Any]]:
    try:
        done, rest = wait(futures, timeout=_POLL, return_when="FIRST_COMPLETED")
    except TimeoutError:
        return set(), set(futures)
    return set(done), set(rest)
