"""Adversarial honesty search: run the generators of ``tests/certify`` for a number of seconds
and count, per entry point, solves, "optimal" results, violations (an independent certificate
puts the truth outside the bracket) and crashes (any exception but InvalidInputError).

Usage: ``python benchmarks/honesty_search.py SECONDS`` (from the repository root).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from tests.certify import test_honesty as suite

from qmot.errors import InvalidInputError


def main(seconds: float) -> None:
    names = sorted(suite.CHECKS)
    table = {name: {"solves": 0, "optimal": 0, "violations": 0, "crashes": 0} for name in names}
    deadline = time.perf_counter() + seconds
    seed = 0
    while time.perf_counter() < deadline:
        for name in names:
            row = table[name]
            try:
                row["solves"] += 1
                suite.CHECKS[name](seed)
            except AssertionError:
                row["violations"] += 1
            except InvalidInputError:
                pass
            except Exception:
                row["crashes"] += 1
        seed += 1
    _count_optimal(table, names, seed)
    print(f"{'entry point':<16} {'solves':>7} {'optimal':>8} {'violations':>11} {'crashes':>8}")
    for name in names:
        row = table[name]
        print(
            f"{name:<16} {row['solves']:>7} {row['optimal']:>8} {row['violations']:>11} "
            f"{row['crashes']:>8}"
        )


def _count_optimal(table: dict, names: list[str], seeds: int) -> None:
    """Re-solve (without oracles) to count "optimal" statuses: cheap next to the oracles."""
    import qmot.quantum as quantum
    from qmot import classical, manybody, sdp

    counters = {name: 0 for name in names}
    targets = [
        (sdp, "coupling_sdp"),
        (quantum, "mk2"),
        (quantum, "dpt_divergence"),
        (classical, "w2"),
        (manybody, "symmetric_ot"),
    ]
    current = {"name": None}
    originals = {}
    for module, attr in targets:
        function = getattr(module, attr)
        originals[(module, attr)] = function

        def wrapped(*args, __function=function, **kwargs):
            result = __function(*args, **kwargs)
            if result.status == "optimal":
                counters[current["name"]] += 1
            raise _StopError

        setattr(suite, attr, wrapped)
    try:
        for name in names:
            current["name"] = name
            for seed in range(seeds):
                with contextlib.suppress(Exception):
                    suite.CHECKS[name](seed)
    finally:
        for module, attr in targets:
            setattr(suite, attr, originals[(module, attr)])
    for name in names:
        table[name]["optimal"] = counters[name]


class _StopError(Exception):
    pass


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
