"""W_{2,DPT} between random qudits: qmot vs the cvxpy script people write by hand today.

Peer: the coupling formulation on H ⊗ H* typed straight into cvxpy (no support reduction,
default settings, Clarabel — cvxpy's default for this problem), with the same cost operator.
Instances: random density matrices of dimension d, full rank and rank ⌈d/2⌉, with the spin
operators (J_x, J_y, J_z) of spin (d−1)/2 as costs.

Run: ``python benchmarks/bench_dpt.py [--quick]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, naive_coupling_sdp, report

from qmot.linalg import hermitian_part, random_density_matrix
from qmot.quantum import dpt_divergence, spin
from qmot.quantum.de_palma_trevisan import dpt_cost_operator


def main(quick: bool) -> None:
    dims = (2, 3, 4, 6) if quick else (2, 3, 4, 6, 8)
    rows = []
    for dim in dims:
        ops = spin((dim - 1) / 2)
        for rank in sorted({dim, -(-dim // 2)}, reverse=True):
            rng = np.random.default_rng(10 * dim + rank)
            rho = random_density_matrix(dim, rank, seed=rng)
            sigma = random_density_matrix(dim, rank, seed=rng)
            t_qmot, result = best_time(dpt_divergence, 1, rho, sigma, ops)
            cost = dpt_cost_operator(rho, sigma, ops, ops)
            t_naive, (status, value) = best_time(
                naive_coupling_sdp, 1, cost, rho, hermitian_part(sigma.T), "CLARABEL"
            )
            rows.append(
                {
                    "d": dim,
                    "rank": rank,
                    "qmot s": t_qmot,
                    "qmot W²": result.cost,
                    "qmot gap": result.gap,
                    "qmot status": result.status,
                    "naive s": t_naive,
                    "naive status": status,
                    "|naive − qmot|": abs(value - result.cost),
                    "naive/qmot": t_naive / t_qmot,
                }
            )
    path = report(
        "dpt", "W_2,DPT²: qmot (reduced, certified) vs naive cvxpy on H⊗H*", list(rows[0]), rows
    )
    print(f"wrote {path.name}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
