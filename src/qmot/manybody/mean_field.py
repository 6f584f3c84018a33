r"""The mean-field (infinite-body) functional and its relation to finite N (Cotar–Friesecke–Pass
2015).

For costs with positive Fourier transform the infinite-body problem is solved by the product
measure (Thm. 1.2), so :math:`F_\infty[\mu] = \iint c\,d\mu\,d\mu` (eq. (1.17)), and for bounded
costs :math:`F_\infty - \|c\|_\infty/N \le F_N \le F_\infty` (proof of Thm. 1.3, eqs.
(3.4)–(3.6)). A sharper lower bound, exact in the two-site model, is
:math:`F_N \ge (N F_\infty - \int c(x,x)\,d\mu)/(N-1)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from qmot.errors import InvalidInputError
from qmot.manybody.symmetric_ot import SymmetricOTResult, symmetric_ot
from qmot.manybody.validation import validate_problem

__all__ = ["MeanFieldComparison", "compare_with_mean_field", "hartree", "mean_field_value"]


def mean_field_value(C: ArrayLike, mu: ArrayLike) -> float:
    r""":math:`F_\infty[\mu] = \mu^\top C\mu` per pair (Cotar–Friesecke–Pass 2015, eq. (1.17),
    product measure)."""
    matrix = np.asarray(C, dtype=float)
    weights = np.asarray(mu, dtype=float)
    if np.any(np.isinf(matrix[weights > 0][:, weights > 0])):
        return float("inf")
    return float(weights @ matrix @ weights)


def hartree(rho_sites: ArrayLike, C: ArrayLike) -> float:
    r"""Hartree energy :math:`J[\rho] = \tfrac12\iint \rho(x)\rho(y)c(x,y)` (eq. (1.9)).

    ``rho_sites`` are masses on the sites (summing to N).
    """
    density = np.asarray(rho_sites, dtype=float)
    matrix = np.asarray(C, dtype=float)
    if matrix.shape != (density.size, density.size):
        raise InvalidInputError(
            f"`C` must be {density.size}×{density.size} to match `rho_sites` (got {matrix.shape})"
        )
    return 0.5 * mean_field_value(matrix, density)


@dataclass(frozen=True)
class MeanFieldComparison:
    """:math:`F_N` (certified) against :math:`F_\\infty` and the finite-N bounds (per pair)."""

    finite: SymmetricOTResult
    mean_field: float
    sup_norm_lower: float
    diagonal_lower: float

    @property
    def per_pair(self) -> float:
        """:math:`F_N^{OT}`."""
        return self.finite.cost_per_pair

    @property
    def bounds_hold(self) -> bool:
        """Whether :math:`F_\\infty - \\|c\\|_\\infty/N \\le F_N \\le F_\\infty` (certified)."""
        pairs = math.comb(self.finite.particles, 2)
        lower, upper = self.finite.lower_bound / pairs, self.finite.upper_bound / pairs
        slack = 1e-9 * max(1.0, abs(self.mean_field))
        return self.sup_norm_lower - slack <= upper and lower <= self.mean_field + slack

    @property
    def product_gap(self) -> float:
        """Certified :math:`F_\\infty - F_N \\ge` this; > 0 shows the product measure is not optimal
        at this N (Prop. 3.6)."""
        pairs = math.comb(self.finite.particles, 2)
        return self.mean_field - self.finite.upper_bound / pairs


def compare_with_mean_field(C: ArrayLike, mu: ArrayLike, N: int) -> MeanFieldComparison:
    """Solve the N-body problem and place it between the mean-field bounds (bounded costs)."""
    matrix, weights, particles = validate_problem(C, mu, N)
    if np.any(np.isinf(matrix)):
        raise InvalidInputError("`C` must be bounded for the mean-field bounds of Thm. 1.3")
    finite = symmetric_ot(matrix, weights, particles)
    mean = mean_field_value(matrix, weights)
    return MeanFieldComparison(
        finite=finite,
        mean_field=mean,
        sup_norm_lower=mean - float(np.abs(matrix).max()) / particles,
        diagonal_lower=(particles * mean - float(np.diag(matrix) @ weights)) / (particles - 1),
    )
