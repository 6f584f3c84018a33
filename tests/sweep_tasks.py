"""Tasks for the sweep tests (not shipped): importable as ``tests.sweep_tasks:NAME``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from qmot.results import TransportResult


def fails_if(*, x: float = 0.0, fail: bool = False, k: int = 0) -> TransportResult:
    """Raises when ``fail`` is true, otherwise the trivial certified value x²."""
    if fail:
        raise RuntimeError(f"task asked to fail (x = {x})")
    value = float(x) ** 2
    return TransportResult(value, value, value, "optimal", "closed-form")


def logged_square(*, x: int, log: str, seconds: float = 0.2) -> TransportResult:
    """x² after ``seconds``; appends ``x`` and this process's id to the file ``log``."""
    time.sleep(seconds)
    with Path(log).open("a") as handle:
        handle.write(f"{x} {os.getpid()}\n")
    value = float(x) ** 2
    return TransportResult(value, value, value, "optimal", "closed-form")


def sleeps(*, x: int, started: str, seconds: float = 60.0) -> TransportResult:
    """Touches the file ``started``, then sleeps (a long task to interrupt or to lose)."""
    Path(started).touch()
    time.sleep(seconds)
    return TransportResult(float(x), float(x), float(x), "optimal", "closed-form")


def no_result(*, x: int) -> float:
    """Returns a bare number (not a TransportResult)."""
    return float(x)


def blas_threads(*, x: int = 0) -> TransportResult:
    """The largest thread count of the BLAS pools seen from inside the task."""
    from threadpoolctl import threadpool_info

    threads = float(max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"))
    return TransportResult(threads, threads, threads, "optimal", "threadpoolctl")
