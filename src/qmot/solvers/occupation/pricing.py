r"""Pricing for column generation: the most negative reduced cost of an occupation vector.

For a dual :math:`y` of the occupation LP (Cotar–Friesecke–Pass 2015, eqs. (1.18)–(1.19)) the
pricing problem is

.. math::

    r^\star(y) = \min_{|n| = N}\ c(n) - \frac{y^\top n}{N},
    \qquad c(n) = \sum_{k<l} C_{kl}n_kn_l + \sum_k C_{kk}\binom{n_k}2 .

:func:`local_search_pricing` finds negative columns fast (single-particle moves with an exactly
updated potential field); :func:`exact_pricing` solves it as a mixed-integer program in HiGHS —
binary items :math:`b_i` of weight :math:`2^t` per site (one item for sites with
:math:`C_{kk}=+\infty`), pair products :math:`z_{ij} = b_ib_j` linearised exactly by
:math:`z_{ij}\ge b_i+b_j-1`, :math:`z_{ij}\ge 0` (the cost is non-negative) and strengthened by
the valid equalities :math:`w_ib_i + \sum_{j\ne i} w_jz_{ij} = N b_i` (the cardinality row
multiplied by :math:`b_i`). The MILP's *dual bound* is a valid lower bound on :math:`r^\star`
even when its time budget runs out.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from qmot._highs import quiet_highs
from qmot.reductions.occupations import configuration_cost
from qmot.solvers.interrupt import run_highs

__all__ = ["ExactPricing", "exact_pricing", "local_search_pricing", "reduced_costs"]

MAX_SEEDS = 48
"""Local searches per round start from at most this many support columns (and their kicks)."""


def reduced_costs(
    configurations: np.ndarray, column_costs: np.ndarray, y: np.ndarray, particles: int
) -> np.ndarray:
    """:math:`c(n) - y^\\top n / N` for each row of ``configurations``."""
    return column_costs - configurations @ y / particles


@dataclass
class _PricingData:
    """The pricing objective :math:`c(n) - y^\\top n/N` in the form the searches use."""

    off_diagonal: np.ndarray  # C with zero diagonal
    diagonal: np.ndarray  # finite C_kk, 0 where C_kk = +inf
    capacity: np.ndarray  # 1 where C_kk = +inf, N otherwise
    linear: np.ndarray  # y / N
    particles: int

    @classmethod
    def build(cls, cost: np.ndarray, y: np.ndarray, particles: int) -> _PricingData:
        singular = np.isinf(np.diag(cost))
        off = np.array(cost, dtype=float)
        np.fill_diagonal(off, 0.0)
        diagonal = np.where(singular, 0.0, np.diag(cost))
        capacity = np.where(singular, 1, particles)
        return cls(off, diagonal, capacity, y / particles, particles)


def _descend(data: _PricingData, occupation: np.ndarray) -> list[np.ndarray]:
    """Best-improvement local search over single-particle moves ``a → b``.

    Returns the configurations visited after each move (the last is a local minimum).
    """
    n = occupation.astype(np.int64).copy()
    field_ = data.off_diagonal @ n
    visited = []
    for _ in range(50 * data.particles + 100):
        occupied = np.flatnonzero(n)
        leave = (
            field_[occupied] + data.diagonal[occupied] * (n[occupied] - 1) - data.linear[occupied]
        )
        enter = (
            field_[None, :]
            - data.off_diagonal[occupied, :]
            + data.diagonal[None, :] * n[None, :]
            - data.linear[None, :]
        )
        delta = enter - leave[:, None]
        delta[:, n >= data.capacity] = np.inf
        delta[np.arange(occupied.size), occupied] = np.inf
        flat = int(np.argmin(delta))
        row, target = divmod(flat, n.size)
        if not delta[row, target] < -1e-13 * (1.0 + abs(leave).max()):
            break
        source = occupied[row]
        n[source] -= 1
        n[target] += 1
        field_ += data.off_diagonal[:, target] - data.off_diagonal[:, source]
        visited.append(n.copy())
    return visited


def _kick(n: np.ndarray, data: _PricingData, moves: int, rng: np.random.Generator) -> np.ndarray:
    """Random feasible single-particle moves (the 'mutation' of a genetic search)."""
    n = n.copy()
    for _ in range(moves):
        source = rng.choice(np.flatnonzero(n))
        free = np.flatnonzero(n < data.capacity)
        free = free[free != source]
        if free.size == 0:
            break
        n[source] -= 1
        n[rng.choice(free)] += 1
    return n


def local_search_pricing(
    cost: np.ndarray,
    y: np.ndarray,
    particles: int,
    seeds: np.ndarray,
    *,
    rng: np.random.Generator,
    restarts: int = 2,
    threshold: float = 0.0,
) -> np.ndarray:
    """Heuristic pricing: local search from each seed configuration and from random kicks of it.

    Returns the distinct configurations found with reduced cost below ``threshold``
    (``(K, L)``, possibly ``K = 0``).
    """
    data = _PricingData.build(cost, y, particles)
    if seeds.shape[0] > MAX_SEEDS:
        seeds = seeds[rng.choice(seeds.shape[0], MAX_SEEDS, replace=False)]
    found: dict[bytes, np.ndarray] = {}
    for seed in seeds:
        starts = [seed] + [
            _kick(seed, data, int(rng.integers(1, max(2, particles // 2) + 1)), rng)
            for _ in range(restarts)
        ]
        for start in starts:
            for n in _descend(data, start):
                found.setdefault(n.tobytes(), n)
    if not found:
        return np.zeros((0, cost.shape[0]), dtype=np.int64)
    candidates = np.array(list(found.values()))
    values = reduced_costs(candidates, configuration_cost(candidates, cost), y, particles)
    return candidates[values < threshold]


@dataclass(frozen=True)
class ExactPricing:
    """Outcome of :func:`exact_pricing`.

    ``lower_bound`` ≤ :math:`r^\\star(y)` ≤ ``value`` always (``lower_bound`` is the MILP's
    dual bound, ``value`` the reduced cost of ``configuration``); ``proven`` says whether HiGHS
    closed the MILP gap (``status`` is its model status).
    """

    configuration: np.ndarray | None
    value: float
    lower_bound: float
    proven: bool
    status: str
    seconds: float


def _items(cost: np.ndarray, particles: int) -> tuple[np.ndarray, np.ndarray]:
    """Binary items per site: weights 1, 2, 4, … summing to the site's capacity."""
    sites, weights = [], []
    singular = np.isinf(np.diag(cost))
    for k in range(cost.shape[0]):
        capacity = 1 if singular[k] else particles
        remaining, power = capacity, 1
        while remaining > 0:
            take = min(power, remaining)
            sites.append(k)
            weights.append(take)
            remaining -= take
            power *= 2
    return np.array(sites), np.array(weights, dtype=float)


def exact_pricing(
    cost: np.ndarray,
    y: np.ndarray,
    particles: int,
    *,
    time_limit: float,
    incumbent: np.ndarray | None = None,
    allowed_gap: float = 1e-12,
) -> ExactPricing:
    r"""Minimum reduced cost :math:`r^\star(y)` by a mixed-integer program in HiGHS.

    Items :math:`i` (site :math:`s_i`, weight :math:`w_i`, binary :math:`b_i`) encode
    :math:`n_k = \sum_{s_i = k} w_ib_i`; then
    :math:`c(n) - y^\top n/N = \sum_{i<j} C_{s_is_j}w_iw_j\,b_ib_j
    + \sum_i\big(\tfrac12C_{s_is_i}(w_i^2 - w_i) - y_{s_i}w_i/N\big)b_i` exactly, and the
    products are linearised as described in the module docstring.
    """
    import highspy

    started = time.perf_counter()
    model = _PricingModel.build(cost, y, particles)
    highs = quiet_highs()
    for option, value in (
        ("output_flag", False),
        ("time_limit", float(max(time_limit, 0.01))),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", float(allowed_gap)),
        ("mip_feasibility_tolerance", 1e-9),
        ("primal_feasibility_tolerance", 1e-9),
        ("dual_feasibility_tolerance", 1e-9),
    ):
        highs.setOptionValue(option, value)
    highs.passModel(model.highs_lp(highspy))
    if incumbent is not None:
        solution = highspy.HighsSolution()
        solution.col_value = model.encode(incumbent)
        solution.value_valid = True
        highs.setSolution(solution)
    run_highs(highs)  # stops within 0.1 s of Ctrl-C (a MILP may run for minutes)
    status = highs.getModelStatus()
    info = highs.getInfo()
    name = highs.modelStatusToString(status)
    seconds = time.perf_counter() - started
    proven = status == highspy.HighsModelStatus.kOptimal
    bound = float(info.mip_dual_bound)
    if not math.isfinite(bound):
        bound = -math.inf
    if info.primal_solution_status == 0:  # no feasible point found
        return ExactPricing(None, math.inf, bound, proven, name, seconds)
    configuration = model.decode(np.asarray(highs.getSolution().col_value), cost.shape[0])
    value = float(
        reduced_costs(
            configuration[None], configuration_cost(configuration[None], cost), y, particles
        )[0]
    )
    return ExactPricing(configuration, value, min(bound, value), proven, name, seconds)


@dataclass(frozen=True)
class _PricingModel:
    """The pricing MILP as arrays: items, the pairs that carry a cost, and the constraint rows.

    Columns are the item binaries :math:`b_i` followed by the pair products :math:`z_p`; rows
    are the cardinality :math:`\\sum_i w_ib_i = N`, one RLT row per item
    (:math:`w_ib_i + \\sum_{p \\ni i} w_{j(p)}z_p - Nb_i`, ``= 0``, or ``<= 0`` when some
    zero-cost pairs are absent), and :math:`z_p \\ge b_i + b_j - 1`, :math:`z_p \\le b_i`,
    :math:`z_p \\le b_j` per pair.
    """

    item_site: np.ndarray
    weight: np.ndarray
    first: np.ndarray
    second: np.ndarray
    column_cost: np.ndarray
    matrix: Any
    row_lower: np.ndarray
    row_upper: np.ndarray

    @classmethod
    def build(cls, cost: np.ndarray, y: np.ndarray, particles: int) -> _PricingModel:
        from scipy.sparse import coo_matrix

        item_site, weight = _items(cost, particles)
        count = item_site.size
        first, second = np.triu_indices(count, 1)
        pair_cost = cost[item_site[first], item_site[second]] * weight[first] * weight[second]
        keep = pair_cost > 0  # zero-cost products need no variable
        first, second, pair_cost = first[keep], second[keep], pair_cost[keep]
        diag = np.diag(cost)
        finite_diag = np.where(np.isfinite(diag), diag, 0.0)
        linear = 0.5 * finite_diag[item_site] * (weight**2 - weight)
        linear = linear - y[item_site] * weight / particles
        pairs = first.size
        items, pair_columns = np.arange(count), count + np.arange(pairs)
        triples, doubles = 1 + count + np.arange(pairs), 1 + count + pairs + np.arange(2 * pairs)
        blocks = [
            (np.zeros(count), items, weight),  # cardinality
            (1 + items, items, weight - particles),  # RLT rows: the item's own term
            (1 + first, pair_columns, weight[second]),  # ... and its pairs' terms
            (1 + second, pair_columns, weight[first]),
            (
                np.repeat(triples, 3),
                np.column_stack((pair_columns, first, second)).ravel(),
                np.tile([1.0, -1.0, -1.0], pairs),
            ),
            (
                np.repeat(doubles, 2),
                np.column_stack((pair_columns, first, pair_columns, second)).ravel(),
                np.tile([1.0, -1.0], 2 * pairs),
            ),
        ]
        rows, cols, values = (np.concatenate(part) for part in zip(*blocks, strict=True))
        shape = (1 + count + 3 * pairs, count + pairs)
        matrix = coo_matrix((values, (rows.astype(int), cols.astype(int))), shape=shape).tocsc()
        matrix.sum_duplicates()
        inf = np.inf
        rlt_lower = np.zeros(count) if keep.all() else np.full(count, -inf)
        row_lower = np.concatenate(
            ([particles], rlt_lower, np.full(pairs, -1.0), np.full(2 * pairs, -inf))
        )
        row_upper = np.concatenate(
            ([particles], np.zeros(count), np.full(pairs, inf), np.zeros(2 * pairs))
        )
        return cls(
            item_site,
            weight,
            first,
            second,
            np.concatenate((linear, pair_cost)),
            matrix,
            row_lower.astype(float),
            row_upper.astype(float),
        )

    def highs_lp(self, highspy: Any) -> Any:
        """The model as a ``highspy.HighsLp`` with integrality (binaries, then products)."""
        count, pairs = self.item_site.size, self.first.size
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = count + pairs, self.row_lower.size
        lp.col_cost_ = self.column_cost
        lp.col_lower_ = np.zeros(count + pairs)
        lp.col_upper_ = np.ones(count + pairs)
        lp.row_lower_ = np.where(np.isinf(self.row_lower), -highspy.kHighsInf, self.row_lower)
        lp.row_upper_ = np.where(np.isinf(self.row_upper), highspy.kHighsInf, self.row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self.matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = self.matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = self.matrix.data
        integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        lp.integrality_ = [integer] * count + [continuous] * pairs
        return lp

    def encode(self, occupation: np.ndarray) -> np.ndarray:
        """Column values encoding ``occupation`` (greedy binary digits) and their products."""
        bits = np.zeros(self.item_site.size)
        for k in np.flatnonzero(occupation):
            remaining = int(occupation[k])
            for i in np.flatnonzero(self.item_site == k)[::-1]:  # largest weight first
                if self.weight[i] <= remaining:
                    bits[i] = 1.0
                    remaining -= int(self.weight[i])
        return np.concatenate((bits, bits[self.first] * bits[self.second]))

    def decode(self, values: np.ndarray, sites: int) -> np.ndarray:
        """The occupation vector of a MILP solution."""
        bits = np.rint(values[: self.item_site.size]).astype(np.int64)
        configuration = np.zeros(sites, dtype=np.int64)
        np.add.at(configuration, self.item_site, bits * self.weight.astype(np.int64))
        return configuration
