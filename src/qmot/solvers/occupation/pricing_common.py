"""What an exact pricing engine is asked and what it returns (the engines of
:mod:`qmot.solvers.occupation.pricing` share these)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PricingOutcome", "PricingRequest"]


@dataclass(frozen=True)
class PricingOutcome:
    """One engine's answer to a pricing problem.

    ``configuration`` is the best occupation vector found (``None`` when none was), and
    ``lower_bound`` a certified lower bound on the minimum reduced cost whether or not the
    search was ``complete`` (``status`` is the engine's own word for how it ended; ``nodes``
    counts its branch-and-bound nodes).
    """

    configuration: np.ndarray | None
    lower_bound: float
    complete: bool
    status: str
    nodes: int


@dataclass(frozen=True)
class PricingRequest:
    r"""One pricing problem :math:`\min_{|n| = N} c(n) - y^\top n/N` and the engine's limits.

    ``incumbent`` (with its reduced cost ``incumbent_value``) is a known configuration; the
    engine stops once its lower bound is within ``allowed_gap`` of its best value, or after
    ``time_limit`` seconds.
    """

    cost: np.ndarray
    y: np.ndarray
    particles: int
    time_limit: float
    allowed_gap: float
    incumbent: np.ndarray | None = None
    incumbent_value: float | None = None
