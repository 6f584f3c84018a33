"""One busy BLAS thread pool at a time in hot linear-algebra loops.

Wheels of NumPy and SciPy each bundle their own OpenBLAS, so one process can hold two BLAS
thread pools. OpenBLAS threads keep spinning for a while after each call; when a loop alternates
NumPy products with SciPy/LAPACK eigendecompositions, the idle pool's spinning threads compete
with the working pool's for the cores. On 2 cores this doubled the time of QMOT-ENTROPIC
(400 evaluations on a 480-dimensional coupling: 39.8 s with both pools at 2 threads, 19.3 s with
NumPy's pool at 1 thread; ``benchmarks/bench_first_order.py``).

:func:`lapack_owns_the_cores` limits every BLAS pool that does not belong to SciPy to one thread
for the duration of a ``with`` block (SciPy's LAPACK does the O(n³) work: eigendecompositions and
factorisations). When only one BLAS library is loaded (NumPy and SciPy built against the same
OpenBLAS or MKL, as in conda), nothing changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["lapack_owns_the_cores"]


def _is_scipy_library(filepath: str) -> bool:
    """True for the BLAS bundled with SciPy (``scipy.libs`` / ``scipy/.dylibs`` and the like)."""
    return any(part.lower().startswith("scipy") for part in Path(filepath).parent.parts[-2:])


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
    import scipy.linalg  # noqa: F401  (loads SciPy's BLAS so that it is seen below)
    from threadpoolctl import ThreadpoolController

    pools = ThreadpoolController().select(user_api="blas")
    scipy_pools = [c for c in pools.lib_controllers if _is_scipy_library(c.filepath)]
    others = [c for c in pools.lib_controllers if not _is_scipy_library(c.filepath)]
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
