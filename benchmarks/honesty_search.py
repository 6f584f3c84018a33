"""Adversarial honesty search: run the generators of ``tests/certify`` for a number of seconds
and count, per entry point, solves, "optimal" results, violations (an independent certificate
puts the truth outside the bracket), crashes of qmot (any exception but InvalidInputError
raised inside a qmot call) and errors of the oracles themselves (counted apart: they say
nothing about qmot).

Usage: ``python benchmarks/honesty_search.py SECONDS [FIRST_SEED]`` (from the repository root).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.certify import test_honesty as suite

from qmot.errors import InvalidInputError

ENTRY_POINTS = ("coupling_sdp", "mk2", "dpt_divergence", "w2", "symmetric_ot")


class QmotCrashError(Exception):
    """An exception other than InvalidInputError raised inside a qmot entry point."""


@contextmanager
def observed(statuses: list[str]) -> Iterator[None]:
    """Wrap the suite's qmot entry points: record each status, tag crashes."""
    originals = {name: getattr(suite, name) for name in ENTRY_POINTS}

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = function(*args, **kwargs)
            except InvalidInputError:
                raise
            except Exception as exc:
                raise QmotCrashError(f"{type(exc).__name__}: {exc}") from exc
            statuses.append(result.status)
            return result

        return call

    for name, function in originals.items():
        setattr(suite, name, wrap(function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(suite, name, function)


def main(seconds: float, first_seed: int = 0) -> None:
    names = sorted(suite.CHECKS)
    columns = ("cases", "optimal", "violations", "crashes", "oracle errors")
    table = {name: dict.fromkeys(columns, 0) for name in names}
    examples: list[str] = []
    deadline = time.perf_counter() + seconds
    seed = first_seed
    while time.perf_counter() < deadline:
        for name in names:
            row, statuses = table[name], []
            row["cases"] += 1
            with observed(statuses):
                try:
                    suite.CHECKS[name](seed)
                except AssertionError as exc:
                    row["violations"] += 1
                    examples.append(f"{name} seed {seed}: violation {str(exc)[:160]}")
                except QmotCrashError as exc:
                    row["crashes"] += 1
                    examples.append(f"{name} seed {seed}: crash {str(exc)[:160]}")
                except InvalidInputError:
                    pass
                except Exception:
                    row["oracle errors"] += 1
            row["optimal"] += sum(status == "optimal" for status in statuses)
        seed += 1
    print(f"seeds {first_seed}..{seed - 1}, {seconds:.0f} s")
    print(f"{'entry point':<16}" + "".join(f"{column:>15}" for column in columns))
    for name in names:
        print(f"{name:<16}" + "".join(f"{table[name][column]:>15}" for column in columns))
    for line in examples[:20]:
        print(line)


if __name__ == "__main__":
    main(
        float(sys.argv[1]) if len(sys.argv) > 1 else 60.0,
        int(sys.argv[2]) if len(sys.argv) > 2 else 0,
    )
