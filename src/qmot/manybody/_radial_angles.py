r"""Coulomb energy of N points on concentric spheres, minimised over their directions.

:math:`c(r_1,\dots,r_N) = \min_{u_i\in S^2}\sum_{i<j}1/|r_iu_i - r_ju_j|` is the cost of the radial
reduction of the SCE problem for spherical densities (Seidl, Gori-Giorgi, Savin, *Strictly
correlated electrons in density-functional theory: a general formulation with applications to
spherical densities*, Phys. Rev. A 75 (2007) 042511, eq. (22)). Any directions give an upper
bound on it; BFGS from a warm start and random restarts, polished until the projected gradient
is below :data:`GRADIENT_TOL`, gives the minimum for the small N of atoms (local minima are
possible in principle: the value is then still a feasible, larger energy).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

__all__ = ["GRADIENT_TOL", "AngularMinimum", "minimise_directions", "radial_force"]

GRADIENT_TOL = 1e-8
"""Target norm of the gradient with respect to the directions at an accepted minimum."""


def _energy_and_gradient(flat: np.ndarray, radii: np.ndarray) -> tuple[float, np.ndarray]:
    vectors = flat.reshape(-1, 3)
    norms = np.linalg.norm(vectors, axis=1)
    units = vectors / norms[:, None]
    points = radii[:, None] * units
    diff = points[:, None, :] - points[None, :, :]
    dist = np.linalg.norm(diff, axis=2)
    np.fill_diagonal(dist, np.inf)
    energy = 0.5 * float(np.sum(1.0 / dist))
    force = -np.sum(diff / dist[:, :, None] ** 3, axis=1)  # gradient w.r.t. the points
    tangential = force - np.sum(force * units, axis=1)[:, None] * units
    gradient = radii[:, None] * tangential / norms[:, None]
    return energy, gradient.ravel()


class AngularMinimum:
    """Energy, positions and final gradient norm of one minimisation."""

    __slots__ = ("energy", "gradient", "positions")

    def __init__(self, energy: float, positions: np.ndarray, gradient: float) -> None:
        self.energy = energy
        self.positions = positions
        self.gradient = gradient


def _run(radii: np.ndarray, start: np.ndarray) -> AngularMinimum:
    outcome = minimize(
        _energy_and_gradient,
        start.ravel(),
        args=(radii,),
        jac=True,
        method="BFGS",
        options={"gtol": GRADIENT_TOL, "maxiter": 2000},
    )
    vectors = outcome.x.reshape(-1, 3)
    units = vectors / np.linalg.norm(vectors, axis=1)[:, None]
    energy, gradient = _energy_and_gradient(units.ravel(), radii)
    return AngularMinimum(energy, radii[:, None] * units, float(np.linalg.norm(gradient)))


def minimise_directions(
    radii: np.ndarray, warm: np.ndarray | None, rng: np.random.Generator, restarts: int
) -> AngularMinimum:
    """Least Coulomb energy of points at ``radii`` over their directions (module docstring).

    ``warm``: directions (N, 3) to start from (the previous radius of a continuation);
    ``restarts``: additional random starts; the lowest energy found is returned.
    """
    radii = np.maximum(np.asarray(radii, dtype=float), 1e-300)
    starts = [] if warm is None else [np.asarray(warm, dtype=float)]
    starts += [rng.normal(size=(radii.size, 3)) for _ in range(restarts + (warm is None))]
    best: AngularMinimum | None = None
    for start in starts:
        found = _run(radii, start)
        if best is None or found.energy < best.energy:
            best = found
    if best is None:  # pragma: no cover - starts is never empty
        raise RuntimeError("no start")
    return best


def radial_force(positions: np.ndarray, index: int = 0) -> float:
    r"""Radial component of :math:`\nabla_{x_i}\sum_{j\ne i}1/|x_i - x_j|` at particle ``index``:
    :math:`v'(r_i) = -\sum_{j\ne i}(x_i - x_j)\cdot\hat x_i/|x_i - x_j|^3` (SCE potential slope)."""
    x = positions[index]
    others = np.delete(positions, index, axis=0)
    diff = x - others
    dist = np.linalg.norm(diff, axis=1)
    unit = x / max(float(np.linalg.norm(x)), 1e-300)
    return float(-np.sum((diff @ unit) / dist**3))
