"""The BLAS pool limiter: NumPy's pool single-threaded inside the block, restored after."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from threadpoolctl import ThreadpoolController

from qmot._threads import _is_scipy_library, lapack_owns_the_cores


def _threads_by_library() -> dict[str, int]:
    pools = ThreadpoolController().select(user_api="blas").lib_controllers
    return {pool.filepath: pool.num_threads for pool in pools}


def test_only_pools_outside_scipy_are_limited_and_then_restored() -> None:
    scipy.linalg.eigh(np.eye(2))  # make sure SciPy's BLAS is loaded
    before = _threads_by_library()
    if len(before) < 2 or all(_is_scipy_library(path) for path in before):
        pytest.skip("NumPy and SciPy share one BLAS here: nothing to limit")
    with lapack_owns_the_cores():
        inside = _threads_by_library()
    for path, threads in inside.items():
        expected = before[path] if _is_scipy_library(path) else 1
        assert threads == expected, path
    assert _threads_by_library() == before


def test_pools_are_restored_when_the_block_raises() -> None:
    before = _threads_by_library()
    with pytest.raises(RuntimeError), lapack_owns_the_cores():
        raise RuntimeError("solver failed")
    assert _threads_by_library() == before


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
