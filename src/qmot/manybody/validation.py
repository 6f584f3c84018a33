"""Input checks of the many-body entry points (one place, before any reduction or solver)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import as_weights, check_positive_int, reject_imaginary
from qmot.errors import InfeasibleError, InvalidInputError

__all__ = ["validate_cost_matrix", "validate_problem"]


def validate_cost_matrix(cost: ArrayLike, name: str = "C") -> np.ndarray:
    """Check a pair cost matrix: real, square, symmetric, non-negative, finite off the diagonal,
    +∞ only on it (no double occupation there). A complex matrix is refused unless its
    imaginary part is exactly 0."""
    real = reject_imaginary(cost, name)
    try:
        matrix = np.array(real, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{name}` must be a numeric matrix ({exc})") from exc
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise InvalidInputError(
            f"`{name}` must be a non-empty square matrix (got shape {matrix.shape})"
        )
    off = ~np.eye(matrix.shape[0], dtype=bool)
    if np.isnan(matrix).any() or not np.all(np.isfinite(matrix[off])):
        raise InvalidInputError(
            f"`{name}` must be finite off the diagonal (+inf allowed only on it)"
        )
    if np.any(np.isneginf(matrix)):
        raise InvalidInputError(f"`{name}` must not contain -inf")
    if not np.allclose(matrix[off], matrix.T[off], rtol=1e-12, atol=1e-12):
        gap = float(np.abs(matrix[off] - matrix.T[off]).max())
        raise InvalidInputError(f"`{name}` must be symmetric (got max |C - Cᵀ| = {gap:.3g})")
    if np.any(matrix < 0):
        raise InvalidInputError(f"`{name}` must be non-negative (got minimum {matrix.min():.6g})")
    return matrix


def validate_problem(
    cost: ArrayLike,
    mu: ArrayLike,
    particles: object,
    *,
    normalize: bool = False,
    names: tuple[str, str] = ("C", "N"),
) -> tuple[np.ndarray, np.ndarray, int]:
    """Check the cost matrix (:func:`validate_cost_matrix`), the marginal (probability vector)
    and N ≥ 2 (``names``: how the caller calls the cost and N); raise InfeasibleError on
    overload."""
    matrix = validate_cost_matrix(cost, names[0])
    particles = check_positive_int(particles, names[1], minimum=2)
    weights = as_weights(mu, "mu", matrix.shape[0], normalize=normalize)
    singular = np.isinf(np.diag(matrix))
    overloaded = np.flatnonzero(singular & (particles * weights > 1 + 1e-12))
    if overloaded.size:
        site = int(overloaded[0])
        raise InfeasibleError(
            f"site {site} has C[{site},{site}] = +inf (no double occupation) but N·mu[{site}] = "
            f"{particles * weights[site]:.6g} > 1: no symmetric N-body measure has this marginal"
        )
    return matrix, weights, particles
