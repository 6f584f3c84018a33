r"""The occupation LP in HiGHS: one warm model over a pool of configurations.

Columns are occupation vectors :math:`n` (cost :math:`c(n)`, coefficients :math:`n/N`), rows are
the one-site marginal :math:`\mu` (Cotar–Friesecke–Pass 2015, eqs. (1.18)–(1.19)). The same
model serves the full enumeration (every column at once, solved once) and column generation
(columns added between warm solves and pruned when idle).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from qmot._highs import quiet_highs
from qmot.errors import InfeasibleError, SolverError
from qmot.solvers.interrupt import run_highs

__all__ = [
    "OccupationLP",
    "PairMeasureLP",
    "RestrictedMaster",
    "pair_measure_lp",
    "solve_occupation_lp",
]

logger = logging.getLogger(__name__)


class OccupationLP:
    """The occupation LP over a pool of configurations, kept warm in one HiGHS model."""

    def __init__(self, mu: np.ndarray, particles: int) -> None:
        import highspy

        self._highspy = highspy
        self.mu = mu
        self.particles = particles
        self.highs = quiet_highs()
        self.highs.setOptionValue("output_flag", False)
        for option in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            self.highs.setOptionValue(option, 1e-10)
        for value in mu:
            self.highs.addRow(float(value), float(value), 0, np.array([], np.int32), np.array([]))
        self.configurations = np.zeros((0, mu.size), dtype=np.int64)
        self.costs = np.zeros(0)
        self.idle = np.zeros(0, dtype=np.int64)

    @property
    def size(self) -> int:
        return self.costs.size

    def add(self, configurations: np.ndarray, costs: np.ndarray, *, distinct: bool = False) -> int:
        """Add the configurations not yet in the pool; return how many were new.

        ``distinct=True`` promises that they are pairwise distinct and not in the pool (a full
        enumeration), which skips the check.
        """
        if configurations.size == 0:
            return 0
        fresh = np.arange(len(configurations)) if distinct else self._fresh(configurations)
        if fresh.size == 0:
            return 0
        new, new_costs = configurations[fresh], costs[fresh]
        rows, cols = np.nonzero(new.T)  # site, column
        order = np.argsort(cols, kind="stable")
        rows, cols = rows[order], cols[order]
        starts = np.concatenate(([0], np.cumsum(np.bincount(cols, minlength=len(fresh)))))[:-1]
        values = new[cols, rows].astype(float) / self.particles
        self.highs.addCols(
            len(fresh),
            new_costs.astype(float),
            np.zeros(len(fresh)),
            np.full(len(fresh), self._highspy.kHighsInf),
            rows.size,
            starts.astype(np.int32),
            rows.astype(np.int32),
            values,
        )
        self.configurations = new if self.size == 0 else np.vstack((self.configurations, new))
        self.costs = np.concatenate((self.costs, new_costs))
        self.idle = np.concatenate((self.idle, np.zeros(len(fresh), dtype=np.int64)))
        return len(fresh)

    def _fresh(self, configurations: np.ndarray) -> np.ndarray:
        """Indices of the configurations that are new to the pool (first occurrences)."""
        known = {row.tobytes() for row in self.configurations}
        fresh, seen = [], set()
        for index, row in enumerate(configurations):
            key = row.tobytes()
            if key not in known and key not in seen:
                seen.add(key)
                fresh.append(index)
        return np.array(fresh, dtype=np.int64)

    def solve(self) -> tuple[float, np.ndarray, np.ndarray]:
        """Return ``(value, weights, y)``; raise on infeasibility or solver failure."""
        run_highs(self.highs)
        status = self.highs.getModelStatus()
        if status != self._highspy.HighsModelStatus.kOptimal:  # warm start lost: solve cold
            logger.debug("occupation LP: %s warm, re-solving cold", status)
            self.highs.clearSolver()
            run_highs(self.highs)
            status = self.highs.getModelStatus()
        if status == self._highspy.HighsModelStatus.kInfeasible:
            raise InfeasibleError(
                "no symmetric N-body measure on these configurations has marginal mu"
            )
        if status != self._highspy.HighsModelStatus.kOptimal:
            raise SolverError(
                "HiGHS did not solve the occupation LP",
                solver="HiGHS",
                status=self.highs.modelStatusToString(status),
            )
        solution = self.highs.getSolution()
        weights = np.asarray(solution.col_value)
        self.idle = np.where(weights > 1e-14, 0, self.idle + 1)
        return (
            float(self.highs.getInfo().objective_function_value),
            weights,
            np.asarray(solution.row_dual),
        )

    def prune(self, stale: int) -> int:
        """Drop columns idle for more than ``stale`` solves; return how many were dropped."""
        drop = np.flatnonzero(self.idle > stale)
        if drop.size == 0:
            return 0
        self.highs.deleteCols(drop.size, drop.astype(np.int32))
        keep = np.ones(self.size, dtype=bool)
        keep[drop] = False
        self.configurations, self.costs, self.idle = (
            self.configurations[keep],
            self.costs[keep],
            self.idle[keep],
        )
        return int(drop.size)


RestrictedMaster = OccupationLP
"""The name :class:`OccupationLP` had while it served only column generation."""


def solve_occupation_lp(
    configurations: np.ndarray, column_costs: np.ndarray, mu: np.ndarray, particles: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """Solve the occupation LP over the given (distinct) configurations with HiGHS.

    Returns ``(weights, y, status)``; raises InfeasibleError / SolverError.
    """
    lp = OccupationLP(mu, particles)
    lp.add(configurations, column_costs, distinct=True)
    _, weights, y = lp.solve()
    return weights, y, "optimal"


@dataclass(frozen=True)
class PairMeasureLP:
    """Outcome of :func:`pair_measure_lp`: non-negative ``weights`` with ``columns @ weights =
    target`` when they exist, otherwise a Farkas ``separation`` ``h`` (with value ``<h, target>``,
    negative, and ``<h, column> >= 0`` for every column)."""

    weights: np.ndarray | None
    separation: np.ndarray | None
    separation_value: float


def pair_measure_lp(columns: np.ndarray, target: np.ndarray) -> PairMeasureLP:
    """Whether ``target`` is a non-negative combination of ``columns`` (HiGHS through SciPy),
    with the Farkas certificate when it is not: minimise ``<h, target>`` over ``h ∈ [-1, 1]``
    with ``<h, column> >= 0`` for all columns (the N-representability LP of Cotar–Friesecke–Pass
    2015, Def. 2.1, on occupation vectors)."""
    from scipy.optimize import linprog

    count = columns.shape[1]
    feasibility = linprog(
        np.zeros(count), A_eq=columns, b_eq=target, bounds=(0, None), method="highs"
    )
    if feasibility.status == 0:
        return PairMeasureLP(np.asarray(feasibility.x), None, 0.0)
    if feasibility.status != 2:
        raise SolverError(
            "the representability LP failed", solver="HiGHS", status=str(feasibility.message)
        )
    separation = linprog(
        target, A_ub=-columns.T, b_ub=np.zeros(count), bounds=(-1, 1), method="highs"
    )
    return PairMeasureLP(None, np.asarray(separation.x), float(separation.fun))
