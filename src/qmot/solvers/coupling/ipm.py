r"""A structured primal-dual interior-point method for coupling SDPs.

Solves :math:`\min\{\operatorname{tr}(CX) : X \succeq 0,\ \operatorname{tr}_2 X = R,\
\operatorname{tr}_1 X = S\}` on :math:`\mathbb C^r\otimes\mathbb C^s` with positive definite
``R``, ``S`` (as produced by the support reduction of :mod:`qmot.reductions.supports`),
together with its dual :math:`\max\{\operatorname{tr}(RA) + \operatorname{tr}(SB) :
Z = C - A\otimes I - I\otimes B \succeq 0\}`.

Generic conic solvers embed the complex cone in a real one of twice the size and factor a dense
KKT block of order :math:`(2rs)^2`; here the problem has only :math:`m = r^2 + s^2 - 1`
constraints, so each iteration solves the :math:`m\times m` Schur-complement system of the
HKM (Helmberg–Kojima–Monteiro) direction, :math:`M_{ij} = \operatorname{Re}\operatorname{tr}
(\mathcal A_i X \mathcal A_j Z^{-1})`, whose entries for partial-trace constraints are plain
tensor contractions of ``X`` and :math:`Z^{-1}` (cost :math:`O(r^3 s^3)`). Mehrotra's
predictor–corrector sets the centring. The start :math:`X_0 = R\otimes S`,
:math:`A_0 = (\lambda_{\min}(C) - 1) I`, :math:`B_0 = 0` is strictly feasible on both sides.

End game. Near the optimum the Schur matrix has condition numbers of :math:`10^{15}` and more,
so a computed step ``dX`` misses the linearised marginal constraints by about
:math:`10^{-9}`, while the optimal coupling is nearly rank-deficient and ``X`` has eigenvalues
of :math:`10^{-12}`. The defect is therefore removed by a correction in the scaling of the
HKM direction, :math:`X\mathcal A^*(\delta y)Z^{-1}` with :math:`M\delta y` = defect (a step of
iterative refinement), which lies in the range of ``X`` and leaves the step length intact. A
correction that ignores ``X`` (the least-norm one, :math:`\propto I`) would put about
:math:`10^{-10}` on every eigenvalue of ``X``, cut the step to the boundary to :math:`10^{-2}`
and stall the run at relative gaps of :math:`10^{-7}` — at a point that depends on the
rounding of the BLAS kernel. What the correction leaves is carried as a primal residual into
the next iteration (an infeasible-start step). The Schur system is solved after a symmetric
diagonal equilibration (Van der Sluis), by Cholesky, by Cholesky of a regularised matrix when
that fails, and by least squares as the last resort; a breakdown the solver cannot get past
ends the run with status ``"numerical_error"`` and the current (positive definite) iterates.

The iterates are certified afterwards by :func:`qmot.certify.coupling.certify_dual` and
:func:`qmot.certify.coupling.certify_primal` like any other solver's output. The solver object
is :class:`QmotIPM` (registered as ``"QMOT-IPM"``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve, lstsq

from qmot._threads import uses_blas_policy
from qmot._validation import check_named_options, is_finite_real, is_integer_value
from qmot.errors import SolverError
from qmot.solvers.base import CouplingSolver, OptionRules, RawCoupling, RunControl, SolverStatus
from qmot.solvers.interrupt import raise_if_cancelled

if TYPE_CHECKING:
    from qmot.reductions.supports import ReducedCoupling

__all__ = ["IPMResult", "QmotIPM", "check_ipm_options", "solve_coupling_ipm"]

NAME = "QMOT-IPM"
STEP_FRACTION = 0.95
"""Fraction of the distance to the boundary of the cone taken per step."""
RECENTRE_BELOW = 0.5
"""When the predictor–corrector step is shorter than this, take a centring step instead."""
STALL_WINDOW = 10
"""Iterations without the duality gap halving after which the run stops as ``"stalled"``."""
STALL_GAP = 1e-6
"""A numerical breakdown below this relative gap ends the run as ``"stalled"``, not an error."""
REGULARISATIONS = (1e-14, 1e-12, 1e-10, 1e-8)
"""Multiples of the identity added in turn to the equilibrated Schur matrix (unit diagonal)
when its Cholesky factorisation fails, before the least-squares fallback."""


@dataclass(frozen=True)
class IPMResult:
    """Raw output of the interior-point method (before certification)."""

    coupling: np.ndarray
    first_potential: np.ndarray
    second_potential: np.ndarray
    status: str
    iterations: int
    relative_gap: float


def _hermitian_basis(dim: int) -> np.ndarray:
    """Orthonormal basis (for Re tr(XY)) of dim×dim Hermitian matrices, shape (dim², dim, dim)."""
    basis = []
    for a in range(dim):
        unit = np.zeros((dim, dim), dtype=complex)
        unit[a, a] = 1.0
        basis.append(unit)
    for a in range(dim):
        for b in range(a + 1, dim):
            real = np.zeros((dim, dim), dtype=complex)
            real[a, b] = real[b, a] = 1 / np.sqrt(2)
            imaginary = np.zeros((dim, dim), dtype=complex)
            imaginary[a, b], imaginary[b, a] = -1j / np.sqrt(2), 1j / np.sqrt(2)
            basis += [real, imaginary]
    return np.array(basis)


class _Constraints:
    r"""Constraint map :math:`\mathcal A(X) = (\operatorname{tr}_2 X, \operatorname{tr}_1 X)`.

    The second block omits the last diagonal unit (the trace is already fixed by the first),
    which makes :math:`\mathcal A` surjective and the Schur complement nonsingular.
    """

    def __init__(self, r: int, s: int) -> None:
        self.r, self.s = r, s
        self.first_basis = _hermitian_basis(r)
        self.second_basis = np.delete(_hermitian_basis(s), s - 1, axis=0)
        # U[(a, b), p] = H_p[a, b]: matrix-unit coordinates of the basis elements
        self.first_units = self.first_basis.reshape(len(self.first_basis), -1).T
        self.second_units = self.second_basis.reshape(len(self.second_basis), -1).T

    @property
    def size(self) -> int:
        return len(self.first_basis) + len(self.second_basis)

    def coordinates(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Coordinates of a pair of Hermitian matrices (R-like, S-like)."""
        return np.concatenate(
            [
                np.einsum("kij,ji->k", self.first_basis, first).real,
                np.einsum("kij,ji->k", self.second_basis, second).real,
            ]
        )

    def apply(self, operator: np.ndarray) -> np.ndarray:
        """Coordinates of :math:`\\mathcal A(X)` (partial traces of a Hermitian ``X``)."""
        blocks = operator.reshape(self.r, self.s, self.r, self.s)
        return self.coordinates(np.einsum("ikjk->ij", blocks), np.einsum("kikj->ij", blocks))

    def potentials(self, coordinates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The Hermitian pair (A, B) with the given coordinates."""
        split = len(self.first_basis)
        first = np.einsum("k,kij->ij", coordinates[:split], self.first_basis)
        second = np.einsum("k,kij->ij", coordinates[split:], self.second_basis)
        return first, second

    def adjoint(self, coordinates: np.ndarray) -> np.ndarray:
        """:math:`\\mathcal A^*(y) = A\\otimes I + I\\otimes B`."""
        first, second = self.potentials(coordinates)
        return np.kron(first, np.eye(self.s)) + np.kron(np.eye(self.r), second)

    def schur(self, primal: np.ndarray, dual_inverse: np.ndarray) -> np.ndarray:
        r"""Schur matrix :math:`M_{ij} = \operatorname{Re}\operatorname{tr}(\mathcal A_i X
        \mathcal A_j Z^{-1})`."""
        r, s = self.r, self.s
        x = primal.reshape(r, s, r, s)
        w = dual_inverse.reshape(r, s, r, s)
        # tr((E_ab⊗I) X (E_cd⊗I) W) = Σ_kl X[b,k,c,l] W[d,l,a,k], and likewise for the others
        first_first = np.einsum("bkcl,dlak->abcd", x, w, optimize=True).reshape(r * r, r * r)
        first_second = np.einsum("bkjc,jdak->abcd", x, w, optimize=True).reshape(r * r, s * s)
        second_second = np.einsum("ibjc,jdia->abcd", x, w, optimize=True).reshape(s * s, s * s)
        u, v = self.first_units, self.second_units
        top = np.hstack([u.T @ first_first @ u, u.T @ first_second @ v])
        bottom = np.hstack([(u.T @ first_second @ v).T, v.T @ second_second @ v])
        matrix = np.vstack([top, bottom]).real
        return (matrix + matrix.T) / 2


def _hermitian(matrix: np.ndarray) -> np.ndarray:
    return (matrix + matrix.conj().T) / 2


def _max_step(point: np.ndarray, direction: np.ndarray) -> float:
    """Largest α with point + α·direction ⪰ 0 (point positive definite).

    Raises
    ------
    SolverError
        When ``point`` is not numerically positive definite or ``direction`` is not finite
        (caught by :func:`solve_coupling_ipm`).
    """
    if not np.all(np.isfinite(direction)):
        raise SolverError("non-finite search direction", solver=NAME, status="numerical_error")
    try:
        factor = np.linalg.cholesky(point)
        scaled = np.linalg.solve(factor, np.linalg.solve(factor, direction).conj().T).conj().T
        least = float(np.linalg.eigvalsh(_hermitian(scaled))[0])
    except np.linalg.LinAlgError as exc:
        raise SolverError(
            "an interior-point iterate lost positive definiteness",
            solver=NAME,
            status="numerical_error",
        ) from exc
    return np.inf if least >= 0 else -1.0 / least


def _schur_solver(matrix: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    r"""A solver for the Schur system ``matrix @ dy = rhs`` that does not raise on round-off.

    The matrix is equilibrated, :math:`D M D` with :math:`D = \operatorname{diag}(M)^{-1/2}`
    (Van der Sluis: near-optimal for Cholesky's accuracy when the ill-conditioning comes from
    the marginals' spread of eigenvalues), then factored by Cholesky; where that fails
    numerically, by Cholesky of :math:`DMD + \delta I` for the ``REGULARISATIONS`` in turn;
    where all fail, the system is solved by least squares.

    Raises
    ------
    SolverError
        When the matrix has non-finite entries (caught by :func:`solve_coupling_ipm`).
    """
    if not np.all(np.isfinite(matrix)):
        raise SolverError("non-finite Schur matrix", solver=NAME, status="numerical_error")
    diagonal = np.diag(matrix)
    scale = 1.0 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    scaled = matrix * scale[:, None] * scale[None, :]
    for regularisation in (0.0, *REGULARISATIONS):
        try:
            factor = cho_factor(scaled + regularisation * np.eye(len(scaled)))
        except LinAlgError:
            continue
        return lambda rhs: scale * cho_solve(factor, scale * rhs)
    return lambda rhs: scale * _least_squares(scaled, scale * rhs)


def _least_squares(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Minimum-norm least-squares solution (SVD based; for a singular Schur matrix)."""
    try:
        return lstsq(matrix, rhs, cond=np.finfo(float).eps * len(matrix))[0]
    except (LinAlgError, ValueError) as exc:
        raise SolverError(
            "the Schur system could not be solved", solver=NAME, status="numerical_error"
        ) from exc


def _refined(
    constraints: _Constraints,
    primal: np.ndarray,
    dual_inverse: np.ndarray,
    dx: np.ndarray,
    primal_residual: np.ndarray,
    solve: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    r"""``dx`` plus the HKM-scaled correction of its marginal defect (module docstring).

    With :math:`\Delta = r_p - \mathcal A(dX)` and :math:`M\delta y = \Delta`, the correction
    :math:`\operatorname{herm}(X\mathcal A^*(\delta y)Z^{-1})` has
    :math:`\mathcal A(\cdot) = M\delta y = \Delta` and lies, like ``dx``, in the range of ``X``.
    """
    defect = primal_residual - constraints.apply(dx)
    correction = solve(defect)
    return dx + _hermitian(primal @ constraints.adjoint(correction) @ dual_inverse)


def _predictor_corrector(
    constraints: _Constraints,
    cost: np.ndarray,
    primal: np.ndarray,
    dual: np.ndarray,
    y: np.ndarray,
    primal_residual: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """One Mehrotra predictor–corrector HKM step; ``None`` when no step is possible."""
    n = primal.shape[0]
    mu = float(np.trace(primal @ dual).real) / n
    dual_residual = _hermitian(cost - dual - constraints.adjoint(y))
    dual_inverse = _hermitian(np.linalg.inv(dual))
    solve = _schur_solver(constraints.schur(primal, dual_inverse))

    def direction(centring: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rhs_matrix = centring - _hermitian(primal @ dual_residual @ dual_inverse)
        dy = solve(primal_residual - constraints.apply(rhs_matrix))
        dz = dual_residual - constraints.adjoint(dy)
        dx = rhs_matrix + _hermitian(primal @ constraints.adjoint(dy) @ dual_inverse)
        return dx, dy, dz

    dx_a, _, dz_a = direction(-primal)
    alpha_p = min(1.0, _max_step(primal, dx_a))
    alpha_d = min(1.0, _max_step(dual, dz_a))
    mu_affine = float(np.trace((primal + alpha_p * dx_a) @ (dual + alpha_d * dz_a)).real) / n
    # SDPT3's safeguard: centre more when the predictor could only take a short step
    exponent = max(1.0, 3.0 * min(alpha_p, alpha_d) ** 2)
    sigma = min(1.0, max(mu_affine / mu, 0.0) ** exponent)
    correction = _hermitian(dx_a @ dz_a @ dual_inverse)
    dx, dy, dz = direction(sigma * mu * dual_inverse - primal - correction)
    dx = _refined(constraints, primal, dual_inverse, dx, primal_residual, solve)
    alpha_p = min(1.0, STEP_FRACTION * _max_step(primal, dx))
    alpha_d = min(1.0, STEP_FRACTION * _max_step(dual, dz))
    if min(alpha_p, alpha_d) < RECENTRE_BELOW:
        # off-centre iterate (one side hugs the boundary): a pure centring step (σ = 1)
        dx, dy, dz = direction(mu * dual_inverse - primal)
        dx = _refined(constraints, primal, dual_inverse, dx, primal_residual, solve)
        alpha_p = min(1.0, STEP_FRACTION * _max_step(primal, dx))
        alpha_d = min(1.0, STEP_FRACTION * _max_step(dual, dz))
    if max(alpha_p, alpha_d) < 1e-8:
        return None
    return (_hermitian(primal + alpha_p * dx), _hermitian(dual + alpha_d * dz), y + alpha_d * dy)


_OPTION_RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "gap_tol": ("a positive number", lambda v: is_finite_real(v) and v > 0),
    "residual_tol": ("a positive number", lambda v: is_finite_real(v) and v > 0),
    "max_iterations": ("a positive integer", lambda v: is_integer_value(v) and v >= 1),
}
"""The ``solver_options`` of QMOT-IPM (``max_time`` comes from the entry point)."""


def check_ipm_options(options: Mapping[str, Any], *, solver: str = "QMOT-IPM") -> dict[str, Any]:
    """Validate ``solver_options`` for QMOT-IPM (names and values); return them as a dict.

    ``solver`` is the name the user gave (``"AUTO"`` when AUTO's IPM stage receives them).

    Raises
    ------
    InvalidInputError
        An unknown option name, or a value that breaks its rule.
    """
    return check_named_options(options, _OPTION_RULES, solver)


@uses_blas_policy
def solve_coupling_ipm(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    *,
    gap_tol: float = 1e-10,
    residual_tol: float = 1e-8,
    max_iterations: int = 100,
    max_time: float | None = None,
) -> IPMResult:
    """Solve the (reduced, positive definite marginals) coupling SDP; see the module docstring.

    ``max_time`` (seconds, ``None`` for no limit) ends the run with status ``"time_limit"``
    between iterations; the current iterates are returned for certification.

    The run never raises on round-off: a numerical breakdown (a factorisation that fails even
    after regularisation, an iterate that is no longer numerically positive definite) ends it
    with status ``"stalled"`` when the relative gap is already below ``STALL_GAP`` and
    ``"numerical_error"`` otherwise, returning the last (positive definite) iterates, which
    :mod:`qmot.certify.coupling` certifies like any others.

    Parameters
    ----------
    cost
        Hermitian cost operator on the reduced space, shape ``(r s, r s)``.
    first, second
        Positive definite reduced marginals, ``r x r`` and ``s x s``.
    gap_tol, residual_tol
        The run is ``"optimal"`` when the relative duality gap and the largest marginal
        residual are below these.
    max_iterations, max_time
        Iteration and wall-clock limits.

    Returns
    -------
    IPMResult
        The last iterates (coupling, potentials), the status, iteration count and relative gap.
    """
    r, s = first.shape[0], second.shape[0]
    constraints = _Constraints(r, s)
    target = constraints.coordinates(first, second)
    primal = np.kron(first, second).astype(complex)
    shift = float(np.linalg.eigvalsh(cost)[0]) - 1.0
    y = constraints.coordinates(shift * np.eye(r), np.zeros((s, s)))
    # the basis omits one diagonal unit of B, so A = shift·I is represented exactly
    dual = _hermitian(cost - constraints.adjoint(y))
    status, iteration, relative_gap = "max_iterations", 0, np.inf
    history: list[float] = []
    started = time.perf_counter()
    while iteration < max_iterations:
        raise_if_cancelled()  # between iterations: the caller may have pressed Ctrl-C
        if max_time is not None and time.perf_counter() - started > max_time:
            status = "time_limit"
            break
        iteration += 1
        objective = float(np.trace(cost @ primal).real)
        relative_gap = abs(objective - float(target @ y)) / max(1.0, abs(objective))
        primal_residual = target - constraints.apply(primal)
        if relative_gap <= gap_tol and np.abs(primal_residual).max() <= residual_tol:
            status = "optimal"
            break
        history.append(relative_gap)
        if len(history) > STALL_WINDOW and min(history[-STALL_WINDOW:]) > 0.5 * min(
            history[:-STALL_WINDOW]
        ):
            status = "stalled"  # no halving of the gap in STALL_WINDOW iterations
            break
        try:
            step = _predictor_corrector(constraints, cost, primal, dual, y, primal_residual)
        except (SolverError, LinAlgError, np.linalg.LinAlgError):
            # round-off floor reached (the certificate says how good the point is), or a
            # breakdown regularisation could not get past: the current iterates are returned
            status = "stalled" if relative_gap <= STALL_GAP else "numerical_error"
            break
        if step is None:
            status = "stalled"
            break
        primal, dual, y = step
    first_potential, second_potential = constraints.potentials(y)
    return IPMResult(primal, first_potential, second_potential, status, iteration, relative_gap)


@dataclass(frozen=True)
class QmotIPM(CouplingSolver):
    """QMOT-IPM as a solver object: its hyper-parameters, called on a reduced problem.

    Parameters
    ----------
    gap_tol, residual_tol
        The run is ``"optimal"`` when the relative duality gap and the largest marginal
        residual are below these.
    max_iterations
        Iteration limit (the wall-clock limit comes from the :class:`RunControl`).

    Examples
    --------
    >>> import numpy as np
    >>> from qmot.sdp import coupling_sdp
    >>> R, S = np.diag([0.7, 0.3]), np.diag([0.4, 0.6])
    >>> C = np.diag([0.0, 1.0, 1.0, 0.0])
    >>> round(coupling_sdp(C, R, S, solver=QmotIPM(max_iterations=60)).cost, 8)
    0.3
    """

    name: ClassVar[str] = NAME
    option_rules: ClassVar[OptionRules] = _OPTION_RULES
    gap_tol: float = 1e-10
    residual_tol: float = 1e-8
    max_iterations: int = 100

    def __call__(self, problem: ReducedCoupling, control: RunControl) -> RawCoupling:
        found = solve_coupling_ipm(
            problem.cost,
            problem.first,
            problem.second,
            gap_tol=self.gap_tol,
            residual_tol=self.residual_tol,
            max_iterations=self.max_iterations,
            max_time=control.remaining(),
        )
        return RawCoupling(
            found.coupling,
            found.first_potential,
            found.second_potential,
            SolverStatus(found.status),
            NAME,
        )
