"""Ctrl-C within a fraction of a second, even while a solver is inside one long C call.

Python raises :class:`KeyboardInterrupt` only between bytecodes of the main thread, so a single
LAPACK eigendecomposition of a 961-dimensional coupling on a busy machine, or a HiGHS MILP in
column generation, delays Ctrl-C by as long as that call lasts (28 s and 54–57 s were seen).

:func:`interruptible` runs a solve in a worker thread while the main thread waits in short
slices; Ctrl-C raises :class:`KeyboardInterrupt` in the caller at once and sets the worker's
cancel flag. The worker stops at its next check — :func:`raise_if_cancelled` between the
iterations of the long loops, and every 0.1 s while HiGHS runs (:func:`run_highs` asks HiGHS to
stop through its interrupt callbacks) — and its result is discarded. Calls made outside the
main thread, or from inside a solve, run directly.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SolveCancelled", "cancelled", "interruptible", "raise_if_cancelled", "run_highs"]

_Function = TypeVar("_Function", bound=Callable[..., Any])

_POLL = 0.05
"""Seconds between the main thread's checks for Ctrl-C while a solve runs."""

GRACE = 0.25
"""Seconds an interrupted caller waits for the solve to unwind before it returns anyway."""

HIGHS_GRACE = 0.3
"""Seconds an interrupted HiGHS run is given to stop (its MIP checks interrupts only between
phases; one that does not stop in time finishes in the background)."""

_local = threading.local()


class SolveCancelled(KeyboardInterrupt):
    """Raised inside an abandoned solve (its caller got Ctrl-C) to unwind it quickly."""


def _cancel_flag() -> threading.Event | None:
    return getattr(_local, "cancel", None)


def cancelled() -> bool:
    """Whether the caller of the current solve was interrupted (for solvers' own callbacks)."""
    flag = _cancel_flag()
    return flag is not None and flag.is_set()


def raise_if_cancelled() -> None:
    """Stop the current solve if its caller was interrupted (call between iterations)."""
    flag = _cancel_flag()
    if flag is not None and flag.is_set():
        raise SolveCancelled("the caller of this solve was interrupted")


def interruptible(function: _Function) -> _Function:
    """Run ``function`` in a worker thread so that Ctrl-C reaches the caller at once.

    The result, or the exception, of the worker is handed back unchanged; on Ctrl-C the caller
    gets :class:`KeyboardInterrupt` within :data:`_POLL` seconds and the worker is told to stop.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread() or _cancel_flag():
            return function(*args, **kwargs)
        cancel = threading.Event()
        outcome: dict[str, Any] = {}

        def work() -> None:
            _local.cancel = cancel
            try:
                outcome["value"] = function(*args, **kwargs)
            except BaseException as exc:  # handed to the caller as it is
                outcome["error"] = exc

        worker = threading.Thread(target=work, name=f"qmot-{function.__name__}", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(_POLL)
        except KeyboardInterrupt:
            cancel.set()
            worker.join(GRACE)  # most solves stop at their next check; then exit is clean
            raise
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return wrapper  # type: ignore[return-value]


_RUNNING: set[Any] = set()
"""HiGHS objects whose solve is in progress (an interrupted one may still be finishing)."""


def _exit_without_destructors() -> None:
    """At exit, if an interrupted HiGHS solve is still running, end the process as Ctrl-C does.

    C++ static destructors would otherwise tear HiGHS down under its running thread and abort
    the process (``terminate called without an active exception``). Registered with
    :mod:`atexit`, so it runs after the ``KeyboardInterrupt`` traceback is printed.
    """
    if not _RUNNING:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


atexit.register(_exit_without_destructors)


def run_highs(highs: Any) -> None:
    """``highs.run()`` that stops within about 0.5 s of Ctrl-C or of a cancelled solve.

    HiGHS runs in a thread of its own with its simplex, IPM and MIP interrupt callbacks enabled
    (``HandleUserInterrupt``); this thread waits in slices of 0.1 s and, on Ctrl-C or
    cancellation, asks HiGHS to stop (``cancelSolve``), waits for it at most
    :data:`HIGHS_GRACE` seconds and re-raises (a MIP that stops later finishes in the
    background). highspy's own ``startSolve`` is not used: it resets HiGHS's global thread
    scheduler after each run, which breaks solves running at once in other threads.
    """
    highs.HandleUserInterrupt = True
    finished = threading.Event()
    failure: list[BaseException] = []

    def solve() -> None:
        try:
            highs.run()
        except BaseException as exc:  # handed to the caller
            failure.append(exc)
        finally:
            finished.set()
            _RUNNING.discard(highs)

    _RUNNING.add(highs)
    threading.Thread(target=solve, name="qmot-highs", daemon=True).start()
    try:
        while not finished.wait(0.1):
            raise_if_cancelled()
    except KeyboardInterrupt:
        highs.cancelSolve()  # HiGHS stops at its next interrupt check
        finished.wait(HIGHS_GRACE)
        raise
    if failure:
        raise failure[0]
