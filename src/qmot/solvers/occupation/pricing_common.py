"""What an exact pricing engine returns (:mod:`qmot.solvers.occupation.pricing` compares them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PricingOutcome"]


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
