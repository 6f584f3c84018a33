"""Reproductions of the papers qmot implements: one module per paper, found by :func:`papers`.

A paper module defines ``PAPER`` (its key, equal to the module's name), ``TITLE`` (authors, title
and year), ``ORDER`` (its place in reports) and ``run(quick=True) -> ExperimentReport``: the
paper's claims, each with qmot's value, its evidence (certified bracket) and a pass/fail
verdict, plus tables and matplotlib figures. Adding a paper is adding such a module; the command
line (``qmot reproduce``) and the report find it here.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType

from qmot.experiments.claims import Claim, ExperimentReport

__all__ = ["Claim", "ExperimentReport", "papers"]

_REQUIRED = ("PAPER", "TITLE", "run")


@functools.cache
def papers() -> dict[str, ModuleType]:
    """Paper key → experiment module, in report order, for every paper module of this package.

    Examples
    --------
    >>> list(papers())[:3]
    ['cgp2020', 'wirth2025', 'cfp2015']
    """
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "claims":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if all(hasattr(module, name) for name in _REQUIRED) and info.name == module.PAPER:
            found.append(module)
    found.sort(key=lambda module: (getattr(module, "ORDER", len(found)), module.PAPER))
    return {module.PAPER: module for module in found}
