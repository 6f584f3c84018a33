r"""Certificates of coupling SDPs: exactly feasible dual and primal points, and their lifting.

For the problem (Caglioti–Golse–Paul, *Quantum optimal transport is cheaper*, §2)
:math:`\min\{\operatorname{tr}(CQ) : Q \succeq 0, \operatorname{tr}_2 Q = R,
\operatorname{tr}_1 Q = S\}` and its dual :math:`\max\{\operatorname{tr}(RA) +
\operatorname{tr}(SB) : C - A\otimes I - I\otimes B \succeq 0\}`:

* **lower bound** (:func:`certify_dual`): the dual point is shifted by the least eigenvalue of
  :math:`C' - A'\otimes I - I \otimes B'` minus the rounding margin of
  :mod:`qmot.certify.margins`, which makes it exactly feasible; its objective is a lower bound;
* **upper bound** (:func:`certify_primal`): the primal point is projected on the PSD cone,
  operator-scaled, its marginals corrected exactly by
  :math:`E = \Delta R \otimes S' + R' \otimes \Delta S - (\operatorname{tr}\Delta R) R'\otimes S'`,
  and mixed with the strictly positive product coupling :math:`R' \otimes S'` just enough to be
  PSD; its objective is an upper bound;
* **lifting** (:func:`lift_certificate`): both are turned into certificates of the problem the
  user gave, paying for the support cut (:mod:`qmot.certify.supports`).

No function here trusts a solver's claim: each takes points and returns what they prove.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qmot.certify.margins import eigenvalue_margin
from qmot.certify.supports import SupportCut, lift_coupling, lift_lower_bound
from qmot.certify.tolerance import Tolerance
from qmot.linalg import hermitian_part, kron_left, kron_right, partial_trace, psd_power, psd_sqrt
from qmot.results import OPTIMAL, Status

__all__ = [
    "FINE_SCALING_SWEEPS",
    "SCALED_DEFECT",
    "SCALING_SWEEPS",
    "CouplingCertificate",
    "GivenCoupling",
    "ReducedProblem",
    "certify_dual",
    "certify_primal",
    "combine",
    "coupling_status",
    "failed_stage",
    "lift_certificate",
    "marginal_residuals",
]

SCALED_DEFECT = 1e-14
"""Operator scaling stops once the marginal defects (Frobenius norms, summed) are this small."""
SCALING_SWEEPS = 20
"""Operator-scaling sweeps of :func:`certify_primal` by default (enough for interior-point
couplings, whose marginal defects are ≈ 1e-9)."""
FINE_SCALING_SWEEPS = 100
"""Sweeps of the second, finer primal certification, run only when the first leaves the gap
above the tolerance. Near-rank-deficient entropic couplings scale slowly and the mixing with
``R ⊗ S`` costs the remaining defect times ``tr(C R⊗S) − tr(CQ)``: on a 728-dimensional
Golse–Paul coupling 20 / 50 / 100 / 300 sweeps certified 1.233398 / 1.233313 / 1.233305 /
1.233305 (dual bound 1.233258), at 0.8 / 1.4 / 2.2 / 6.1 s."""


class ReducedProblem(Protocol):
    """What the certificates read of a reduced coupling problem
    (:class:`qmot.reductions.supports.ReducedCoupling` is one)."""

    cost: np.ndarray
    first: np.ndarray
    second: np.ndarray
    first_basis: np.ndarray
    second_basis: np.ndarray

    @property
    def dims(self) -> tuple[int, int]: ...

    def support_cuts(self) -> tuple[SupportCut, SupportCut]: ...


@dataclass(frozen=True)
class GivenCoupling:
    """The problem as the user gave it (validated): every bracket is certified for it.

    ``cost_error`` bounds :math:`\\|\\hat C - C\\|_{op}` when ``cost`` is a computed
    approximation of the user's cost operator.
    """

    cost: np.ndarray
    first: np.ndarray
    second: np.ndarray
    cost_error: float = 0.0


@dataclass(frozen=True)
class CouplingCertificate:
    """A certified primal point and a certified dual point of the *given* problem.

    ``coupling`` is a coupling of the given marginals on the full space; ``first_potential``
    and ``second_potential`` live on the full spaces (zero off the kept supports) and are
    exactly dual feasible on the kept supports; ``lower`` already pays ``support_penalty`` for
    the weight cut from the marginals (:func:`qmot.certify.supports.lift_lower_bound`).
    ``timed_out`` records that a solver stage ran out of time.
    """

    coupling: np.ndarray
    upper: float
    first_potential: np.ndarray
    second_potential: np.ndarray
    lower: float
    slack: float
    solver_status: str
    solver: str
    support_penalty: float = 0.0
    marginal_floor: float = 0.0
    timed_out: bool = False

    def within(self, tol: Tolerance) -> bool:
        """Whether the certified bracket meets ``tol``."""
        return tol.met(self.upper, self.lower)


def certify_dual(
    problem: ReducedProblem, first_potential: np.ndarray, second_potential: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, float]:
    r"""Make a dual point exactly feasible and return its objective (a lower bound).

    ``A' ← A' + (λ_min(C' − A'⊗I − I⊗B') − margin) I`` where the margin covers rounding
    in the eigenvalue computation (:func:`qmot.certify.margins.eigenvalue_margin`).

    Returns
    -------
    first_potential, second_potential, lower_bound, slack
        The shifted ``A'``, ``B'``, the dual objective and the least eigenvalue of the slack
        after the shift (non-negative up to rounding).
    """
    r, s = problem.dims
    first_potential = hermitian_part(first_potential)
    second_potential = hermitian_part(second_potential)
    first_part, second_part = kron_left(first_potential, s), kron_right(r, second_potential)
    slack = hermitian_part(problem.cost - first_part - second_part)
    least = float(np.linalg.eigvalsh(slack)[0])
    parts = (problem.cost, first_part, second_part)
    formed_from = sum(float(np.linalg.norm(part)) for part in parts)
    shift = least - eigenvalue_margin(slack, magnitude=formed_from)
    first_potential = first_potential + shift * np.eye(r)
    lower = float(
        np.trace(problem.first @ first_potential).real
        + np.trace(problem.second @ second_potential).real
    )
    return first_potential, second_potential, lower, least - shift


def _scale_marginals(problem: ReducedProblem, coupling: np.ndarray, sweeps: int) -> np.ndarray:
    r"""Alternating congruences :math:`Q \mapsto (X \otimes I) Q (X \otimes I)^*` with
    :math:`X = R'^{1/2} (\operatorname{tr}_2 Q)^{-1/2}` (and likewise on the second factor).

    Each step keeps :math:`Q \succeq 0` exactly and fixes one marginal; alternating shrinks
    both defects (operator Sinkhorn scaling), so the linear correction that follows is tiny.
    """
    r, s = problem.dims
    first_root, second_root = psd_sqrt(problem.first), psd_sqrt(problem.second)
    for _ in range(sweeps):
        first_marginal = partial_trace(coupling, (r, s), traced=2)
        defect = np.linalg.norm(first_marginal - problem.first) + np.linalg.norm(
            partial_trace(coupling, (r, s), traced=1) - problem.second
        )
        if defect <= SCALED_DEFECT or np.linalg.eigvalsh(first_marginal)[0] <= 0:
            break
        coupling = _congruence(coupling, first_root @ psd_power(first_marginal, -0.5), r, s, 0)
        second_marginal = partial_trace(coupling, (r, s), traced=1)
        if np.linalg.eigvalsh(second_marginal)[0] <= 0:
            break
        coupling = _congruence(coupling, second_root @ psd_power(second_marginal, -0.5), r, s, 1)
    return coupling


def _congruence(coupling: np.ndarray, factor: np.ndarray, r: int, s: int, side: int) -> np.ndarray:
    r""":math:`(X\otimes I)Q(X\otimes I)^*` (``side=0``) or :math:`(I\otimes X)Q(I\otimes X)^*`
    (``side=1``) by tensor contractions, :math:`O(n^2(r+s))` instead of :math:`O(n^3)`."""
    blocks = coupling.reshape(r, s, r, s)
    if side == 0:
        blocks = np.tensordot(factor, blocks, axes=(1, 0))
        blocks = np.tensordot(blocks, factor.conj(), axes=(2, 1)).transpose(0, 1, 3, 2)
    else:
        blocks = np.tensordot(factor, blocks, axes=(1, 1)).transpose(1, 0, 2, 3)
        blocks = np.tensordot(blocks, factor.conj(), axes=(3, 1))
    return hermitian_part(blocks.reshape(r * s, r * s))


def certify_primal(
    problem: ReducedProblem, coupling: np.ndarray, *, scaling_sweeps: int = SCALING_SWEEPS
) -> tuple[np.ndarray, float]:
    r"""Turn an approximate coupling into an exactly feasible one; return it and its cost.

    Steps: project onto the PSD cone; shrink the marginal defects by operator scaling
    (congruences keep positivity); add the exact marginal correction
    :math:`E = \Delta R \otimes S' + R' \otimes \Delta S - (\operatorname{tr}\Delta R) R'\otimes S'`
    (which has :math:`\operatorname{tr}_2 E = \Delta R`, :math:`\operatorname{tr}_1 E = \Delta S`);
    mix with :math:`R' \otimes S' \succeq \lambda_{\min}(R')\lambda_{\min}(S') I` just enough
    to restore positivity.
    """
    r, s = problem.dims
    eigenvalues, vectors = np.linalg.eigh(hermitian_part(coupling))
    projected = (vectors * np.clip(eigenvalues, 0.0, None)) @ vectors.conj().T
    projected = _scale_marginals(problem, projected, scaling_sweeps)
    product = np.kron(problem.first, problem.second)
    first_defect = problem.first - partial_trace(projected, (r, s), traced=2)
    second_defect = problem.second - partial_trace(projected, (r, s), traced=1)
    trace_defect = float(np.trace(first_defect).real)
    corrected = (
        projected
        + np.kron(first_defect, problem.second)
        + np.kron(problem.first, second_defect)
        - trace_defect * product
    )
    corrected = hermitian_part(corrected)
    weight = _mixing_weight(corrected, problem.first, problem.second)
    certified = hermitian_part((1.0 - weight) * corrected + weight * product)
    return certified, float(np.trace(problem.cost @ certified).real)


def _mixing_weight(corrected: np.ndarray, first: np.ndarray, second: np.ndarray) -> float:
    r"""Smallest ``t`` with :math:`(1-t)\,Q + t\,R'\otimes S' \succeq 0`, verified numerically.

    Exact value: :math:`t = -\lambda/(1-\lambda)` with :math:`\lambda = \lambda_{\min}(P^{-1/2}
    Q P^{-1/2})`, :math:`P = R'\otimes S'` — of the order of the *relative* marginal defect.
    If rounding makes that candidate fail the eigenvalue check, fall back to the cruder but
    robust :math:`t = \nu/(\nu + \lambda_{\min}(R')\lambda_{\min}(S'))`, :math:`\nu` the
    negativity of :math:`Q` plus a rounding margin. The check accepts computed eigenvalues down
    to minus the rounding margin of the eigenvalue computation (the margin used by
    :func:`certify_dual`).
    """
    product = np.kron(first, second)
    whitening = np.kron(psd_power(first, -0.5), psd_power(second, -0.5))
    relative = float(np.linalg.eigvalsh(hermitian_part(whitening @ corrected @ whitening))[0])
    if relative >= 0:
        candidate = 0.0
    else:
        candidate = min(1.0, -relative / (1.0 - relative) * (1.0 + 1e-9) + 1e-15)
    mixed = hermitian_part((1.0 - candidate) * corrected + candidate * product)
    if float(np.linalg.eigvalsh(mixed)[0]) >= -eigenvalue_margin(mixed):
        # eigenvalues within the rounding margin of 0 are 0: with marginal eigenvalues near
        # 1e-12 every coupling has eigenvalues below what a floating-point check can resolve
        return candidate
    negativity = max(0.0, -float(np.linalg.eigvalsh(corrected)[0])) + eigenvalue_margin(corrected)
    floor = float(np.linalg.eigvalsh(first)[0] * np.linalg.eigvalsh(second)[0])
    return min(1.0, max(candidate, negativity / (negativity + floor)))


def lift_certificate(
    problem: ReducedProblem,
    given: GivenCoupling,
    coupling: np.ndarray,
    potentials: tuple[np.ndarray, np.ndarray, float],
    solver_status: str,
    solver: str,
    *,
    timed_out: bool = False,
) -> CouplingCertificate:
    """Certificates of the reduced problem → certificates of the given one.

    ``coupling`` is an exactly feasible coupling of the reduced problem and ``potentials`` an
    exactly feasible dual point ``(A', B', slack)`` of it (:func:`certify_primal`,
    :func:`certify_dual`).
    """
    first_potential, second_potential, slack = potentials
    first_cut, second_cut = problem.support_cuts()
    U, V = problem.first_basis, problem.second_basis
    lower, gauge, penalty = lift_lower_bound(
        given.cost,
        first_cut,
        second_cut,
        U.conj().T @ given.first @ U,
        V.conj().T @ given.second @ V,
        first_potential,
        second_potential,
    )
    full_coupling, upper = lift_coupling(
        given.cost, given.first, given.second, first_cut, second_cut, coupling
    )
    r, s = problem.dims
    return CouplingCertificate(
        coupling=full_coupling,
        upper=upper,
        first_potential=U @ (first_potential + gauge * np.eye(r)) @ U.conj().T,
        second_potential=V @ (second_potential - gauge * np.eye(s)) @ V.conj().T,
        lower=lower,
        slack=slack,
        solver_status=solver_status,
        solver=solver,
        support_penalty=penalty,
        marginal_floor=float(
            min(np.linalg.eigvalsh(problem.first)[0], np.linalg.eigvalsh(problem.second)[0])
        ),
        timed_out=timed_out,
    )


def failed_stage(given: GivenCoupling, solver: str, error: BaseException) -> CouplingCertificate:
    r"""A stage that crashed contributes the trivial certified points: the product coupling
    :math:`R\otimes S` (upper) and :math:`-\infty` (lower)."""
    product = np.kron(given.first, given.second)
    upper = float(np.sum(given.cost.T * product).real)
    m, n = given.first.shape[0], given.second.shape[0]
    return CouplingCertificate(
        coupling=product,
        upper=upper,
        first_potential=np.zeros((m, m), dtype=complex),
        second_potential=np.zeros((n, n), dtype=complex),
        lower=-np.inf,
        slack=float("nan"),
        solver_status=f"failed ({type(error).__name__}: {error})".replace("\n", " ")[:200],
        solver=solver,
        support_penalty=0.0,
    )


def combine(first: CouplingCertificate, second: CouplingCertificate) -> CouplingCertificate:
    """Both brackets are certified: keep the better primal point and the better dual point."""
    primal = first if first.upper <= second.upper else second
    dual = first if first.lower >= second.lower else second
    names = first.solver if first.solver == second.solver else f"{first.solver} + {second.solver}"
    return CouplingCertificate(
        primal.coupling,
        primal.upper,
        dual.first_potential,
        dual.second_potential,
        dual.lower,
        dual.slack,
        f"{first.solver_status}; {second.solver_status}",
        names,
        dual.support_penalty,
        dual.marginal_floor,
        first.timed_out or second.timed_out,
    )


def coupling_status(upper: float, lower: float, tol: Tolerance, timed_out: bool) -> Status:
    """``"optimal"`` when the certified bracket is within ``tol``; otherwise why not."""
    if tol.met(upper, lower):
        return OPTIMAL
    return Status.TIME_LIMIT if timed_out else Status.GAP_EXCEEDS_TOLERANCE


def marginal_residuals(
    coupling: np.ndarray, first: np.ndarray, second: np.ndarray
) -> Mapping[str, float]:
    """Largest entries of the marginal defects of ``coupling`` (evidence for the result)."""
    dims = (first.shape[0], second.shape[0])
    return {
        "marginal_R": float(np.abs(partial_trace(coupling, dims, traced=2) - first).max()),
        "marginal_S": float(np.abs(partial_trace(coupling, dims, traced=1) - second).max()),
    }
