"""qmot.classical.w2 (POT + certified bracket) vs calling POT's ``ot.emd2`` directly.

The peer is what a user would otherwise write; the ratio shows the price of validation and of
the certificate (c-transforms of the dual, plan residuals). Uniform random clouds in R^2.

Run: ``python benchmarks/bench_classical.py [--quick]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, report

from qmot.classical import w2


def main(quick: bool) -> None:
    import ot

    sizes = (100, 400) if quick else (100, 400, 1000, 2000)
    rows = []
    for size in sizes:
        rng = np.random.default_rng(size)
        x, y = rng.random((size, 2)), rng.random((size, 2)) + 0.5
        a = b = np.full(size, 1.0 / size)
        t_pot, value = best_time(
            lambda *args: ot.emd2(*args[:2], ot.dist(*args[2:])), 3, a, b, x, y
        )
        t_qmot, result = best_time(w2, 3, x, a, y, b)
        rows.append(
            {
                "n": size,
                "POT emd2 s": t_pot,
                "qmot w2 s": t_qmot,
                "qmot/POT time": t_qmot / t_pot,
                "|qmot − POT|": abs(result.cost - value),
                "qmot gap": result.gap,
                "qmot status": result.status,
            }
        )
    path = report("classical", "Classical W2²: qmot.classical.w2 vs ot.emd2", list(rows[0]), rows)
    print(f"wrote {path}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
