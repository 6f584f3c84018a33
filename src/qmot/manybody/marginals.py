r"""One-body marginals on sites: regular grids and densities with :math:`\int\rho = N`.

Cotar–Friesecke–Pass 2015 writes densities in the physics convention :math:`\int\rho = N` and
the transport marginal as :math:`\mu = \rho/N` (eq. (1.21)).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import check_positive_int
from qmot.errors import InvalidInputError

__all__ = ["density_to_marginal", "grid_sites"]


def grid_sites(lower: ArrayLike, upper: ArrayLike, points: int | ArrayLike) -> np.ndarray:
    """Cell-centred regular grid in the box ``[lower, upper]`` (any dimension), shape ``(L, d)``.

    Examples
    --------
    >>> grid_sites([0.0], [1.0], 4).ravel().tolist()
    [0.125, 0.375, 0.625, 0.875]
    """
    low, high = np.atleast_1d(np.asarray(lower, float)), np.atleast_1d(np.asarray(upper, float))
    counts = np.broadcast_to(np.asarray(points), low.shape)
    if low.shape != high.shape or np.any(high <= low) or not np.all(np.isfinite(low + high)):
        raise InvalidInputError(f"`upper` must exceed `lower` coordinatewise (got {low}, {high})")
    axes = []
    for a, b, n in zip(low, high, counts, strict=True):
        n = check_positive_int(int(n), "points")
        axes.append(a + (np.arange(n) + 0.5) * (b - a) / n)
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.column_stack([m.ravel() for m in mesh])


def density_to_marginal(rho_sites: ArrayLike, N: int, *, tol: float = 1e-9) -> np.ndarray:
    r""":math:`\mu = \rho/N` for masses on sites with :math:`\sum\rho = N` (checked)."""
    particles = check_positive_int(N, "N", minimum=1)
    density = np.asarray(rho_sites, dtype=float)
    if density.ndim != 1 or density.size == 0 or not np.all(np.isfinite(density)):
        raise InvalidInputError("`rho_sites` must be a non-empty finite 1-D array of masses")
    if np.any(density < 0):
        raise InvalidInputError(
            f"`rho_sites` must be non-negative (got minimum {density.min():.6g})"
        )
    if abs(density.sum() - particles) > tol * particles:
        raise InvalidInputError(
            f"`rho_sites` must integrate to N = {particles} (got {density.sum():.12g})"
        )
    return density / particles
