"""The BLAS thread policy: its choice, the caller's settings restored, its inputs validated."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
from threadpoolctl import ThreadpoolController, threadpool_limits

import qmot
from qmot import _threads
from qmot._threads import (
    THREADED_DIMENSION,
    _is_scipy_library,
    available_cores,
    blas_policy,
    busy_cores_elsewhere,
    choose_threads,
    lapack_owns_the_cores,
    set_threads,
    uses_blas_policy,
)
from qmot.errors import InvalidInputError

AFFINITY = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _threads_by_library() -> dict[str, int]:
    scipy.linalg.eigh(np.eye(2))  # make sure SciPy's BLAS is loaded
    pools = ThreadpoolController().select(user_api="blas").lib_controllers
    return {pool.filepath: pool.num_threads for pool in pools}


def _leading(threads: dict[str, int]) -> list[int]:
    """Thread counts of the pools that get the policy's count (SciPy's, else all)."""
    scipy_counts = [count for path, count in threads.items() if _is_scipy_library(path)]
    return scipy_counts or list(threads.values())


@pytest.fixture(autouse=True)
def _automatic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts and ends with no explicit setting."""
    monkeypatch.delenv("QMOT_NUM_THREADS", raising=False)
    set_threads(None)
    yield
    set_threads(None)


# --- the caller's settings are restored -----------------------------------------------------


def test_pools_are_set_inside_and_restored_after() -> None:
    before = _threads_by_library()
    set_threads(1)
    with blas_policy(THREADED_DIMENSION * 2):
        inside = _threads_by_library()
    assert all(count == 1 for count in inside.values())
    assert _threads_by_library() == before


def test_pools_are_restored_when_the_block_raises() -> None:
    before = _threads_by_library()
    set_threads(1)
    with pytest.raises(RuntimeError), blas_policy(10):
        raise RuntimeError("solver failed")
    assert _threads_by_library() == before


def test_a_caller_limit_is_restored_and_never_exceeded_automatically() -> None:
    with threadpool_limits(limits=1, user_api="blas"):
        limited = _threads_by_library()
        with blas_policy(10**6):
            inside = _threads_by_library()
        assert _threads_by_library() == limited
    assert all(count == 1 for count in _leading(inside))


def test_an_explicit_setting_overrides_a_caller_limit_and_is_then_undone() -> None:
    if not any(_is_scipy_library(path) for path in _threads_by_library()):
        pytest.skip("no separate SciPy BLAS pool here")
    with threadpool_limits(limits=1, user_api="blas"):
        set_threads(3)
        with blas_policy(10):
            inside = _threads_by_library()
        assert all(count == 1 for count in _threads_by_library().values())
    assert _leading(inside) and all(count == 3 for count in _leading(inside))


def test_inner_blocks_keep_the_outer_choice() -> None:
    set_threads(1)
    with blas_policy(10):
        set_threads(2)
        with blas_policy(10**6):
            inner = _threads_by_library()
        after_inner = _threads_by_library()
    assert all(count == 1 for count in _leading(inner))
    assert after_inner == inner


def test_concurrent_blocks_restore_once_the_last_one_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # bookkeeping only: OpenBLAS ignores a raise of its count asked for by another thread
    events: list[str] = []
    monkeypatch.setattr(
        _threads, "_apply", lambda dim: events.append("set") or (lambda: events.append("restore"))
    )
    entered, release = threading.Event(), threading.Event()

    def worker() -> None:
        with blas_policy(10):
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    with blas_policy(10):
        thread.start()
        entered.wait(10)
    events.append("first one out")
    release.set()
    thread.join(10)
    assert events == ["set", "first one out", "restore"]


def test_the_decorator_sizes_the_policy_by_the_first_argument(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(
        _threads, "choose_threads", lambda dim, inherited=None: seen.append(dim) or 1
    )

    class Problem:
        dims = (3, 5)

    @uses_blas_policy
    def solve(problem: object) -> str:
        return "solved"

    assert solve(np.zeros((7, 7))) == "solved"
    assert solve(Problem()) == "solved"
    assert seen == [7, 15]


def test_disabled_policy_leaves_every_pool_alone() -> None:
    before = _threads_by_library()
    set_threads(1)
    with _threads._policy_disabled(), blas_policy(10):
        inside = _threads_by_library()
    assert inside == before


def test_solve_coupling_restores_the_pools() -> None:
    from qmot.sdp import coupling_sdp

    before = _threads_by_library()
    cost = np.diag([0.0, 1.0, 1.0, 0.0]).astype(complex)
    half = np.eye(2, dtype=complex) / 2
    result = coupling_sdp(cost, half, half)
    assert _threads_by_library() == before
    assert result.lower_bound <= 0.0 + 1e-9 and result.upper_bound >= -1e-9


def test_legacy_limiter_limits_only_pools_outside_scipy() -> None:
    before = _threads_by_library()
    if len(before) < 2 or all(_is_scipy_library(path) for path in before):
        pytest.skip("NumPy and SciPy share one BLAS here: nothing to limit")
    with lapack_owns_the_cores():
        inside = _threads_by_library()
    for path, threads in inside.items():
        assert threads == (before[path] if _is_scipy_library(path) else 1), path
    assert _threads_by_library() == before


# --- the choice ------------------------------------------------------------------------------


def test_small_problems_get_one_thread() -> None:
    assert choose_threads(THREADED_DIMENSION - 1) == 1


def test_the_automatic_choice_respects_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_threads, "busy_cores_elsewhere", lambda: 0.0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(_threads, "_CGROUP_ROOT", Path("/nonexistent"))
    assert available_cores() == 3
    assert choose_threads(10**6) == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {5}, raising=False)
    assert choose_threads(10**6) == 1


def test_the_real_choice_never_exceeds_the_real_affinity() -> None:
    assert 1 <= choose_threads(10**6) <= AFFINITY
    assert available_cores() <= AFFINITY


@pytest.mark.parametrize(
    ("busy", "expected"), [(0.0, 4), (0.1, 4), (0.5, 3), (1.0, 3), (1.5, 2), (3.9, 1), (9.0, 1)]
)
def test_busy_cores_are_left_to_their_owners(
    monkeypatch: pytest.MonkeyPatch, busy: float, expected: int
) -> None:
    monkeypatch.setattr(_threads, "available_cores", lambda: 4)
    monkeypatch.setattr(_threads, "busy_cores_elsewhere", lambda: busy)
    assert choose_threads(10**6) == expected
    assert choose_threads(10**6, inherited=2) == min(expected, 2)


def test_busy_cores_are_measured_from_proc_stat(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # cpu0 busy 10 ticks of 10 (a burner), cpu1 idle; the window lasts 0.1 s at 100 ticks/s
    stat = tmp_path / "stat"
    readings = iter(
        [
            "cpu  0 0 0 0 0 0 0 0\ncpu0 100 0 0 0 0 0 0 0\ncpu1 0 0 0 100 0 0 0 0\n",
            "cpu  0 0 0 0 0 0 0 0\ncpu0 110 0 0 0 0 0 0 0\ncpu1 0 0 0 110 0 0 0 0\n",
        ]
    )
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(_threads, "_read", lambda path: next(readings))

    class Clock:
        """Wall clock 0 s then 0.1 s; this process used no CPU time."""

        def __init__(self) -> None:
            self.readings = iter([0.0, 0.1])

        def perf_counter(self) -> float:
            return next(self.readings)

        def process_time(self) -> float:
            return 0.0

        def sleep(self, seconds: float) -> None:
            pass

    monkeypatch.setattr(_threads, "time", Clock())
    assert busy_cores_elsewhere(stat=stat) == pytest.approx(1.0)


def test_busy_measurement_on_this_machine_is_a_number_of_cores() -> None:
    assert 0.0 <= busy_cores_elsewhere(window=0.02) <= AFFINITY + 0.5


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "150000 100000"}, 2),
        ({"cpu.max": "max 100000"}, 8),
        ({"cpu/cpu.cfs_quota_us": "100000", "cpu/cpu.cfs_period_us": "100000"}, 1),
        ({"cpu,cpuacct/cpu.cfs_quota_us": "250000", "cpu,cpuacct/cpu.cfs_period_us": "100000"}, 3),
        ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, 8),
        ({"cpu.max": "garbage"}, 8),
        ({}, 8),
    ],
)
def test_cgroup_quotas_cap_the_cores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, files: dict[str, str], expected: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n")
    assert available_cores(tmp_path) == expected


# --- explicit settings -----------------------------------------------------------------------


def test_set_threads_is_exported_and_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QMOT_NUM_THREADS", "2")
    assert choose_threads(10) == 2
    qmot.set_threads(3)
    assert choose_threads(10) == 3
    qmot.set_threads(None)
    assert choose_threads(10) == 2
    monkeypatch.setenv("QMOT_NUM_THREADS", "auto")
    assert choose_threads(10) == 1


@pytest.mark.parametrize("value", [0, -1, 2.0, "2", True, [2], np.float64(2)])
def test_set_threads_rejects_what_is_not_a_positive_integer(value: object) -> None:
    with pytest.raises(InvalidInputError, match=r"`n` must be a positive integer") as info:
        set_threads(value)  # type: ignore[arg-type]
    assert repr(value) in str(info.value)


def test_set_threads_accepts_numpy_integers() -> None:
    set_threads(np.int64(2))
    assert choose_threads(10) == 2


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5", "2 threads"])
def test_the_environment_variable_is_validated_at_solve_time(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    from qmot.sdp import coupling_sdp

    monkeypatch.setenv("QMOT_NUM_THREADS", text)
    half = np.eye(2, dtype=complex) / 2
    with pytest.raises(InvalidInputError, match="QMOT_NUM_THREADS") as info:
        coupling_sdp(np.eye(4, dtype=complex), half, half)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/env/lib/python3.11/site-packages/scipy.libs/libscipy_openblas-6cdc.so", True),
        ("/env/lib/python3.11/site-packages/numpy.libs/libscipy_openblas64_-32a4.so", False),
        ("/env/lib/python3.11/site-packages/scipy/.dylibs/libopenblas.dylib", True),
        ("/env/lib/libmkl_rt.so.2", False),
    ],
)
def test_scipy_library_is_recognised_by_its_folder(path: str, expected: bool) -> None:
    assert _is_scipy_library(path) is expected
