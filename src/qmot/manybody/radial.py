r"""Strictly correlated electrons (SCE) for spherically symmetric densities on :math:`\mathbb R^3`.

For a density :math:`\rho(x) = \rho(|x|)` with :math:`\int\rho = N`, the SCE functional of
Cotar, Friesecke, Pass, *Infinite-body optimal transport with Coulomb cost* (Calc. Var. PDE 54,
2015), eq. (1.18),

.. math::

    V_{ee}^{SCE}[\rho] = \min_{\gamma\mapsto\rho/N}\int\sum_{i<j}\frac{1}{|x_i-x_j|}\,d\gamma ,

reduces to radii. Write :math:`p(r) = 4\pi r^2\rho(r)`, :math:`N_e(r) = \int_0^r p` and
:math:`a = N_e^{-1}` (Seidl, Gori-Giorgi, Savin, *Strictly correlated electrons in
density-functional theory: a general formulation with applications to spherical densities*, Phys.
Rev. A 75 (2007) 042511, SGS below).

**Radial reduction.** Let :math:`c(r_1..r_N) = \min_{u_i\in S^2}\sum_{i<j}1/|r_iu_i-r_ju_j|`.
*Claim:* :math:`V_{ee}^{SCE}[\rho]` equals the symmetric N-marginal problem on
:math:`[0,\infty)` with marginal :math:`p/N` and cost :math:`c`. *Proof.* (≥) any plan
:math:`\gamma` pushes forward under :math:`x\mapsto |x|` to a plan of the radial problem and
the pointwise cost only drops to :math:`c`. (≤) given a radial plan :math:`\pi`, choose measurably
(by the measurable selection theorem; :math:`c` is continuous where finite) directions
:math:`u^*(r)` attaining :math:`c(r)`, and average the configuration
:math:`(r_iRu^*_i(r))_i` over a Haar-random rotation :math:`R\in SO(3)` and over the
permutations: the result is symmetric, its one-body marginal is the rotation average of
:math:`p/N` on spheres, i.e. :math:`\rho/N`, and its cost is :math:`\int c\,d\pi`. ∎

**N = 2** (:math:`c = 1/(r_1+r_2)`, antipodal): the radial problem is a 1-D problem with a cost
convex and decreasing in :math:`r_1+r_2`; its optimum is the anti-monotone map
:math:`f(r) = a(2 - N_e(r))` (SGS eq. (30); Buttazzo, De Pascale, Gori-Giorgi, *Optimal-transport
formulation of electronic density-functional theory*, Phys. Rev. A 85 (2012) 062502), so

.. math::

    V_{ee}^{SCE} = \int_0^{a(1)} \frac{p(r)}{r + f(r)}\,dr

(the integral over :math:`[0,\infty)` is twice this, halved by the pair count). Equivalently it is
the 1-D SCE value of the unfolded density :math:`x\mapsto p(|x|)/2` on :math:`\mathbb R`. In the
variable :math:`r` the end singularities of the level form :math:`\int_0^1 dt/(a(t)+a(2-t))`
(:math:`a(t)\sim t^{1/3}` at 0, :math:`a(2-t)\to\infty`) are gone, and :math:`f` is computed from
the mass *outside* :math:`f`, :math:`N - N_e(f) = N_e(r)`, so no digits are lost at either end.

**N > 2**: the SGS radial co-motion functions put the radii at the levels
:math:`\{2k+s\}\cup\{2k-s\}\cap[0,N]` (:math:`s = N_e(r_1)\in[0,1]`), and the directions minimise
the Coulomb energy at each :math:`s`; the value is an upper bound. The lower bound is the *pair
relaxation* :math:`c(r) \ge \sum_{i<j}1/(r_i+r_j)` (each pair at most antipodal) discretised on
radial shells :math:`[b_k, b_{k+1}]` with cost :math:`1/(b_{k+1}+b_{l+1})` (a lower bound of
the pair cost on the shells), solved exactly as an occupation LP by
:func:`qmot.manybody.symmetric_ot`: the shell image of any continuous plan is feasible there with
no larger cost, so its certified lower bound is a lower bound of :math:`V_{ee}^{SCE}`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import check_positive_int, check_tolerance
from qmot.certify.margins import rounding_margin
from qmot.errors import InvalidInputError
from qmot.manybody._radial_quadrature import RadialModel, gauss_legendre, nested_quadrature
from qmot.manybody.pair_costs import Coulomb, PairCost
from qmot.results import OPTIMAL, Status, TransportResult

__all__ = [
    "DEFAULT_TOL",
    "MASS_RTOL",
    "RadialSCEResult",
    "radial_hartree_energy",
    "sce_radial",
]

DEFAULT_TOL = 1e-10
"""``status="optimal"`` when ``upper - lower <= tol * max(1, |upper|)``."""
MASS_RTOL = 1e-9
r"""Largest relative mismatch :math:`|\int 4\pi r^2\rho - N|/N` accepted without
``normalize=True``; the density is then used as :math:`\rho\,N/\!\int\rho` (reported in
``info["mass_defect"]``)."""
INITIAL_PANELS = 64
TAIL_THRESHOLD = 1e-24

Density = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, repr=False)
class RadialSCEResult(TransportResult):
    r"""Result of :func:`sce_radial`.

    Attributes
    ----------
    comotion
        Radial co-motion functions :math:`f_1 = \mathrm{id}, f_2, \dots, f_N` (vectorised
        callables of :math:`r`; for N = 2, :math:`f_2(r) = a(2 - N_e(r))`).
    hartree_energy, hartree_error
        :math:`U[\rho]` and a bound on its quadrature error.
    particles
        N.
    potentials
        ``"r"`` and ``"v"``: the SCE potential :math:`v(r)` tabulated, in the gauge
        :math:`v(r)\to 0` as :math:`r\to\infty` (:math:`v(r) = (N-1)/r` beyond the support),
        with :math:`-\nabla v(x) = \sum_{i\ge2}(x - f_i(x))/|x-f_i(x)|^3` (SGS eq. (27)). The
        Kantorovich potential of the dual problem is :math:`u = v + \kappa`,
        :math:`\kappa = (V - \int\rho v)/N` (``info["kantorovich_shift"]``), so that
        :math:`\sum_i u(f_i(x)) = \sum_{i<j}1/|f_i(x)-f_j(x)|` on the support.
    """

    comotion: tuple[Callable[[ArrayLike], np.ndarray], ...] = ()
    hartree_energy: float = math.nan
    hartree_error: float = math.nan
    particles: int = 2
    sce_potential: Callable[[ArrayLike], np.ndarray] | None = field(default=None)

    @property
    def w_infinity(self) -> float:
        r""":math:`W_\infty = V_{ee}^{SCE} - U` (the strong-interaction limit of the
        adiabatic connection)."""
        return self.cost - self.hartree_energy

    @property
    def w_infinity_bracket(self) -> tuple[float, float]:
        """Certified bracket of :attr:`w_infinity`."""
        return (
            self.lower_bound - self.hartree_energy - self.hartree_error,
            self.upper_bound - self.hartree_energy + self.hartree_error,
        )

    def to_dict(self, *, include_arrays: bool = False) -> dict[str, Any]:
        out = super().to_dict(include_arrays=include_arrays)
        out["hartree_energy"] = self.hartree_energy
        out["hartree_error"] = self.hartree_error
        out["w_infinity"] = self.w_infinity
        out["w_infinity_bracket"] = list(self.w_infinity_bracket)
        out["particles"] = self.particles
        return out


# ----------------------------------------------------------------------------- input checks


def _grid_density(r: ArrayLike, rho: ArrayLike) -> tuple[Density, np.ndarray]:
    grid = np.asarray(r, dtype=float)
    values = np.asarray(rho, dtype=float)
    if grid.ndim != 1 or grid.size < 2:
        raise InvalidInputError(
            f"`r` must be a 1-D grid of at least 2 radii (got shape {grid.shape})"
        )
    if not np.all(np.isfinite(grid)) or grid[0] < 0:
        raise InvalidInputError(
            f"`r` must be finite and non-negative (got first value {grid[0]!r})"
        )
    if not np.all(np.diff(grid) > 0):
        step = float(np.min(np.diff(grid)))
        raise InvalidInputError(f"`r` must be strictly increasing (got a step of {step!r})")
    if values.shape != grid.shape:
        raise InvalidInputError(
            f"`rho` must give one value per radius, shape {grid.shape} (got {values.shape})"
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        bad = values[~np.isfinite(values) | (values < 0)][0]
        raise InvalidInputError(f"`rho` must be finite and non-negative (got {bad!r})")

    def density(x: np.ndarray) -> np.ndarray:
        return np.interp(x, grid, values, left=0.0, right=0.0)

    edges = grid if grid[0] == 0 else np.concatenate(([0.0], grid))
    return density, edges


def _checked_callable(rho: Density) -> Density:
    def density(x: np.ndarray) -> np.ndarray:
        values = np.asarray(rho(x), dtype=float)
        if values.shape != np.shape(x):
            raise InvalidInputError(
                f"`rho` must be vectorised: shape {np.shape(x)} in, same shape out "
                f"(got {values.shape})"
            )
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            bad = values[~np.isfinite(values) | (values < 0)].ravel()[0]
            raise InvalidInputError(f"`rho` must be finite and non-negative (got {bad!r})")
        return values

    return density


def _default_r_max(density: Density) -> float:
    """Smallest :math:`2^k` (k ≤ 12) past which :math:`4\\pi r^3\\rho` is below
    :data:`TAIL_THRESHOLD` at r, 1.5 r and 2 r (a heuristic: pass ``r_max`` to control it)."""
    for power in range(13):
        radius = 2.0**power
        probe = np.array([radius, 1.5 * radius, 2 * radius])
        if np.all(4 * math.pi * probe**3 * density(probe) <= TAIL_THRESHOLD):
            return radius
    raise InvalidInputError(
        "`r_max` is needed: `rho` does not decay below 1e-24 (in 4πr³ρ) before r = 8192"
    )


def _model(
    rho: Density | ArrayLike, r: ArrayLike | None, r_max: float | None
) -> tuple[RadialModel, str]:
    if callable(rho):
        if r is not None:
            raise InvalidInputError("`r` must be None when `rho` is a callable (got a grid)")
        density = _checked_callable(rho)
        if r_max is None:
            r_max = _default_r_max(density)
        if not (isinstance(r_max, int | float) and math.isfinite(r_max) and r_max > 0):
            raise InvalidInputError(f"`r_max` must be a positive finite radius (got {r_max!r})")
        edges = np.linspace(0.0, float(r_max), INITIAL_PANELS + 1)
        description = f"callable density on [0, {float(r_max):g}], zero beyond"
        return RadialModel.build(density, edges, adaptive=True), description
    if r is None:
        raise InvalidInputError("`r` must be given when `rho` is an array of values (got None)")
    if r_max is not None:
        raise InvalidInputError(f"`r_max` must be None with a grid `r` (got {r_max!r})")
    density, edges = _grid_density(r, rho)
    description = (
        "piecewise-linear interpolation of the values between the grid radii, zero outside"
    )
    return RadialModel.build(density, edges, adaptive=False), description


def _checked_mass(model: RadialModel, particles: int, normalize: bool) -> float:
    """The factor N / ∫ρ that makes the model an N-electron density."""
    total = model.total
    if not total > 0:
        raise InvalidInputError(f"`rho` must have positive mass (got {total!r})")
    defect = abs(total - particles)
    if not normalize and defect > MASS_RTOL * particles + 4 * model.error:
        raise InvalidInputError(
            f"`rho` must integrate to N = {particles} (∫4πr²ρ dr = {total!r}); "
            "pass normalize=True to rescale it"
        )
    return particles / total


# ----------------------------------------------------------------------------- N = 2


def _partner(model: RadialModel, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:math:`f(r) = a(T - N_e(r))` (with T the model's mass) and :math:`N_e(r)`."""
    inside = model.within(r)
    return model.radius(model.total - inside, inside), inside


def _outer_edges(model: RadialModel, median: float) -> np.ndarray:
    """Model edges below the median and the radii whose partner is a model edge above it."""
    low = model.edges[model.edges < median]
    high = model.edges[model.edges > median]
    outside = model.above[model.edges.size - high.size :]
    images = model.radius(model.total - outside, outside)
    images = images[(images > 0) & (images < median)]
    return np.unique(np.concatenate((low, images, [0.0, median])))


def _cost_slope(pair_cost: PairCost) -> Callable[[np.ndarray], np.ndarray]:
    from qmot.manybody.one_dimensional import _cost_derivative

    slope = _cost_derivative(pair_cost)
    if slope is None:
        raise InvalidInputError(
            "`pair_cost` must be Coulomb, Yukawa or Exponential for the radial problem "
            f"(got {type(pair_cost).__name__})"
        )
    return slope


def _two_electrons(model: RadialModel, pair_cost: PairCost) -> tuple[float, float, dict[str, Any]]:
    """V (for the model's mass T) and its error bound, by the formula of the module docstring."""
    slope = _cost_slope(pair_cost)
    half = model.total / 2
    median = float(model.radius(np.array([half]), np.array([half]))[0])

    def integrand(r: np.ndarray) -> np.ndarray:
        partner, _ = _partner(model, r)
        return model.radial(r) * pair_cost(r + partner)

    quadrature = nested_quadrature(integrand, _outer_edges(model, median), atol=0.0)

    def propagated(r: np.ndarray) -> np.ndarray:
        partner, _ = _partner(model, r)
        mass_at_partner = model.radial(partner)
        with np.errstate(divide="ignore"):
            shift = np.where(mass_at_partner > 0, 2 * model.error / mass_at_partner, model.r_max)
        shift = np.minimum(shift, model.r_max) + 8 * np.finfo(float).eps * partner
        return model.radial(r) * np.abs(slope(r + partner)) * shift

    carried = nested_quadrature(propagated, quadrature.edges, rtol=0.5, max_panels=0)
    at_median = float(model.radial(np.array([median]))[0])
    end = (
        at_median * float(pair_cost(np.array([2 * median]))[0]) * model.error / at_median
        if at_median > 0
        else 0.0
    )
    error = quadrature.error + 2 * carried.value + end
    info = {
        "median_radius": median,
        "outer_panels": quadrature.panels,
        "quadrature_error_bound": quadrature.error,
        "propagated_mass_error": 2 * carried.value + end,
        "converged": quadrature.converged,
    }
    return quadrature.value, error, info


def _two_electron_potential(
    model: RadialModel, pair_cost: PairCost, points: int = 240
) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`v(r) = \ell(r_{\max}) - \int_r^{r_{\max}}\ell'(s + f(s))\,ds` on a table of radii."""
    slope = _cost_slope(pair_cost)
    levels = np.linspace(0.0, model.total, points // 2 + 1)[1:-1]
    table = np.unique(
        np.concatenate(
            (
                np.linspace(0.0, model.r_max, points // 2 + 1),
                model.radius(levels, model.total - levels),
            )
        )
    )
    nodes, weights = gauss_legendre(8)
    left, right = table[:-1], table[1:]
    s = left[:, None] + (right - left)[:, None] * nodes
    partner, _ = _partner(model, s)
    pieces = -np.sum(slope(s + partner) * weights, axis=1) * (right - left)
    tail = float(pair_cost(np.array([model.r_max]))[0])
    values = tail + np.concatenate((np.cumsum(pieces[::-1])[::-1], [0.0]))
    return table, values


# ----------------------------------------------------------------------------- Hartree


def _hartree(model: RadialModel) -> tuple[float, float]:
    r""":math:`U = \int_0^{r_{\max}} p(r) N_e(r)/r\,dr` and its error bound."""

    def integrand(r: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(r > 0, model.radial(r) * model.within(r) / r, 0.0)

    quadrature = nested_quadrature(integrand, model.edges)

    def carried(r: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(r > 0, model.radial(r) / r, 0.0)

    weight = nested_quadrature(carried, model.edges, rtol=0.5, max_panels=0).value
    return quadrature.value, quadrature.error + 2 * model.error * weight


def radial_hartree_energy(
    rho: Density | ArrayLike, *, r: ArrayLike | None = None, r_max: float | None = None
) -> TransportResult:
    r"""Hartree energy :math:`U[\rho] = \tfrac12\iint\rho(x)\rho(y)/|x-y|\,dx\,dy` of a
    spherically symmetric density.

    By Newton's shell theorem the angular average of :math:`1/|x-y|` is
    :math:`1/\max(|x|,|y|)`, so :math:`U = \int_0^\infty 4\pi r^2\rho(r)\,N_e(r)/r\,dr`
    (Seidl, Gori-Giorgi, Savin 2007, the Hartree term of eq. (2)).

    Parameters
    ----------
    rho, r, r_max
        As in :func:`sce_radial` (no normalisation is needed or checked).

    Returns
    -------
    TransportResult
        ``cost`` = U with the bracket ``cost ∓`` the quadrature error bound.

    Examples
    --------
    >>> import numpy as np
    >>> U = radial_hartree_energy(lambda r: 2 * np.exp(-2 * r) / np.pi, r_max=40.0)
    >>> abs(U.cost - 1.25) < 1e-13, str(U.status)  # 1s^2 of hydrogen: 2 * 5/8
    (True, 'estimate')
    """
    model, description = _model(rho, r, r_max)
    value, error = _hartree(model)
    return TransportResult(
        cost=value,
        lower_bound=value - error,
        upper_bound=value + error,
        status=_verdict(rho, True),
        solver="radial Gauss–Legendre quadrature (shell theorem)",
        info={"density_model": description, "mass_panels": int(model.masses.size)},
    )


# ----------------------------------------------------------------------------- entry point


def _potential_callable(
    table: np.ndarray, values: np.ndarray, particles: int, r_max: float, pair_cost: PairCost
) -> Callable[[ArrayLike], np.ndarray]:
    """v(r): interpolated in the table inside the support, (N - 1) l(r) beyond it (all other
    electrons at the origin)."""

    def potential(radius: ArrayLike) -> np.ndarray:
        x = np.asarray(radius, dtype=float)
        with np.errstate(divide="ignore"):
            outside = (particles - 1) * pair_cost(np.maximum(x, r_max))
        return np.where(x >= r_max, outside, np.interp(x, table, values))

    return potential


def _kantorovich_shift(
    model: RadialModel, table: np.ndarray, values: np.ndarray, energy: float, particles: int
) -> float:
    def weighted(r: np.ndarray) -> np.ndarray:
        return model.radial(r) * np.interp(r, table, values)

    integral = nested_quadrature(weighted, model.edges, rtol=1e-8).value
    return (energy - integral * particles / model.total) / particles


def _validate(N: object, pair_cost: PairCost | None, tol: object) -> tuple[int, PairCost, float]:
    particles = check_positive_int(N, "N", minimum=2)
    cost = Coulomb() if pair_cost is None else pair_cost
    if not isinstance(cost, PairCost) or not cost.convex_decreasing:
        raise InvalidInputError(
            "`pair_cost` must be a convex decreasing qmot PairCost (Coulomb, Yukawa, "
            f"Exponential) (got {type(cost).__name__})"
        )
    if particles > 2 and type(cost) is not Coulomb:
        raise InvalidInputError(
            f"`pair_cost` must be Coulomb for N > 2 (got {type(cost).__name__} with N={particles})"
        )
    return particles, cost, check_tolerance(tol, "tol")


def _solve(
    model: RadialModel,
    particles: int,
    cost: PairCost,
    scale: float,
    shells: int | None,
    seed: int,
) -> tuple[float, float, float, np.ndarray, np.ndarray, tuple, dict[str, Any]]:
    """Value, bracket, potential table, co-motion maps and info, for N = 2 or N > 2."""
    if particles == 2:
        energy, error, details = _two_electrons(model, cost)
        energy, error = energy * scale, error * scale + rounding_margin(energy, 4)
        table, values = _two_electron_potential(model, cost)
        comotion: tuple[Callable[[ArrayLike], np.ndarray], ...] = (
            lambda x: np.asarray(x, dtype=float),
            lambda x: _partner(model, np.asarray(x, dtype=float))[0],
        )
        details |= {
            "method": "exact antipodal co-motion (SGS eq. (30))",
            "solver": "closed-form radial co-motion, certified quadrature",
        }
        return energy, energy - error, energy + error, table, values, comotion, details
    from qmot.manybody._radial_many import many_electrons

    pair_value, pair_error, _ = _two_electrons(model, Coulomb())
    outcome = many_electrons(model, particles, shells, seed, (pair_value, pair_error))
    energy, lower, upper = (value * scale for value in outcome.values)
    details = outcome.info | {
        "solver": "SGS radial co-motion (upper) + pair-relaxation lower bound"
    }
    return energy, lower, upper, outcome.table, outcome.potential, outcome.comotion, details


def sce_radial(
    rho: Density | ArrayLike,
    N: int,
    *,
    r: ArrayLike | None = None,
    r_max: float | None = None,
    pair_cost: PairCost | None = None,
    tol: float = DEFAULT_TOL,
    normalize: bool = False,
    shells: int | None = None,
    seed: int = 0,
) -> RadialSCEResult:
    r"""SCE energy :math:`V_{ee}^{SCE}[\rho]` of a spherically symmetric density on
    :math:`\mathbb R^3` (module docstring: the radial reduction and its proofs).

    Parameters
    ----------
    rho
        A vectorised callable :math:`\rho(r)` (used on :math:`[0, r_{\max}]`, zero beyond), or
        values on the grid ``r`` (then the density *is* their piecewise-linear interpolation
        between the grid radii, zero outside; the result is certified for that density — compare
        with the grid halved to see the interpolation error).
    N
        Number of electrons, :math:`\int 4\pi r^2\rho\,dr = N` (to :data:`MASS_RTOL`).
    r, r_max
        The grid for tabulated ``rho``; the truncation radius for a callable (``None``: the
        first :math:`2^k` past which :math:`4\pi r^3\rho < 10^{-24}`).
    pair_cost
        ``None`` (Coulomb) or, for N = 2, any convex decreasing Coulomb/Yukawa/Exponential cost.
    tol
        ``status="optimal"`` when ``upper - lower <= tol * max(1, |upper|)`` for a tabulated
        density; for a callable the same bracket is an ``"estimate"`` (its width is the
        quadrature's error estimate and the mass beyond ``r_max`` is not bounded).
    normalize
        Rescale ``rho`` to N electrons instead of rejecting a mismatch.
    shells, seed
        N > 2: radial shells of the lower-bound LP (default by N) and the seed of the random
        restarts of the angular minimisation.

    Returns
    -------
    RadialSCEResult
        N = 2: the exact value; the bracket is the quadrature error bound (Gauss–Legendre
        32 vs 16 points per panel, analytic integrands; :mod:`qmot.manybody._radial_quadrature`)
        plus the propagated error of :math:`N_e` and rounding. N > 2: ``cost`` = ``upper_bound``
        = the SGS radial co-motion value, ``lower_bound`` = the shell LP of the pair relaxation;
        ``info["lower_bound_method"]``/``info["upper_bound_method"]`` say which.

    Raises
    ------
    InvalidInputError
        N < 2, a mass other than N (without ``normalize``), negative or non-finite density
        values, a grid that is not strictly increasing.

    Examples
    --------
    >>> import numpy as np
    >>> hydrogen_pair = lambda r: 2 * np.exp(-2 * r) / np.pi  # 1s^2 of hydrogen, N = 2
    >>> result = sce_radial(hydrogen_pair, 2, r_max=40.0)
    >>> str(result.status), round(result.cost, 10), round(result.w_infinity, 10)
    ('estimate', 0.3391804758, -0.9108195242)
    """
    particles, cost, tolerance = _validate(N, pair_cost, tol)
    model, description = _model(rho, r, r_max)
    scale = _checked_mass(model, particles, normalize)
    hartree, hartree_error = _hartree(model)
    info: dict[str, Any] = {
        "density_model": description,
        "mass_defect": model.total - particles,
        "mass_panels": int(model.masses.size),
    }
    energy, lower, upper, table, values, comotion, details = _solve(
        model, particles, cost, scale, shells, seed
    )
    info |= details
    solver = str(info.pop("solver"))
    converged = bool(info.get("converged", True))
    width_ok = upper - lower <= tolerance * max(1.0, abs(upper))
    status = _verdict(rho, width_ok and converged)
    info["kantorovich_shift"] = _kantorovich_shift(model, table, values, energy, particles)
    return RadialSCEResult(
        cost=energy,
        lower_bound=lower,
        upper_bound=upper,
        status=status,
        solver=solver,
        potentials={"r": table, "v": values},
        residuals={"bracket_width": upper - lower},
        info=info,
        comotion=comotion,
        hartree_energy=hartree * scale**2,
        hartree_error=hartree_error * scale**2,
        particles=particles,
        sce_potential=_potential_callable(table, values, particles, model.r_max, cost),
    )


def _verdict(rho: object, closed: bool) -> Status:
    """``"optimal"`` for a tabulated density whose bracket closed; a callable density's bracket
    rests on the quadrature's own error estimate (Gauss–Legendre 32 vs 16 points) and on the
    truncation at ``r_max``, neither a proven bound for an arbitrary function, so it is an
    ``"estimate"`` (the convention of :func:`qmot.manybody.sce_1d`)."""
    if not closed:
        return Status.GAP_EXCEEDS_TOLERANCE
    return Status.ESTIMATE if callable(rho) else OPTIMAL
