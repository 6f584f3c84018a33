r"""The radial N = 3 problem on shells, solved exactly, against the radial co-motion ansatz.

By the radial reduction of :mod:`qmot.manybody.radial`, :math:`V_{ee}^{SCE}` of a spherical
density is the symmetric 3-marginal problem on radii with the three-body cost
:math:`c(r_1,r_2,r_3) = \min_{u_i\in S^2}\sum_{i<j}1/|r_iu_i - r_ju_j|`. For three points the
cost depends on the directions only through the angles :math:`\theta_{ij}` between them, each
pair term is increasing in its angle, and the realisable angles satisfy
:math:`\theta_{12}+\theta_{13}+\theta_{23}\le 2\pi`; so the minimum has the three directions in one
plane around the origin (the sum is :math:`2\pi`), and :math:`c` is a minimum over two planar
angles, found here by a 48 × 48 grid search whose lowest local minima are refined by Newton steps
(vectorised over all triples). This is not a certified global minimisation: against BFGS over
all directions in :math:`\mathbb R^3` with 7 starts, on 1500 random triples with radii in
[0.01, 20], it was within 1e-10 relative in 1495 cases and at most 4e-5 above in the others
(flat valleys with two particles at nearly the same direction). Computed costs are never below a
feasible configuration's energy, so the LP value is an upper bound of the exact shell optimum
within that accuracy, and the comparison with the ansatz uses the same costs on both sides.

The density is replaced by L equal-mass shells, each a point mass at its median radius
:math:`a((k+\tfrac12)N/L)`. On this discrete measure the problem is an exact LP over the
:math:`\binom{L+2}{3}` occupation configurations (HiGHS); the Seidl–Gori-Giorgi–Savin radial
co-motion plan (levels :math:`s, 2-s, 2+s`) is one feasible plan of it, evaluated exactly. A
strictly smaller LP optimum shows that the ansatz is not optimal for that discrete problem (Seidl,
Gori-Giorgi, Savin, Phys. Rev. A 75 (2007) 042511, report this for some densities; Colombo and
Stra, *Counterexamples in multimarginal optimal transport with Coulomb cost and spherically
symmetric data*, Math. Models Methods Appl. Sci. 26 (2016), prove it). The difference between
the discrete values and the continuum SGS value of :func:`qmot.manybody.sce_radial` estimates the
discretisation error (reported, not certified).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from qmot._validation import check_positive_int
from qmot.errors import InvalidInputError, SolverError
from qmot.manybody._radial_many import configuration_levels

__all__ = ["ShellComparison", "three_body_cost", "three_electron_shells"]

GRID = 48
NEWTON_STEPS = 40
STARTS = 3
OFFSET = np.array([0.31, -0.17])


def _energy(radii: np.ndarray, phi2: np.ndarray, phi3: np.ndarray) -> np.ndarray:
    a, b, c = (radii[:, i : i + 1] for i in range(3))
    d12 = a * a + b * b - 2 * a * b * np.cos(phi2)
    d13 = a * a + c * c - 2 * a * c * np.cos(phi3)
    d23 = b * b + c * c - 2 * b * c * np.cos(phi3 - phi2)
    with np.errstate(divide="ignore"):
        return 1 / np.sqrt(d12) + 1 / np.sqrt(d13) + 1 / np.sqrt(d23)


def _gradient(radii: np.ndarray, phi: np.ndarray) -> np.ndarray:
    a, b, c = radii[:, 0], radii[:, 1], radii[:, 2]
    p2, p3 = phi[:, 0], phi[:, 1]
    d12 = (a * a + b * b - 2 * a * b * np.cos(p2)) ** 1.5
    d13 = (a * a + c * c - 2 * a * c * np.cos(p3)) ** 1.5
    d23 = (b * b + c * c - 2 * b * c * np.cos(p3 - p2)) ** 1.5
    g2 = -a * b * np.sin(p2) / d12 + b * c * np.sin(p3 - p2) / d23
    g3 = -a * c * np.sin(p3) / d13 - b * c * np.sin(p3 - p2) / d23
    return np.stack((g2, g3), axis=1)


def _descend(triples: np.ndarray, phi: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Newton where the Hessian is positive, else steepest descent, with backtracking; returns
    the lowest energies reached from the starting angles ``phi``."""
    for _ in range(NEWTON_STEPS):
        gradient = _gradient(triples, phi)
        step = 1e-6
        h2 = (_gradient(triples, phi + np.array([step, 0.0])) - gradient) / step
        h3 = (_gradient(triples, phi + np.array([0.0, step])) - gradient) / step
        det = h2[:, 0] * h3[:, 1] - h2[:, 1] * h3[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = np.stack(
                (
                    (h3[:, 1] * gradient[:, 0] - h3[:, 0] * gradient[:, 1]) / det,
                    (-h2[:, 1] * gradient[:, 0] + h2[:, 0] * gradient[:, 1]) / det,
                ),
                axis=1,
            )
            steepest = 0.1 * gradient / np.linalg.norm(gradient, axis=1, keepdims=True)
        convex = (det > 0) & (h2[:, 0] > 0) & np.all(np.isfinite(newton), axis=1)
        move = np.where(convex[:, None], newton, steepest)
        move = np.where(np.isfinite(move), move, 0.0)
        accepted = np.zeros(triples.shape[0], dtype=bool)
        for scale in 2.0 ** -np.arange(12):  # the first improving step is kept
            trial = phi - scale * move
            energy = _energy(triples, trial[:, :1], trial[:, 1:])[:, 0]
            better = (energy < best) & ~accepted
            phi = np.where(better[:, None], trial, phi)
            best = np.where(better, energy, best)
            accepted |= better
        if not accepted.any():
            break
    return best


def three_body_cost(radii: ArrayLike) -> np.ndarray:
    r""":math:`c(r_1,r_2,r_3)` for each row of ``radii`` (shape ``(M, 3)``; module docstring):
    the :data:`STARTS` lowest local minima of a :data:`GRID`² grid of the two planar angles,
    each refined by :func:`_descend`, the lowest kept."""
    triples = np.maximum(np.asarray(radii, dtype=float).reshape(-1, 3), 1e-12)
    angles = np.linspace(0.0, 2 * np.pi, GRID, endpoint=False)
    phi2, phi3 = (grid.ravel()[None, :] for grid in np.meshgrid(angles, angles))
    best = np.full(triples.shape[0], np.inf)
    for chunk in range(0, triples.shape[0], 2048):
        part = slice(chunk, chunk + 2048)
        values = _energy(triples[part], phi2, phi3)
        grid = values.reshape(-1, GRID, GRID)
        local = np.ones(grid.shape, dtype=bool)
        for axis in (1, 2):
            for shift in (1, -1):
                local &= grid <= np.roll(grid, shift, axis=axis)
        ranked = np.where(local.reshape(values.shape), values, np.inf)
        starts = np.argsort(ranked, axis=1)[:, :STARTS]
        best[part] = np.min(values, axis=1)
        for column in range(STARTS):
            index = starts[:, column]
            start_energy = np.full(index.size, np.inf)
            usable = np.isfinite(ranked[np.arange(index.size), index])
            # collinear configurations are critical points (zero gradient): start off them
            phi = np.stack((phi2[0, index], phi3[0, index]), axis=1) + OFFSET * angles[1]
            found = _descend(triples[part], phi, start_energy)
            best[part] = np.where(usable, np.minimum(best[part], found), best[part])
    return best


@dataclass(frozen=True)
class ShellComparison:
    """The exact shell LP against the radial co-motion plan on the same shells."""

    shells: int
    radii: np.ndarray
    lp_value: float
    lp_weights: np.ndarray
    configurations: np.ndarray
    sgs_value: float
    info: dict[str, Any]

    @property
    def ansatz_excess(self) -> float:
        """SGS plan minus the exact optimum on the shells (> 0: the ansatz is not optimal)."""
        return self.sgs_value - self.lp_value


def _sgs_on_shells(edges_levels: np.ndarray, radii: np.ndarray) -> float:
    r"""The SGS plan on the point masses: the configuration of levels :math:`s, 2-s, 2+s` is
    constant between the :math:`s` where a level crosses a shell boundary."""
    boundaries = edges_levels[1:-1]
    cuts = np.concatenate((boundaries, 2 - boundaries, boundaries - 2))
    cuts = np.unique(np.concatenate(([0.0, 1.0], cuts[(cuts > 0) & (cuts < 1)])))
    middles = (cuts[1:] + cuts[:-1]) / 2
    levels = configuration_levels(middles, 3)
    shell = np.clip(np.searchsorted(edges_levels, levels, side="right") - 1, 0, radii.size - 1)
    costs = three_body_cost(radii[shell])
    return float(np.diff(cuts) @ costs)


def three_electron_shells(
    rho: Callable[[np.ndarray], np.ndarray], *, r_max: float, shells: int = 40
) -> ShellComparison:
    r"""Solve the radial 3-electron problem exactly on ``shells`` equal-mass shells and evaluate
    the radial co-motion plan on them (module docstring).

    Parameters
    ----------
    rho
        Vectorised spherical density with :math:`\int 4\pi r^2\rho = 3` on ``[0, r_max]``.
    r_max
        Truncation radius.
    shells
        Number L of equal-mass shells (the LP has :math:`\binom{L+2}{3}` columns).

    Returns
    -------
    ShellComparison
        ``lp_value`` (the exact optimum of the discrete problem, HiGHS), ``sgs_value`` (the
        co-motion plan on the same point masses), their difference ``ansatz_excess``.
    """
    from qmot.manybody.radial import _checked_mass, _model

    count = check_positive_int(shells, "shells", minimum=2)
    model, _ = _model(rho, None, r_max)
    _checked_mass(model, 3, False)
    unit = model.total / 3
    edges_levels = np.linspace(0.0, 3.0, count + 1)
    middle = (edges_levels[1:] + edges_levels[:-1]) / 2
    radii = model.radius(middle * unit, (3 - middle) * unit)
    triples = np.array(list(combinations_with_replacement(range(count), 3)))
    costs = three_body_cost(radii[triples])
    if not np.all(np.isfinite(costs)):
        raise InvalidInputError("`shells` must give distinct shell radii (a cost is infinite)")
    columns = np.repeat(np.arange(triples.shape[0]), 3)
    matrix = csr_matrix(
        (np.full(columns.size, 1 / 3), (triples.ravel(), columns)), shape=(count, triples.shape[0])
    )
    outcome = linprog(
        costs, A_eq=matrix, b_eq=np.full(count, 1 / count), bounds=(0, None), method="highs"
    )
    if outcome.status != 0:
        raise SolverError(f"HiGHS failed on the shell LP: {outcome.message}")
    used = outcome.x > 1e-12
    sgs = _sgs_on_shells(edges_levels, radii)
    info = {
        "columns": int(triples.shape[0]),
        "dual_objective": float(outcome.eqlin.marginals @ np.full(count, 1 / count)),
        "support": int(used.sum()),
        "model": "equal-mass shells as point masses at their median radii",
    }
    return ShellComparison(
        count, radii, float(outcome.fun), outcome.x[used], triples[used], sgs, info
    )
