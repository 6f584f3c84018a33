"""Symmetric N-body optimal transport: the strictly-correlated-electrons energy.

Seed 003 (Cotar–Friesecke–Pass): exact N-marginal OT on sites as an LP over occupation
numbers, the 1-D solution by co-motion functions, representability and the mean-field limit.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main()
