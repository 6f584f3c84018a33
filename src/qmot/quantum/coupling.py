r"""The coupling SDP as a problem: validate → reduce → solve → certify (every quantum entry point).

The problem (Caglioti–Golse–Paul, *Quantum optimal transport is cheaper*, definition of
:math:`MK_\hbar` and its Kantorovich dual):

.. math::

    \min_{Q} \operatorname{tr}(C Q) \quad\text{s.t.}\quad Q \succeq 0,\;
    \operatorname{tr}_2 Q = R,\; \operatorname{tr}_1 Q = S,

    \max_{A, B} \operatorname{tr}(R A) + \operatorname{tr}(S B) \quad\text{s.t.}\quad
    C - A \otimes I - I \otimes B \succeq 0.

Pipeline: :func:`coupling_settings` validates the solver choice and limits in one place →
:func:`qmot.reductions.supports.reduce_to_supports` restricts to
:math:`\operatorname{ran} R \otimes \operatorname{ran} S` (and
:mod:`qmot.reductions.scaling` rescales extreme costs exactly) → a solver object of
:mod:`qmot.solvers` (chosen by name through :mod:`qmot.solvers.registry`) returns raw points →
:mod:`qmot.certify.coupling` makes them exactly feasible and lifts them to the given problem.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot._progress import StageTable
from qmot._threads import blas_policy
from qmot._validation import as_density_matrix, as_hermitian, check_seconds
from qmot.certify.coupling import (
    FINE_SCALING_SWEEPS,
    CouplingCertificate,
    GivenCoupling,
    certify_dual,
    certify_primal,
    combine,
    coupling_status,
    failed_stage,
    lift_certificate,
    marginal_residuals,
)
from qmot.certify.supports import cut_penalty
from qmot.certify.tolerance import Tolerance
from qmot.errors import InvalidInputError
from qmot.linalg import DEFAULT_SUPPORT_RTOL
from qmot.reductions.scaling import power_of_two_scale
from qmot.reductions.supports import ReducedCoupling, reduce_to_supports, rounding_support_rtol
from qmot.results import Status, TransportResult
from qmot.solvers.base import CouplingSolver, Progress, RunControl, SolverStatus
from qmot.solvers.coupling.auto import AutoCoupling
from qmot.solvers.coupling.closed_form import ProductCoupling
from qmot.solvers.coupling.entropic import QmotEntropic
from qmot.solvers.interrupt import interruptible
from qmot.solvers.registry import SolverChoice, coupling_solver

__all__ = [
    "CouplingSettings",
    "coupling_sdp",
    "coupling_settings",
    "solve_coupling",
    "validate_coupling_inputs",
]

FINE_SCALING_WITHIN = 3.0
"""QMOT-ENTROPIC re-certifies finely when the gap is within this many tolerances."""


@dataclass(frozen=True)
class CouplingSettings:
    """How to solve a coupling problem: the validated solver object, tolerance and limits.

    Built by :func:`coupling_settings` (the one validation of these arguments); every quantum
    entry point hands one of these to :func:`solve_coupling`.
    """

    solver: SolverChoice
    tol: Tolerance = field(default_factory=Tolerance)
    support_rtol: float = DEFAULT_SUPPORT_RTOL
    max_time: float | None = None
    verbose: bool = False
    progress: Progress | None = None


def coupling_settings(
    solver: Any = None,
    *,
    tol: Any = None,
    atol: Any = None,
    rtol: Any = None,
    support_rtol: Any = DEFAULT_SUPPORT_RTOL,
    solver_options: Mapping[str, Any] | None = None,
    max_time: Any = None,
    verbose: Any = False,
) -> CouplingSettings:
    """Validate the solver choice, tolerances and limits shared by the coupling entry points.

    Raises
    ------
    InvalidInputError
        An unknown solver name, options its schema rejects, a non-numeric or out-of-range
        tolerance, ``support_rtol`` outside ``[0, 1)``, a negative ``max_time``, a
        non-boolean ``verbose``.
    """
    tolerance = Tolerance.from_arguments(tol, atol, rtol)
    if (
        isinstance(support_rtol, bool)
        or not isinstance(support_rtol, int | float | np.integer | np.floating)
        or not (np.isfinite(support_rtol) and 0 <= support_rtol < 1)
    ):
        raise InvalidInputError(f"`support_rtol` must lie in [0, 1) (got {support_rtol!r})")
    check_seconds(max_time, "max_time")
    if not isinstance(verbose, bool | np.bool_):
        raise InvalidInputError(f"`verbose` must be True or False (got {verbose!r})")
    return CouplingSettings(
        solver=coupling_solver(solver, solver_options),
        tol=tolerance,
        support_rtol=float(support_rtol),
        max_time=None if max_time is None else float(max_time),
        verbose=bool(verbose),
    )


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


def coupling_sdp(
    cost: ArrayLike,
    R: ArrayLike,
    S: ArrayLike,
    *,
    solver: str | CouplingSolver | AutoCoupling | None = None,
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
        A name from :data:`qmot.solvers.registry.COUPLING_SOLVERS` or a solver object
        (e.g. ``QmotIPM(max_iterations=50)``): ``"AUTO"`` (default: QMOT-IPM up to reduced
        dimension 400 with a Clarabel or QMOT-ENTROPIC fallback, QMOT-ENTROPIC above),
        ``"QMOT-IPM"`` (:mod:`qmot.solvers.coupling.ipm`), ``"QMOT-ENTROPIC"``
        (:mod:`qmot.solvers.coupling.entropic`, first order, for couplings of dimension in the
        hundreds to thousands), ``"CLARABEL"`` (generic interior point, practical up to
        coupling dimension ≈ 50) or ``"SCS"`` (first order, low accuracy).
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
        The solver's hyper-parameters, checked against its options schema (QMOT-IPM:
        ``gap_tol``, ``residual_tol``, ``max_iterations``; QMOT-ENTROPIC: see
        :func:`qmot.solvers.coupling.entropic.solve_coupling_entropic`; Clarabel and SCS: their
        own settings, overriding qmot's accuracy settings). With ``"AUTO"`` each stage receives
        the options its schema names.
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
    settings = coupling_settings(
        solver,
        tol=tol,
        atol=atol,
        rtol=rtol,
        support_rtol=support_rtol,
        solver_options=solver_options,
        max_time=max_time,
        verbose=verbose,
    )
    return solve_coupling(cost_matrix, first, second, settings)


@interruptible  # Ctrl-C returns at once, even inside one long LAPACK call
def solve_coupling(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    settings: CouplingSettings,
    *,
    cost_error: float = 0.0,
) -> TransportResult:
    r"""Reduce, solve and certify a coupling problem whose inputs are already validated.

    This is the stage shared by :func:`coupling_sdp` and the quantum entry points
    (:func:`qmot.quantum.mk2`, :func:`qmot.quantum.dpt_divergence`); it performs no input
    validation. The bracket is certified for the given ``(cost, first, second)``, not for the
    reduced problem (:mod:`qmot.certify.supports`): when the support cut costs more than a
    quarter of the tolerance, the problem is solved again with only the eigenvalues that
    rounding cannot tell from 0 cut, and the better certified points of the two solves are kept.

    ``cost_error`` bounds :math:`\|\hat C - C\|_{op}` when ``cost`` is itself a computed
    approximation of the user's cost operator (:func:`qmot.quantum.golse_paul.cost_operator_error`);
    the bracket is widened by it on both sides, since every coupling has trace 1.
    """
    factor = power_of_two_scale(cost)
    if factor != 1.0:
        # the problem is homogeneous in C: solve for 2^k C (exact in floating point) so that
        # no solver sees costs near overflow or underflow, and scale the evidence back
        scaled = replace(settings, tol=settings.tol.rescaled(factor))
        result = solve_coupling(
            cost * factor, first, second, scaled, cost_error=cost_error * factor
        )
        return _rescaled_result(result, 1.0 / factor, settings.tol)
    with ExitStack() as stack:
        may_report = isinstance(settings.solver, QmotEntropic | AutoCoupling)
        if settings.verbose and settings.progress is None and may_report:
            title = f"{settings.solver.name}: certified bracket per ε-stage"
            table = stack.enter_context(StageTable(title))
            settings = replace(settings, progress=table.chain(None))
        stack.enter_context(blas_policy(cost.shape[0]))
        return _CouplingPipeline(settings, GivenCoupling(cost, first, second, cost_error))()


class _CouplingPipeline:
    """One certified solve: the given problem, its reductions, the stages and their evidence."""

    def __init__(self, settings: CouplingSettings, given: GivenCoupling) -> None:
        self.settings, self.given, self.tol = settings, given, settings.tol
        self.started = time.perf_counter()
        limit = settings.max_time
        self.deadline = None if limit is None else self.started + limit

    def __call__(self) -> TransportResult:
        given, settings, tol = self.given, self.settings, self.tol
        finer_rtol = rounding_support_rtol(given.first, given.second)
        problem = self._reduce(settings.support_rtol)
        if finer_rtol < settings.support_rtol and self._cut_too_costly(problem):
            problem = self._reduce(finer_rtol)
        certificate = self._solve(problem)
        if (
            not certificate.within(tol)
            and certificate.support_penalty > 0.25 * tol.width(certificate.upper)
            and finer_rtol < settings.support_rtol
            and not self._timed_out()
        ):
            finer = self._reduce(finer_rtol)
            if finer.dims != problem.dims:
                again = self._solve(finer)
                certificate = combine(certificate, again)
                problem = finer if again.lower >= certificate.lower else problem
        return self._result(problem, certificate)

    def _reduce(self, rtol: float) -> ReducedCoupling:
        return reduce_to_supports(self.given.cost, self.given.first, self.given.second, rtol=rtol)

    def _timed_out(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def _cut_too_costly(self, problem: ReducedCoupling) -> bool:
        """Whether the support cut alone would already spend a quarter of the tolerance (judged
        at the product coupling's cost, an estimate of the optimum: the choice only affects
        speed)."""
        first_cut, second_cut = problem.support_cuts()
        if first_cut.weight == 0.0 and second_cut.weight == 0.0:
            return False
        product = np.kron(self.given.first, self.given.second)
        estimate = float(np.sum(self.given.cost.T * product).real)
        penalty = cut_penalty(self.given.cost, first_cut, second_cut)
        return penalty > 0.25 * self.tol.width(estimate)

    def _solve(self, problem: ReducedCoupling) -> CouplingCertificate:
        solver = self.settings.solver
        if min(problem.dims) == 1:
            return self._stage(problem, ProductCoupling())
        if isinstance(solver, AutoCoupling):
            size = problem.dims[0] * problem.dims[1]
            return solver.run(
                size, lambda stage: self._guarded_stage(problem, stage), self.tol, self._timed_out
            )
        return self._stage(problem, solver)

    def _control(self, problem: ReducedCoupling, solver: CouplingSolver) -> RunControl:
        certify = None
        if isinstance(solver, QmotEntropic):

            def certify(coupling: np.ndarray, first: np.ndarray, second: np.ndarray) -> Any:
                return self._stage_bounds(problem, coupling, first, second)

        return RunControl(self.tol, self.deadline, self.settings.progress, certify)

    def _stage_bounds(
        self, problem: ReducedCoupling, coupling: np.ndarray, first: np.ndarray, second: np.ndarray
    ) -> tuple[float, float]:
        """Certified bounds of the reduced problem at a point (QMOT-ENTROPIC's stopping rule)."""
        lower = certify_dual(problem, first, second)[2]
        upper = certify_primal(problem, coupling)[1]
        margin = self.tol.width(upper)
        if margin < upper - lower <= FINE_SCALING_WITHIN * margin:
            fine = certify_primal(problem, coupling, scaling_sweeps=FINE_SCALING_SWEEPS)[1]
            upper = min(upper, fine)
        return lower, upper

    def _stage(self, problem: ReducedCoupling, solver: CouplingSolver) -> CouplingCertificate:
        """Run one solver and certify its points for the given problem."""
        raw = solver(problem, self._control(problem, solver))
        first_potential, second_potential, lower, slack = certify_dual(
            problem, raw.first_potential, raw.second_potential
        )
        coupling, upper = certify_primal(problem, raw.coupling)
        if not self.tol.met(upper, lower) and not self._timed_out():
            # a slowly scaling coupling (near rank-deficient) may still certify within tol
            finer, finer_upper = certify_primal(
                problem, raw.coupling, scaling_sweeps=FINE_SCALING_SWEEPS
            )
            if finer_upper < upper:
                coupling, upper = finer, finer_upper
        return lift_certificate(
            problem,
            self.given,
            coupling,
            (first_potential, second_potential, slack),
            raw.describe(),
            raw.solver,
            timed_out=raw.status == SolverStatus.TIME_LIMIT,
        )

    def _guarded_stage(
        self, problem: ReducedCoupling, solver: CouplingSolver
    ) -> CouplingCertificate:
        """:meth:`_stage`, with a crash of the solver turned into a failed stage (AUTO goes on)."""
        try:
            return self._stage(problem, solver)
        except BaseException as exc:
            # a Rust panic inside a solver arrives as pyo3's PanicException, a BaseException
            solver_crash = isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
            if not solver_crash or isinstance(exc, InvalidInputError | MemoryError):
                raise
            return failed_stage(self.given, solver.name, exc)

    def _result(
        self, problem: ReducedCoupling, certificate: CouplingCertificate
    ) -> TransportResult:
        given, tol = self.given, self.tol
        first, second = given.first, given.second
        upper = certificate.upper + given.cost_error
        lower = min(certificate.lower - given.cost_error, upper)  # rounding can only reverse them
        residuals = {
            **marginal_residuals(certificate.coupling, first, second),
            "coupling_min_eigenvalue": float(np.linalg.eigvalsh(certificate.coupling)[0]),
            "dual_min_slack": certificate.slack,
            "dropped_weight_R": problem.dropped_weight[0],
            "dropped_weight_S": problem.dropped_weight[1],
            "support_penalty": certificate.support_penalty,
            "cost_operator_error": given.cost_error,
            "least_marginal_eigenvalue": certificate.marginal_floor,
        }
        return TransportResult(
            cost=upper,
            lower_bound=lower,
            upper_bound=upper,
            status=coupling_status(upper, lower, tol, certificate.timed_out),
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
                "seconds": time.perf_counter() - self.started,
                "potentials_feasible_on": "supp R ⊗ supp S (kept supports; the lower bound pays "
                "residuals['support_penalty'] for the weight cut)",
            },
        )


def _rescaled_result(result: TransportResult, factor: float, tol: Tolerance) -> TransportResult:
    """Evidence of the problem ``factor · C`` from that of ``C`` (``factor`` a power of two)."""
    value_keys = ("dual_min_slack", "support_penalty", "cost_operator_error")
    residuals = {
        key: value * factor if key in value_keys else value
        for key, value in result.residuals.items()
    }
    upper, lower = result.upper_bound * factor, result.lower_bound * factor
    timed_out = result.status == Status.TIME_LIMIT  # the scaled problem's verdict, same budget
    return replace(
        result,
        cost=result.cost * factor,
        lower_bound=lower,
        upper_bound=upper,
        status=coupling_status(upper, lower, tol, timed_out),
        potentials={key: value * factor for key, value in result.potentials.items()},
        residuals=residuals,
        info={**result.info, "cost_scaled_by": 1.0 / factor, "atol": tol.atol},
    )
