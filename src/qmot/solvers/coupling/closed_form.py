"""The coupling problem with a one-dimensional reduced side: the product is the only coupling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from qmot.solvers.base import CouplingSolver, RawCoupling, RunControl, SolverStatus

if TYPE_CHECKING:
    from qmot.reductions.supports import ReducedCoupling

__all__ = ["ProductCoupling"]


@dataclass(frozen=True)
class ProductCoupling(CouplingSolver):
    """Optimiser when a reduced side is one-dimensional: :math:`R'\\otimes S'` is the only
    coupling. With ``r = 1`` the dual pair ``A' = 0``, ``B' = C'`` has zero slack, so the
    bracket closes (likewise with ``s = 1``)."""

    name: ClassVar[str] = "closed-form (product coupling)"

    def __call__(self, problem: ReducedCoupling, control: RunControl) -> RawCoupling:
        r, s = problem.dims
        if min(r, s) != 1:
            raise ValueError(f"the product coupling is forced only when r or s is 1 (got {r, s})")
        coupling = np.kron(problem.first, problem.second)
        if r == 1:
            first, second = np.zeros((1, 1), dtype=complex), problem.cost.copy()
        else:
            first, second = problem.cost.copy(), np.zeros((s, s), dtype=complex)
        return RawCoupling(coupling, first, second, SolverStatus.CLOSED_FORM, self.name)
