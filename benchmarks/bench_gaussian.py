"""Gaussian and phase-invariant states: qmot's exact routes against the full coupling SDP.

Tables:

1. **Thermal pair** n̄ = 0.3, 1 (ħ = 1) on the Fock route at growing cut-off: the phase-invariant
   block route (default for Fock-diagonal pairs) vs the full coupling route
   (``solver="QMOT-IPM"``, the route every Fock pair took before), and the ratio of each to one
   dense ``eigh`` of the full coupling matrix (complex Hermitian, (c+1)² × (c+1)²).
2. **Gaussian pairs** (random mixed states, d = 1, 2, 4): time, certified bracket width, status.
3. **Squeezed / displaced pairs on the Fock route**: time and distance to the exact Gaussian
   value (cut-off 40 where a pure side makes the product coupling forced; cut-off 10 for a
   displaced thermal pair, which needs the full coupling SDP).

Run: ``python benchmarks/bench_gaussian.py [--quick] [--full-20]`` (``--full-20`` also runs the
full route at cut-off 20: minutes).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, report

from qmot.quantum import FockDensity, GaussianState, mk2


def dense_eigh_seconds(dim: int, repeats: int = 3) -> float:
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    matrix = matrix + matrix.conj().T
    return best_time(np.linalg.eigh, repeats, matrix)[0]


def thermal_table(cutoffs: list[int], full_cutoffs: set[int]) -> list[dict[str, object]]:
    rows = []
    for cutoff in cutoffs:
        first = FockDensity.thermal(0.3, 1.0, cutoff=cutoff)
        second = FockDensity.thermal(1.0, 1.0, cutoff=cutoff)
        eigh = dense_eigh_seconds((cutoff + 1) ** 2)
        start = time.perf_counter()
        blocks = mk2(first, second)
        block_time = time.perf_counter() - start
        row: dict[str, object] = {
            "cut-off": cutoff,
            "coupling dim": (cutoff + 1) ** 2,
            "blocks s": block_time,
            "blocks gap": blocks.gap,
            "blocks status": blocks.status,
            "eigh s": eigh,
            "blocks / eigh": block_time / eigh,
        }
        if cutoff in full_cutoffs:
            start = time.perf_counter()
            full = mk2(first, second, solver="QMOT-IPM")
            full_time = time.perf_counter() - start
            row.update(
                {
                    "full s": full_time,
                    "full gap": full.gap,
                    "full status": full.status,
                    "full / blocks": full_time / block_time,
                    "|Δcost|": abs(full.cost - blocks.cost),
                }
            )
        rows.append(row)
    return rows


def random_mixed(modes: int, hbar: float, rng: np.random.Generator) -> GaussianState:
    state = GaussianState.thermal(rng.uniform(0.05, 1.5, size=modes), hbar, modes=modes)
    factor = rng.normal(size=(2 * modes, 2 * modes))
    generator = factor + factor.T  # S = exp(Ω H) is symplectic for symmetric H
    from scipy.linalg import expm

    omega = np.block(
        [[np.zeros((modes, modes)), np.eye(modes)], [-np.eye(modes), np.zeros((modes, modes))]]
    )
    symplectic = expm(0.2 * omega @ generator)
    return state.displaced(rng.normal(size=2 * modes)).transformed(symplectic)


def gaussian_table(modes_list: list[int], count: int) -> list[dict[str, object]]:
    rows = []
    rng = np.random.default_rng(16)
    for modes in modes_list:
        times, gaps, relative, statuses = [], [], [], []
        for _ in range(count):
            first, second = random_mixed(modes, 0.5, rng), random_mixed(modes, 0.5, rng)
            seconds, result = best_time(mk2, 1, first, second)
            times.append(seconds)
            gaps.append(result.gap)
            relative.append(result.gap / max(1.0, abs(result.cost)))
            statuses.append(result.status)
        rows.append(
            {
                "d": modes,
                "pairs": count,
                "median s": float(np.median(times)),
                "max gap": max(gaps),
                "max relative gap": max(relative),
                "optimal": sum(s == "optimal" for s in statuses),
            }
        )
    return rows


def fock_table(quick: bool) -> list[dict[str, object]]:
    hbar = 1.0
    cases = [
        (
            "squeezed r=0.5 vs coherent",
            GaussianState.squeezed(0.5, hbar, angle=0.4),
            GaussianState.coherent([1.0, -0.5], hbar),
            40,
        ),
        (
            "squeezed r=0.3 vs displaced thermal",
            GaussianState.squeezed(0.3, hbar),
            GaussianState.thermal(0.5, hbar).displaced([0.5, 0.0]),
            40,
        ),
    ]
    if not quick:
        cases.append(
            (
                "displaced thermal pair",
                GaussianState.thermal(0.2, hbar).displaced([0.4, 0.0]),
                GaussianState.thermal(0.6, hbar),
                10,
            )
        )
    rows = []
    for name, first, second, cutoff in cases:
        exact = mk2(first, second)
        start = time.perf_counter()
        fock = mk2(first.to_fock(cutoff), second.to_fock(cutoff))
        seconds = time.perf_counter() - start
        rows.append(
            {
                "pair": name,
                "cut-off": cutoff,
                "fock s": seconds,
                "fock status": fock.status,
                "|fock − exact|": abs(fock.cost - exact.cost),
                "truncation": sum(fock.info["truncation_loss"]),
                "exact gap": exact.gap,
            }
        )
    return rows


def main() -> None:
    quick = "--quick" in sys.argv
    cutoffs = [8, 12, 20] if quick else [8, 12, 16, 20, 24]
    full = {8, 12} | ({20} if "--full-20" in sys.argv else set())
    rows = thermal_table(cutoffs, full)
    report(
        "gaussian_thermal",
        "Thermal pair n̄ = 0.3, 1 on the Fock route: blocks vs full coupling vs one dense eigh",
        [
            "cut-off",
            "coupling dim",
            "blocks s",
            "blocks gap",
            "blocks status",
            "eigh s",
            "blocks / eigh",
            "full s",
            "full gap",
            "full status",
            "full / blocks",
            "|Δcost|",
        ],
        rows,
    )
    report(
        "gaussian_pairs",
        "Exact MK_ħ² between random mixed Gaussian states (moment SDP, certified)",
        ["d", "pairs", "median s", "max gap", "max relative gap", "optimal"],
        gaussian_table([1, 2, 4], 3 if quick else 10),
    )
    report(
        "gaussian_fock",
        "Squeezed / displaced pairs on the Fock route vs the exact Gaussian value",
        ["pair", "cut-off", "fock s", "fock status", "|fock − exact|", "truncation", "exact gap"],
        fock_table(quick),
    )


if __name__ == "__main__":
    main()
