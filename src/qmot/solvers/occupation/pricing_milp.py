r"""Exact pricing as a mixed-integer linear program in HiGHS.

Binary items :math:`b_i` of weight :math:`2^t` per site (one item for sites with
:math:`C_{kk}=+\infty`) encode the occupations; the pair products :math:`z_{ij} = b_ib_j` are
linearised exactly by :math:`z_{ij}\ge b_i+b_j-1`, :math:`z_{ij}\le b_i`, :math:`z_{ij}\le b_j`
and strengthened by the valid equalities :math:`w_ib_i + \sum_{j\ne i} w_jz_{ij} = N b_i` (the
cardinality row multiplied by :math:`b_i`). The MILP's *dual bound* is a valid lower bound on
:math:`r^\star` even when its time budget runs out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from qmot._highs import quiet_highs
from qmot.solvers.interrupt import run_highs
from qmot.solvers.occupation.pricing_common import PricingOutcome, PricingRequest

__all__ = ["item_encoding", "milp_pricing"]


def item_encoding(cost: np.ndarray, particles: int) -> tuple[np.ndarray, np.ndarray]:
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


def milp_pricing(request: PricingRequest) -> PricingOutcome:
    r"""Least reduced cost :math:`r^\star(y)` by the HiGHS MILP of the module docstring.

    Items :math:`i` (site :math:`s_i`, weight :math:`w_i`, binary :math:`b_i`) encode
    :math:`n_k = \sum_{s_i = k} w_ib_i`; then
    :math:`c(n) - y^\top n/N = \sum_{i<j} C_{s_is_j}w_iw_j\,b_ib_j
    + \sum_i\big(\tfrac12C_{s_is_i}(w_i^2 - w_i) - y_{s_i}w_i/N\big)b_i` exactly.
    """
    import highspy

    cost, incumbent = request.cost, request.incumbent
    model = _PricingModel.build(cost, request.y, request.particles)
    highs = quiet_highs()
    for option, value in (
        ("output_flag", False),
        ("time_limit", float(max(request.time_limit, 0.01))),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", float(request.allowed_gap)),
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
    bound = float(info.mip_dual_bound)
    configuration = None
    if info.primal_solution_status != 0:  # a feasible point was found
        configuration = model.decode(np.asarray(highs.getSolution().col_value), cost.shape[0])
    return PricingOutcome(
        configuration=configuration,
        lower_bound=bound if math.isfinite(bound) else -math.inf,
        complete=status == highspy.HighsModelStatus.kOptimal,
        status=highs.modelStatusToString(status),
        nodes=int(info.mip_node_count),
    )


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

        item_site, weight = item_encoding(cost, particles)
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
