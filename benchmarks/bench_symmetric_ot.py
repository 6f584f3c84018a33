"""Exact symmetric N-marginal OT: qmot's occupation-number LP vs the multi-marginal LP over all
L^N tuples that a user would otherwise write (SciPy's linprog with HiGHS), side by side.

Instances: L sites uniform on [0, 1], Gaussian cost (σ = 0.3), marginal ∝ 0.2 + sin²(πk/(L+1)).

Run: ``python benchmarks/bench_symmetric_ot.py [--quick]``.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, report

from qmot.manybody import Gaussian, symmetric_ot

TUPLE_LIMIT = 200_000


def tuple_lp(cost: np.ndarray, mu: np.ndarray, particles: int) -> tuple[str, float]:
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    sites = len(mu)
    if sites**particles > TUPLE_LIMIT:
        return f"not attempted ({sites**particles:.2g} tuples)", float("nan")
    tuples = np.array(list(itertools.product(range(sites), repeat=particles)))
    values = sum(
        cost[tuples[:, i], tuples[:, j]] for i in range(particles) for j in range(i + 1, particles)
    )
    rows = (np.arange(particles)[None, :] * sites + tuples).ravel()
    cols = np.repeat(np.arange(len(tuples)), particles)
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(particles * sites, len(tuples)))
    result = linprog(
        values, A_eq=matrix, b_eq=np.tile(mu, particles), bounds=(0, None), method="highs"
    )
    return ("optimal" if result.status == 0 else result.message), float(result.fun)


def main(quick: bool) -> None:
    cases = (
        [(6, 3), (6, 5), (8, 4), (8, 6)]
        if quick
        else [(6, 3), (6, 5), (8, 4), (8, 6), (10, 5), (12, 6), (16, 8)]
    )
    rows = []
    for sites, particles in cases:
        x = np.linspace(0.0, 1.0, sites)
        mu = 0.2 + np.sin(np.pi * np.arange(1, sites + 1) / (sites + 1)) ** 2
        mu /= mu.sum()
        cost = Gaussian(0.3).matrix(x)
        t_qmot, result = best_time(symmetric_ot, 1, cost, mu, particles)
        t_peer, (status, value) = best_time(tuple_lp, 1, cost, mu, particles)
        ran = status == "optimal"
        rows.append(
            {
                "L": sites,
                "N": particles,
                "columns": result.info["columns"],
                "qmot s": t_qmot,
                "qmot gap": result.gap,
                "tuple LP": status,
                "tuple LP s": t_peer if ran else None,
                "|tuple − qmot|": abs(value - result.cost) if ran else None,
                "tuple/qmot": t_peer / t_qmot if ran else None,
            }
        )
    path = report(
        "symmetric_ot",
        "Symmetric N-marginal OT: occupation LP vs L^N tuple LP",
        list(rows[0]),
        rows,
    )
    print(f"wrote {path.name}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
