r"""Certificates of the occupation LP of symmetric N-marginal transport on sites.

Every column :math:`n` of the LP (Cotar–Friesecke–Pass 2015, eqs. (1.18)–(1.19)) has
:math:`\sum_k n_k/N = 1`, so a uniform shift of the dual :math:`y` lowers all reduced costs
equally: :math:`y \leftarrow y + \min(0, \min_n c(n) - y^\top n/N)\mathbf 1` is exactly
feasible and :math:`\mu^\top y` is a lower bound; over columns not enumerated, the same
argument with the pricing minimum gives the Lagrangian bound :math:`\mu^\top y + r^\star(y)`.
Sums are evaluated exactly and every computed quantity pays the one rounding margin of
:mod:`qmot.certify.margins`.
"""

from __future__ import annotations

import numpy as np

from qmot.certify.margins import certified_pairing, rounding_margin

__all__ = ["certify_occupation_lp", "lagrangian_margin"]


def certify_occupation_lp(
    configurations: np.ndarray,
    column_costs: np.ndarray,
    mu: np.ndarray,
    particles: int,
    weights: np.ndarray,
    y: np.ndarray,
) -> tuple[float, float, np.ndarray, dict[str, float]]:
    """Lower bound from the shifted dual over *all* given columns, upper bound from the plan."""
    reduced = column_costs - configurations @ y / particles
    # reduced costs: L products summed and one subtraction (qmot.certify.margins)
    magnitude = float((np.abs(column_costs) + np.abs(configurations) @ np.abs(y) / particles).max())
    shift = min(0.0, float(reduced.min())) - rounding_margin(magnitude, mu.shape[0] + 2)
    y = y + shift
    clipped = np.clip(weights, 0.0, None)
    residuals = {
        "marginal": float(np.abs(clipped @ configurations / particles - mu).max()),
        "negative_weight": float(max(0.0, -weights.min())),
        "dual_shift": -shift,
    }
    lower, lower_error = certified_pairing(mu, y)
    upper, upper_error = certified_pairing(clipped, column_costs)
    return lower - lower_error, upper + upper_error, y, residuals


def lagrangian_margin(cost: np.ndarray, mu: np.ndarray, y: np.ndarray) -> float:
    """Floating-point allowance for evaluating the Lagrangian bound μ·y + min pricing
    (:mod:`qmot.certify.margins`: the terms of μ·y and one pricing value of at most
    ``max |C|`` per pair)."""
    finite = np.abs(cost[np.isfinite(cost)])
    magnitude = float(np.abs(mu) @ np.abs(y)) + float(finite.max(initial=1.0))
    return rounding_margin(magnitude, mu.shape[0] + 2)
