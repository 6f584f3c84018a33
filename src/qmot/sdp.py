r"""Coupling SDPs with certified brackets; the only module of qmot that talks to cvxpy.

The problem (Caglioti–Golse–Paul, *Quantum optimal transport is cheaper*, definition of
:math:`MK_\hbar` and its Kantorovich dual):

.. math::

    \min_{Q} \operatorname{tr}(C Q) \quad\text{s.t.}\quad Q \succeq 0,\;
    \operatorname{tr}_2 Q = R,\; \operatorname{tr}_1 Q = S,

    \max_{A, B} \operatorname{tr}(R A) + \operatorname{tr}(S B) \quad\text{s.t.}\quad
    C - A \otimes I - I \otimes B \succeq 0.

Pipeline: validate → reduce to :math:`\operatorname{ran} R \otimes \operatorname{ran} S`
(every coupling lives there: if :math:`P R = 0` then :math:`\operatorname{tr}((P\otimes 1)Q) = 0`
and :math:`Q \succeq 0` force :math:`Q (P\otimes 1) = 0`) → solve (closed form when a reduced
side is one-dimensional, otherwise an interior-point SDP) → certify:

* **lower bound**: the dual point is shifted by the least eigenvalue of
  :math:`C' - A'\otimes I - I \otimes B'` (minus a rounding margin), which makes it exactly
  feasible, and its objective is a lower bound;
* **upper bound**: the primal point is projected on the PSD cone, its marginals are
  corrected exactly by the rank-correction
  :math:`E = \Delta R \otimes S' + R' \otimes \Delta S - (\operatorname{tr}\Delta R) R'\otimes S'`,
  and it is mixed with the strictly positive product coupling :math:`R' \otimes S'` just enough
  to be PSD. Its objective is an upper bound, and that coupling is the one returned.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot._memory import check_memory, conic_sdp_bytes
from qmot._solver_options import check_coupling_solver_options
from qmot._threads import lapack_owns_the_cores
from qmot._validation import as_density_matrix, as_hermitian, check_seconds
from qmot.certify.margins import eigenvalue_margin, rounding_floor
from qmot.certify.supports import (
    SupportCut,
    cut_penalty,
    lift_coupling,
    lift_lower_bound,
    split_support,
)
from qmot.certify.tolerance import DEFAULT_ATOL, DEFAULT_RTOL, Tolerance
from qmot.errors import InvalidInputError, SolverError
from qmot.linalg import (
    DEFAULT_SUPPORT_RTOL,
    hermitian_part,
    kron_left,
    kron_right,
    partial_trace,
    psd_power,
    psd_sqrt,
)
from qmot.results import OPTIMAL, TransportResult

__all__ = [
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "DEFAULT_TOL",
    "SDP_SOLVERS",
    "ReducedCoupling",
    "certify_dual",
    "certify_primal",
    "check_solver_options",
    "coupling_sdp",
    "reduce_to_supports",
    "solve_coupling",
    "solve_reduced_coupling",
]

DEFAULT_TOL = DEFAULT_RTOL
"""Default relative tolerance (kept under its former name); the rule that decides
``"optimal"`` is :class:`qmot.certify.tolerance.Tolerance` (``atol`` and ``rtol``)."""

SDP_SOLVERS = ("AUTO", "QMOT-IPM", "QMOT-ENTROPIC", "CLARABEL", "SCS")
"""``QMOT-IPM``: qmot's structured interior-point method (:mod:`qmot.ipm`); ``QMOT-ENTROPIC``:
qmot's first-order entropic solver for large couplings (:mod:`qmot.first_order`); ``CLARABEL``
and ``SCS``: generic conic solvers driven through cvxpy; ``AUTO`` (the default): QMOT-IPM up to
reduced dimension ``AUTO_FIRST_ORDER_DIM`` and QMOT-ENTROPIC above; when QMOT-IPM misses the
tolerance, Clarabel (up to ``AUTO_FALLBACK_DIM``) or QMOT-ENTROPIC (above) runs too, keeping the
better certified primal and dual points."""
DEFAULT_SOLVER = "AUTO"
AUTO_FALLBACK_DIM = 49
"""Largest reduced coupling dimension r·s for which ``AUTO`` falls back to Clarabel."""
AUTO_FIRST_ORDER_DIM = 400
"""Largest reduced coupling dimension r·s that ``AUTO`` gives to QMOT-IPM first. Measured
(1 thread): QMOT-IPM certifies 1e-8 gaps in 3–5 s at r·s = 195–247 (thermal states with
quadrature costs, Wirth §3), where QMOT-ENTROPIC needed ≈ 30 s for 5e-5 (before its warm
eigensolver); but it stalls far from optimal on coherent mixtures whose reduced marginals have
condition numbers ≈ 1e11 (r·s = 256, 480), where QMOT-ENTROPIC certifies 1e-4 (11 s at 256,
40 s at 480 on 2 cores, ``benchmarks/bench_first_order.py``). Above 400 an interior-point
iteration costs seconds, so QMOT-ENTROPIC goes first."""
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
FINE_SCALING_WITHIN = 3.0
"""QMOT-ENTROPIC re-certifies finely when the gap is within this many tolerances."""
AUTO_IPM_RESCUE_DIM = 900
"""Largest reduced dimension r·s at which ``AUTO`` hands a stalled QMOT-ENTROPIC run over to
QMOT-IPM. Measured on the Fock pair of thermal states n̄ = 0.3, 1 at cut-off 20 (r·s = 441):
QMOT-ENTROPIC stalls at a certified gap of 5e-5, QMOT-IPM certifies 1.8e-8 in about 70 s
(2 cores)."""
ENTROPIC_FALLBACK_GAP = 1e-5
"""``AUTO`` runs QMOT-ENTROPIC after QMOT-IPM (r·s > ``AUTO_FALLBACK_DIM``) only when the IPM's
certified relative gap is above this: a first-order method does not improve smaller gaps."""

_SOLVER_ACCURACY_OPTIONS: dict[str, dict[str, float]] = {
    # Static regularisation 1e-6 removes the "AlmostSolved" stalls seen with the default
    # (1e-8) on rank-deficient optimal couplings; measured: 18/18 random 25–36-dim
    # instances optimal with certified gap <= 1.2e-8, versus 0/18 before.
    "CLARABEL": {
        "tol_gap_abs": 1e-10,
        "tol_gap_rel": 1e-10,
        "tol_feas": 1e-10,
        "static_regularization_constant": 1e-6,
    },
    "SCS": {"eps_abs": 1e-9, "eps_rel": 1e-9},
}


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


def validate_coupling_inputs(
    cost: ArrayLike, first: ArrayLike, second: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the cost operator and the two marginals of a coupling SDP."""
    first_matrix = as_density_matrix(first, "R")
    second_matrix = as_density_matrix(second, "S")
    cost_matrix = as_hermitian(cost, "C")
    m, n = first_matrix.shape[0], second_matrix.shape[0]
    if cost_matrix.shape != (m * n, m * n):
        raise InvalidInputError(
            f"`C` must act on H ⊗ K of dimension {m}·{n} = {m * n} (got shape {cost_matrix.shape})"
        )
    return cost_matrix, first_matrix, second_matrix


def reduce_to_supports(
    cost: np.ndarray, first: np.ndarray, second: np.ndarray, *, rtol: float = DEFAULT_SUPPORT_RTOL
) -> ReducedCoupling:
    """Restrict a validated coupling problem to the supports of its marginals."""
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


def _closed_form(problem: ReducedCoupling) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Optimiser when a reduced side is one-dimensional: the product is the only coupling.

    With ``r = 1`` the dual pair ``A' = 0``, ``B' = C'`` has zero slack, so the bracket closes.
    """
    r, s = problem.dims
    coupling = np.kron(problem.first, problem.second)
    if r == 1:
        return coupling, np.zeros((1, 1), dtype=complex), problem.cost.copy()
    return coupling, problem.cost.copy(), np.zeros((s, s), dtype=complex)


_TIME_LIMIT_OPTION = {"CLARABEL": "time_limit", "SCS": "time_limit_secs"}
"""Name of each cvxpy solver's wall-clock limit, set from ``max_time``."""


def _solve_with_cvxpy(
    problem: ReducedCoupling, solver: str, options: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    import cvxpy as cp  # deferred: cvxpy set-up is slow and unused by `import qmot`

    r, s = problem.dims
    check_memory(
        conic_sdp_bytes(r * s, solver),
        f"solver={solver!r} on a reduced coupling of dimension {r * s}",
        "use solver='QMOT-IPM' or 'QMOT-ENTROPIC' instead",
    )
    coupling = cp.Variable((r * s, r * s), hermitian=True)
    first_marginal = cp.partial_trace(coupling, [r, s], axis=1) == problem.first
    second_marginal = cp.partial_trace(coupling, [r, s], axis=0) == problem.second
    sdp = cp.Problem(
        cp.Minimize(cp.real(cp.trace(problem.cost @ coupling))),
        [coupling >> 0, first_marginal, second_marginal],
    )
    settings = {**_SOLVER_ACCURACY_OPTIONS.get(solver, {}), **options}
    try:
        with warnings.catch_warnings():
            # cvxpy's "may be inaccurate" warning is superseded by the certified bracket
            warnings.filterwarnings("ignore", message="Solution may be inaccurate")
            sdp.solve(solver=solver, **settings)
    except cp.error.SolverError as exc:
        raise SolverError(f"the SDP solver raised: {exc}", solver=solver, status="error") from exc
    except TypeError as exc:
        if not options:
            raise
        # cvxpy and the solver refuse unknown settings with a TypeError
        raise InvalidInputError(
            f"`solver_options` for {solver} must be settings the solver accepts "
            f"(got {sorted(options)}: {exc})"
        ) from exc
    if coupling.value is None or first_marginal.dual_value is None:
        raise SolverError("the SDP solver returned no solution", solver=solver, status=sdp.status)
    # cvxpy >= 1.9.2: the multiplier of `expr == R` enters the Lagrangian with a + sign,
    # so the Kantorovich potentials are the negated duals (checked in tests/test_sdp.py).
    first_potential = -np.asarray(first_marginal.dual_value, dtype=complex)
    second_potential = -np.asarray(second_marginal.dual_value, dtype=complex)
    return np.asarray(coupling.value), first_potential, second_potential, str(sdp.status)


def _rounding_margin(matrix: np.ndarray) -> float:
    """Error bound on computed eigenvalues of a Hermitian ``matrix`` (the one rule of
    :mod:`qmot.certify.margins`)."""
    return eigenvalue_margin(matrix)


def certify_dual(
    problem: ReducedCoupling, first_potential: np.ndarray, second_potential: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, float]:
    r"""Make a dual point exactly feasible and return its objective (a lower bound).

    ``A' ← A' + (λ_min(C' − A'⊗I − I⊗B') − margin) I`` where the margin covers rounding
    in the eigenvalue computation.

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


def _scale_marginals(problem: ReducedCoupling, coupling: np.ndarray, sweeps: int) -> np.ndarray:
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
    problem: ReducedCoupling, coupling: np.ndarray, *, scaling_sweeps: int = SCALING_SWEEPS
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
    if float(np.linalg.eigvalsh(mixed)[0]) >= -_rounding_margin(mixed):
        # eigenvalues within the rounding margin of 0 are 0: with marginal eigenvalues near
        # 1e-12 every coupling has eigenvalues below what a floating-point check can resolve
        return candidate
    negativity = max(0.0, -float(np.linalg.eigvalsh(corrected)[0])) + _rounding_margin(corrected)
    floor = float(np.linalg.eigvalsh(first)[0] * np.linalg.eigvalsh(second)[0])
    return min(1.0, max(candidate, negativity / (negativity + floor)))


def solve_reduced_coupling(
    problem: ReducedCoupling,
    *,
    solver: str = "CLARABEL",
    solver_options: Mapping[str, Any] | None = None,
    tol: float | Tolerance = DEFAULT_TOL,
    max_time: float | None = None,
    verbose: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, str]:
    """Solve a reduced coupling problem; closed form when a side is one-dimensional.

    Returns ``(coupling, A', B', solver_status, solver_name)`` before certification.
    ``tol``, ``max_time`` and ``verbose`` reach the solvers that use them (QMOT-ENTROPIC uses
    all three; QMOT-IPM, Clarabel and SCS get ``max_time`` as their time limit).
    """
    if min(problem.dims) == 1:
        coupling, first, second = _closed_form(problem)
        return coupling, first, second, OPTIMAL, "closed-form (product coupling)"
    options = dict(solver_options or {})
    if solver == "QMOT-IPM":
        from qmot.ipm import solve_coupling_ipm

        raw = solve_coupling_ipm(
            problem.cost, problem.first, problem.second, max_time=max_time, **options
        )
        return raw.coupling, raw.first_potential, raw.second_potential, raw.status, solver
    if solver == "QMOT-ENTROPIC":
        from qmot.first_order import check_entropic_options, solve_coupling_entropic

        def certify(
            coupling: np.ndarray, first: np.ndarray, second: np.ndarray
        ) -> tuple[float, float]:
            lower = certify_dual(problem, first, second)[2]
            upper = certify_primal(problem, coupling)[1]
            margin = _as_tolerance(tol).width(upper)
            if margin < upper - lower <= FINE_SCALING_WITHIN * margin:
                fine = certify_primal(problem, coupling, scaling_sweeps=FINE_SCALING_SWEEPS)[1]
                upper = min(upper, fine)
            return lower, upper

        found = solve_coupling_entropic(
            problem.cost,
            problem.first,
            problem.second,
            certify,
            tol=tol,
            max_time=max_time,
            verbose=verbose,
            **check_entropic_options(options),
        )
        status = (
            f"{found.status} ({found.evaluations} evaluations, {found.stages} ε-stages, "
            f"{found.dense_eigensolves} dense eigensolves)"
        )
        return found.coupling, found.first_potential, found.second_potential, status, solver
    if max_time is not None and solver in _TIME_LIMIT_OPTION:
        options.setdefault(_TIME_LIMIT_OPTION[solver], max_time)
    coupling, first, second, status = _solve_with_cvxpy(problem, solver, options)
    return coupling, first, second, status, solver


def _marginal_residuals(
    coupling: np.ndarray, first: np.ndarray, second: np.ndarray
) -> dict[str, float]:
    dims = (first.shape[0], second.shape[0])
    return {
        "marginal_R": float(np.abs(partial_trace(coupling, dims, traced=2) - first).max()),
        "marginal_S": float(np.abs(partial_trace(coupling, dims, traced=1) - second).max()),
    }


def coupling_sdp(
    cost: ArrayLike,
    R: ArrayLike,
    S: ArrayLike,
    *,
    solver: str | None = None,
    tol: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    support_rtol: float = DEFAULT_SUPPORT_RTOL,
    solver_options: Mapping[str, Any] | None = None,
    max_time: float | None = None,
    verbose: bool = False,
) -> TransportResult:
    r"""Optimal coupling of two density matrices for a Hermitian cost operator.

    Solves :math:`\min\{\operatorname{tr}(CQ) : Q \succeq 0, \operatorname{tr}_2 Q = R,
    \operatorname{tr}_1 Q = S\}` and its dual
    :math:`\max\{\operatorname{tr}(RA) + \operatorname{tr}(SB) : A\otimes I+I\otimes B \preceq C\}`
    (the quantum Kantorovich duality of Caglioti–Golse–Paul, section 2).

    Parameters
    ----------
    cost
        Hermitian cost operator ``C`` on :math:`H \otimes K`, shape ``(m n, m n)``.
    R, S
        Density matrices on ``H`` (``m x m``) and ``K`` (``n x n``).
    solver
        ``"AUTO"`` (default: QMOT-IPM up to reduced dimension 400 with a Clarabel or
        QMOT-ENTROPIC fallback, QMOT-ENTROPIC above), ``"QMOT-IPM"`` (:mod:`qmot.ipm`),
        ``"QMOT-ENTROPIC"`` (:mod:`qmot.first_order`, first order, for couplings of dimension
        in the hundreds to thousands), ``"CLARABEL"`` (generic interior point, practical up
        to coupling dimension ≈ 50) or ``"SCS"`` (first order, low accuracy).
    atol, rtol
        Required certified bracket width: ``upper - lower <= max(atol, rtol * |cost|)``
        (defaults ``1e-10`` and ``1e-7``, :mod:`qmot.certify.tolerance`: values above 1e-3 to
        7 digits, smaller ones to 1e-10). A wider bracket is returned with
        ``status="gap_exceeds_tolerance"`` (or ``"time_limit"``), never as ``"optimal"``.
    tol
        The former rule ``upper - lower <= tol * max(1, |cost|)`` (sets ``atol = rtol = tol``
        unless they are given).
    support_rtol
        Eigenvalues of ``R``/``S`` below ``support_rtol * lambda_max`` are cut before solving.
        The bracket stays certified for the given ``R``, ``S``: the lower bound pays for the
        weight cut (:mod:`qmot.certify.supports`; ``residuals["support_penalty"]``), and when
        that costs more than a quarter of the tolerance the problem is solved again with only
        the eigenvalues that rounding cannot tell from 0 cut. The trace cut is reported in
        ``residuals``.
    solver_options
        Extra keyword arguments for the solver (for cvxpy solvers they override qmot's accuracy
        settings; for ``QMOT-IPM``: ``gap_tol``, ``residual_tol``, ``max_iterations``; for
        ``QMOT-ENTROPIC``: see :func:`qmot.first_order.solve_coupling_entropic`).
    max_time
        Wall-clock budget in seconds for the solver (``None``: no limit). When it runs out the
        best certified bracket found so far is returned with ``status="time_limit"``. The
        final certification (a few eigendecompositions) comes on top.
    verbose
        Show a live progress display (iteration, ε, certified bracket) on stderr while
        QMOT-ENTROPIC runs; quiet by default.

    Returns
    -------
    TransportResult
        ``cost`` is the value of the returned exactly feasible ``coupling``;
        ``potentials["A"]``, ``potentials["B"]`` are the shifted dual potentials, feasible on
        :math:`\operatorname{supp} R \otimes \operatorname{supp} S` (where every coupling lives).

    Raises
    ------
    InvalidInputError
        Bad ``C``, ``R``, ``S`` or options.
    SolverError
        The SDP solver fails or returns no point.

    Examples
    --------
    >>> import numpy as np
    >>> from qmot.sdp import coupling_sdp
    >>> R = S = np.diag([0.5, 0.5])
    >>> C = np.diag([0.0, 1.0, 1.0, 0.0])  # classical 0/1 cost on two sites
    >>> round(coupling_sdp(C, R, S).cost, 6)
    0.0
    """
    cost_matrix, first, second = validate_coupling_inputs(cost, R, S)
    solver_name = check_solver_options(
        solver, tol, support_rtol, max_time=max_time, verbose=verbose
    )
    solver_options = check_coupling_solver_options(
        solver_name, solver_options, first.shape[0] * second.shape[0]
    )
    return solve_coupling(
        cost_matrix,
        first,
        second,
        solver=solver_name,
        tol=Tolerance.from_arguments(tol, atol, rtol),
        support_rtol=support_rtol,
        solver_options=solver_options,
        max_time=max_time,
        verbose=verbose,
    )


def check_solver_options(
    solver: str | None,
    tol: float | None,
    support_rtol: float,
    *,
    max_time: float | None = None,
    verbose: bool = False,
) -> str:
    """Validate the solver name, tolerances and limits shared by every coupling entry point."""
    name = DEFAULT_SOLVER if solver is None else str(solver).upper()
    if name not in SDP_SOLVERS:
        raise InvalidInputError(f"`solver` must be one of {SDP_SOLVERS} (got {solver!r})")
    Tolerance.from_arguments(tol, None, None)
    if (
        isinstance(support_rtol, bool)
        or not isinstance(support_rtol, int | float | np.integer | np.floating)
        or not (np.isfinite(support_rtol) and 0 <= support_rtol < 1)
    ):
        raise InvalidInputError(f"`support_rtol` must lie in [0, 1) (got {support_rtol!r})")
    check_seconds(max_time, "max_time")
    if not isinstance(verbose, bool | np.bool_):
        raise InvalidInputError(f"`verbose` must be True or False (got {verbose!r})")
    return name


def solve_coupling(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    *,
    solver: str,
    tol: float | Tolerance,
    support_rtol: float = DEFAULT_SUPPORT_RTOL,
    solver_options: Mapping[str, Any] | None = None,
    max_time: float | None = None,
    verbose: bool = False,
    cost_error: float = 0.0,
) -> TransportResult:
    r"""Reduce, solve and certify a coupling problem whose inputs are already validated.

    This is the solver stage shared by :func:`coupling_sdp` and the quantum entry points
    (:func:`qmot.quantum.mk2`); it performs no input validation. The bracket is certified for
    the given ``(cost, first, second)``, not for the reduced problem
    (:mod:`qmot.certify.supports`): when the support cut costs more than a quarter of the
    tolerance, the problem is solved again with only the eigenvalues that rounding cannot
    tell from 0 cut, and the better certified points of the two solves are kept.

    ``cost_error`` bounds :math:`\|\hat C - C\|_{op}` when ``cost`` is itself a computed
    approximation of the user's cost operator (:func:`qmot.quantum.golse_paul.cost_operator_error`);
    the bracket is widened by it on both sides, since every coupling has trace 1.
    """
    started = time.perf_counter()
    tolerance = _as_tolerance(tol)
    factor = _power_of_two_scale(cost)
    if factor != 1.0:
        # the problem is homogeneous in C: solve for 2^k C (exact in floating point) so that
        # no solver sees costs near overflow or underflow, and scale the evidence back
        scaled = solve_coupling(
            cost * factor,
            first,
            second,
            solver=solver,
            tol=tolerance.rescaled(factor),
            support_rtol=support_rtol,
            solver_options=solver_options,
            max_time=max_time,
            verbose=verbose,
            cost_error=cost_error * factor,
        )
        return _rescaled_result(scaled, 1.0 / factor, tolerance)
    limits = _Limits(tol=tolerance, max_time=max_time, verbose=verbose, started=started)
    original = _Original(cost, first, second, cost_error)
    finer_rtol = _rounding_rtol(first, second)
    with lapack_owns_the_cores():
        problem = reduce_to_supports(cost, first, second, rtol=support_rtol)
        if finer_rtol < support_rtol and _cut_too_costly(problem, original, tolerance):
            problem = reduce_to_supports(cost, first, second, rtol=finer_rtol)
        certificate = _solve_certified(problem, original, solver, solver_options, limits)
        if (
            not _within(certificate, tolerance)
            and certificate.support_penalty > 0.25 * tolerance.width(certificate.upper)
            and finer_rtol < support_rtol
            and not _timed_out(limits)
        ):
            finer = reduce_to_supports(cost, first, second, rtol=finer_rtol)
            if finer.dims != problem.dims:
                again = _solve_certified(finer, original, solver, solver_options, limits)
                certificate = _combine(certificate, again)
                problem = finer if again.lower >= certificate.lower else problem
        return _certified_result(problem, original, certificate, limits)


def _cut_too_costly(problem: ReducedCoupling, original: _Original, tolerance: Tolerance) -> bool:
    """Whether the support cut alone would already spend a quarter of the tolerance (judged at
    the product coupling's cost, an estimate of the optimum: the choice only affects speed)."""
    first_cut, second_cut = _cuts(problem)
    if first_cut.weight == 0.0 and second_cut.weight == 0.0:
        return False
    product = np.kron(original.first, original.second)
    estimate = float(np.sum(original.cost.T * product).real)
    return cut_penalty(original.cost, first_cut, second_cut) > 0.25 * tolerance.width(estimate)


SCALE_RANGE = 2.0**20
"""Costs whose largest entry lies outside ``[2^-20, 2^20]`` are solved after multiplication by
a power of two that brings it into ``[1/2, 1)``."""


def _power_of_two_scale(cost: np.ndarray) -> float:
    largest = float(np.abs(cost).max()) if cost.size else 0.0
    if largest == 0.0 or 1.0 / SCALE_RANGE <= largest <= SCALE_RANGE:
        return 1.0
    return math.ldexp(1.0, -math.frexp(largest)[1])


def _rescaled_result(result: TransportResult, factor: float, tol: Tolerance) -> TransportResult:
    """Evidence of the problem ``factor · C`` from that of ``C`` (``factor`` a power of two)."""
    value_keys = ("dual_min_slack", "support_penalty", "cost_operator_error")
    residuals = {
        key: value * factor if key in value_keys else value
        for key, value in result.residuals.items()
    }
    upper, lower = result.upper_bound * factor, result.lower_bound * factor
    return replace(
        result,
        cost=result.cost * factor,
        lower_bound=lower,
        upper_bound=upper,
        status=_status(upper, lower, tol, str(result.info.get("solver_status", ""))),
        potentials={key: value * factor for key, value in result.potentials.items()},
        residuals=residuals,
        info={**result.info, "cost_scaled_by": 1.0 / factor, "atol": tol.atol},
    )


def _as_tolerance(tol: float | Tolerance) -> Tolerance:
    """A number is the former rule ``gap <= tol * max(1, |upper|)``."""
    return tol if isinstance(tol, Tolerance) else Tolerance.legacy(tol)


def _rounding_rtol(first: np.ndarray, second: np.ndarray) -> float:
    """The support tolerance that cuts only eigenvalues at the rounding floor of both marginals
    (:func:`qmot.certify.margins.rounding_floor`), relative to the largest eigenvalue."""
    ratios = []
    for marginal in (first, second):
        top = float(np.linalg.eigvalsh(marginal)[-1])
        ratios.append(rounding_floor(marginal) / top if top > 0 else 0.0)
    return min(ratios)


@dataclass(frozen=True)
class _Original:
    """The problem as the user gave it (validated): every bracket is certified for it."""

    cost: np.ndarray
    first: np.ndarray
    second: np.ndarray
    cost_error: float = 0.0


@dataclass(frozen=True)
class _Limits:
    """Tolerance, wall-clock budget and display choice of one solve."""

    tol: Tolerance
    max_time: float | None
    verbose: bool
    started: float

    def remaining(self) -> float | None:
        if self.max_time is None:
            return None
        return max(self.max_time - (time.perf_counter() - self.started), 1e-3)


@dataclass(frozen=True)
class _Certificate:
    """A certified primal point and a certified dual point of the *given* problem.

    ``coupling`` is a coupling of the given marginals on the full space; ``first_potential``
    and ``second_potential`` live on the full spaces (zero off the kept supports) and are
    exactly dual feasible on the kept supports; ``lower`` already pays ``support_penalty`` for
    the weight cut from the marginals (:func:`qmot.certify.supports.lift_lower_bound`).
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


def _certify(
    problem: ReducedCoupling,
    original: _Original,
    solver: str,
    solver_options: Mapping[str, Any] | None,
    limits: _Limits,
) -> _Certificate:
    raw, first_potential, second_potential, solver_status, used = solve_reduced_coupling(
        problem,
        solver=solver,
        solver_options=solver_options,
        tol=limits.tol,
        max_time=limits.remaining(),
        verbose=limits.verbose,
    )
    first_potential, second_potential, lower, slack = certify_dual(
        problem, first_potential, second_potential
    )
    coupling, upper = certify_primal(problem, raw)
    if not limits.tol.met(upper, lower) and not _timed_out(limits):
        # a slowly scaling coupling (near rank-deficient) may still certify within tol
        finer, finer_upper = certify_primal(problem, raw, scaling_sweeps=FINE_SCALING_SWEEPS)
        if finer_upper < upper:
            coupling, upper = finer, finer_upper
    return _lift_certificate(
        problem, original, coupling, first_potential, second_potential, slack, solver_status, used
    )


def _lift_certificate(
    problem: ReducedCoupling,
    original: _Original,
    coupling: np.ndarray,
    first_potential: np.ndarray,
    second_potential: np.ndarray,
    slack: float,
    solver_status: str,
    solver: str,
) -> _Certificate:
    """Certificates of the reduced problem → certificates of the given one."""
    first_cut, second_cut = _cuts(problem)
    U, V = problem.first_basis, problem.second_basis
    lower, gauge, penalty = lift_lower_bound(
        original.cost,
        first_cut,
        second_cut,
        U.conj().T @ original.first @ U,
        V.conj().T @ original.second @ V,
        first_potential,
        second_potential,
    )
    full_coupling, upper = lift_coupling(
        original.cost, original.first, original.second, first_cut, second_cut, coupling
    )
    r, s = problem.dims
    return _Certificate(
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
    )


def _cuts(problem: ReducedCoupling) -> tuple[SupportCut, SupportCut]:
    if problem.cuts is not None:
        return problem.cuts
    empty_first = np.zeros((problem.first_basis.shape[0], 0), dtype=complex)
    empty_second = np.zeros((problem.second_basis.shape[0], 0), dtype=complex)
    return (
        SupportCut(problem.first_basis, empty_first, 0.0, 0.0),
        SupportCut(problem.second_basis, empty_second, 0.0, 0.0),
    )


def _failed_stage(
    problem: ReducedCoupling, original: _Original, solver: str, error: BaseException
) -> _Certificate:
    r"""A stage that crashed contributes the trivial certified points: the product coupling
    :math:`R\otimes S` (upper) and :math:`-\infty` (lower)."""
    product = np.kron(original.first, original.second)
    upper = float(np.sum(original.cost.T * product).real)
    m, n = original.first.shape[0], original.second.shape[0]
    return _Certificate(
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


def _guarded_certify(
    problem: ReducedCoupling,
    original: _Original,
    solver: str,
    solver_options: Mapping[str, Any] | None,
    limits: _Limits,
) -> _Certificate:
    """:func:`_certify`, with a crash of the solver turned into a failed stage (AUTO goes on)."""
    try:
        return _certify(problem, original, solver, solver_options, limits)
    except BaseException as exc:
        # a Rust panic inside a solver arrives as pyo3's PanicException, a BaseException
        solver_crash = isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
        if not solver_crash or isinstance(exc, InvalidInputError | MemoryError):
            raise
        return _failed_stage(problem, original, solver, exc)


def _combine(first: _Certificate, second: _Certificate) -> _Certificate:
    """Both brackets are certified: keep the better primal point and the better dual point."""
    primal = first if first.upper <= second.upper else second
    dual = first if first.lower >= second.lower else second
    names = first.solver if first.solver == second.solver else f"{first.solver} + {second.solver}"
    return _Certificate(
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
    )


def _within(certificate: _Certificate, tol: Tolerance) -> bool:
    return tol.met(certificate.upper, certificate.lower)


def _status(upper: float, lower: float, tol: Tolerance, solver_status: str) -> str:
    """``"optimal"`` when the certified bracket is within ``tol``; otherwise why not."""
    if tol.met(upper, lower):
        return OPTIMAL
    if "time_limit" in solver_status.lower():
        return "time_limit"
    return "gap_exceeds_tolerance"


def _solve_certified(
    problem: ReducedCoupling,
    original: _Original,
    solver: str,
    solver_options: Mapping[str, Any] | None,
    limits: _Limits,
) -> _Certificate:
    if min(problem.dims) == 1:
        return _certify(problem, original, solver, solver_options, limits)
    if solver == "AUTO":
        return _auto_certificate(problem, original, solver_options, limits)
    return _certify(problem, original, solver, solver_options, limits)


def _auto_certificate(
    problem: ReducedCoupling,
    original: _Original,
    solver_options: Mapping[str, Any] | None,
    limits: _Limits,
) -> _Certificate:
    """``AUTO``: QMOT-IPM on small problems, QMOT-ENTROPIC on large ones; a stage that crashes
    or misses the tolerance hands over to the next (Clarabel on small problems, QMOT-ENTROPIC
    on larger ones), keeping the best certified points of all stages."""
    size = problem.dims[0] * problem.dims[1]
    if size > AUTO_FIRST_ORDER_DIM:
        certificate = _guarded_certify(problem, original, "QMOT-ENTROPIC", solver_options, limits)
        if _within(certificate, limits.tol) or _timed_out(limits) or size > AUTO_IPM_RESCUE_DIM:
            return certificate
        # the first-order method stalled with budget left: switch method
        return _combine(certificate, _guarded_certify(problem, original, "QMOT-IPM", None, limits))
    certificate = _guarded_certify(problem, original, "QMOT-IPM", solver_options, limits)
    if _within(certificate, limits.tol) or _timed_out(limits):
        return certificate
    if size <= AUTO_FALLBACK_DIM:
        return _combine(certificate, _guarded_certify(problem, original, "CLARABEL", None, limits))
    relative_gap = (certificate.upper - certificate.lower) / max(1.0, abs(certificate.upper))
    if relative_gap <= ENTROPIC_FALLBACK_GAP:
        return certificate
    return _combine(certificate, _guarded_certify(problem, original, "QMOT-ENTROPIC", None, limits))


def _timed_out(limits: _Limits) -> bool:
    return limits.max_time is not None and time.perf_counter() - limits.started >= limits.max_time


def _certified_result(
    problem: ReducedCoupling,
    original: _Original,
    certificate: _Certificate,
    limits: _Limits,
) -> TransportResult:
    tol = limits.tol
    first, second = original.first, original.second
    upper = certificate.upper + original.cost_error
    lower = min(certificate.lower - original.cost_error, upper)  # rounding can only reverse them
    residuals = {
        **_marginal_residuals(certificate.coupling, first, second),
        "coupling_min_eigenvalue": float(np.linalg.eigvalsh(certificate.coupling)[0]),
        "dual_min_slack": certificate.slack,
        "dropped_weight_R": problem.dropped_weight[0],
        "dropped_weight_S": problem.dropped_weight[1],
        "support_penalty": certificate.support_penalty,
        "cost_operator_error": original.cost_error,
        "least_marginal_eigenvalue": certificate.marginal_floor,
    }
    return TransportResult(
        cost=upper,
        lower_bound=lower,
        upper_bound=upper,
        status=_status(upper, lower, tol, certificate.solver_status),
        solver=certificate.solver,
        coupling=certificate.coupling,
        potentials={"A": certificate.first_potential, "B": certificate.second_potential},
        residuals=residuals,
        info={
            "solver_status": certificate.solver_status,
            "dims": (first.shape[0], second.shape[0]),
            "reduced_dims": problem.dims,
            "tol": tol.rtol,
            "atol": tol.atol,
            "rtol": tol.rtol,
            "seconds": time.perf_counter() - limits.started,
            "potentials_feasible_on": "supp R ⊗ supp S (kept supports; the lower bound pays "
            "residuals['support_penalty'] for the weight cut)",
        },
    )
