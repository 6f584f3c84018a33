r"""N > 2 electrons of a spherical density: the SGS radial co-motion upper bound and the shell-LP
lower bound of the pair relaxation (the derivations are in :mod:`qmot.manybody.radial`).

Levels are counted in electrons: the configuration of parameter :math:`s\in[0,1]` has its radii
at the levels :math:`\{2k+s\}\cup\{2k-s\}\cap[0,N]` (Seidl, Gori-Giorgi, Savin, Phys. Rev. A 75
(2007) 042511, eqs. (34)–(35)), each radius obtained from the smaller of the mass inside and the
mass outside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot.certify.margins import rounding_margin
from qmot.manybody._radial_angles import minimise_directions, radial_force
from qmot.manybody._radial_quadrature import RadialModel, nested_quadrature

__all__ = ["ManyElectrons", "configuration_levels", "many_electrons", "shell_lower_bound"]

OUTER_RTOL = 1e-8
"""Per-panel relative target of the SGS quadrature (orders 6 and 12)."""
OUTER_PANELS = 40
LP_TIME = 20.0
"""Seconds the shell LP (column generation beyond enumeration) may take."""


def configuration_levels(s: np.ndarray, particles: int) -> np.ndarray:
    r"""Levels (electrons inside) of the configuration of parameter ``s``, shape ``(M, N)``,
    in increasing order :math:`s < 2-s < 2+s < 4-s < \dots`."""
    s = np.asarray(s, dtype=float).reshape(-1, 1)
    columns = []
    for index in range(particles):
        pair = (index + 1) // 2
        columns.append(2 * pair - s if index % 2 else 2 * pair + s)
    return np.hstack(columns)


def _radii(model: RadialModel, levels: np.ndarray, particles: int) -> np.ndarray:
    unit = model.total / particles
    return model.radius(levels * unit, (particles - levels) * unit)


@dataclass
class _Continuation:
    """Warm starts of the angular minimisation along increasing s."""

    rng: np.random.Generator
    warm: np.ndarray | None = None
    worst_gradient: float = 0.0
    evaluations: int = 0

    def energy(self, radii: np.ndarray, restarts: int) -> tuple[float, np.ndarray]:
        found = minimise_directions(radii, self.warm, self.rng, restarts)
        norms = np.linalg.norm(found.positions, axis=1)
        units = found.positions / np.maximum(norms, 1e-300)[:, None]
        units[norms == 0] = self.rng.normal(size=3)
        self.warm = units
        self.worst_gradient = max(self.worst_gradient, found.gradient)
        self.evaluations += 1
        return found.energy, found.positions


def _upper(
    model: RadialModel, particles: int, continuation: _Continuation
) -> tuple[float, float, dict[str, Any]]:
    unit = model.total / particles
    median = float(model.radius(np.array([unit]), np.array([model.total - unit]))[0])

    def integrand(r: np.ndarray) -> np.ndarray:
        shape = r.shape
        flat = r.ravel()
        s = np.clip(model.within(flat) / unit, 0.0, 1.0)
        radii = _radii(model, configuration_levels(s, particles), particles)
        radii[:, 0] = flat
        energies = np.empty(flat.size)
        for rank, index in enumerate(np.argsort(flat)):
            energies[index], _ = continuation.energy(radii[index], restarts=2 * (rank == 0))
        return (model.radial(flat) * energies).reshape(shape)

    levels = np.linspace(0.0, 1.0, 9)[1:-1] * unit
    edges = np.concatenate(([0.0], model.radius(levels, model.total - levels), [median]))
    quadrature = nested_quadrature(
        integrand, edges, rtol=OUTER_RTOL, orders=(6, 12), max_panels=OUTER_PANELS
    )
    info = {
        "sgs_panels": quadrature.panels,
        "sgs_quadrature_error_estimate": quadrature.error,
        "sgs_converged": quadrature.converged,
        "angular_minimisations": continuation.evaluations,
        "worst_angular_gradient": continuation.worst_gradient,
    }
    return quadrature.value, quadrature.error, info


def _shell_edges(model: RadialModel, particles: int, shells: int) -> np.ndarray:
    unit = model.total / particles
    uniform = np.arange(1, shells) * (particles / shells)
    tail = particles - (particles / shells) * 2.0 ** -np.arange(1, 5)
    levels = np.concatenate((uniform, tail)) * unit
    radii = model.radius(levels, model.total - levels)
    return np.unique(np.concatenate(([0.0], radii, [model.r_max])))


def shell_lower_bound(
    model: RadialModel, particles: int, shells: int
) -> tuple[float, dict[str, Any]]:
    r"""Certified lower bound: the pair relaxation :math:`\sum_{i<j}1/(r_i+r_j)` on shells,
    cost :math:`1/(b_{k+1}+b_{l+1})`, solved by :func:`qmot.manybody.symmetric_ot`."""
    from qmot.manybody.symmetric_ot import symmetric_ot

    edges = _shell_edges(model, particles, shells)
    outer = edges[1:]
    masses = model.within(outer) - model.within(edges[:-1])
    mu = np.maximum(masses, 0.0) / model.total
    mu = mu / mu.sum()
    cost = 1.0 / (outer[:, None] + outer[None, :])
    result = symmetric_ot(cost, mu, particles, max_time=LP_TIME)
    mass_error = outer.size * (2 * model.error + rounding_margin(model.total, 64)) / model.total
    margin = particles * math.comb(particles, 2) * float(cost.max()) * mass_error
    lower = (result.lower_bound - margin) * model.total / particles
    info = {
        "lower_bound_method": "pair relaxation sum 1/(r_i + r_j) on radial shells, "
        "occupation LP (symmetric_ot)",
        "shells": int(outer.size),
        "shell_lp_status": str(result.status),
        "shell_lp_gap": result.gap,
    }
    return lower, info


def counter_monotone_lower_bound(
    model: RadialModel, particles: int, pair: tuple[float, float]
) -> float:
    r""":math:`\binom N2\,\mathbb E[1/(r+r')]` under the counter-monotone coupling of the
    normalised radial marginal: each pair of the relaxation :math:`\sum_{i<j}1/(r_i+r_j)` is a
    coupling of the marginal with itself, and for a cost convex in :math:`r+r'` the
    counter-monotone coupling is optimal (it minimises :math:`r+r'` in the convex order), so
    this bounds every plan from below (in the model's mass units, like the other values).
    ``pair`` is the N = 2 value of the marginal and its quadrature error (the caller's
    :func:`qmot.manybody.radial` computes it)."""
    value, error = pair
    expectation = 2 * (value - error) / model.total
    return math.comb(particles, 2) * expectation * model.total / particles


def _default_shells(particles: int) -> int:
    """Uniform shells (before the 4 tail shells) keeping the enumeration LP near 10^5 columns."""
    shells = 4
    while math.comb(shells + 5 + particles - 1, particles) <= 60_000 and shells < 60:
        shells += 1
    return max(shells, 2)


@dataclass(frozen=True)
class ManyElectrons:
    """Upper value, bracket, potential table, co-motion maps and info of the N > 2 problem."""

    values: tuple[float, float, float]
    table: np.ndarray
    potential: np.ndarray
    comotion: tuple[Callable[[ArrayLike], np.ndarray], ...]
    info: dict[str, Any] = field(default_factory=dict)


def _comotion(model: RadialModel, particles: int) -> tuple[Callable[[ArrayLike], np.ndarray], ...]:
    unit = model.total / particles

    def others(r: ArrayLike) -> np.ndarray:
        x = np.asarray(r, dtype=float).ravel()
        level = model.within(x) / unit
        folded = np.mod(level, 2.0)
        s = np.where(folded <= 1, folded, 2 - folded)
        levels = configuration_levels(s, particles)
        own = np.argmin(np.abs(levels - level[:, None]), axis=1)
        keep = np.ones(levels.shape, dtype=bool)
        keep[np.arange(x.size), own] = False
        rest = levels[keep].reshape(x.size, particles - 1)
        return _radii(model, rest, particles).reshape(*np.shape(r), particles - 1)

    def make(index: int) -> Callable[[ArrayLike], np.ndarray]:
        return lambda r: others(r)[..., index]

    def identity(r: ArrayLike) -> np.ndarray:
        return np.asarray(r, dtype=float)

    return (identity, *(make(i) for i in range(particles - 1)))


def _potential(
    model: RadialModel, particles: int, continuation: _Continuation, points: int = 160
) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`v(r)` from its slope :math:`v'(r)` (the radial force of the minimising
    configuration at each table radius), integrated by the trapezoid rule from
    :math:`v(r_{\max}) = (N-1)/r_{\max}`."""
    unit = model.total / particles
    levels = np.linspace(0.0, particles, points + 1)[1:-1] * unit
    table = np.unique(
        np.concatenate(([0.0], model.radius(levels, model.total - levels), [model.r_max]))
    )
    level = model.within(table) / unit
    folded = np.mod(level, 2.0)
    s = np.where(folded <= 1, folded, 2 - folded)
    slopes = np.zeros(table.size)
    for rank, index in enumerate(np.argsort(s)):
        configuration = configuration_levels(s[index : index + 1], particles)[0]
        radii = _radii(model, configuration, particles)
        own = int(np.argmin(np.abs(configuration - level[index])))
        radii[own] = table[index]
        _, positions = continuation.energy(radii, restarts=2 * (rank == 0))
        slopes[index] = radial_force(positions, own) if table[index] > 0 else 0.0
    pieces = (slopes[1:] + slopes[:-1]) / 2 * np.diff(table)
    values = (particles - 1) / model.r_max - np.concatenate((np.cumsum(pieces[::-1])[::-1], [0.0]))
    return table, values


def many_electrons(
    model: RadialModel,
    particles: int,
    shells: int | None,
    seed: int,
    pair: tuple[float, float],
) -> ManyElectrons:
    """The SGS upper bound (value and quadrature error) and the shell LP lower bound;
    ``pair`` is the N = 2 value of the same marginal with its error."""
    continuation = _Continuation(np.random.default_rng(seed))
    value, error, info = _upper(model, particles, continuation)
    upper = value + error + rounding_margin(value, 64)
    lower, lower_info = shell_lower_bound(model, particles, shells or _default_shells(particles))
    pair_lower = counter_monotone_lower_bound(model, particles, pair)
    lower_info["shell_lp_lower_bound"] = lower
    lower_info["counter_monotone_lower_bound"] = pair_lower
    if pair_lower > lower:
        lower = pair_lower
        lower_info["lower_bound_method"] = (
            "pair relaxation sum 1/(r_i + r_j), each pair bounded by its counter-monotone "
            "coupling (binom(N, 2) times the N = 2 value)"
        )
    continuation.warm = None
    table, potential = _potential(model, particles, continuation)
    info |= lower_info | {
        "upper_bound_method": "SGS radial co-motion with minimised angles (a feasible plan); "
        "quadrature error estimated by the 6/12-point Gauss–Legendre difference",
    }
    return ManyElectrons(
        (upper, min(lower, upper), upper), table, potential, _comotion(model, particles), info
    )
