"""How many BLAS/LAPACK threads a solve gets: one policy for every solver.

Thread pools pay only on large matrices and only on idle cores. Measured on 2 cores
(``benchmarks/bench_threads.py --crossover``, 1-minute load average 2.5): a second thread speeds
up SciPy's complex Hermitian ``eigh`` and real Cholesky factorisation only from n ≈ 768 on
(1.3–1.6× at n = 768–1024; 0.75–1.2× at n ≤ 512), and NumPy's complex matrix product from n ≈ 64
on, where one product costs under a millisecond. At load average 10, from n = 256 on, a second
thread made each of them slower: ``eigh`` 3.4–12×, products 1.1–3×, Cholesky 1.6–1250×.
And a second thread is ruinous when another process holds one of the two cores:
``dpt_divergence`` of two 16-dimensional qudits (``QMOT-ENTROPIC``, ``tol=1e-4``) took 91 s with
2 threads and 6.4 s with 1 — OpenBLAS threads wait for each other at every call, and a
descheduled thread stalls them all.

:func:`blas_policy` (a context manager) and :func:`uses_blas_policy` (the same as a decorator)
set, for the duration of a solve, the thread count chosen by :func:`choose_threads`:

1. an explicit setting wins: :func:`set_threads` (``qmot.set_threads``), else the environment
   variable ``QMOT_NUM_THREADS`` (a positive integer, or ``auto``);
2. otherwise 1 thread below coupling dimension :data:`THREADED_DIMENSION`;
3. otherwise the cores this process may use (affinity mask and cgroup CPU quota, v2 and v1), less
   those that other processes keep busy (measured over :data:`BUSY_WINDOW` seconds from
   ``/proc/stat``, or the 1-minute load average where that file is missing), and never more than
   the caller's own limit (``OPENBLAS_NUM_THREADS``, ``threadpoolctl.threadpool_limits``, a sweep
   worker's setting).

Wheels of NumPy and SciPy each bundle their own OpenBLAS, so one process can hold two BLAS
pools. OpenBLAS threads keep spinning for a while after each call; when a loop alternates NumPy
products with SciPy eigendecompositions, the idle pool's spinning threads compete with the working
pool's for the cores (on 2 cores this doubled the time of ``QMOT-ENTROPIC``: 39.8 s against
19.3 s, ``benchmarks/bench_first_order.py``). So the chosen count goes to SciPy's pool (LAPACK does
the O(n³) work) and every other BLAS pool runs single-threaded; with one shared library (conda's
OpenBLAS or MKL) that library gets the count. Every pool's previous setting is restored when the
block ends, also when it raises. Blocks nest (an inner block keeps the outer choice) and are
shared by concurrent Python threads (the first one in chooses, the last one out restores; but
OpenBLAS 0.3.30 ignores a raise of its count asked for by a thread other than the one that
lowered it, so solves run concurrently in threads of one process may leave the pools lowered:
run them in processes, as ``qmot sweep`` does, or under a limit of the caller's).
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np

from qmot.errors import InvalidInputError

__all__ = [
    "BUSY_WINDOW",
    "ENVIRONMENT_VARIABLE",
    "THREADED_DIMENSION",
    "available_cores",
    "blas_policy",
    "busy_cores_elsewhere",
    "choose_threads",
    "lapack_owns_the_cores",
    "set_threads",
    "uses_blas_policy",
]

ENVIRONMENT_VARIABLE = "QMOT_NUM_THREADS"
"""Environment variable with qmot's BLAS thread count: a positive integer, or ``auto``."""

THREADED_DIMENSION = 640
"""Coupling dimensions n = r·s below this get one BLAS thread (the crossover measured for
``eigh`` and Cholesky on 2 cores lies between n = 512 and n = 768; see the module docstring)."""

BUSY_WINDOW = 0.1
"""Seconds over which the CPU time of other processes is measured (only for solves of at least
:data:`THREADED_DIMENSION`, which take seconds)."""

BUSY_SLACK = 0.2
"""A core counts as free when others keep it busy less than this fraction of the time (a thread
on a shared core costs far more than one thread fewer on a free one)."""

_CGROUP_ROOT = Path("/sys/fs/cgroup")
_PROC_STAT = Path("/proc/stat")

_lock = threading.Lock()
_explicit: int | None = None
_enabled = True
_active: dict[str, Any] = {"depth": 0, "restore": None}


def _check_thread_count(value: object, name: str) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise InvalidInputError(
            f"`{name}` must be a positive integer or None (got {type(value).__name__} {value!r})"
        )
    if value < 1:
        raise InvalidInputError(f"`{name}` must be a positive integer or None (got {value!r})")
    return int(value)


def set_threads(n: int | None) -> None:
    """Fix the number of BLAS/LAPACK threads of every qmot solve (``None``: choose per solve).

    The setting overrides the environment variable ``QMOT_NUM_THREADS`` and the automatic choice
    (matrix size, available and busy cores; see :mod:`qmot._threads`). It applies to qmot's
    solves only: the caller's own thread settings are restored after each one.

    Parameters
    ----------
    n : int or None
        Positive number of threads, or ``None`` to return to the automatic choice.

    Raises
    ------
    InvalidInputError
        ``n`` is not ``None`` and not a positive integer.

    Examples
    --------
    >>> import qmot
    >>> qmot.set_threads(1)
    >>> qmot.set_threads(None)
    """
    global _explicit
    _explicit = None if n is None else _check_thread_count(n, "n")


def _environment_threads() -> int | None:
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if text == "" or text.lower() == "auto":
        return None
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise InvalidInputError(
            f"`{ENVIRONMENT_VARIABLE}` must be a positive integer or 'auto' (got {text!r})"
        )
    return int(text)


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _quota_from(quota: str | None, period: str | None) -> float | None:
    """CPUs granted by a CFS quota (``None`` where there is no quota or it cannot be read)."""
    try:
        quota_us, period_us = float(quota or "nan"), float(period or "nan")
    except ValueError:
        return None
    if not (quota_us > 0 and period_us > 0):
        return None
    return quota_us / period_us


def _cgroup_cpus(root: Path) -> float | None:
    """CPUs granted by the cgroup quota under ``root`` (v2 ``cpu.max``, else v1 CFS files)."""
    limits = []
    line = _read(root / "cpu.max")
    if line is not None:
        fields = line.split()
        if len(fields) == 2 and fields[0] != "max":
            limits.append(_quota_from(fields[0], fields[1]))
    for folder in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        limits.append(
            _quota_from(
                _read(root / folder / "cpu.cfs_quota_us"),
                _read(root / folder / "cpu.cfs_period_us"),
            )
        )
    found = [limit for limit in limits if limit is not None]
    return min(found) if found else None


def available_cores(cgroup_root: Path | None = None) -> int:
    """Cores this process may run on: its affinity mask, capped by a cgroup CPU quota.

    A quota of q CPUs (``cpu.max`` of cgroup v2, or ``cpu.cfs_quota_us / cpu.cfs_period_us``
    of cgroup v1) allows ⌈q⌉ threads at a time. Where affinity is unknown (macOS, Windows),
    ``os.cpu_count()`` is used.

    Parameters
    ----------
    cgroup_root : pathlib.Path, optional
        Where the cgroup file system is mounted (default ``/sys/fs/cgroup``).

    Returns
    -------
    int
        At least 1.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _cgroup_cpus(_CGROUP_ROOT if cgroup_root is None else cgroup_root)
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


def _cpu_times(stat: Path, cpus: set[int]) -> tuple[float, float] | None:
    """Busy and total clock ticks of the CPUs ``cpus`` from a ``/proc/stat`` file."""
    text = _read(stat)
    if text is None:
        return None
    busy = total = 0.0
    seen = 0
    for line in text.splitlines():
        name, _, rest = line.partition(" ")
        if not name.startswith("cpu") or not name[3:].isdigit() or int(name[3:]) not in cpus:
            continue
        try:  # user nice system idle iowait irq softirq steal
            ticks = [float(field) for field in rest.split()[:8]]
        except ValueError:
            return None
        ticks += [0.0] * (8 - len(ticks))
        busy += sum(ticks) - ticks[3] - ticks[4]
        total += sum(ticks)
        seen += 1
    return (busy, total) if seen else None


def busy_cores_elsewhere(window: float = BUSY_WINDOW, stat: Path = _PROC_STAT) -> float:
    """How many of this process's cores other processes keep busy right now.

    The busy time of the CPUs in the affinity mask over ``window`` seconds (``/proc/stat``),
    minus this process's own CPU time, divided by the elapsed time. Without ``/proc/stat``:
    the 1-minute load average less one (this process), which lags by about a minute.

    Returns
    -------
    float
        A number of cores, at least 0.
    """
    try:
        cpus = set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = set(range(os.cpu_count() or 1))
    before = _cpu_times(stat, cpus)
    if before is None:
        try:
            return max(0.0, os.getloadavg()[0] - 1.0)
        except (AttributeError, OSError):
            return 0.0
    own, wall = time.process_time(), time.perf_counter()
    time.sleep(window)
    after = _cpu_times(stat, cpus)
    own, wall = time.process_time() - own, time.perf_counter() - wall
    if after is None or after[1] <= before[1]:
        return 0.0
    ticks_per_second = (after[1] - before[1]) / (wall * len(cpus))
    busy_seconds = (after[0] - before[0]) / ticks_per_second
    return max(0.0, (busy_seconds - own) / wall)


def _pools() -> tuple[list[Any], list[Any]]:
    """SciPy's BLAS pools and the others (loading SciPy's first, so that it is seen)."""
    import scipy.linalg  # noqa: F401
    from threadpoolctl import ThreadpoolController

    pools = ThreadpoolController().select(user_api="blas").lib_controllers
    scipy_pools = [pool for pool in pools if _is_scipy_library(pool.filepath)]
    return scipy_pools, [pool for pool in pools if not _is_scipy_library(pool.filepath)]


def _is_scipy_library(filepath: str) -> bool:
    """True for the BLAS bundled with SciPy (``scipy.libs`` / ``scipy/.dylibs`` and the like)."""
    return any(part.lower().startswith("scipy") for part in Path(filepath).parent.parts[-2:])


def choose_threads(dimension: int, inherited: int | None = None) -> int:
    """The BLAS thread count of a solve on a coupling of dimension ``dimension``.

    Parameters
    ----------
    dimension : int
        Size n of the matrices the solver factorises (the coupling dimension r·s).
    inherited : int, optional
        The caller's current limit (the automatic choice never exceeds it).

    Returns
    -------
    int
        The explicit setting (:func:`set_threads`, then ``QMOT_NUM_THREADS``) if any; else 1
        below :data:`THREADED_DIMENSION`; else the available cores not kept busy by others,
        at least 1.

    Raises
    ------
    InvalidInputError
        ``QMOT_NUM_THREADS`` is set to something other than a positive integer or ``auto``.
    """
    explicit = _explicit if _explicit is not None else _environment_threads()
    if explicit is not None:
        return explicit
    cores = available_cores()
    ceiling = cores if inherited is None else min(cores, max(1, inherited))
    if dimension < THREADED_DIMENSION or ceiling == 1:
        return 1
    free = cores - busy_cores_elsewhere()
    return max(1, min(ceiling, math.floor(free + BUSY_SLACK)))


def _apply(dimension: int) -> Callable[[], None]:
    """Set the pools for a solve of size ``dimension``; return the function that restores them."""
    scipy_pools, others = _pools()
    pools = scipy_pools + others
    previous = [pool.num_threads for pool in pools]
    leading = scipy_pools or others
    threads = choose_threads(dimension, max((pool.num_threads for pool in leading), default=None))
    for pool in leading:
        pool.set_num_threads(threads)
    for pool in others if scipy_pools else []:
        pool.set_num_threads(1)

    def restore() -> None:
        for pool, count in zip(pools, previous, strict=True):
            pool.set_num_threads(count)

    return restore


@contextlib.contextmanager
def blas_policy(dimension: int) -> Iterator[None]:
    """Within the block, BLAS pools run with the thread count of :func:`choose_threads`.

    Parameters
    ----------
    dimension : int
        The coupling dimension r·s of the solve.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_policy(3):
    ...     values = np.linalg.eigvalsh(np.eye(3))
    >>> values.tolist()
    [1.0, 1.0, 1.0]
    """
    with _lock:
        if _active["depth"] == 0 and _enabled:
            _active["restore"] = _apply(dimension)
        _active["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _active["depth"] -= 1
            restore = _active["restore"] if _active["depth"] == 0 else None
            if restore is not None:
                _active["restore"] = None
                restore()


P = ParamSpec("P")
R = TypeVar("R")


def _dimension_of(argument: object) -> int:
    """Coupling dimension of a solver's first argument: a cost matrix or a reduced problem."""
    dims = getattr(argument, "dims", None)
    if dims is not None:
        return int(math.prod(dims))
    shape = getattr(argument, "shape", None)
    return int(shape[0]) if shape else 0


def uses_blas_policy(solver: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run ``solver`` inside :func:`blas_policy` sized by its first argument (a cost
    matrix of shape (n, n), or a problem with ``dims = (r, s)``)."""

    @functools.wraps(solver)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        first = args[0] if args else kwargs.get("cost", kwargs.get("problem"))
        with blas_policy(_dimension_of(first)):
            return solver(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def _policy_disabled() -> Iterator[None]:
    """Within the block, qmot leaves every BLAS pool as it finds it (benchmarks: the "before")."""
    global _enabled
    saved, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = saved


@contextlib.contextmanager
def lapack_owns_the_cores() -> Iterator[None]:
    """Within the block, BLAS pools other than SciPy's run single-threaded (if both exist).

    Examples
    --------
    >>> import numpy as np
    >>> with lapack_owns_the_cores():
    ...     values = np.linalg.eigvalsh(np.eye(3))
    >>> values.tolist()
    [1.0, 1.0, 1.0]
    """
    scipy_pools, others = _pools()
    if not scipy_pools or not others:
        yield
        return
    previous = [c.num_threads for c in others]
    for controller in others:
        controller.set_num_threads(1)
    try:
        yield
    finally:
        for controller, threads in zip(others, previous, strict=True):
            controller.set_num_threads(threads)
