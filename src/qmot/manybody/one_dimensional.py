r"""Exact one-dimensional SCE by the cyclic quantile (co-motion) construction.

For a probability measure :math:`\mu` on the line with distribution function :math:`F` and
quantile function :math:`F^{-1}`, Seidl's co-motion functions
:math:`f_i(x) = F^{-1}\big(F(x) + \tfrac{i-1}{N} \bmod 1\big)` place the N particles at the
quantile levels :math:`t, t + 1/N, \dots, t + (N-1)/N`, :math:`t\in[0, 1/N)`. For pair costs
that are convex and decreasing in the distance (Coulomb, Yukawa, exponential) this plan is
optimal (Colombo–De Pascale–Di Marino), and

.. math::

    \min \mathbb E\sum_{i<j}\ell(|x_i - x_j|) = N\int_0^{1/N}\sum_{i<j}
        \ell\big(F^{-1}(t + \tfrac{j-1}{N}) - F^{-1}(t + \tfrac{i-1}{N})\big)\,dt .

For discrete :math:`\mu` the integrand is piecewise constant and the integral is exact. For a
continuous density the integral is bracketed rigorously for the piecewise-linear density through
the given grid values, and only estimated for a callable density (:func:`sce_1d`, Notes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import as_points, as_weights, check_positive_int, check_tolerance
from qmot.certify.margins import rounding_margin
from qmot.errors import InfeasibleError, InvalidInputError
from qmot.manybody.pair_costs import Coulomb, Exponential, PairCost, Yukawa
from qmot.reductions.occupations import cyclic_quantile_sites
from qmot.results import OPTIMAL, Status, TransportResult

__all__ = ["DEFAULT_TOL", "DENSE_CONFIGURATIONS", "ESTIMATE", "MAX_CELLS", "SCE1DResult", "sce_1d"]

UPPER_BOUND_ONLY = Status.UPPER_BOUND_ONLY


@dataclass(frozen=True, repr=False)
class SCE1DResult(TransportResult):
    """Result of :func:`sce_1d`: ``cost`` is the total energy; ``comotion`` the maps
    :math:`f_1..f_N` (callables on the line); for discrete input ``sites`` (``K x N`` indices
    into ``x``, one row per configuration, in quantile order) and ``weights`` give the optimal
    N-body measure, in :math:`O(LN)` memory; ``configurations`` repeats it as ``K x L``
    occupation vectors when that matrix has at most :data:`DENSE_CONFIGURATIONS` entries (else
    ``None``; :meth:`occupation_matrix` gives it sparse). For continuous input
    ``potentials["x"]``/``potentials["u"]`` tabulate the Kantorovich potential (``sce_1d``,
    Notes)."""

    comotion: tuple[Callable[[ArrayLike], np.ndarray], ...] = ()
    configurations: np.ndarray | None = None
    weights: np.ndarray | None = None
    sites: np.ndarray | None = None
    particles: int = 0
    summary_properties: ClassVar[tuple[str, ...]] = ("cost_per_pair",)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.particles and self.comotion:  # N is the number of co-motion maps
            object.__setattr__(self, "particles", len(self.comotion))

    @property
    def cost_per_pair(self) -> float | None:
        """:math:`F_N^{OT} = \\text{cost}/\\binom N2` (``None`` when N is unknown)."""
        return self.cost / math.comb(self.particles, 2) if self.particles >= 2 else None

    def occupation_matrix(self) -> Any:
        """The configurations as a sparse ``K x L`` matrix of occupation numbers (discrete)."""
        from scipy.sparse import csr_matrix

        if self.sites is None:
            raise InvalidInputError("`occupation_matrix` needs a discrete result (got continuous)")
        rows = np.repeat(np.arange(self.sites.shape[0]), self.sites.shape[1])
        size = int(self.info.get("sites", int(self.sites.max()) + 1))
        matrix = csr_matrix(
            (np.ones(rows.size, dtype=np.int64), (rows, self.sites.ravel())),
            shape=(self.sites.shape[0], size),
        )
        matrix.sum_duplicates()
        return matrix


def _check_cost(pair_cost: object, force: bool) -> PairCost:
    if not isinstance(pair_cost, PairCost):
        raise InvalidInputError(
            f"`pair_cost` must be a qmot.manybody PairCost (got {type(pair_cost).__name__})"
        )
    if not pair_cost.convex_decreasing and not force:
        raise InvalidInputError(
            f"`pair_cost` must be convex and decreasing in the distance for the cyclic quantile "
            f"plan to be optimal (got {type(pair_cost).__name__}); pass force=True to get an "
            "upper bound"
        )
    return pair_cost


@dataclass(frozen=True)
class ComotionMap:
    """Seidl's co-motion function :math:`f(x) = F^{-1}\\big((F(x) + s) \\bmod 1\\big)`.

    A plain object (not a closure), so results that hold the maps can be pickled.
    """

    cdf: Callable[[np.ndarray], np.ndarray]
    quantile: Callable[[np.ndarray], np.ndarray]
    shift: float

    def __call__(self, x: ArrayLike) -> np.ndarray:
        return self.quantile(np.mod(self.cdf(np.asarray(x, dtype=float)) + self.shift, 1.0))


@dataclass(frozen=True)
class _StepDistribution:
    """Distribution and quantile functions of point masses at sorted sites ``xs``."""

    xs: np.ndarray
    cumulative: np.ndarray

    def cdf(self, points: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.xs, points, side="right") - 1
        return np.where(index >= 0, self.cumulative[np.clip(index, 0, None)], 0.0)

    def quantile(self, levels: np.ndarray) -> np.ndarray:
        position = np.searchsorted(self.cumulative, levels, side="right")
        return self.xs[np.minimum(position, len(self.xs) - 1)]


def _comotion_maps(
    cdf: Callable[[np.ndarray], np.ndarray],
    quantile: Callable[[np.ndarray], np.ndarray],
    particles: int,
) -> tuple[Callable[[ArrayLike], np.ndarray], ...]:
    return tuple(ComotionMap(cdf, quantile, i / particles) for i in range(particles))


def _dense_configurations(sites: np.ndarray, size: int) -> np.ndarray | None:
    if sites.shape[0] * size > DENSE_CONFIGURATIONS:
        return None
    configurations = np.zeros((sites.shape[0], size), dtype=np.int64)
    for row, placed in enumerate(sites):
        np.add.at(configurations[row], placed, 1)
    return configurations


def _discrete(
    x: np.ndarray, mu: np.ndarray, particles: int, pair_cost: PairCost
) -> tuple[float, np.ndarray, np.ndarray, tuple]:
    order = np.argsort(x, kind="stable")
    xs = x[order]
    sites, weights = cyclic_quantile_sites(mu, particles, order)
    if pair_cost.singular_at_zero and np.any(sites[:, 1:] == sites[:, :-1]):
        raise InfeasibleError("two particles share a site with infinite self-cost (N·mu_k > 1)")
    positions = x[sites]
    pair_sums = np.zeros(sites.shape[0])
    for gap in range(1, particles):  # O(K N) memory: one diagonal of pairs at a time
        distance = np.abs(positions[:, gap:] - positions[:, :-gap])
        pair_sums += np.sum(pair_cost(distance), axis=1)
    energy = float(weights @ pair_sums)
    cumulative = np.cumsum(mu[order])
    cumulative[-1] = 1.0
    steps = _StepDistribution(xs, cumulative)
    return energy, sites, weights, _comotion_maps(steps.cdf, steps.quantile, particles)


ESTIMATE = Status.ESTIMATE
GAP_EXCEEDS_TOLERANCE = Status.GAP_EXCEEDS_TOLERANCE
DEFAULT_TOL = 1e-9
"""Relative width ``(upper - lower) / max(1, |upper|)`` below which a continuum bracket is
``"optimal"`` (the rule of :func:`qmot.manybody.symmetric_ot`)."""
MAX_CELLS = 2**17
"""Most quadrature cells of :math:`[0, 1/N]` the certified continuum integral may use."""
DENSE_CONFIGURATIONS = 2**24
"""Largest ``K x L`` occupation matrix a discrete result also carries as ``configurations``."""


def _cost_derivative(pair_cost: PairCost) -> Callable[[np.ndarray], np.ndarray] | None:
    r""":math:`\ell'` for the convex decreasing costs qmot knows (None: use the order-0 bound)."""
    # exact types only: a subclass may change the profile
    if type(pair_cost) is Yukawa:
        eps = pair_cost.epsilon
        return lambda d: -np.exp(-eps * d) * (eps * d + 1.0) / d**2
    if type(pair_cost) is Coulomb:
        return lambda d: -1.0 / d**2
    if type(pair_cost) is Exponential:
        a = pair_cost.a
        return lambda d: -a * np.exp(-a * d)
    return None


@dataclass(frozen=True)
class _PiecewiseLinearDensity:
    r"""The density :math:`p` on :math:`[x_0, x_n]` that interpolates ``values`` linearly
    between the grid points, normalised by its exact integral (the trapezoid sum); its
    distribution function is piecewise quadratic and its quantile is exact per cell."""

    grid: np.ndarray
    values: np.ndarray
    mass: float
    cumulative: np.ndarray
    slopes: np.ndarray

    @classmethod
    def build(cls, grid: np.ndarray, values: np.ndarray) -> _PiecewiseLinearDensity:
        cells = (values[1:] + values[:-1]) / 2 * np.diff(grid)
        increments = np.concatenate(([0.0], np.cumsum(cells)))
        mass = float(increments[-1])
        if not (mass > 0 and math.isfinite(mass)):
            raise InvalidInputError(
                f"`mu` must have positive finite mass on the grid (got {mass!r})"
            )
        cumulative = increments / mass
        cumulative[-1] = 1.0
        return cls(grid, values, mass, cumulative, np.diff(values) / np.diff(grid))

    @property
    def cdf_error(self) -> float:
        """Rounding bound on the computed cumulative masses (they sum ``n`` cell masses)."""
        return rounding_margin(1.0, self.grid.size + 4)

    def cell_of(self, levels: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.cumulative, levels, side="right") - 1
        return np.clip(index, 0, self.grid.size - 2)

    def offset(self, levels: np.ndarray, cell: np.ndarray) -> np.ndarray:
        r"""Distance :math:`s` from :math:`x_k` with :math:`F(x_k + s) = u`, by the stable root
        :math:`s = 2r / (v_k + \sqrt{v_k^2 + 2 a_k r})` of :math:`a_k s^2/2 + v_k s = r`."""
        width = self.grid[cell + 1] - self.grid[cell]
        remaining = np.clip((levels - self.cumulative[cell]) * self.mass, 0.0, None)
        start, slope = self.values[cell], self.slopes[cell]
        denominator = start + np.sqrt(np.maximum(start**2 + 2 * slope * remaining, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(denominator > 0, 2 * remaining / denominator, 0.0)
        return np.clip(s, 0.0, width)

    def quantile(self, levels: ArrayLike) -> np.ndarray:
        u = np.clip(np.asarray(levels, dtype=float), 0.0, 1.0)
        cell = self.cell_of(u)
        return self.grid[cell] + self.offset(u, cell)

    def cdf(self, points: ArrayLike) -> np.ndarray:
        x = np.clip(np.asarray(points, dtype=float), self.grid[0], self.grid[-1])
        cell = np.clip(np.searchsorted(self.grid, x, side="right") - 1, 0, self.grid.size - 2)
        s = x - self.grid[cell]
        inside = self.values[cell] * s + self.slopes[cell] * s**2 / 2
        return np.clip(self.cumulative[cell] + inside / self.mass, 0.0, 1.0)


def _breakpoints(model: _PiecewiseLinearDensity, particles: int) -> np.ndarray:
    """Levels t in [0, 1/N] where some t + i/N crosses a cumulative knot: between two of them
    every co-motion position stays inside one grid cell, where the quantile is smooth."""
    shifts = np.arange(particles) / particles
    knots = (model.cumulative[None, :] - shifts[:, None]).ravel()
    inner = knots[(knots > 0) & (knots < 1 / particles)]
    return np.unique(np.concatenate(([0.0, 1 / particles], inner)))


def _cell_positions(
    model: _PiecewiseLinearDensity, particles: int, left: np.ndarray, right: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Co-motion positions at the ends and middle of each level cell, their rounding
    allowance ``delta``, and bounds on the quantile slope :math:`Q' = Z/p(Q)` in the cell."""
    shifts = np.arange(particles) / particles
    middle = (left + right) / 2
    levels = {
        "a": left[:, None] + shifts,
        "m": middle[:, None] + shifts,
        "b": right[:, None] + shifts,
    }
    cell = model.cell_of(np.clip(levels["m"], 0.0, 1.0))
    base = model.grid[cell]
    width = model.grid[cell + 1] - base
    position, density = {}, {}
    for key, u in levels.items():
        s = model.offset(np.clip(u, 0.0, 1.0), cell)
        position[key] = base + s
        density[key] = model.values[cell] + model.slopes[cell] * s
    # rounding of the computed positions: the position formula itself, plus the cumulative
    # masses' error carried through the quantile (Lipschitz Z/p, or Hölder-1/2 where p → 0)
    p_low = np.minimum(density["a"], density["b"])
    p_high = np.maximum(density["a"], density["b"])
    scale = float(np.max(np.abs(model.grid))) + float(np.max(np.diff(model.grid)))
    with np.errstate(divide="ignore", invalid="ignore"):
        carried = np.where(
            p_low > 0,
            model.cdf_error * model.mass / p_low,
            np.sqrt(2 * width * model.mass * model.cdf_error / np.maximum(p_high, 1e-300)),
        )
    delta = rounding_margin(scale, 32) + np.minimum(carried, width)
    slope = np.abs(model.slopes[cell])
    with np.errstate(divide="ignore"):
        q_low = model.mass / (p_high + slope * delta)
        q_high = np.where(p_low - slope * delta > 0, model.mass / (p_low - slope * delta), np.inf)
    return position, delta, q_low, q_high


def _cell_bounds(
    model: _PiecewiseLinearDensity,
    particles: int,
    pair_cost: PairCost,
    derivative: Callable[[np.ndarray], np.ndarray] | None,
    left: np.ndarray,
    right: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""For each cell :math:`[a, b]` of the level range: the midpoint-rule value
    :math:`(b-a)\,g(m)` of :math:`\int_a^b g`, rigorous lower/upper bounds of that integral, and
    the sum of the magnitudes that were added (for the rounding margin).

    ``g(t) = Σ_{i<j} ℓ(Q(t + j/N) − Q(t + i/N))``. Order 0: Q increasing and ℓ decreasing give
    ``ℓ(Q(b+j/N) − Q(a+i/N)) ≤ ℓ(d_ij(t)) ≤ ℓ(Q(a+j/N) − Q(b+i/N))``. Order 1 (when ℓ' is
    known): an interval :math:`[L, U] \ni g'` on the cell (ℓ' increasing, :math:`Q' = Z/p(Q)`
    monotone in a cell) bounds the midpoint error by :math:`(U - L)(b-a)^2/8`.
    """
    position, delta, q_low, q_high = _cell_positions(model, particles, left, right)
    midpoint = np.zeros(left.shape)
    lower = np.zeros(left.shape)
    upper = np.zeros(left.shape)
    magnitude = np.zeros(left.shape)
    slope_low = np.zeros(left.shape)
    slope_high = np.zeros(left.shape)
    rounding = np.zeros(left.shape)
    step = right - left
    for gap in range(1, particles):
        far, near = slice(gap, None), slice(None, particles - gap)
        spread = delta[:, far] + delta[:, near]
        d_low = np.maximum(position["a"][:, far] - position["b"][:, near] - spread, 0.0)
        d_high = position["b"][:, far] - position["a"][:, near] + spread
        d_mid = position["m"][:, far] - position["m"][:, near]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value_mid = pair_cost(np.maximum(d_mid, 0.0))
            value_low, value_high = pair_cost(d_high), pair_cost(d_low)
            midpoint += np.sum(value_mid, axis=1)
            lower += np.sum(value_low, axis=1)
            upper += np.sum(value_high, axis=1)
            magnitude += np.sum(np.abs(value_high), axis=1)
            if derivative is not None:
                slope_at_low = derivative(d_low)  # most negative: ℓ' is increasing
                slope_at_high = derivative(d_high)
                # the midpoint value's own rounding: |ℓ'| · (position errors)
                rounding += np.sum(np.abs(slope_at_low) * spread, axis=1)
                change_low = q_low[:, far] - q_high[:, near]
                change_high = q_high[:, far] - q_low[:, near]
                products = np.stack(
                    [
                        slope_at_low * change_low,
                        slope_at_low * change_high,
                        slope_at_high * change_low,
                        slope_at_high * change_high,
                    ]
                )
                products = np.where(np.isnan(products), np.inf, products)
                slope_low += np.sum(np.min(products, axis=0), axis=1)
                slope_high += np.sum(np.max(products, axis=0), axis=1)
    midpoint *= step
    order_zero = (lower * step, upper * step)
    if derivative is None:
        return midpoint, order_zero[0], order_zero[1], magnitude * step
    with np.errstate(invalid="ignore"):
        spread_first = (slope_high - slope_low) * step**2 / 8
        spread_first = np.where(np.isnan(spread_first), np.inf, spread_first) + rounding * step
    return (
        midpoint,
        np.maximum(order_zero[0], midpoint - spread_first),
        np.minimum(order_zero[1], midpoint + spread_first),
        magnitude * step,
    )


def _initial_cells(model: _PiecewiseLinearDensity, particles: int) -> tuple[np.ndarray, np.ndarray]:
    points = _breakpoints(model, particles)
    lengths = np.diff(points)
    parts = np.maximum(1, np.ceil(lengths * particles * 256).astype(int))
    starts = np.repeat(points[:-1], parts)
    steps = np.repeat(lengths / parts, parts)
    index = np.arange(parts.sum()) - np.repeat(np.cumsum(parts) - parts, parts)
    left = starts + index * steps
    right = np.append(left[1:], points[-1])
    return left, right


@dataclass(frozen=True)
class _Integral:
    r"""The certified level integral :math:`N\int_0^{1/N} g`: estimate and bracket."""

    estimate: float
    lower: float
    upper: float
    cells: int
    converged: bool


def _certified_integral(
    model: _PiecewiseLinearDensity, particles: int, pair_cost: PairCost, tol: float
) -> _Integral:
    """Bisect the cells with the widest enclosures until the bracket is within ``tol``
    (relative, as in :func:`qmot.manybody.symmetric_ot`) or :data:`MAX_CELLS` is reached."""
    derivative = _cost_derivative(pair_cost)
    pairs = particles * (particles - 1) // 2
    left, right = _initial_cells(model, particles)
    mid, low, high, size = _cell_bounds(model, particles, pair_cost, derivative, left, right)
    while True:
        margin = particles * (rounding_margin(float(np.sum(size)), pairs + 2))
        lower = particles * math.fsum(low) - margin
        upper = particles * math.fsum(high) + margin
        target = tol * max(1.0, abs(upper)) if math.isfinite(upper) else 0.0
        widths = high - low
        excess = particles * float(np.sum(widths)) + 2 * margin - target
        if math.isfinite(upper) and excess <= 0:
            converged = True
            break
        if 2 * margin >= target > 0:  # rounding alone exceeds the tolerance: bisecting cannot help
            converged = False
            break
        order = np.argsort(widths)[::-1]
        if math.isfinite(excess):
            covered = np.cumsum(particles * widths[order])
            count = int(np.searchsorted(covered, excess + target / 2)) + 1
        else:
            count = left.size
        count = min(count, MAX_CELLS - left.size, left.size)
        chosen = order[:count]
        chosen = chosen[right[chosen] - left[chosen] > 1e-14 * (right[chosen] + 1e-300)]
        if chosen.size == 0:
            converged = False
            break
        split = (left[chosen] + right[chosen]) / 2
        new_left = np.concatenate((left[chosen], split))
        new_right = np.concatenate((split, right[chosen]))
        parts = _cell_bounds(model, particles, pair_cost, derivative, new_left, new_right)
        keep = np.ones(left.size, dtype=bool)
        keep[chosen] = False
        left = np.concatenate((left[keep], new_left))
        right = np.concatenate((right[keep], new_right))
        mid, low, high, size = (
            np.concatenate((old[keep], fresh))
            for old, fresh in zip((mid, low, high, size), parts, strict=True)
        )
    estimate = min(max(particles * math.fsum(mid), lower), upper)
    return _Integral(estimate, lower, upper, int(left.size), converged)


def _estimate_integral(
    model: _PiecewiseLinearDensity, particles: int, pair_cost: PairCost
) -> tuple[float, float]:
    """Midpoint rule on 2^14 cells and on twice as many (costs that are not convex
    decreasing have no enclosure here): the finer value and the difference as an estimate."""
    values = []
    for parts in (2**13, 2**14):
        left = np.linspace(0.0, 1.0 / particles, parts + 1)[:-1]
        right = left + 1.0 / (particles * parts)
        mid, *_ = _cell_bounds(model, particles, pair_cost, None, left, right)
        values.append(particles * math.fsum(mid))
    return values[1], abs(values[1] - values[0])


def _density_values(
    density: Callable[[np.ndarray], np.ndarray] | ArrayLike | None, grid: np.ndarray
) -> np.ndarray:
    raw = np.ones_like(grid) if density is None else density(grid) if callable(density) else density
    values = np.asarray(raw, dtype=float)
    if values.shape != grid.shape:
        raise InvalidInputError(
            f"`mu` must give one density value per grid point, shape {grid.shape} "
            f"(got shape {values.shape})"
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        bad = values[~np.isfinite(values) | (values < 0)][0]
        raise InvalidInputError(
            f"`mu` must give finite non-negative density values on the grid (got {bad!r})"
        )
    return values


def _refined(grid: np.ndarray) -> np.ndarray:
    fine = np.empty(2 * grid.size - 1)
    fine[0::2] = grid
    fine[1::2] = (grid[1:] + grid[:-1]) / 2
    return fine


def _continuous(
    density: Callable[[np.ndarray], np.ndarray] | ArrayLike | None,
    grid: np.ndarray,
    particles: int,
    pair_cost: PairCost,
    tol: float,
) -> tuple[float, float, float, str, tuple, dict, dict]:
    """Energy, bracket, status, co-motion maps, info and residuals of the continuum problem
    (the cases are documented in :func:`sce_1d`)."""
    if grid.size < 2:
        raise InvalidInputError(
            f"`x` must have at least 2 grid points for a continuous density (got {grid.size})"
        )
    exact = pair_cost.convex_decreasing
    models = [_PiecewiseLinearDensity.build(grid, _density_values(density, grid))]
    if callable(density):
        fine = _refined(grid)
        models.append(_PiecewiseLinearDensity.build(fine, _density_values(density, fine)))
    model = models[-1]
    maps = _comotion_maps(model.cdf, model.quantile, particles)
    info: dict = {
        "model": "piecewise-linear interpolation of the density values on the grid",
        "optimality": "Colombo–De Pascale–Di Marino"
        if exact
        else "not proven for this cost: the cyclic plan's cost, an upper bound",
    }
    if not exact:
        value, error = _estimate_integral(model, particles, pair_cost)
        if len(models) == 2:
            coarse, coarse_error = _estimate_integral(models[0], particles, pair_cost)
            error += coarse_error + abs(value - coarse)
            value += (value - coarse) / 3
        info["error_estimate"] = error
        return value, -math.inf, value + error, ESTIMATE, maps, info, {"error_estimate": error}
    integrals = [_certified_integral(m, particles, pair_cost, tol) for m in models]
    fine_integral = integrals[-1]
    info["cells"] = fine_integral.cells
    if len(models) == 1:
        status = OPTIMAL if fine_integral.converged else GAP_EXCEEDS_TOLERANCE
        info["quadrature"] = "certified: midpoint rule with monotone and derivative enclosures"
        return (
            fine_integral.estimate,
            fine_integral.lower,
            fine_integral.upper,
            status,
            maps,
            info,
            {"quadrature_gap": fine_integral.upper - fine_integral.lower},
        )
    coarse_integral = integrals[0]
    difference = fine_integral.estimate - coarse_integral.estimate
    value = fine_integral.estimate + difference / 3
    error = (
        abs(difference)
        + (fine_integral.upper - fine_integral.lower)
        + (coarse_integral.upper - coarse_integral.lower)
    )
    info["discretisation_error_estimate"] = error
    info["surrogate_bracket"] = (fine_integral.lower, fine_integral.upper)
    info["quadrature"] = (
        "estimate: certified brackets for the piecewise-linear surrogates on the grid and on "
        "the grid refined once, Richardson-extrapolated (discretisation error O(h²), its "
        "constant unknown for a black-box density)"
    )
    return (
        value,
        value - error,
        value + error,
        ESTIMATE,
        maps,
        info,
        {"discretisation_error_estimate": error},
    )


def _as_sites(x: ArrayLike) -> np.ndarray:
    """Sites on the line: a finite real array of shape ``(L,)`` or ``(L, 1)``, returned flat."""
    sites = as_points(x, "x")
    if sites.shape[1] != 1:
        raise InvalidInputError(
            f"`x` must be sites on the line, shape (L,) or (L, 1) (got shape {np.shape(x)})"
        )
    return sites[:, 0]


def sce_1d(
    x: ArrayLike,
    mu: ArrayLike | Callable[[np.ndarray], np.ndarray] | None,
    N: int,
    pair_cost: PairCost,
    *,
    continuous: bool = False,
    force: bool = False,
    normalize: bool = False,
    tol: float = DEFAULT_TOL,
) -> SCE1DResult:
    r"""Exact 1-D strictly-correlated-electrons optimum by the cyclic quantile construction.

    The plan is Seidl's co-motion (cyclic quantile) plan, optimal for pair costs that are convex
    and decreasing in the distance (Colombo–De Pascale–Di Marino, *Multimarginal optimal
    transport maps for one-dimensional repulsive costs*); the energy is the limit object of
    Cotar–Friesecke–Pass, *Infinite-body optimal transport with Coulomb cost*, on the line.

    Parameters
    ----------
    x
        Sites (discrete) or the strictly increasing grid :math:`x_0 < \dots < x_n` on which a
        continuous density is given.
    mu
        Discrete: weights on ``x`` summing to 1 (``None``: uniform). Continuous
        (``continuous=True``): density values on the grid ``x``, a callable density, or
        ``None`` (uniform on :math:`[x_0, x_n]`); see *Which problem is solved* below.
    N
        Number of particles (≥ 2).
    pair_cost
        A :class:`~qmot.manybody.pair_costs.PairCost`; must be convex decreasing unless
        ``force=True`` (then the cyclic plan is only an upper bound: ``status`` is
        ``"upper_bound_only"`` with the bracket ``[0, cost]`` for discrete input, and
        ``"estimate"`` for a continuous density).
    continuous, force, normalize
        Continuous density instead of sites; accept a cost for which the plan is not proven
        optimal; rescale discrete weights that do not sum to 1.
    tol
        Continuous densities: ``status="optimal"`` when the certified bracket satisfies
        ``upper - lower <= tol * max(1, |upper|)``.

    Returns
    -------
    SCE1DResult
        ``cost`` = :math:`\min\mathbb E\sum_{i<j}\ell` (total), the co-motion maps, and for
        discrete input the optimal occupation configurations and weights.

    Notes
    -----
    Which problem is solved (``continuous=True``), and what the bracket means:

    * ``mu`` given as **values on the grid** (or ``None``): the density is *defined* as the
      piecewise-linear interpolation of the values between the grid points, zero outside
      :math:`[x_0, x_n]`, normalised by its exact integral (the trapezoid sum). Its
      distribution function is piecewise quadratic and its quantile is evaluated exactly per
      cell. The level integral :math:`N\int_0^{1/N} g` is bracketed rigorously: on each cell of
      levels the monotonicity of the quantile and of :math:`\ell` encloses every distance and
      hence :math:`g`; where :math:`\ell'` is known (Coulomb, Yukawa, exponential) an
      enclosure of :math:`g'` bounds the midpoint-rule error by :math:`(U - L)h^2/8`. Cells are
      bisected until the bracket meets ``tol`` (at most :data:`MAX_CELLS`); rounding is covered
      by :mod:`qmot.certify.margins`. ``status="optimal"`` means the true optimum *for this
      piecewise-linear density* is in ``[lower_bound, upper_bound]``; if the cell budget runs out
      the bracket is still rigorous and ``status="gap_exceeds_tolerance"``.
    * ``mu`` a **callable**: the problem is the continuum density ``mu`` itself, restricted to
      :math:`[x_0, x_n]` and normalised there. A black-box function cannot be bounded between
      the points where it is evaluated, so no rigorous bound is claimed: the piecewise-linear
      surrogates on ``x`` and on ``x`` refined once are bracketed as above, their difference
      (the discretisation error is :math:`O(h^2)`) is Richardson-extrapolated, and the result
      has ``status="estimate"`` with ``lower_bound``/``upper_bound`` = value ∓ the error
      estimate (``residuals["discretisation_error_estimate"]``; the rigorous bracket of the fine
      surrogate is ``info["surrogate_bracket"]``). To get a certified value for a density, pass
      its values on a grid on which it is piecewise linear.

    Examples
    --------
    >>> from qmot.manybody import Coulomb
    >>> round(sce_1d([0.0, 1.0, 2.0], None, 3, Coulomb()).cost, 12)  # 1 + 1 + 1/2
    2.5
    >>> uniform = sce_1d([0.0, 1.0], [1.0, 1.0], 3, Coulomb(), continuous=True)
    >>> str(uniform.status), uniform.lower_bound <= 7.5 <= uniform.upper_bound  # 3 (2/1 + 1/2)
    ('optimal', True)
    """
    particles = check_positive_int(N, "N", minimum=2)
    cost = _check_cost(pair_cost, force)
    tol = check_tolerance(tol, "tol")
    grid = _as_sites(x)
    if continuous:
        return _continuous_result(grid, mu, particles, cost, float(tol))
    weights_in = as_weights(mu, "mu", grid.size, normalize=normalize)  # type: ignore[arg-type]
    return _discrete_result(grid, weights_in, particles, cost)


def _continuous_result(
    grid: np.ndarray,
    mu: ArrayLike | Callable[[np.ndarray], np.ndarray] | None,
    particles: int,
    cost: PairCost,
    tol: float,
) -> SCE1DResult:
    if not np.all(np.diff(grid) > 0):
        raise InvalidInputError(
            "`x` must be strictly increasing for a continuous density "
            f"(got min step {float(np.min(np.diff(grid), initial=np.inf))!r})"
        )
    energy, lower, upper, status, maps, info, residuals = _continuous(
        mu, grid, particles, cost, tol
    )
    potentials = {}
    if cost.convex_decreasing:
        potentials = {"x": grid, "u": _kantorovich_potential(grid, mu, maps, cost, energy)}
    return SCE1DResult(
        cost=energy,
        lower_bound=lower,
        upper_bound=upper,
        status=status,
        solver="closed-form (cyclic quantile, certified quadrature)",
        potentials=potentials,
        residuals=residuals,
        info=info,
        comotion=maps,
    )


def _kantorovich_potential(
    grid: np.ndarray,
    mu: ArrayLike | Callable[[np.ndarray], np.ndarray] | None,
    maps: tuple[Callable[[ArrayLike], np.ndarray], ...],
    cost: PairCost,
    energy: float,
) -> np.ndarray:
    r"""The Kantorovich potential :math:`u` on the grid: :math:`u'(x) = \sum_{i\ge2}
    \ell'(|x - f_i(x)|)\,\mathrm{sign}(x - f_i(x))` (the envelope theorem for the c-transform)
    integrated by the trapezoid rule, shifted so that :math:`N\int u\,d\mu = V` (then
    :math:`\sum_i u(f_i(x)) = \sum_{i<j}\ell(|f_i(x) - f_j(x)|)` on the support, up to the
    trapezoid error; the SCE potential is :math:`-u` up to a constant)."""
    slope = _cost_derivative(cost)
    if slope is None:
        step = 1e-7 * (1.0 + np.abs(grid))
        slope_of = lambda d: (cost(d + step) - cost(np.maximum(d - step, 0.0))) / (2 * step)  # noqa: E731
    else:
        slope_of = slope
    derivative = np.zeros(grid.size)
    for partner in maps[1:]:
        gap = grid - partner(grid)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(gap != 0, slope_of(np.abs(gap)) * np.sign(gap), 0.0)
        derivative += np.nan_to_num(term, nan=0.0, posinf=0.0, neginf=0.0)
    steps = np.diff(grid)
    shape = np.concatenate(([0.0], np.cumsum((derivative[1:] + derivative[:-1]) / 2 * steps)))
    values = _density_values(mu, grid)
    mass = float(np.sum((values[1:] + values[:-1]) / 2 * steps))
    weighted = (shape * values)[1:] + (shape * values)[:-1]
    mean = float(np.sum(weighted / 2 * steps)) / mass
    return shape - mean + energy / len(maps)


def _discrete_result(
    grid: np.ndarray, weights_in: np.ndarray, particles: int, cost: PairCost
) -> SCE1DResult:
    exact = cost.convex_decreasing
    energy, sites, weights, maps = _discrete(grid, weights_in, particles, cost)
    return SCE1DResult(
        cost=energy,
        lower_bound=energy if exact else 0.0,
        upper_bound=energy,
        status=OPTIMAL if exact else UPPER_BOUND_ONLY,
        solver="closed-form (cyclic quantile)",
        info={
            "optimality": "Colombo–De Pascale–Di Marino"
            if exact
            else "not proven for this cost: upper bound only",
            "sites": int(grid.size),
        },
        comotion=maps,
        configurations=_dense_configurations(sites, grid.size),
        weights=weights,
        sites=sites,
    )
