r"""Occupation-number configurations of N particles on L sites (seed 003, discrete setting).

A symmetric N-body measure on L sites is a mixture of the uniform measures :math:`S_n` on the
words with occupation vector :math:`n\in\mathbb N^L`, :math:`|n| = N`. All words of :math:`S_n`
have the same pair cost :math:`\tfrac12(n^\top C n - \sum_k C_{kk}n_k)`; its one-body marginal is
:math:`n/N` and its pair measure :math:`(nn^\top - \operatorname{diag} n)/(N(N-1))`.
"""

from __future__ import annotations

import math
from itertools import combinations_with_replacement

import numpy as np

__all__ = ["configuration_cost", "configuration_count", "enumerate_configurations", "pair_measure"]


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
