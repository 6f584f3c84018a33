"""MK_ħ between random coherent mixtures: qmot vs the script a user writes by hand today.

Peers, side by side on every instance:

* **naive**: truncate both states in the Fock basis at the level that keeps 1 − 1e-8 of their
  weight, build C from squared truncated x and p (the usual hand-written formulation), and
  pass the coupling SDP straight to cvxpy + Clarabel without support reduction;
* **qmot + Clarabel**: qmot's exact reduced problem, solved by Clarabel through cvxpy (the
  library route), to separate the effect of the reduction from that of the solver;
* **qmot**: ``qmot.quantum.mk2`` with its default solver (``QMOT-IPM``).

Instances: M = N points drawn from N(0, σ²) in phase space R^{2d}, Dirichlet weights, ħ = 0.5;
σ = 1.5 ("spread", the main ensemble) and σ = 0.4 ("compact", where the Fock cut-off is small
enough for the naive route to run at all).
Peers are not attempted above a coupling dimension where they would need minutes to hours
(``--limit``); that is reported as such.

Run: ``python benchmarks/bench_mk2.py [--quick]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import naive_coupling_sdp, report

from qmot.quantum import CoherentMixture, coherent_cutoff, mk2
from qmot.quantum.phase_space import embed_mode_operator, truncated_annihilation

HBAR = 0.5
NAIVE_LIMIT = 150
CLARABEL_LIMIT = 49


def random_pair(
    size: int, modes: int, spread: float, seed: int
) -> tuple[CoherentMixture, CoherentMixture]:
    rng = np.random.default_rng(seed)
    return tuple(
        CoherentMixture(
            spread * rng.normal(size=(size, 2 * modes)), rng.dirichlet(np.ones(size)), hbar=HBAR
        )
        for _ in range(2)
    )


def naive_cost_operator(cutoff: int, modes: int) -> np.ndarray:
    """C = Σ (x⊗1 − 1⊗x)² + (p⊗1 − 1⊗p)² − 2dħ with x, p squared after truncation."""
    lowering = truncated_annihilation(cutoff)
    dim = (cutoff + 1) ** modes
    identity = np.eye(dim)
    cost = -2 * modes * HBAR * np.eye(dim * dim, dtype=complex)
    for mode in range(modes):
        a = embed_mode_operator(lowering, mode, modes)
        x = np.sqrt(HBAR / 2) * (a + a.conj().T)
        p = -1j * np.sqrt(HBAR / 2) * (a - a.conj().T)
        for op in (x, p):
            diff = np.kron(op, identity) - np.kron(identity, op)
            cost += diff @ diff
    return cost


def naive_route(first: CoherentMixture, second: CoherentMixture) -> tuple[str, float, float]:
    cutoff = max(coherent_cutoff(first, 1e-8), coherent_cutoff(second, 1e-8))
    dim = (cutoff + 1) ** first.modes
    if dim * dim > NAIVE_LIMIT:
        return f"not attempted (coupling dim {dim * dim})", float("nan"), float("nan")
    rho, sigma = first.to_fock(cutoff).matrix, second.to_fock(cutoff).matrix
    cost = naive_cost_operator(cutoff, first.modes)
    start = time.perf_counter()
    status, value = naive_coupling_sdp(cost, rho, sigma, "CLARABEL", time_limit=120)
    return status, time.perf_counter() - start, value


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def run_instance(modes: int, size: int, spread: float) -> dict[str, object]:
    first, second = random_pair(size, modes, spread, seed=100 * modes + size)
    t_qmot, result = timed(mk2, first, second)
    row: dict[str, object] = {
        "σ": spread,
        "d": modes,
        "M=N": size,
        "qmot s": t_qmot,
        "qmot MK²": result.cost,
        "qmot gap": result.gap,
        "qmot status": result.status,
        "min marginal eig": result.residuals["least_marginal_eigenvalue"],
    }
    reduced = result.info["reduced_dims"]
    if reduced[0] * reduced[1] <= CLARABEL_LIMIT:
        t_clar, clar = timed(mk2, first, second, solver="CLARABEL")
        row.update(
            {"Clarabel s": t_clar, "Clarabel gap": clar.gap, "Clarabel/qmot": t_clar / t_qmot}
        )
    else:
        row["Clarabel s"] = f"skipped (dim {reduced[0] * reduced[1]})"
    status, t_naive, value = naive_route(first, second)
    row.update(
        {
            "naive": status,
            "naive s": t_naive,
            "|naive − qmot|": abs(value - result.cost),
            "naive/qmot": t_naive / t_qmot if np.isfinite(t_naive) else None,
        }
    )
    return row


def main(quick: bool) -> None:
    sizes = (2, 4, 8) if quick else (2, 4, 8, 12, 16)
    rows = [run_instance(modes, size, 1.5) for modes in (1, 2) for size in sizes]
    rows += [run_instance(1, size, 0.4) for size in (2, 3)]
    columns = [
        "σ",
        "d",
        "M=N",
        "qmot s",
        "qmot gap",
        "qmot status",
        "min marginal eig",
        "Clarabel s",
        "Clarabel/qmot",
        "naive",
        "naive s",
        "|naive − qmot|",
    ]
    path = report(
        "mk2", "MK_ħ² of random coherent mixtures: qmot vs hand-written routes", columns, rows
    )
    print(f"wrote {path.name}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
