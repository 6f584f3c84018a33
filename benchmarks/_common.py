"""Timing and reporting helpers shared by the benchmarks (not part of the package)."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS_DIR = Path(__file__).parent / "results"


def best_time(func: Callable[..., Any], repeats: int, *args: Any) -> tuple[float, Any]:
    """Best wall-clock time of ``repeats`` calls ``func(*args)``, and the last return value."""
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = func(*args)
        best = min(best, time.perf_counter() - start)
    return best, value


def report(name: str, title: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> Path:
    """Print a rich table of ``rows`` and write them (with the machine) to results/NAME.json."""
    table = Table(title=title, expand=False)
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    Console(width=max(160, 14 * len(columns))).print(table)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
    }
    path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, default=str))
    return path


def naive_coupling_sdp(
    cost: Any, first: Any, second: Any, solver: str, **options: Any
) -> tuple[str, float]:
    """The coupling SDP typed straight into cvxpy, as users do by hand (no support reduction).

    Returns ``(status, value)``; a solver exception is reported as status ``"solver_error"``.
    """
    import warnings

    import cvxpy as cp

    m, n = first.shape[0], second.shape[0]
    coupling = cp.Variable((m * n, m * n), hermitian=True)
    problem = cp.Problem(
        cp.Minimize(cp.real(cp.trace(cost @ coupling))),
        [
            coupling >> 0,
            cp.partial_trace(coupling, [m, n], axis=1) == first,
            cp.partial_trace(coupling, [m, n], axis=0) == second,
        ],
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problem.solve(solver=solver, **options)
    except cp.error.SolverError:
        return "solver_error", float("nan")
    value = float(problem.value) if problem.value is not None else float("nan")
    return str(problem.status), value


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)
