r"""Hermitian and positive-semidefinite linear algebra used throughout qmot.

Conventions: a bipartite operator on :math:`H \otimes K` with ``dims = (m, n)`` is an
``(m n) x (m n)`` array in the Kronecker (row-major) ordering of ``numpy.kron``;
:math:`\operatorname{tr}_2` traces out :math:`K` and :math:`\operatorname{tr}_1` traces out
:math:`H`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from qmot.errors import InvalidInputError

__all__ = [
    "DEFAULT_SUPPORT_RTOL",
    "hermitian_part",
    "kron_left",
    "kron_right",
    "least_eigenvalue",
    "partial_trace",
    "psd_power",
    "psd_sqrt",
    "random_density_matrix",
    "support_basis",
    "support_projector",
]

DEFAULT_SUPPORT_RTOL = 1e-12
"""Eigenvalues below this fraction of the largest one are treated as zero."""


def hermitian_part(matrix: ArrayLike) -> np.ndarray:
    r"""Return :math:`(M + M^*)/2`."""
    array = np.asarray(matrix)
    return (array + array.conj().T) / 2


def least_eigenvalue(matrix: ArrayLike) -> float:
    """Return the least eigenvalue of the Hermitian part of ``matrix``."""
    return float(np.linalg.eigvalsh(hermitian_part(matrix))[0])


def psd_power(matrix: ArrayLike, power: float, *, rtol: float = DEFAULT_SUPPORT_RTOL) -> np.ndarray:
    r"""Return :math:`M^{p}` for a positive semidefinite ``M`` (spectral calculus).

    Eigenvalues below ``rtol * lambda_max`` are treated as 0; for ``power < 0`` the result
    is the power of the restriction to the support (a pseudo-inverse power), 0 on the kernel.
    """
    eigenvalues, vectors = np.linalg.eigh(hermitian_part(matrix))
    threshold = rtol * max(float(eigenvalues[-1]), 0.0)
    keep = eigenvalues > threshold
    powered = np.zeros_like(eigenvalues)
    powered[keep] = eigenvalues[keep] ** power
    return (vectors * powered) @ vectors.conj().T


def psd_sqrt(matrix: ArrayLike) -> np.ndarray:
    r"""Return the positive square root :math:`M^{1/2}` of a PSD matrix."""
    return psd_power(matrix, 0.5)


def support_basis(
    matrix: ArrayLike, *, rtol: float = DEFAULT_SUPPORT_RTOL
) -> tuple[np.ndarray, float]:
    r"""Orthonormal basis of the range of a PSD matrix, and the weight dropped.

    Parameters
    ----------
    matrix
        Hermitian positive semidefinite matrix.
    rtol
        Eigenvalues at most ``rtol * lambda_max`` are treated as 0.

    Returns
    -------
    basis
        ``(dim, rank)`` array ``U`` with :math:`U^*U = I` and :math:`\operatorname{ran} U`
        the numerical range, eigenvectors sorted by decreasing eigenvalue.
    dropped_weight
        Sum of the absolute values of the discarded eigenvalues (the trace lost).
    """
    eigenvalues, vectors = np.linalg.eigh(hermitian_part(matrix))
    threshold = rtol * max(float(eigenvalues[-1]), 0.0)
    keep = eigenvalues > threshold
    basis = vectors[:, keep][:, ::-1]
    return basis, float(np.abs(eigenvalues[~keep]).sum())


def support_projector(matrix: ArrayLike, *, rtol: float = DEFAULT_SUPPORT_RTOL) -> np.ndarray:
    """Orthogonal projector onto the numerical range of a PSD matrix."""
    basis, _ = support_basis(matrix, rtol=rtol)
    return basis @ basis.conj().T


def _check_bipartite(operator: np.ndarray, dims: tuple[int, int]) -> tuple[int, int]:
    m, n = (int(d) for d in dims)
    if operator.ndim != 2 or operator.shape != (m * n, m * n):
        raise InvalidInputError(
            f"`operator` must have shape ({m * n}, {m * n}) for dims {dims} (got {operator.shape})"
        )
    return m, n


def partial_trace(operator: ArrayLike, dims: tuple[int, int], traced: int) -> np.ndarray:
    r"""Partial trace of a bipartite operator on :math:`H \otimes K`.

    Parameters
    ----------
    operator
        ``(m n) x (m n)`` array.
    dims
        ``(m, n)`` = (dim H, dim K).
    traced
        ``2`` returns :math:`\operatorname{tr}_2 Q` (an ``m x m`` operator on H);
        ``1`` returns :math:`\operatorname{tr}_1 Q` (``n x n`` on K).
    """
    array = np.asarray(operator)
    m, n = _check_bipartite(array, dims)
    blocks = array.reshape(m, n, m, n)
    if traced == 2:
        return np.einsum("ikjk->ij", blocks)
    if traced == 1:
        return np.einsum("kikj->ij", blocks)
    raise InvalidInputError(f"`traced` must be 1 or 2 (got {traced!r})")


def kron_left(a: ArrayLike, n: int) -> np.ndarray:
    r"""Return :math:`A \otimes I_n`."""
    return np.kron(np.asarray(a), np.eye(n))


def kron_right(m: int, b: ArrayLike) -> np.ndarray:
    r"""Return :math:`I_m \otimes B`."""
    return np.kron(np.eye(m), np.asarray(b))


def random_density_matrix(
    dim: int, rank: int | None = None, *, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    r"""Random density matrix of the given rank (induced Hilbert–Schmidt measure).

    Draws a ``dim x rank`` complex Ginibre matrix :math:`G` and returns
    :math:`G G^* / \operatorname{tr}(G G^*)`, which has rank ``rank`` almost surely.

    Parameters
    ----------
    dim
        Hilbert-space dimension (>= 1).
    rank
        Rank, ``1 <= rank <= dim`` (default: full rank).
    seed
        Seed or generator, for reproducibility.
    """
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
        raise InvalidInputError(f"`dim` must be a positive integer (got {dim!r})")
    rank = dim if rank is None else rank
    if isinstance(rank, bool) or not isinstance(rank, int | np.integer) or not 1 <= rank <= dim:
        raise InvalidInputError(f"`rank` must be an integer in [1, {dim}] (got {rank!r})")
    rng = np.random.default_rng(seed)
    ginibre = rng.normal(size=(dim, rank)) + 1j * rng.normal(size=(dim, rank))
    density = ginibre @ ginibre.conj().T
    return hermitian_part(density / np.trace(density).real)
