"""Classical W₂² between weighted point sets: the baseline of every quantum number.
================================================================================

Reproduces the two classical bipartite problems of Caglioti–Golse–Paul 2020 (§1):
equal masses at ±a → ±b cost (a − b)², and unequal masses (1 ∓ η)/2 at ∓a → ½ at ∓a cost 2ηa².
"""

from __future__ import annotations

import numpy as np

from qmot.classical import w2, w2_1d


def main() -> None:
    a, b, eta = 1.0, 1.5, 0.2
    equal = w2([-a, a], [0.5, 0.5], [-b, b], [0.5, 0.5])
    unequal = w2([-a, a], [(1 - eta) / 2, (1 + eta) / 2], [-a, a], [0.5, 0.5])
    print("Classical bipartite matching (Caglioti–Golse–Paul 2020, section 1)")
    print(
        f"  equal masses   a={a}, b={b}:  W2^2 = {equal.cost:.12g}   paper (a-b)^2 = {(a - b) ** 2}"
    )
    print(f"    {equal!r}")
    print(
        f"  unequal masses a=b={a}, eta={eta}: W2^2 = {unequal.cost:.12g}   paper 2*eta*a^2 = "
        f"{2 * eta * a**2:.12g}"
    )
    print(f"    plan:\n{np.array2string(unequal.plan, precision=4)}")

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=200), rng.normal(loc=1.0, size=150)
    simplex, quantile = w2(x, None, y, None), w2_1d(x, None, y, None)
    print("Random 1-D clouds (200 vs 150 points): network simplex vs quantile formula")
    print(f"    {simplex!r}\n    {quantile!r}")
    print(f"    |difference| = {abs(simplex.cost - quantile.cost):.2e}")


if __name__ == "__main__":
    main()
