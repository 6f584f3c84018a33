r"""Occupation-number configurations of N particles on L sites (Cotar–Friesecke–Pass 2015, discrete
setting).

A symmetric N-body measure on L sites is a mixture of the uniform measures :math:`S_n` on the
words with occupation vector :math:`n\in\mathbb N^L`, :math:`|n| = N`. All words of :math:`S_n`
have the same pair cost :math:`\tfrac12(n^\top C n - \sum_k C_{kk}n_k)`; its one-body marginal is
:math:`n/N` and its pair measure :math:`(nn^\top - \operatorname{diag} n)/(N(N-1))`.
"""

from __future__ import annotations

import math
from itertools import combinations_with_replacement

import numpy as np

__all__ = [
    "configuration_cost",
    "configuration_count",
    "cyclic_quantile_plan",
    "cyclic_quantile_sites",
    "enumerate_configurations",
    "pair_measure",
]


def configuration_count(sites: int, particles: int, *, single: np.ndarray | None = None) -> int:
    """Number of occupation vectors; ``single`` marks sites that hold at most one particle."""
    if single is None or not single.any():
        return math.comb(sites + particles - 1, particles)
    free, capped = int((~single).sum()), int(single.sum())
    return sum(
        math.comb(capped, m) * math.comb(free + particles - m - 1, particles - m)
        if free
        else (math.comb(capped, m) if m == particles else 0)
        for m in range(min(capped, particles) + 1)
    )


def enumerate_configurations(
    sites: int, particles: int, *, single: np.ndarray | None = None
) -> np.ndarray:
    """All occupation vectors ``(K, L)`` with sum ``particles``, respecting ``single`` caps."""
    rows = []
    for multiset in combinations_with_replacement(range(sites), particles):
        occupation = np.bincount(multiset, minlength=sites)
        if single is not None and np.any(occupation[single] > 1):
            continue
        rows.append(occupation)
    return np.array(rows, dtype=np.int64).reshape(-1, sites)


def configuration_cost(configurations: np.ndarray, cost: np.ndarray) -> np.ndarray:
    r"""Total pair cost :math:`\sum_{k<l}C_{kl}n_kn_l + \sum_k C_{kk}\binom{n_k}{2}` of each row.

    ``+inf`` diagonal entries contribute only where :math:`n_k \ge 2` (never 0·inf).
    """
    off_diagonal = np.where(np.isfinite(cost), cost, 0.0)
    np.fill_diagonal(off_diagonal, 0.0)
    n = configurations.astype(float)
    pairs = 0.5 * np.einsum("ik,kl,il->i", n, off_diagonal, n)
    diagonal = np.diag(cost)
    doubles = n * (n - 1) / 2
    with np.errstate(invalid="ignore"):
        self_terms = np.where(doubles > 0, doubles * diagonal[None, :], 0.0).sum(axis=1)
    return pairs + self_terms


def pair_measure(configurations: np.ndarray, weights: np.ndarray) -> np.ndarray:
    r""":math:`\mu_2 = \sum_n w_n (nn^\top - \operatorname{diag} n)/(N(N-1))`."""
    n = configurations.astype(float)
    particles = float(n[0].sum())
    outer = np.einsum("i,ik,il->kl", weights, n, n) - np.diag(weights @ n)
    return outer / (particles * (particles - 1))


def cyclic_quantile_plan(
    mu: np.ndarray, particles: int, order: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Feasible symmetric N-body plan by the cyclic quantile construction along ``order``.

    The N particles sit at the quantile levels :math:`t, t+1/N, \dots, t+(N-1)/N` of the sites
    listed in ``order`` (Cotar–Friesecke–Pass 2015's 1-D co-motion plan; on a line in increasing
    order and with
    a convex decreasing cost it is optimal). Its marginal is exactly ``mu`` for *any* order,
    and two particles share a site only when that site has :math:`\mu_k > 1/N`.

    Returns
    -------
    configurations, weights
        Occupation vectors ``(K, L)`` (``K ≤ L + N``) and their probabilities.

    Examples
    --------
    >>> configs, w = cyclic_quantile_plan(np.array([0.25, 0.25, 0.5]), 2)
    >>> (w @ configs / 2).tolist()
    [0.25, 0.25, 0.5]
    """
    sites = mu.size
    placed_sites, weights = cyclic_quantile_sites(mu, particles, order)
    configurations = np.zeros((len(weights), sites), dtype=np.int64)
    for row, placed in enumerate(placed_sites):
        np.add.at(configurations[row], placed, 1)
    return configurations, weights


def cyclic_quantile_sites(
    mu: np.ndarray, particles: int, order: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The plan of :func:`cyclic_quantile_plan` as ``K x N`` site indices (one row per
    configuration, the site of each particle), in O(K·N) memory.

    Examples
    --------
    >>> sites, w = cyclic_quantile_sites(np.array([0.25, 0.25, 0.5]), 2)
    >>> sites.tolist(), w.tolist()
    ([[0, 2], [1, 2]], [0.5, 0.5])
    """
    order = np.arange(mu.size) if order is None else np.asarray(order)
    cumulative = np.cumsum(mu[order])
    cumulative[-1] = 1.0
    step = 1.0 / particles
    breaks = np.unique(np.concatenate(([0.0, step], np.mod(cumulative, step))))
    breaks = breaks[(breaks >= 0) & (breaks <= step)]
    merged = [breaks[0]]  # breakpoints equal up to rounding would give sliver intervals
    for value in breaks[1:]:
        if value - merged[-1] > 1e-13:
            merged.append(value)
    merged[-1] = step
    starts, stops = np.array(merged[:-1]), np.array(merged[1:])
    levels = (starts + stops)[:, None] / 2 + np.arange(particles)[None, :] * step
    slots = np.minimum(np.searchsorted(cumulative, levels, side="right"), mu.size - 1)
    return order[slots], particles * (stops - starts)
