"""qmot's certified coupling SDP vs the cvxpy script a user writes by hand today.

Peer: the coupling SDP straight into cvxpy on the full H ⊗ K (no support reduction, default
solver settings) with Clarabel and with SCS. Instances: random density matrices of dimension
d (full rank, and rank ⌈d/2⌉), cost C = Σ_k (X_k ⊗ 1 − 1 ⊗ X_k)² for random Hermitian X_k.
Reports times, values, qmot's certified gap, the peers' failures and the time ratios.

Run: ``make bench`` or ``python benchmarks/bench_coupling_sdp.py [--quick]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, naive_coupling_sdp, report

from qmot.linalg import random_density_matrix
from qmot.sdp import coupling_sdp


def difference_cost(dim: int, rng: np.random.Generator, terms: int = 3) -> np.ndarray:
    identity = np.eye(dim)
    cost = np.zeros((dim * dim, dim * dim), dtype=complex)
    for _ in range(terms):
        g = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
        x = (g + g.conj().T) / 2
        diff = np.kron(x, identity) - np.kron(identity, x)
        cost += diff @ diff
    return cost


def naive_cvxpy(cost: np.ndarray, first: np.ndarray, second: np.ndarray, solver: str):
    return naive_coupling_sdp(cost, first, second, solver)


def main(quick: bool) -> None:
    dims = (2, 3, 4, 6) if quick else (2, 3, 4, 6, 8)
    repeats = 1 if quick else 3
    rows = []
    for dim in dims:
        for rank in sorted({dim, -(-dim // 2)}, reverse=True):
            rng = np.random.default_rng(100 * dim + rank)
            first = random_density_matrix(dim, rank, seed=rng)
            second = random_density_matrix(dim, rank, seed=rng)
            cost = difference_cost(dim, rng)
            instance = (cost, first, second)
            t_qmot, result = best_time(coupling_sdp, repeats, *instance)
            t_clar, (st_clar, v_clar) = best_time(naive_cvxpy, repeats, *instance, "CLARABEL")
            t_scs, (st_scs, v_scs) = best_time(naive_cvxpy, repeats, *instance, "SCS")
            rows.append(
                {
                    "d": dim,
                    "rank": rank,
                    "qmot s": t_qmot,
                    "qmot cost": result.cost,
                    "qmot gap": result.gap,
                    "qmot status": result.status,
                    "naive Clarabel s": t_clar,
                    "Clarabel status": st_clar,
                    "|Clarabel − qmot|": abs(v_clar - result.cost),
                    "naive SCS s": t_scs,
                    "SCS status": st_scs,
                    "|SCS − qmot|": abs(v_scs - result.cost),
                    "Clarabel/qmot time": t_clar / t_qmot,
                    "SCS/qmot time": t_scs / t_qmot,
                }
            )
    columns = list(rows[0])
    path = report(
        "coupling_sdp", "Coupling SDP: qmot (reduced, certified) vs naive cvxpy", columns, rows
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
