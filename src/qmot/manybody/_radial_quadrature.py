r"""Radial mass model of a spherically symmetric density: panels, cumulative masses from both
ends, level inversion and nested Gauss–Legendre quadrature with an error bound.

The radial mass density is :math:`p(r) = 4\pi r^2\rho(r)` on :math:`[0, r_{\max}]`. The interval
is cut into panels on which :math:`p` is analytic (grid cells for tabulated densities, adaptively
bisected panels for callables). On each panel the 32-point Gauss–Legendre rule is used and the
difference from the 16-point rule is taken as its error bound: for an integrand analytic inside
the Bernstein ellipse :math:`E_\varrho` of the panel, the :math:`n`-point error is at most
:math:`\tfrac{64}{15}M\varrho^{-2n}/(\varrho^2-1)` (Trefethen, *Is Gauss quadrature better than
Clenshaw–Curtis?*, SIAM Rev. 50 (2008), Thm. 4.5), so once a panel is resolved the 32-point
error is smaller than the 16-point one by the factor :math:`\varrho^{-32}` and
:math:`|G_{16} - G_{32}|` bounds it with a wide margin. Panels are bisected until this bound
is below :data:`PANEL_RTOL` relative.

The electron number inside, :math:`N_e(r)`, is accumulated from :math:`r = 0` and the number
outside, :math:`N - N_e(r)`, from :math:`r_{\max}`, so each keeps its relative accuracy where it
is small; level inversion :math:`N_e^{-1}` uses whichever side is smaller.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.polynomial.legendre import legint, legval, legvander

from qmot.certify.margins import rounding_margin
from qmot.errors import InvalidInputError

__all__ = ["PANEL_RTOL", "RadialModel", "gauss_legendre", "nested_quadrature"]

PANEL_RTOL = 1e-15
"""Relative per-panel error bound at which a mass panel stops being bisected."""
MAX_PANELS = 4096
"""Most panels of the mass model or of one outer integral."""
_EPS = float(np.finfo(float).eps)


@cache
def gauss_legendre(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes in [0, 1] and weights (summing to 1) of the ``order``-point Gauss–Legendre rule."""
    nodes, weights = np.polynomial.legendre.leggauss(order)
    return (nodes + 1) / 2, weights / 2


def _panel_rules(
    function: Callable[[np.ndarray], np.ndarray],
    left: np.ndarray,
    right: np.ndarray,
    orders: tuple[int, int] = (16, 32),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Higher-order values, |G_low - G_high| and the sums of |terms| of each panel."""
    width = (right - left)[:, None]
    values = []
    magnitude = np.zeros(left.shape)
    for order in orders:
        nodes, weights = gauss_legendre(order)
        samples = function(left[:, None] + width * nodes)
        values.append(np.sum(samples * weights, axis=1) * width[:, 0])
        magnitude = np.sum(np.abs(samples) * weights, axis=1) * width[:, 0]
    return values[1], np.abs(values[1] - values[0]), magnitude


@dataclass(frozen=True)
class Quadrature:
    """Value, error bound and panel count of :func:`nested_quadrature`."""

    value: float
    error: float
    panels: int
    converged: bool
    edges: np.ndarray


def nested_quadrature(
    function: Callable[[np.ndarray], np.ndarray],
    edges: np.ndarray,
    *,
    rtol: float = PANEL_RTOL,
    atol: float = 0.0,
    max_panels: int = MAX_PANELS,
    orders: tuple[int, int] = (16, 32),
    total_rtol: float = 1e-16,
) -> Quadrature:
    r""":math:`\int f` over the union of the panels ``edges``, bisecting every panel whose bound
    :math:`|G_{16}-G_{32}|` exceeds ``rtol·|G_32| + atol + total_rtol·|Σ G_32|`` (module
    docstring); the error adds
    those bounds and the rounding margin of the sums (:mod:`qmot.certify.margins`)."""
    left, right = edges[:-1].astype(float), edges[1:].astype(float)
    value, error, size = _panel_rules(function, left, right, orders)
    while True:
        floor = atol + total_rtol * abs(float(np.sum(value)))
        bad = error > rtol * np.abs(value) + floor
        bad &= (right - left) > 64 * _EPS * np.maximum(np.abs(right), 1e-300)
        if not bad.any() or left.size + bad.sum() > max_panels:
            break
        middle = (left[bad] + right[bad]) / 2
        new_left = np.concatenate((left[bad], middle))
        new_right = np.concatenate((middle, right[bad]))
        parts = _panel_rules(function, new_left, new_right, orders)
        keep = ~bad
        left = np.concatenate((left[keep], new_left))
        right = np.concatenate((right[keep], new_right))
        value, error, size = (
            np.concatenate((old[keep], fresh))
            for old, fresh in zip((value, error, size), parts, strict=True)
        )
    floor = atol + total_rtol * abs(float(np.sum(value)))
    converged = not bool(np.any(error > rtol * np.abs(value) + floor))
    order = np.argsort(left)
    total = math.fsum(value)
    bound = math.fsum(error) + rounding_margin(float(np.sum(size)), 64 + left.size)
    return Quadrature(
        total, bound, int(left.size), converged, np.append(left[order], right[order][-1])
    )


def _series(model: RadialModel, edges: np.ndarray) -> np.ndarray:
    """Legendre coefficients (33, K) of the interpolant of p at 32 Gauss nodes per panel, of
    its antiderivative from the left end, and of its antiderivative from the right end."""
    nodes, weights = np.polynomial.legendre.leggauss(32)
    left, right = edges[:-1], edges[1:]
    values = model.radial(left[:, None] + (right - left)[:, None] * (nodes + 1) / 2)
    vander = legvander(nodes, 31)  # (32 nodes, 32 degrees)
    norms = (2 * np.arange(32) + 1) / 2
    coefficients = (vander * weights[:, None]).T @ values.T * norms[:, None]  # (32, K)
    padded = np.vstack((coefficients, np.zeros((1, coefficients.shape[1]))))
    from_left = legint(coefficients, lbnd=-1, axis=0)
    from_right = legint(coefficients, lbnd=1, axis=0)
    return np.stack((padded, from_left, from_right))


@dataclass(frozen=True)
class RadialModel:
    r"""Panels of :math:`p(r) = 4\pi r^2\rho(r)` with cumulative masses from both ends.

    Attributes
    ----------
    density
        Vectorised :math:`\rho` (zero outside ``[0, edges[-1]]`` is the caller's promise).
    edges
        Panel boundaries :math:`0 = b_0 < \dots < b_K = r_{\max}`.
    below, above
        :math:`N_e(b_k)` accumulated from the left and :math:`N - N_e(b_k)` from the right.
    error
        Bound on the error of any cumulative mass (all panel bounds plus rounding).
    """

    density: Callable[[np.ndarray], np.ndarray]
    edges: np.ndarray
    masses: np.ndarray
    below: np.ndarray
    above: np.ndarray
    error: float
    series: np.ndarray = field(default_factory=lambda: np.zeros((3, 33, 0)))

    @property
    def total(self) -> float:
        """:math:`\\int_0^{r_{\\max}} 4\\pi r^2\\rho`."""
        return float(self.below[-1])

    @property
    def r_max(self) -> float:
        return float(self.edges[-1])

    def radial(self, r: np.ndarray) -> np.ndarray:
        """:math:`p(r) = 4\\pi r^2\\rho(r)`, zero outside ``[0, r_max]``."""
        inside = (r >= 0) & (r <= self.r_max)
        values = 4 * math.pi * r**2 * self.density(np.clip(r, 0.0, self.r_max))
        return np.where(inside, values, 0.0)

    @classmethod
    def build(
        cls, density: Callable[[np.ndarray], np.ndarray], edges: np.ndarray, *, adaptive: bool
    ) -> RadialModel:
        r"""Integrate ``density`` panel by panel (bisecting when ``adaptive``) and check it.

        On each panel :math:`p` is replaced, for masses of *parts* of the panel, by its
        degree-31 interpolant at the 32 Gauss–Legendre nodes (whose integral over the panel is
        the 32-point rule itself); its Legendre series and the series of its antiderivatives
        from either end are stored, so :math:`N_e` costs no new density evaluations. For an
        analytic :math:`p` the interpolation error obeys the same Bernstein-ellipse bound as the
        quadrature error (Trefethen, *Approximation Theory and Approximation Practice*, Thm. 8.2).
        """
        empty = cls(density, edges, np.zeros(1), np.zeros(1), np.zeros(1), 0.0)
        quadrature = nested_quadrature(
            empty.radial, edges, rtol=PANEL_RTOL if adaptive else math.inf
        )
        final = quadrature.edges
        masses, errors, _ = _panel_rules(empty.radial, final[:-1], final[1:])
        if np.any(masses < -errors - 1e-300) or not np.all(np.isfinite(masses)):
            bad = masses[(masses < 0) | ~np.isfinite(masses)][0]
            raise InvalidInputError(
                f"`rho` must be finite and non-negative (a shell has mass {bad!r})"
            )
        masses = np.maximum(masses, 0.0)
        below = np.concatenate(([0.0], np.cumsum(masses)))
        above = np.concatenate((np.cumsum(masses[::-1])[::-1], [0.0]))
        error = float(np.sum(errors)) + rounding_margin(float(below[-1]), final.size + 64)
        return cls(density, final, masses, below, above, error, _series(empty, final))

    def _local(self, panel: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        width = self.edges[panel + 1] - self.edges[panel]
        t = np.clip(2 * (x - self.edges[panel]) / width - 1, -1.0, 1.0)
        return t, width / 2

    def from_left(self, panel: np.ndarray, x: np.ndarray) -> np.ndarray:
        """:math:`\\int_{b_k}^x p` inside panel ``k``."""
        t, half = self._local(panel, x)
        return half * legval(t, self.series[1][:, panel], tensor=False)

    def to_right(self, panel: np.ndarray, x: np.ndarray) -> np.ndarray:
        """:math:`\\int_x^{b_{k+1}} p` inside panel ``k``."""
        t, half = self._local(panel, x)
        return -half * legval(t, self.series[2][:, panel], tensor=False)

    def interpolant(self, panel: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The degree-31 interpolant of :math:`p` on panel ``k`` at ``x``."""
        t, _ = self._local(panel, x)
        return legval(t, self.series[0][:-1, panel], tensor=False)

    def panel_of(self, r: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self.edges, r, side="right") - 1, 0, self.masses.size - 1)

    def within(self, r: np.ndarray) -> np.ndarray:
        """:math:`N_e(r)`, accumulated from the origin."""
        radius = np.clip(np.asarray(r, dtype=float), 0.0, self.r_max)
        panel = self.panel_of(radius)
        return self.below[panel] + self.from_left(panel, radius)

    def beyond(self, r: np.ndarray) -> np.ndarray:
        """:math:`N - N_e(r)`, accumulated from ``r_max``."""
        radius = np.clip(np.asarray(r, dtype=float), 0.0, self.r_max)
        panel = self.panel_of(radius)
        return self.above[panel + 1] + self.to_right(panel, radius)

    def radius(self, inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
        r"""The radius with :math:`N_e(r) =` ``inside`` (equivalently :math:`N - N_e(r) =`
        ``outside``; the smaller of the two is used, so both ends keep relative accuracy)."""
        inside = np.asarray(inside, dtype=float)
        outside = np.asarray(outside, dtype=float)
        from_top = outside < inside
        target = np.where(from_top, outside, inside)
        cumulative_top = self.above[::-1]  # increasing: mass beyond edges K..0
        panel_low = np.searchsorted(self.below, target, side="right") - 1
        panel_top = self.masses.size - np.searchsorted(cumulative_top, target, side="right")
        panel = np.clip(np.where(from_top, panel_top, panel_low), 0, self.masses.size - 1)
        low, high = self.edges[panel].copy(), self.edges[panel + 1].copy()
        rest = np.where(from_top, target - self.above[panel + 1], target - self.below[panel])
        rest = np.clip(rest, 0.0, self.masses[panel])
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(self.masses[panel] > 0, rest / self.masses[panel], 0.5)
        x = np.where(from_top, high - share * (high - low), low + share * (high - low))
        active = np.flatnonzero(np.ones(x.shape, dtype=bool).ravel())
        x, low, high = x.ravel(), low.ravel(), high.ravel()
        top, cells, rest = from_top.ravel(), panel.ravel(), rest.ravel()
        for _ in range(200):
            xa, ta, pa = x[active], top[active], cells[active]
            gap = np.where(
                ta,
                rest[active] - self.to_right(pa, xa),
                self.from_left(pa, xa) - rest[active],
            )  # increasing in x in both cases
            la = np.where(gap <= 0, xa, low[active])
            ha = np.where(gap >= 0, xa, high[active])
            slope = self.interpolant(pa, xa)
            with np.errstate(divide="ignore", invalid="ignore"):
                trial = xa - np.where(slope > 0, gap / slope, np.inf)
            new = np.where((trial >= la) & (trial <= ha), trial, (la + ha) / 2)
            solved = np.abs(gap) <= 4 * _EPS * self.masses[pa]
            new = np.where(solved, xa, new)
            done = (
                solved
                | (np.abs(new - xa) <= 16 * _EPS * np.abs(xa) + 1e-300)
                | (ha - la <= 16 * _EPS * np.abs(ha))
            )
            x[active], low[active], high[active] = new, la, ha
            active = active[~done]
            if active.size == 0:
                break
        return x.reshape(inside.shape)
