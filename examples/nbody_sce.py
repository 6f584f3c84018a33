"""Symmetric N-body optimal transport: the strictly-correlated-electrons energy.
=============================================================================

C. Cotar, G. Friesecke, B. Pass, "Infinite-body optimal transport with Coulomb cost" (Calc. Var.
PDE 2015; arXiv:1307.6540): exact N-marginal OT on sites as an LP over occupation numbers, the
1-D solution by co-motion functions, representability and the mean-field limit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from qmot.manybody import (
    Coulomb,
    Gaussian,
    compare_with_mean_field,
    is_n_representable,
    sce_1d,
    symmetric_ot,
)


def main() -> None:
    x = np.linspace(0.0, 1.0, 10)
    mu = np.full(10, 0.1)
    particles = 5
    lp = symmetric_ot(Coulomb().matrix(x), mu, particles)
    exact = sce_1d(x, mu, particles, Coulomb())
    print(
        f"Coulomb, N = {particles} on 10 sites: LP {lp.cost:.10f}  "
        f"cyclic quantile {exact.cost:.10f}"
    )
    print(f"  {lp!r}")
    print(f"  optimal configurations (occupation vectors):\n{lp.configurations}")

    comparison = compare_with_mean_field(Gaussian(0.3).matrix(x), mu, particles)
    print(
        f"Gaussian cost: F_N = {comparison.per_pair:.6f}, mean field F_∞ = "
        f"{comparison.mean_field:.6f}, lower bound F_∞ − ‖c‖/N = {comparison.sup_norm_lower:.6f}"
    )

    pair = np.array([[0.0, 0.5], [0.5, 0.0]])
    print(
        "½(δ_A⊗δ_B + δ_B⊗δ_A): 2-representable",
        is_n_representable(pair, 2).representable,
        "/ 3-representable",
        is_n_representable(pair, 3).representable,
    )


def plot_pair_measure(out: Path | None) -> None:
    """The optimal pair measure of N = 5 Coulomb particles on 10 sites of [0, 1]."""
    x = np.linspace(0.0, 1.0, 10)
    result = symmetric_ot(Coulomb().matrix(x), np.full(10, 0.1), 5)
    figure, axes = plt.subplots(figsize=(6, 4.5))
    image = axes.imshow(
        result.pair_measure, origin="lower", extent=(-0.05, 1.05, -0.05, 1.05), cmap="viridis"
    )
    figure.colorbar(image, ax=axes, label="pair-measure mass μ₂(x, y)")
    axes.set(
        xlabel="position x of one particle",
        ylabel="position y of another",
        title="Optimal pair measure (Coulomb, N = 5)",
    )
    figure.tight_layout()
    print(f"pair measure: {np.count_nonzero(result.pair_measure > 1e-12)} charged site pairs")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        figure.savefig(out / "pair_measure.png", dpi=110)


if __name__ == "__main__":
    main()
    plot_pair_measure(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
