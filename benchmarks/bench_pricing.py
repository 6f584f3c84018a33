"""Exact pricing engines of column generation, side by side on the same pricing problems.

Each pricing problem comes from a real column-generation run (Cotar–Friesecke–Pass 2015,
eqs. (1.18)–(1.19)): symmetric OT on a grid in the unit square, μ_k ∝ 0.2 + sin²(πk/(L+1)),
run with ``certify="none"`` to its final master; the pricing problem is the minimum reduced cost
at that master's dual y — the one whose proof certifies the value — with the best support
column as incumbent. Every engine gets the same problem, incumbent, allowed gap (1e-9 of the
value) and time limit:

* ``bnb``: qmot's branch and bound over the particles' sites (the default);
* ``highs``: HiGHS's MILP (binary items, linearised products, RLT rows), qmot's former default;
* ``scip``: SCIP through PySCIPOpt on the nonconvex program with its own reformulations and cuts;
* ``qcr``: the quadratic convex reformulation from the SDP multipliers, solved by SCIP.

Reported: seconds, whether the engine proved the minimum, its certified lower bound on
r*(y) (0 means proved: the support columns have reduced cost 0), and its nodes.

Run: ``python benchmarks/bench_pricing.py [--quick] [--time-limit S]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import report

from qmot.errors import InvalidInputError
from qmot.manybody import Coulomb, Gaussian, grid_sites, symmetric_ot
from qmot.reductions.occupations import configuration_cost
from qmot.solvers.occupation.pricing import PRICING_ENGINES, exact_pricing, reduced_costs

CASES = [
    ("Coulomb", 6, 6),
    ("Coulomb", 8, 4),
    ("Coulomb", 7, 7),
    ("Coulomb", 8, 8),
    ("Coulomb", 10, 10),
    ("Gaussian", 6, 6),
    ("Gaussian", 10, 10),
]
QUICK = [("Coulomb", 6, 6), ("Coulomb", 7, 7), ("Gaussian", 6, 6)]


def pricing_problem(kind: str, side: int, particles: int) -> dict:
    """The final pricing problem of a column-generation run on a ``side × side`` grid."""
    x = grid_sites([0.0, 0.0], [1.0, 1.0], side)
    sites = side * side
    mu = 0.2 + np.sin(np.pi * np.arange(1, sites + 1) / (sites + 1)) ** 2
    mu /= mu.sum()
    cost = (Coulomb() if kind == "Coulomb" else Gaussian(0.3)).matrix(x)
    run = symmetric_ot(cost, mu, particles, method="colgen", certify="none", max_time=120.0)
    y, support = run.potentials["y"], run.configurations
    values = reduced_costs(support, configuration_cost(support, cost), y, particles)
    return {
        "cost": cost,
        "y": y,
        "incumbent": support[int(np.argmin(values))],
        "gap": 1e-9 * max(1.0, run.cost),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    engines = [
        name
        for name in PRICING_ENGINES
        if name not in {"scip", "qcr"} or importlib.util.find_spec("pyscipopt")
    ]
    rows = []
    for kind, side, particles in QUICK if args.quick else CASES:
        problem = pricing_problem(kind, side, particles)
        for engine in engines:
            try:
                result = exact_pricing(
                    problem["cost"],
                    problem["y"],
                    particles,
                    time_limit=args.time_limit,
                    incumbent=problem["incumbent"],
                    allowed_gap=problem["gap"],
                    engine=engine,
                )
            except InvalidInputError as error:  # e.g. the QCR SDP would not fit in memory
                rows.append(
                    {
                        "cost": kind,
                        "grid": f"{side}x{side}",
                        "N": particles,
                        "engine": engine,
                        "proven": f"refused: {error}"[:60],
                    }
                )
                continue
            rows.append(
                {
                    "cost": kind,
                    "grid": f"{side}x{side}",
                    "N": particles,
                    "engine": engine,
                    "s": result.seconds,
                    "proven": result.proven,
                    "lower bound": result.lower_bound,
                    "value": result.value,
                    "nodes": result.nodes,
                }
            )
            print(rows[-1], flush=True)
    report(
        "pricing_engines",
        f"Exact pricing at the final dual of column generation ({args.time_limit:g} s each)",
        list(rows[0]),
        rows,
    )


if __name__ == "__main__":
    main()
