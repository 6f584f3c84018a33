r"""A coupling problem restricted to :math:`\operatorname{ran} R \otimes \operatorname{ran} S`.

Every coupling lives there: if :math:`P R = 0` then :math:`\operatorname{tr}((P\otimes 1)Q) = 0`
and :math:`Q \succeq 0` force :math:`Q (P\otimes 1) = 0`. Interior-point solvers need the
reduced marginals to be positive definite (strict feasibility), and the reduced problem is
smaller. Eigenvalues below a relative threshold are cut; :mod:`qmot.certify.supports` makes the
certificates pay for the weight cut, so the bracket stays true for the given problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qmot.certify.margins import rounding_floor
from qmot.certify.supports import SupportCut, split_support
from qmot.linalg import DEFAULT_SUPPORT_RTOL, hermitian_part

__all__ = ["ReducedCoupling", "reduce_to_supports", "rounding_support_rtol"]


@dataclass(frozen=True)
class ReducedCoupling:
    r"""A coupling problem restricted to :math:`\operatorname{ran} R \otimes \operatorname{ran} S`.

    Attributes
    ----------
    cost
        :math:`C' = (U \otimes V)^* C (U \otimes V)`, of size ``(r s) x (r s)``.
    first, second
        Reduced marginals :math:`R' = U^* R U`, :math:`S' = V^* S V` (positive definite,
        renormalised to trace 1 if a dropped tail changed the trace).
    first_basis, second_basis
        Isometries ``U`` (``m x r``) and ``V`` (``n x s``).
    dropped_weight
        Trace dropped from ``R`` and ``S`` by the relative support tolerance.
    cuts
        The two support splits (kept and cut eigenvectors, certified cut weights), with which
        :mod:`qmot.certify.supports` turns certificates of this problem into certificates of
        the given one.
    """

    cost: np.ndarray
    first: np.ndarray
    second: np.ndarray
    first_basis: np.ndarray
    second_basis: np.ndarray
    dropped_weight: tuple[float, float]
    cuts: tuple[SupportCut, SupportCut] | None = None

    @property
    def dims(self) -> tuple[int, int]:
        """Reduced dimensions ``(r, s)``."""
        return self.first.shape[0], self.second.shape[0]

    def lift(self, operator: np.ndarray) -> np.ndarray:
        r"""Map an operator on the reduced space back to :math:`H \otimes K`."""
        isometry = np.kron(self.first_basis, self.second_basis)
        return isometry @ operator @ isometry.conj().T

    def support_cuts(self) -> tuple[SupportCut, SupportCut]:
        """The support splits (nothing cut when the problem was built without them)."""
        if self.cuts is not None:
            return self.cuts
        empty_first = np.zeros((self.first_basis.shape[0], 0), dtype=complex)
        empty_second = np.zeros((self.second_basis.shape[0], 0), dtype=complex)
        return (
            SupportCut(self.first_basis, empty_first, 0.0, 0.0),
            SupportCut(self.second_basis, empty_second, 0.0, 0.0),
        )


def reduce_to_supports(
    cost: np.ndarray, first: np.ndarray, second: np.ndarray, *, rtol: float = DEFAULT_SUPPORT_RTOL
) -> ReducedCoupling:
    """Restrict a validated coupling problem to the supports of its marginals.

    Examples
    --------
    >>> import numpy as np
    >>> R = np.diag([1.0, 0.0])  # a pure state: its support is one-dimensional
    >>> problem = reduce_to_supports(np.eye(4), R, np.eye(2) / 2)
    >>> problem.dims
    (1, 2)
    """
    first_cut, second_cut = split_support(first, rtol), split_support(second, rtol)
    first_basis, second_basis = first_cut.kept, second_cut.kept
    reduced_first = hermitian_part(first_basis.conj().T @ first @ first_basis)
    reduced_second = hermitian_part(second_basis.conj().T @ second @ second_basis)
    reduced_first /= np.trace(reduced_first).real
    reduced_second /= np.trace(reduced_second).real
    isometry = np.kron(first_basis, second_basis)
    reduced_cost = hermitian_part(isometry.conj().T @ cost @ isometry)
    return ReducedCoupling(
        cost=reduced_cost,
        first=reduced_first,
        second=reduced_second,
        first_basis=first_basis,
        second_basis=second_basis,
        dropped_weight=(first_cut.dropped_eigenvalues, second_cut.dropped_eigenvalues),
        cuts=(first_cut, second_cut),
    )


def rounding_support_rtol(first: np.ndarray, second: np.ndarray) -> float:
    """The support tolerance that cuts only eigenvalues at the rounding floor of both marginals
    (:func:`qmot.certify.margins.rounding_floor`), relative to the largest eigenvalue."""
    ratios = []
    for marginal in (first, second):
        top = float(np.linalg.eigvalsh(marginal)[-1])
        ratios.append(rounding_floor(marginal) / top if top > 0 else 0.0)
    return min(ratios)
