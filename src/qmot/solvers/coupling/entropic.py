r"""QMOT-ENTROPIC: a first-order, certified solver for large coupling SDPs.

Because :math:`\operatorname{tr} R = \operatorname{tr} S = 1`, the Kantorovich dual of the coupling
SDP (Caglioti–Golse–Paul 2020, §2)

.. math::

    \max_{A, B}\ \operatorname{tr}(RA) + \operatorname{tr}(SB)\quad\text{s.t.}\quad
    K(A, B) = C - A\otimes I - I\otimes B \succeq 0

equals the *unconstrained* concave problem
:math:`\max_{A,B} g(A,B) = \operatorname{tr}(RA) + \operatorname{tr}(SB) + \lambda_{\min}(K(A,B))`:
shifting ``A`` by :math:`\lambda_{\min}` makes any point exactly feasible, so every evaluation
yields a certified lower bound. The non-smooth :math:`\lambda_{\min}` is replaced by the soft-min
:math:`-\varepsilon\log\operatorname{tr}\exp(-K/\varepsilon)` (error at most
:math:`\varepsilon\log n`), the quantum entropic regularisation of optimal transport; its
gradient is :math:`(R - \operatorname{tr}_2 Q_\varepsilon,\ S - \operatorname{tr}_1 Q_\varepsilon)`
with the Gibbs state :math:`Q_\varepsilon = e^{-K/\varepsilon}/\operatorname{tr}e^{-K/\varepsilon}`,
a trace-one positive matrix that is nearly a coupling.

Method: L-BFGS on the smoothed dual (variables scaled by :math:`(r_i r_j)^{-1/4}` in the
eigenbases of ``R`` and ``S``), with :math:`\varepsilon`-continuation (geometric decrease, warm
starts). One evaluation needs the eigenpairs of the ``n x n`` matrix ``K`` with non-negligible
Gibbs weight; they come from a shift-and-invert subspace iteration warm-started with the previous
evaluation's eigenvectors (one Cholesky factorisation and two or three block solves, see
:class:`_WarmEigensolver`), with a dense partial eigendecomposition (LAPACK's MRRR driver) to
start, to refresh every 50 evaluations and as the fallback. A
stage ends after a fixed number of iterations or once the marginal defect of
:math:`Q_\varepsilon` is small compared with ε; the dual path :math:`x(\varepsilon)` is then
extrapolated towards ε = 0, which gives better dual points at the price of one eigenvalue each.
Every ``certify_every`` evaluations and at the end of each stage the bracket is certified by
:func:`qmot.certify.coupling.certify_dual` (best dual point so far: lower bound) and
:func:`qmot.certify.coupling.certify_primal` applied to :math:`Q_\varepsilon` (upper bound); the
run stops when the certified relative gap reaches ``tol``, when ``max_time`` or the evaluation
budget is spent, or when the gap stops improving. The best certified points are returned, never
a bare number.

Measured (benchmarks/bench_first_order.py, 2 cores): the certified gap shrinks roughly like ε,
and a relative gap of 1e-4 takes ≈ 800–2,000 evaluations on random coherent mixtures. A
spectrum of a 480-dimensional ``K`` costs ≈ 19 ms with the warm iteration against ≈ 29 ms with a
dense partial eigendecomposition (≈ 73 ms when NumPy's and SciPy's BLAS thread pools compete,
which :func:`qmot._threads.blas_policy` prevents); whole solves with the dense route
take 1.4–1.7 times longer. Golse–Paul MK_ħ² between
random mixtures of M = N coherent states, certified relative gap ≤ 1e-4: d = 1, M = N = 24
(n = 480) in 40 s and M = N = 32 (n = 728) in 101 s; d = 2, M = N = 24 (n = 576) in 43 s and
M = N = 32 (n = 1024) in 179 s; W²_DPT between qudits of dimension 16 (n = 256) in 8.5 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.linalg
from scipy.optimize import minimize

from qmot._progress import StageTable
from qmot._threads import uses_blas_policy
from qmot._validation import check_named_options, is_finite_real, is_integer_value
from qmot.certify.tolerance import Tolerance
from qmot.solvers.base import (
    Certifier,
    CouplingSolver,
    OptionRules,
    RawCoupling,
    RunControl,
    SolverStatus,
)
from qmot.solvers.interrupt import raise_if_cancelled

if TYPE_CHECKING:
    from qmot.reductions.supports import ReducedCoupling

__all__ = [
    "NAME",
    "EntropicResult",
    "QmotEntropic",
    "check_entropic_options",
    "solve_coupling_entropic",
]

NAME = "QMOT-ENTROPIC"
GIBBS_CUTOFF = 36.0
"""Eigenvalues more than this many ε above λ_min get Gibbs weight < e^-36 and are dropped."""
SCALING_RANGE = 1e3
"""Largest ratio between two variable scalings (the preconditioner is clipped to it)."""
EXTRAPOLATION_STEPS = (0.25, 0.5, 1.0)
"""Multiples of the last continuation step tried as dual points at the end of a stage."""
CERTIFICATION_RESERVE = 3.0
"""``max_time`` keeps this many times the slowest certification's duration for the final ones."""
STALL_STAGES = 3
"""Stages without the certified gap shrinking by 10 % after which the run stops (stalled)."""


@dataclass(frozen=True)
class EntropicResult:
    """Raw output of :func:`solve_coupling_entropic` (before the caller's final certification).

    Attributes
    ----------
    coupling
        Gibbs state :math:`Q_\\varepsilon` of the stage with the best certified upper bound.
    first_potential, second_potential
        Dual point with the best certified lower bound (not yet shifted).
    status
        ``"converged"`` (certified relative gap within ``tol``), ``"time_limit"``,
        ``"max_evaluations"`` or ``"stalled"``.
    evaluations, stages, epsilon
        Work done and the last smoothing parameter.
    dense_eigensolves
        Spectra computed by a dense eigendecomposition (the others by the warm iteration).
    lower_bound, upper_bound
        The certified bracket found during the run.
    history
        One record per ε-stage: ``epsilon``, ``evaluations``, ``seconds``, ``lower``, ``upper``.
    """

    coupling: np.ndarray
    first_potential: np.ndarray
    second_potential: np.ndarray
    status: str
    evaluations: int
    stages: int
    epsilon: float
    lower_bound: float
    upper_bound: float
    dense_eigensolves: int = 0
    history: tuple[dict[str, float], ...] = field(default_factory=tuple)


_OPTION_RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "max_evaluations": ("a positive integer", lambda v: is_integer_value(v) and v >= 1),
    "epsilon_start": ("a number in (0, 1]", lambda v: is_finite_real(v) and 0 < v <= 1),
    "epsilon_factor": ("a number in (0, 1)", lambda v: is_finite_real(v) and 0 < v < 1),
    "stage_evaluations": ("a positive integer", lambda v: is_integer_value(v) and v >= 1),
    "stage_defect": ("a positive number", lambda v: is_finite_real(v) and v > 0),
    "memory": ("a positive integer", lambda v: is_integer_value(v) and v >= 1),
    "certify_every": ("a positive integer", lambda v: is_integer_value(v) and v >= 1),
    "eigensolver": ("'warm' or 'dense'", lambda v: v in ("warm", "dense")),
}


def check_entropic_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``solver_options`` for QMOT-ENTROPIC (names and values); return them as a dict.

    Raises
    ------
    InvalidInputError
        An unknown option name, or a value that breaks its rule.
    """
    return check_named_options(options, _OPTION_RULES, NAME)


class _SmoothedDual:
    r"""The smoothed dual :math:`-f_\varepsilon` and its gradient, in scaled real coordinates.

    A real ``r x r`` array ``P`` stands for the Hermitian
    :math:`A = \operatorname{sym}(W\circ P) + i\,\operatorname{skew}(W\circ P)` (``W`` the
    preconditioning weights); the Euclidean gradient of :math:`\operatorname{Re}\operatorname{tr}
    (GA)` in ``P`` is :math:`W\circ(\operatorname{Re} G + \operatorname{Im} G)`.
    """

    def __init__(
        self, cost: np.ndarray, first: np.ndarray, second: np.ndarray, *, warm: bool = True
    ) -> None:
        self.cost = cost
        self.first, self.second = first, second
        self.r, self.s = first.shape[0], second.shape[0]
        self.first_weights = _weights(np.diag(first).real)
        self.second_weights = _weights(np.diag(second).real)
        spread = np.linalg.eigvalsh(cost)
        self.eigensolver = _WarmEigensolver(
            self.r * self.s, float(spread[-1] - spread[0]), warm=warm
        )
        self.evaluations = 0
        self.defect = np.inf
        self.best_lower = -np.inf
        self.best_point: tuple[np.ndarray, np.ndarray] | None = None

    def potentials(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r, s = self.r, self.s
        first = x[: r * r].reshape(r, r) * self.first_weights
        second = x[r * r :].reshape(s, s) * self.second_weights
        return _hermitian_from_real(first), _hermitian_from_real(second)

    def slack(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        r""":math:`K = C - A\otimes I - I\otimes B` (``O(n²)``, no Kronecker products formed)."""
        r, s = self.r, self.s
        slack = self.cost.copy().reshape(r, s, r, s)
        slack -= first[:, None, :, None] * np.eye(s)[None, :, None, :]
        slack -= np.eye(r)[:, None, :, None] * second[None, :, None, :]
        return np.asfortranarray(slack.reshape(r * s, r * s))  # LAPACK's layout: no copies

    def spectrum(self, x: np.ndarray, epsilon: float) -> tuple[np.ndarray, np.ndarray]:
        """Eigenpairs of ``K`` carrying Gibbs weight > e^-36 (at least the least one)."""
        first, second = self.potentials(x)
        return self.eigensolver.lowest(self.slack(first, second), first, second, epsilon)

    def __call__(self, x: np.ndarray, epsilon: float) -> tuple[float, np.ndarray]:
        first, second = self.potentials(x)
        values, vectors = self.spectrum(x, epsilon)
        self.evaluations += 1
        linear = float(np.vdot(self.first, first).real + np.vdot(self.second, second).real)
        lower = linear + float(values[0])
        if lower > self.best_lower:
            self.best_lower, self.best_point = lower, (first, second)
        weights = np.exp(-(values - values[0]) / epsilon)
        partition = float(weights.sum())
        weights /= partition
        first_marginal, second_marginal = _gibbs_marginals(vectors, weights, self.r, self.s)
        value = lower - epsilon * np.log(partition)
        first_gradient = self.first - first_marginal
        second_gradient = self.second - second_marginal
        self.defect = float(np.linalg.norm(first_gradient) + np.linalg.norm(second_gradient))
        gradient = np.concatenate(
            [
                ((first_gradient.real + first_gradient.imag) * self.first_weights).ravel(),
                ((second_gradient.real + second_gradient.imag) * self.second_weights).ravel(),
            ]
        )
        return -value, -gradient

    def lower_bound(self, x: np.ndarray) -> None:
        """Evaluate :math:`g` (one eigenvalue computation) and keep the point if it is best."""
        first, second = self.potentials(x)
        slack = self.slack(first, second)
        least = scipy.linalg.eigh(
            slack, eigvals_only=True, driver="evr", subset_by_index=[0, 0], check_finite=False
        )[0]
        lower = float(np.vdot(self.first, first).real + np.vdot(self.second, second).real) + least
        if lower > self.best_lower:
            self.best_lower, self.best_point = lower, (first, second)

    def gibbs_state(self, x: np.ndarray, epsilon: float) -> np.ndarray:
        """The Gibbs state :math:`Q_\\varepsilon` at ``x``."""
        values, vectors = self.spectrum(x, epsilon)
        weights = np.exp(-(values - values[0]) / epsilon)
        weights /= weights.sum()
        return (vectors * weights) @ vectors.conj().T


class _WarmEigensolver:
    r"""Eigenpairs of :math:`K(A, B)` below :math:`\lambda_{\min} + 36\varepsilon`, warm-started.

    Consecutive evaluations change ``K`` a little, so the previous eigenvectors are a good start:
    shift-and-invert subspace iteration with Rayleigh–Ritz. The shift ``σ`` is the Ritz estimate
    of λ_min in the previous eigenvectors minus its residual and ε; if ``K' − σI`` is not positive
    definite (its Cholesky factorisation fails), Weyl's inequality
    :math:`\lambda_{\min}(K') \ge \lambda_{\min}(K) - \lambda_{\max}(A'-A) -
    \lambda_{\max}(B'-B)` gives a shift that is below λ_min up to rounding (then lower still).
    One Cholesky factorisation, then a few solves with
    the block of previous Ritz vectors plus two random vectors (so that no eigenvector is missed
    for good), QR, Rayleigh–Ritz with ``K'``, until every wanted Ritz pair has a residual
    :math:`\|Kv - \theta v\|` below ``RESIDUAL_TOL`` times the spread of ``C`` divided by its
    Gibbs weight, and the block reaches beyond the wanted window. A Cholesky factorisation costs
    about a tenth of a dense partial eigendecomposition (n = 480: 2.5 ms against 33 ms); with the
    solves and Rayleigh–Ritz steps a spectrum costs 1.1–1.6 times less than LAPACK's MRRR, about
    as much as ARPACK's shift-and-invert Lanczos told the window's size, and 20–40 times less
    than LOBPCG (``bench_first_order.py --eigensolvers``). A dense MRRR eigendecomposition
    starts the solver, refreshes it every ``REFRESH_EVERY`` evaluations and takes over when the
    iteration does not converge.
    The eigenpairs only steer the optimiser: the certificates recompute everything densely.
    """

    REFRESH_EVERY = 50
    MAX_ITERATIONS = 8
    RESIDUAL_TOL = 1e-11
    RANDOM_COLUMNS = 2

    def __init__(self, n: int, spread: float, seed: int = 0, *, warm: bool = True) -> None:
        self.n = n
        self.warm = warm  # False: every spectrum by the dense eigendecomposition
        self.spread = max(spread, np.finfo(float).tiny)
        self.rng = np.random.default_rng(seed)
        self.wanted = n  # eigenpairs asked of the dense solver (adapted)
        self.basis: np.ndarray | None = None
        self.least = 0.0
        self.potentials: tuple[np.ndarray, np.ndarray] | None = None
        self.since_dense = 0
        self.dense_solves = 0
        self.iterations = 0

    def lowest(
        self, slack: np.ndarray, first: np.ndarray, second: np.ndarray, epsilon: float
    ) -> tuple[np.ndarray, np.ndarray]:
        found = None
        basis, previous = self.basis, self.potentials
        fresh = self.since_dense < self.REFRESH_EVERY
        if self.warm and fresh and basis is not None and previous is not None:
            found = self._iterate(slack, (first, second), previous, basis, epsilon)
        if found is None:
            found = self._dense(slack, epsilon)
        values, vectors = found
        self.least, self.potentials = float(values[0]), (first, second)
        needed = int(np.searchsorted(values, values[0] + GIBBS_CUTOFF * epsilon))
        return values[:needed], vectors[:, :needed]

    def _dense(self, slack: np.ndarray, epsilon: float) -> tuple[np.ndarray, np.ndarray]:
        n = self.n
        while True:
            wanted = min(n, self.wanted)
            values, vectors = scipy.linalg.eigh(
                slack,
                driver="evr",
                subset_by_index=None if wanted == n else [0, wanted - 1],
                check_finite=False,
            )
            if wanted == n or values[-1] - values[0] > GIBBS_CUTOFF * epsilon:
                break
            self.wanted = 2 * wanted
        needed = int(np.searchsorted(values, values[0] + GIBBS_CUTOFF * epsilon))
        self.wanted = min(n, max(16, 2 * needed))
        self.dense_solves += 1
        self.since_dense = 0
        # a block beyond a third of the dimension makes the iteration no cheaper than this
        self.basis = vectors if 3 * vectors.shape[1] <= n else None
        return values, vectors

    def _factor(
        self,
        slack: np.ndarray,
        current: tuple[np.ndarray, np.ndarray],
        previous: tuple[np.ndarray, np.ndarray],
        basis: np.ndarray,
        epsilon: float,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        r"""Cholesky factor of :math:`K - \sigma I` with ``σ`` below λ_min, and the old basis
        rotated to Ritz vectors of the new ``K`` (or None if no shift is found).

        ``σ`` is first the Ritz estimate of λ_min in the old basis minus its residual and ε; if
        ``K − σI`` is not positive definite (an eigenvalue lies below), Weyl's bound
        :math:`\lambda_{\min}(K) - \lambda_{\max}(\Delta A) - \lambda_{\max}(\Delta B)`
        minus ε, then lower still.
        """
        drift = float(np.linalg.eigvalsh(current[0] - previous[0])[-1])
        drift += float(np.linalg.eigvalsh(current[1] - previous[1])[-1])
        values, rotated, residuals = _rayleigh_ritz(slack, basis)
        close = float(values[0] - residuals[0]) - epsilon
        safe = self.least - drift - epsilon
        for shift in (close, safe, safe - epsilon - 1e-12 * self.spread):
            shifted = slack.copy(order="F")
            shifted[np.diag_indices(self.n)] -= shift
            factor, info = scipy.linalg.lapack.zpotrf(shifted, lower=1, clean=0, overwrite_a=1)
            if info == 0:
                return factor, rotated
        return None

    def _iterate(
        self,
        slack: np.ndarray,
        current: tuple[np.ndarray, np.ndarray],
        previous: tuple[np.ndarray, np.ndarray],
        basis: np.ndarray,
        epsilon: float,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        factored = self._factor(slack, current, previous, basis, epsilon)
        if factored is None:
            return None
        factor, basis = factored
        noise = self.rng.normal(size=(self.n, 2 * self.RANDOM_COLUMNS))
        block = np.asfortranarray(np.hstack([basis, noise[:, ::2] + 1j * noise[:, 1::2]]))
        for _ in range(self.MAX_ITERATIONS):
            self.iterations += 1
            solved, _ = scipy.linalg.lapack.zpotrs(factor, block, lower=1)
            orthonormal = scipy.linalg.qr(solved, mode="economic", check_finite=False)[0]
            values, block, residuals = _rayleigh_ritz(slack, orthonormal)
            needed = int(np.searchsorted(values, values[0] + GIBBS_CUTOFF * epsilon))
            if needed > block.shape[1] - 2 * self.RANDOM_COLUMNS:
                return None  # the wanted window outgrew the block
            weights = np.exp(-(values[:needed] - values[0]) / epsilon)
            if np.all(residuals[:needed] * weights <= self.RESIDUAL_TOL * self.spread):
                self.since_dense += 1
                self.basis = block[:, : min(block.shape[1], needed + max(16, needed // 2))]
                return values, block
        return None


def _rayleigh_ritz(
    matrix: np.ndarray, orthonormal: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ritz values, Ritz vectors and residual norms of a Hermitian matrix on a subspace."""
    blas = scipy.linalg.blas  # SciPy's threaded BLAS (see qmot._threads), Fortran layout
    image = blas.zhemm(1.0, matrix, orthonormal, lower=1)
    projected = blas.zgemm(1.0, orthonormal, image, trans_a=2)
    values, rotation = scipy.linalg.eigh((projected + projected.conj().T) / 2, check_finite=False)
    vectors = blas.zgemm(1.0, orthonormal, rotation)
    residuals = blas.zgemm(1.0, image, rotation) - vectors * values
    return values, vectors, np.linalg.norm(residuals, axis=0)


def _weights(marginal: np.ndarray) -> np.ndarray:
    """Preconditioner :math:`(m_i m_j)^{-1/4}`, clipped to a range of ``SCALING_RANGE``."""
    scale = np.clip(marginal, marginal.max() / SCALING_RANGE**2, None) ** -0.25
    return np.outer(scale, scale)


def _hermitian_from_real(matrix: np.ndarray) -> np.ndarray:
    return (matrix + matrix.T) / 2 + 0.5j * (matrix - matrix.T)


def _gibbs_marginals(
    vectors: np.ndarray, weights: np.ndarray, r: int, s: int
) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`\operatorname{tr}_2 Q` and :math:`\operatorname{tr}_1 Q` of
    :math:`Q = \sum_k w_k u_k u_k^*` without forming ``Q`` (cost :math:`O(n\,k\,(r+s))`)."""
    blocks = vectors.T.reshape(-1, r, s) * np.sqrt(weights)[:, None, None]  # √w_k u_k, r x s
    side_by_side = blocks.transpose(1, 0, 2).reshape(r, -1)  # [√w_1 U_1, ..., √w_k U_k]
    stacked = blocks.reshape(-1, s)  # the same blocks on top of each other
    return side_by_side @ side_by_side.conj().T, stacked.T @ stacked.conj()


@dataclass
class _Bracket:
    """The best certified primal point (coupling) and dual point (potentials) so far."""

    coupling: np.ndarray
    dual: tuple[np.ndarray, np.ndarray]
    lower: float = -np.inf
    upper: float = np.inf
    checked_at: int = 0

    def update(
        self,
        coupling: np.ndarray,
        dual: tuple[np.ndarray, np.ndarray],
        lower: float,
        upper: float,
    ) -> None:
        if lower > self.lower:
            self.lower, self.dual = lower, dual
        if upper < self.upper:
            self.upper, self.coupling = upper, coupling

    def within(self, tol: float | Tolerance) -> bool:
        rule = tol if isinstance(tol, Tolerance) else Tolerance.legacy(tol)
        return rule.met(self.upper, self.lower)


@dataclass
class _Budget:
    """Evaluation and wall-clock limits of one run."""

    started: float
    max_time: float | None
    max_evaluations: int
    reason: str = ""
    reserve: float = 0.0
    """Seconds kept for the certifications that follow the last evaluation."""

    def spent(self, evaluations: int) -> bool:
        """Whether the run must stop now; ``reason`` says which limit ended it."""
        elapsed = time.perf_counter() - self.started
        if self.max_time is not None and elapsed + self.reserve > self.max_time:
            self.reason = "time_limit"
        elif evaluations >= self.max_evaluations:
            self.reason = "max_evaluations"
        return bool(self.reason)


@uses_blas_policy
def solve_coupling_entropic(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    certify: Certifier,
    *,
    tol: float | Tolerance = 1e-7,
    max_time: float | None = None,
    max_evaluations: int = 20_000,
    epsilon_start: float = 1e-3,
    epsilon_factor: float = 0.3,
    stage_evaluations: int = 300,
    stage_defect: float = 1.0,
    certify_every: int = 150,
    memory: int = 30,
    eigensolver: str = "warm",
    verbose: bool = False,
    progress: Callable[[dict[str, float]], None] | None = None,
) -> EntropicResult:
    r"""Entropic L-BFGS with ε-continuation on a reduced coupling problem; see the module docstring.

    Parameters
    ----------
    cost, first, second
        Reduced problem: Hermitian ``C`` (``rs x rs``), positive definite ``R`` (``r x r``) and
        ``S`` (``s x s``) of trace 1.
    certify
        ``(Q, A, B) -> (lower, upper)``: the caller's certificates
        (:func:`qmot.certify.coupling.certify_dual` and
        :func:`qmot.certify.coupling.certify_primal`), called at the end of each ε-stage.
    tol
        Target certified gap: a :class:`qmot.certify.tolerance.Tolerance`, or a number for the
        rule ``gap <= tol * max(1, |upper|)``.
    max_time
        Wall-clock budget in seconds (``None``: none); the best bracket so far is returned.
    max_evaluations
        Budget of function evaluations (one partial eigendecomposition each); L-BFGS-B finishes
        the line search under way, so a run may take one or two evaluations more.
    epsilon_start, epsilon_factor
        First smoothing parameter relative to the spectral radius of ``C`` minus its least
        eigenvalue, and the factor applied after each stage.
    stage_evaluations
        Most L-BFGS iterations per ε-stage.
    stage_defect
        A stage ends early once the marginal defect of :math:`Q_\varepsilon` (Frobenius norms)
        times the spectral spread of ``C`` is below ``stage_defect * ε``.
    certify_every
        Certify the current Gibbs state every this many evaluations inside a stage too (the
        run stops as soon as the certified gap is within ``tol``).
    memory
        L-BFGS memory (number of correction pairs).
    eigensolver
        ``"warm"`` (default): the warm-started shift-and-invert iteration of
        :class:`_WarmEigensolver`; ``"dense"``: LAPACK's dense partial eigendecomposition at every
        evaluation (the library route: whole solves ≈ 1.4–1.7 times slower; kept for comparison
        and robustness).
    verbose
        Show a live rich display (stage, ε, evaluations, certified bracket) on stderr.
    progress
        Called every 10 evaluations and after each stage with a record (``stage``, ``epsilon``,
        ``evaluations``, ``seconds``, ``lower``, ``upper``, ``final`` = 1.0 after a stage).

    Returns
    -------
    EntropicResult

    Examples
    --------
    The solver is reached through the coupling entry points (which reduce, validate and certify):

    >>> import numpy as np
    >>> from qmot.sdp import coupling_sdp
    >>> R, S = np.diag([0.7, 0.3]), np.diag([0.4, 0.6])
    >>> C = np.diag([0.0, 1.0, 1.0, 0.0])  # classical 0/1 cost: the optimum moves mass 0.3
    >>> result = coupling_sdp(C, R, S, solver="QMOT-ENTROPIC", tol=1e-6)
    >>> result.status, result.lower_bound <= 0.3 <= result.upper_bound <= 0.3 + 1e-6
    ('optimal', True)
    """
    settings = QmotEntropic(
        max_evaluations=max_evaluations,
        epsilon_start=epsilon_start,
        epsilon_factor=epsilon_factor,
        stage_evaluations=stage_evaluations,
        stage_defect=stage_defect,
        certify_every=certify_every,
        memory=memory,
        eigensolver=eigensolver,
    )
    tolerance = tol if isinstance(tol, Tolerance) else Tolerance.legacy(tol)
    if not verbose:
        return _EntropicRun(settings, cost, first, second, certify, tolerance, max_time, progress)()
    with StageTable(f"{NAME}: certified bracket per ε-stage") as display:
        run = _EntropicRun(
            settings, cost, first, second, certify, tolerance, max_time, display.chain(progress)
        )
        return run()


@dataclass(frozen=True)
class QmotEntropic(CouplingSolver):
    """QMOT-ENTROPIC as a solver object: its hyper-parameters (see
    :func:`solve_coupling_entropic` for their meaning), called on a reduced problem.

    The run stops on the certified gap of the :class:`~qmot.solvers.base.RunControl`'s
    ``certify`` (required) and reports every 10 evaluations to its ``progress``.
    """

    name: ClassVar[str] = NAME
    option_rules: ClassVar[OptionRules] = _OPTION_RULES
    max_evaluations: int = 20_000
    epsilon_start: float = 1e-3
    epsilon_factor: float = 0.3
    stage_evaluations: int = 300
    stage_defect: float = 1.0
    certify_every: int = 150
    memory: int = 30
    eigensolver: str = "warm"

    def __call__(self, problem: ReducedCoupling, control: RunControl) -> RawCoupling:
        if control.certify is None:
            raise ValueError("QMOT-ENTROPIC needs the caller's certificate (control.certify)")
        run = _EntropicRun(
            self,
            problem.cost,
            problem.first,
            problem.second,
            control.certify,
            control.tol,
            control.remaining(),
            control.progress,
        )
        found = run()
        details = (
            f"{found.evaluations} evaluations, {found.stages} ε-stages, "
            f"{found.dense_eigensolves} dense eigensolves"
        )
        return RawCoupling(
            found.coupling,
            found.first_potential,
            found.second_potential,
            SolverStatus(found.status),
            NAME,
            details,
        )


class _EntropicRun:
    """One run of the method: the state shared by its ε-stages, and the stages themselves."""

    def __init__(
        self,
        settings: QmotEntropic,
        cost: np.ndarray,
        first: np.ndarray,
        second: np.ndarray,
        certify: Certifier,
        tol: Tolerance,
        max_time: float | None,
        progress: Callable[[dict[str, float]], None] | None,
    ) -> None:
        self.settings, self.certify, self.tol, self.progress = settings, certify, tol, progress
        self.started = time.perf_counter()
        first_values, self.first_basis = np.linalg.eigh(first)
        second_values, self.second_basis = np.linalg.eigh(second)
        self.rotation = np.kron(self.first_basis, self.second_basis)
        rotated_cost = self.rotation.conj().T @ cost @ self.rotation
        rotated_cost = (rotated_cost + rotated_cost.conj().T) / 2
        self.dual = _SmoothedDual(
            rotated_cost,
            np.diag(first_values),
            np.diag(second_values),
            warm=settings.eigensolver == "warm",
        )
        self.budget = _Budget(self.started, max_time, settings.max_evaluations)
        spectrum = np.linalg.eigvalsh(rotated_cost)
        self.scale = max(float(spectrum[-1] - spectrum[0]), np.finfo(float).tiny)
        self.epsilon = settings.epsilon_start * self.scale
        self.stage = 0
        self.history: list[dict[str, float]] = []
        # the product coupling and A = λ_min(C) I, B = 0 are a certified bracket before any work
        self.bracket = _Bracket(
            np.kron(first, second), (np.zeros_like(first), np.zeros_like(second))
        )
        certify_started = time.perf_counter()
        self.bracket.lower, self.bracket.upper = certify(self.bracket.coupling, *self.bracket.dual)
        # after the last evaluation come a certification here and one by the caller
        self.budget.reserve = CERTIFICATION_RESERVE * (time.perf_counter() - certify_started)

    def __call__(self) -> EntropicResult:
        x = np.zeros(self.dual.r**2 + self.dual.s**2)
        previous_x: np.ndarray | None = None
        while True:
            self.stage += 1
            x = self._minimise_stage(x)
            if previous_x is not None and not self.budget.reason:
                self._extrapolate(x, previous_x)
            previous_x = x.copy()
            status = self._stage_verdict(x)
            if status is not None:
                return self._result(status)
            self.epsilon *= self.settings.epsilon_factor

    def _record(self, kind: str) -> dict[str, float]:
        entry = {
            "stage": float(self.stage),
            "epsilon": self.epsilon,
            "evaluations": float(self.dual.evaluations),
            "seconds": time.perf_counter() - self.started,
            "lower": self.bracket.lower,
            "upper": self.bracket.upper,
        }
        if self.progress is not None:
            self.progress({**entry, "final": float(kind == "stage")})
        return entry

    def _back(self, potential: np.ndarray, basis: np.ndarray) -> np.ndarray:
        return basis @ potential @ basis.conj().T

    def _certify_at(self, point: np.ndarray) -> bool:
        """Certify the Gibbs state at ``point`` and the best dual point; True if within tol."""
        dual, bracket = self.dual, self.bracket
        bracket.checked_at = dual.evaluations
        if dual.best_point is not None:
            potentials = (
                self._back(dual.best_point[0], self.first_basis),
                self._back(dual.best_point[1], self.second_basis),
            )
            state = dual.gibbs_state(point, self.epsilon)
            coupling = self.rotation @ state @ self.rotation.conj().T
            certify_started = time.perf_counter()
            bracket.update(coupling, potentials, *self.certify(coupling, *potentials))
            # the certifications after the last evaluation may take as long as the slowest one
            spent = time.perf_counter() - certify_started
            self.budget.reserve = max(self.budget.reserve, CERTIFICATION_RESERVE * spent)
        return bracket.within(self.tol)

    def _objective(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        raise_if_cancelled()  # between evaluations: the caller may have pressed Ctrl-C
        value = self.dual(point, self.epsilon)
        if self.progress is not None and self.dual.evaluations % 10 == 0:
            self._record("evaluation")
        return value

    def _after_iteration(self, intermediate_result: Any) -> None:
        """L-BFGS-B's callback: ``StopIteration`` ends the stage (SciPy's documented protocol)
        when the budget is spent, the bracket is certified or the stage's defect is small."""
        settings, dual = self.settings, self.dual
        if self.budget.spent(dual.evaluations):
            raise StopIteration
        due = dual.evaluations - self.bracket.checked_at >= settings.certify_every
        if (due and self._certify_at(intermediate_result.x)) or (
            dual.defect * self.scale <= settings.stage_defect * self.epsilon
        ):
            raise StopIteration

    def _minimise_stage(self, x: np.ndarray) -> np.ndarray:
        settings = self.settings
        if self.budget.spent(self.dual.evaluations):
            return x
        # L-BFGS-B ends its line search before it stops on ``maxfun`` (one or two more)
        evaluations_left = max(1, settings.max_evaluations - self.dual.evaluations)
        outcome = minimize(
            self._objective,
            x,
            jac=True,
            method="L-BFGS-B",
            callback=self._after_iteration,
            options={
                "maxiter": settings.stage_evaluations,
                "maxfun": min(2 * settings.stage_evaluations, evaluations_left),
                "maxcor": settings.memory,
                "gtol": 1e-14,
                "ftol": 1e-16,
            },
        )
        self.budget.spent(self.dual.evaluations)  # records why the stage ended, if it is that
        return np.asarray(outcome.x)

    def _extrapolate(self, x: np.ndarray, previous_x: np.ndarray) -> None:
        """The dual path x(ε) is smooth: extrapolating it towards ε = 0 gives cheap candidates."""
        for extrapolation in EXTRAPOLATION_STEPS:
            self.dual.lower_bound(x + extrapolation * (x - previous_x))

    def _stage_verdict(self, x: np.ndarray) -> str | None:
        """Certify at the end of a stage; the run's status if it ends here, else ``None``."""
        bracket = self.bracket
        if self.dual.best_point is None:  # the budget was spent before the first evaluation
            return self.budget.reason
        previous_gap = bracket.upper - bracket.lower
        self._certify_at(x)
        self.history.append(self._record("stage"))
        if bracket.within(self.tol):
            return "converged"
        if self.budget.reason:
            return self.budget.reason
        gap = bracket.upper - bracket.lower
        history = self.history
        stall = len(history) > STALL_STAGES and gap > 0.9 * (
            history[-STALL_STAGES - 1]["upper"] - history[-STALL_STAGES - 1]["lower"]
        )
        return "stalled" if stall or previous_gap <= 0 else None

    def _result(self, status: str) -> EntropicResult:
        bracket, dual = self.bracket, self.dual
        return EntropicResult(
            coupling=bracket.coupling,
            first_potential=bracket.dual[0],
            second_potential=bracket.dual[1],
            status=status,
            evaluations=dual.evaluations,
            stages=self.stage,
            epsilon=self.epsilon,
            lower_bound=bracket.lower,
            upper_bound=bracket.upper,
            dense_eigensolves=dual.eigensolver.dense_solves,
            history=tuple(self.history),
        )
