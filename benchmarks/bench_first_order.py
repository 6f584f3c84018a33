"""Quantum transport SDPs at scale: QMOT-ENTROPIC vs cvxpy + Clarabel and cvxpy + SCS.

Instances (issue 7):

* **Golse–Paul**: MK_ħ² between random coherent mixtures, M = N points drawn from N(0, 1.5²) in
  phase space R^{2d}, Dirichlet weights, ħ = 0.5, d ∈ {1, 2}, M = N ∈ {8, 12, 16, 24, 32}; the
  coupling SDP is the exact one on the coherent spans (dimension n = rank R · rank S ≤ M·N);
* **De Palma–Trevisan**: W²_{2,DPT} between random full-rank qudits of dimension d ∈ {4, 8, 12,
  16} with the spin operators (J_x, J_y, J_z) of spin (d−1)/2; coupling dimension n = d².

qmot runs ``solver="QMOT-ENTROPIC"`` with ``tol=1e-4`` (certified relative gap) and
``max_time=600``. The peers solve the same coupling SDP typed straight into cvxpy with their
default tolerances (``_common.naive_coupling_sdp``); their value is compared with qmot's
certified bracket ("outside": distance from the bracket relative to max(1, |upper|); 0 means the
peer's value is consistent with the certified bracket). Peers are skipped above a coupling
dimension where they would need more than a couple of minutes (rule: Clarabel for
n ≤ ``CLARABEL_LIMIT`` = 64, SCS for n ≤ ``SCS_LIMIT`` = 100, n the unreduced dimension they
are given). Measured on this machine, 1 thread, Golse–Paul d = 1: Clarabel 5.5 s at n = 36 and
90 s at n = 64 (growth ≈ n^4.7, so ≈ 12 min at n = 100 and over an hour at n = 144); SCS 1.0 s
at n = 36 and 18 s at n = 64 (≈ 2 min at n = 100, ≈ 7 min at n = 144). The yardstick is
the time of one dense eigendecomposition (``numpy.linalg.eigh``) of an n×n complex Hermitian
matrix; "÷eigh" columns are times in units of it.

Run: ``python benchmarks/bench_first_order.py [--quick]`` (quick: d = 1, M = N ≤ 16 and
qudits d ≤ 8).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import naive_coupling_sdp, report

from qmot.linalg import hermitian_part, random_density_matrix
from qmot.quantum import CoherentMixture, dpt_divergence, mk2, spin
from qmot.quantum.de_palma_trevisan import dpt_cost_operator
from qmot.quantum.golse_paul import cost_operator

HBAR = 0.5
SPREAD = 1.5
TOL = 1e-4
MAX_TIME = 600.0
CLARABEL_LIMIT = 64
SCS_LIMIT = 100
TARGETS = {("Golse–Paul", "d=1, M=N=24"): 60.0, ("Golse–Paul", "d=2, M=N=24"): 60.0}


def eigh_yardstick(n: int, repeats: int = 3) -> float:
    """Best time of one dense Hermitian eigendecomposition of size n."""
    rng = np.random.default_rng(0)
    matrix = hermitian_part(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        np.linalg.eigh(matrix)
        best = min(best, time.perf_counter() - start)
    return best


def peer(
    name: str, limit: int, n: int, cost: np.ndarray, first: np.ndarray, second: np.ndarray
) -> tuple[str, float, float]:
    if n > limit:
        return f"skipped (n > {limit})", float("nan"), float("nan")
    start = time.perf_counter()
    status, value = naive_coupling_sdp(cost, first, second, name)
    return status, time.perf_counter() - start, value


def outside(value: float, lower: float, upper: float) -> float:
    """Distance of ``value`` from [lower, upper], relative to max(1, |upper|)."""
    if not np.isfinite(value):
        return float("nan")
    return max(0.0, lower - value, value - upper) / max(1.0, abs(upper))


def row_for(
    problem: str,
    label: str,
    solve: Any,
    peer_problem: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[str, Any]:
    start = time.perf_counter()
    result = solve()
    seconds = time.perf_counter() - start
    reduced = result.info["reduced_dims"]
    n = int(reduced[0] * reduced[1])
    yardstick = eigh_yardstick(n)
    relative_gap = result.gap / max(1.0, abs(result.upper_bound))
    row: dict[str, Any] = {
        "problem": problem,
        "instance": label,
        "n": n,
        "eigh s": yardstick,
        "qmot s": seconds,
        "qmot value": result.cost,
        "qmot rel gap": relative_gap,
        "qmot status": result.status,
        "qmot solver status": result.info["solver_status"],
        "qmot ÷eigh": seconds / yardstick,
        "target s": TARGETS.get((problem, label)),
    }
    full_n = peer_problem[0].shape[0]
    for name, limit in (("CLARABEL", CLARABEL_LIMIT), ("SCS", SCS_LIMIT)):
        status, peer_seconds, value = peer(name, limit, full_n, *peer_problem)
        key = name.capitalize() if name == "CLARABEL" else name
        row[f"{key} s"] = peer_seconds
        row[f"{key} value"] = value
        row[f"{key} status"] = status
        row[f"{key} outside"] = outside(value, result.lower_bound, result.upper_bound)
        row[f"{key} ÷eigh"] = peer_seconds / yardstick
        row[f"{key}/qmot"] = peer_seconds / seconds
    print(
        f"{problem:18s} {label:14s} n={n:5d}  qmot {seconds:7.2f} s gap {relative_gap:.1e} "
        f"{result.status} [{result.info['solver_status']}] | "
        f"Clarabel {row['Clarabel s']:.3g} s {row['Clarabel status']} | "
        f"SCS {row['SCS s']:.3g} s {row['SCS status']}",
        flush=True,
    )
    return row


def golse_paul_row(modes: int, size: int) -> dict[str, Any]:
    rng = np.random.default_rng(1000 * modes + size)
    first, second = (
        CoherentMixture(
            SPREAD * rng.normal(size=(size, 2 * modes)), rng.dirichlet(np.ones(size)), hbar=HBAR
        )
        for _ in range(2)
    )
    first_section, second_section = first.section(), second.section()
    peer_problem = (
        cost_operator(first_section, second_section, HBAR),
        first_section.density,
        second_section.density,
    )

    def solve() -> Any:
        return mk2(first, second, solver="QMOT-ENTROPIC", tol=TOL, max_time=MAX_TIME)

    return row_for("Golse–Paul", f"d={modes}, M=N={size}", solve, peer_problem)


def dpt_row(dim: int) -> dict[str, Any]:
    rng = np.random.default_rng(dim)
    rho, sigma = random_density_matrix(dim, seed=rng), random_density_matrix(dim, seed=rng)
    ops = spin((dim - 1) / 2)
    peer_problem = (
        dpt_cost_operator(rho, sigma, ops, ops),
        rho,
        hermitian_part(sigma.T),
    )

    def solve() -> Any:
        return dpt_divergence(rho, sigma, ops, solver="QMOT-ENTROPIC", tol=TOL, max_time=MAX_TIME)

    return row_for("De Palma–Trevisan", f"qudit d={dim}", solve, peer_problem)


def main(quick: bool) -> None:
    sizes = (8, 12, 16) if quick else (8, 12, 16, 24, 32)
    modes_list = (1,) if quick else (1, 2)
    dims = (4, 8) if quick else (4, 8, 12, 16)
    TARGETS[("De Palma–Trevisan", "qudit d=16")] = 60.0
    TARGETS[("Golse–Paul", "d=1, M=N=32")] = 600.0
    TARGETS[("Golse–Paul", "d=2, M=N=32")] = 600.0
    rows = [golse_paul_row(modes, size) for modes in modes_list for size in sizes]
    rows += [dpt_row(dim) for dim in dims]
    columns = [
        "problem",
        "instance",
        "n",
        "eigh s",
        "qmot s",
        "qmot rel gap",
        "qmot status",
        "qmot ÷eigh",
        "target s",
        "Clarabel s",
        "Clarabel status",
        "Clarabel outside",
        "Clarabel ÷eigh",
        "Clarabel/qmot",
        "SCS s",
        "SCS status",
        "SCS outside",
        "SCS ÷eigh",
        "SCS/qmot",
    ]
    path = report(
        "first_order",
        f"Coupling SDPs at scale: QMOT-ENTROPIC (tol {TOL:g}) vs cvxpy + Clarabel / SCS",
        columns,
        rows,
    )
    for row in rows:
        target = row["target s"]
        if target is not None:
            met = row["qmot s"] <= target and row["qmot rel gap"] <= TOL
            print(
                f"target {row['problem']} {row['instance']}: gap ≤ {TOL:g} in < {target:g} s — "
                f"{'met' if met else 'MISSED'} ({row['qmot s']:.1f} s, gap "
                f"{row['qmot rel gap']:.1e})"
            )
    print(f"wrote {path.name}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
