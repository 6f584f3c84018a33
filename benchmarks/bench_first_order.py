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

``--eigensolvers`` instead compares, on Golse–Paul M = N = 24 (d = 1, 2), QMOT-ENTROPIC's warm
shift-and-invert subspace iteration with the library routes for the Gibbs eigenpairs: whole
solves with ``eigensolver="dense"`` (LAPACK's MRRR partial eigendecomposition at every
evaluation), and, on the matrices ``K`` met by the warm run (every 25th evaluation), the
eigenvalues of the Gibbs window by the warm iteration (from the previous evaluation's vectors),
MRRR, ARPACK shift-and-invert (``scipy.sparse.linalg.eigsh`` with ``sigma`` below λ_min, the
previous lowest vector as start, told the window's size) and LOBPCG
(``scipy.sparse.linalg.lobpcg`` from the previous vectors): mean time per spectrum and the
largest eigenvalue error (Gibbs weights ≥ e^-30) against a full dense eigendecomposition,
relative to the spread ("inf": an eigenvalue of that window missing).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import naive_coupling_sdp, report

from qmot._threads import blas_policy
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
    first, second = _mixtures(modes, size)
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


def _mixtures(modes: int, size: int) -> tuple[CoherentMixture, CoherentMixture]:
    rng = np.random.default_rng(1000 * modes + size)
    first, second = (
        CoherentMixture(
            SPREAD * rng.normal(size=(size, 2 * modes)), rng.dirichlet(np.ones(size)), hbar=HBAR
        )
        for _ in range(2)
    )
    return first, second


def _record_spectra(modes: int, size: int) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """A warm solve, recording K, ε and the warm solver's previous state every 25th evaluation."""
    from qmot import first_order

    recorded: list[tuple[Any, ...]] = []
    original = first_order._WarmEigensolver.lowest
    calls = {"count": 0}

    def lowest(self: Any, slack: np.ndarray, first: Any, second: Any, epsilon: float) -> Any:
        calls["count"] += 1
        if calls["count"] % 25 == 1 and self.basis is not None:
            state = (self.basis.copy(), self.least, self.potentials)
            recorded.append((slack.copy(), epsilon, *state, (first, second)))
        return original(self, slack, first, second, epsilon)

    first_order._WarmEigensolver.lowest = lowest  # type: ignore[method-assign]
    try:
        row = _whole_solve(modes, size, "warm")
    finally:
        first_order._WarmEigensolver.lowest = original  # type: ignore[method-assign]
    return row, recorded


def _whole_solve(modes: int, size: int, eigensolver: str) -> dict[str, Any]:
    first, second = _mixtures(modes, size)
    start = time.perf_counter()
    result = mk2(
        first,
        second,
        solver="QMOT-ENTROPIC",
        tol=TOL,
        max_time=MAX_TIME,
        solver_options={"eigensolver": eigensolver},
    )
    return {
        "seconds": time.perf_counter() - start,
        "gap": result.gap / max(1.0, abs(result.upper_bound)),
        "status": result.info["solver_status"],
    }


ROUTES = ("warm", "MRRR", "ARPACK", "LOBPCG")
PEERS = ROUTES[1:]


def _spectrum_times(recorded: list[tuple[Any, ...]]) -> dict[str, float]:
    """Mean seconds per spectrum of each route on the recorded matrices, and the largest
    eigenvalue error of each against a full dense eigendecomposition (relative to the spread)."""
    totals = {name: 0.0 for name in ROUTES}
    errors = {name: 0.0 for name in ROUTES}
    misses = 0
    with blas_policy(recorded[0][0].shape[0]):  # the thread set-up the solver runs under
        for entry in recorded:
            seconds, error, missed = _time_one_spectrum(*entry)
            misses += missed
            for name in ROUTES:
                totals[name] += seconds[name]
                errors[name] = max(errors[name], error[name])
    return {
        **{name: total / len(recorded) for name, total in totals.items()},
        **{f"{name} error": error for name, error in errors.items()},
        "LOBPCG misses": misses / len(recorded),
    }


def _time_one_spectrum(
    slack: np.ndarray,
    epsilon: float,
    basis: np.ndarray,
    least: float,
    potentials: tuple[np.ndarray, np.ndarray],
    current: tuple[np.ndarray, np.ndarray],
) -> tuple[dict[str, float], dict[str, float], bool]:
    """One spectrum (the wanted Gibbs window) by each route, warm ones from the previous data."""
    import scipy.linalg
    from scipy.sparse.linalg import eigsh, lobpcg

    from qmot.first_order import GIBBS_CUTOFF, _WarmEigensolver

    exact = np.linalg.eigvalsh(slack)
    spread = float(exact[-1] - exact[0])
    wanted = int(np.searchsorted(exact, exact[0] + GIBBS_CUTOFF * epsilon))
    # errors are compared on Gibbs weights ≥ e^-30: at the e^-36 edge a Ritz value just above
    # the cutoff drops an eigenvalue that is just below it, which carries no weight
    compared = int(np.searchsorted(exact, exact[0] + (GIBBS_CUTOFF - 6) * epsilon))
    solver = _WarmEigensolver(slack.shape[0], spread)
    solver.basis, solver.least, solver.potentials = basis, least, potentials
    routes = {
        "warm": lambda: solver.lowest(slack, *current, epsilon)[0],
        "MRRR": lambda: scipy.linalg.eigh(
            slack, driver="evr", subset_by_index=[0, 2 * wanted - 1], eigvals_only=True
        ),
        "ARPACK": lambda: np.sort(
            eigsh(slack, k=wanted, sigma=least - epsilon, which="LM", v0=basis[:, 0], tol=1e-12)[0]
        ),
        "LOBPCG": lambda: np.sort(
            lobpcg(slack, basis[:, : wanted + 4], largest=False, tol=1e-9, maxiter=200)[0]
        ),
    }
    seconds, errors = {}, {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, route in routes.items():
            start = time.perf_counter()
            values = route()
            seconds[name] = time.perf_counter() - start
            if len(values) < compared:  # an eigenvalue of the window was missed
                errors[name] = float("inf")
            else:
                errors[name] = float(np.abs(values[:compared] - exact[:compared]).max()) / spread
    # LOBPCG warns when it stops at maxiter short of its tolerance
    missed = any("not reaching" in str(w.message) for w in caught)
    return seconds, errors, missed


def compare_eigensolvers() -> None:
    """Whole solves dense vs warm, and per-spectrum times of four routes (see module docstring)."""
    rows = []
    for modes in (1, 2):
        warm, recorded = _record_spectra(modes, 24)
        dense = _whole_solve(modes, 24, "dense")
        per_spectrum = _spectrum_times(recorded)
        rows.append(
            {
                "instance": f"GP d={modes}, M=N=24",
                "warm solve s": warm["seconds"],
                "warm gap": warm["gap"],
                "dense solve s": dense["seconds"],
                "dense gap": dense["gap"],
                "dense/warm": dense["seconds"] / warm["seconds"],
                "spectra": len(recorded),
                **{f"{name} ms": 1e3 * per_spectrum[name] for name in ROUTES},
                **{f"{name}/warm": per_spectrum[name] / per_spectrum["warm"] for name in PEERS},
                **{f"{name} err": per_spectrum[f"{name} error"] for name in ROUTES},
                "LOBPCG at maxiter": per_spectrum["LOBPCG misses"],
            }
        )
        print(f"{rows[-1]['instance']}: warm [{warm['status']}], dense [{dense['status']}]")
    columns = list(rows[0])
    path = report(
        "first_order_eigensolvers",
        "Gibbs eigenpairs: warm shift-and-invert iteration vs LAPACK MRRR, ARPACK, LOBPCG",
        columns,
        rows,
    )
    print(f"wrote {path.name}")


if __name__ == "__main__":
    if "--eigensolvers" in sys.argv:
        compare_eigensolvers()
    else:
        main(quick="--quick" in sys.argv)
