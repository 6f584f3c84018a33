"""Quantum optimal transport is cheaper: MK_ħ between two-particle coherent mixtures.

Seed 000 (Caglioti–Golse–Paul): with equal masses the quantum and classical costs coincide;
with unequal masses the quantum optimum is strictly cheaper. qmot computes the actual optimum
with a certified bracket and shows the optimal coupling is not a Töplitz operator.
"""

from __future__ import annotations

from qmot.quantum import CoherentMixture, FockDensity, analyse_coupling, mk2, quantum_saving


def main() -> None:
    hbar, a, b = 0.5, 1.0, 1.5
    equal = mk2(
        CoherentMixture([[-a, 0], [a, 0]], hbar=hbar), CoherentMixture([[-b, 0], [b, 0]], hbar=hbar)
    )
    print(
        f"Equal masses a={a}, b={b}, ħ={hbar}: MK² = {equal.cost:.10f}  "
        f"(paper: (a-b)² = {(a - b) ** 2})"
    )
    print(f"  {equal!r}")

    eta = 0.4
    first = CoherentMixture([[a, 0], [-a, 0]], [(1 + eta) / 2, (1 - eta) / 2], hbar=hbar)
    second = CoherentMixture([[a, 0], [-a, 0]], hbar=hbar)
    saving = quantum_saving(first, second)
    print(
        f"Unequal masses η={eta}: C_c = {saving.classical.cost:.6f}, "
        f"C_q = {saving.quantum.cost:.6f}"
    )
    print(
        f"  certified saving C_c − C_q ∈ [{saving.lower_bound:.3e}, {saving.upper_bound:.3e}]"
        f"  strictly cheaper: {saving.strictly_cheaper}"
    )
    analysis = analyse_coupling(first, second, saving.quantum.coupling)
    print(
        f"  optimal coupling: Töplitz trace {analysis.toeplitz_trace:.4f}, "
        f"off-diagonal fraction {analysis.offdiagonal_fraction:.3f} (0 for a Töplitz coupling)"
    )

    number = mk2(
        FockDensity.number_state(1, hbar, cutoff=3), FockDensity.number_state(2, hbar, cutoff=3)
    )
    print(
        f"Number states |1⟩, |2⟩: MK² = {number.cost:.10f}  (closed form 2ħ(m+n) = {2 * hbar * 3})"
    )


if __name__ == "__main__":
    main()
