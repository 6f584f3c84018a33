"""HiGHS models that print nothing.

The HiGHS library writes a copyright banner to the process's standard output when the first
model of a process is constructed, before any option can be set. :func:`quiet_highs` builds
models with ``output_flag`` off and sends that one banner to the null device, so a qmot command
prints only its own output.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from typing import Any

__all__ = ["quiet_highs"]

_LOCK = threading.Lock()
_banner_swallowed = False


def _flush_c_stdout() -> None:
    with contextlib.suppress(OSError, AttributeError):  # no C runtime to flush: nothing buffered
        ctypes.CDLL(None).fflush(None)


def _construct_silently(factory: Any) -> Any:
    """Call ``factory()`` with file descriptor 1 pointed at the null device."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no standard output at all: nothing can be printed anyway
        return factory()
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        return factory()
    finally:
        _flush_c_stdout()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def quiet_highs() -> Any:
    """A new ``highspy.Highs`` model with its output turned off (and no banner printed)."""
    global _banner_swallowed
    import highspy

    if _banner_swallowed:
        highs = highspy.Highs()
    else:
        with _LOCK:
            highs = _construct_silently(highspy.Highs)
            _banner_swallowed = True
    highs.setOptionValue("output_flag", False)
    return highs
