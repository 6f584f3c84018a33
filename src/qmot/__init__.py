"""qmot: quantum and many-body optimal transport with certified results.

Submodules are imported on first use (``qmot.classical``, ``qmot.sdp``, ...), so
``import qmot`` stays fast and sets up no solver.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from qmot._threads import set_threads
from qmot._version import __version__
from qmot.errors import InfeasibleError, InvalidInputError, QmotError, SolverError
from qmot.results import TransportResult

__all__ = [
    "InfeasibleError",
    "InvalidInputError",
    "QmotError",
    "SolverError",
    "TransportResult",
    "__version__",
    "classical",
    "linalg",
    "manybody",
    "quantum",
    "sdp",
    "set_threads",
]

_LAZY_SUBMODULES = frozenset({"classical", "linalg", "sdp", "cli", "quantum", "manybody"})


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"qmot.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'qmot' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY_SUBMODULES)
