r"""Exact symmetric N-marginal optimal transport with a pair cost on finitely many sites.

Cotar–Friesecke–Pass, *Infinite-body optimal transport with Coulomb cost*, eqs. (1.18)–(1.19):
for a probability vector :math:`\mu` on :math:`L` sites and a
symmetric cost matrix :math:`C`,

.. math::

    \min_{\gamma_N \text{ symmetric},\ \gamma_N \mapsto \mu}\ \mathbb E_{\gamma_N}
        \Big[\sum_{i<j} C(x_i, x_j)\Big] = \binom N2 F_N^{OT}[\mu]

is the linear program over occupation vectors (:mod:`qmot.reductions.occupations`)

.. math::

    \min_{w \ge 0} \sum_n w_n\,c(n)\quad\text{s.t.}\quad \sum_n w_n\,\frac{n}{N} = \mu,

solved by HiGHS. Sites with :math:`C_{kk} = +\infty` (Coulomb-type) forbid double occupation:
those configurations are absent, not penalised. Certificate: the dual :math:`y` (Kantorovich
potential) is made exactly feasible by a uniform shift — every column has
:math:`\sum_k n_k/N = 1`, so :math:`y \leftarrow y + \min(0, \min_n c(n) - y^\top n/N)\mathbf 1`
lowers all reduced costs equally — and :math:`\mu^\top y` is the lower bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike

from qmot._memory import check_memory, enumeration_lp_bytes, exceeds_limit
from qmot._progress import bracket_progress
from qmot._validation import check_positive_int, check_seconds, check_tolerance
from qmot.certify.occupation import certify_occupation_lp
from qmot.errors import InvalidInputError
from qmot.manybody.validation import validate_cost_matrix, validate_problem
from qmot.reductions.occupations import (
    configuration_cost,
    configuration_count,
    enumerate_configurations,
    pair_measure,
)
from qmot.results import OPTIMAL, Status, TransportResult
from qmot.solvers.interrupt import interruptible
from qmot.solvers.occupation.column_generation import CERTIFY_POLICIES, column_generation
from qmot.solvers.occupation.highs_lp import solve_occupation_lp
from qmot.solvers.occupation.pricing import DEFAULT_PRICING_ENGINE, check_pricing_engine
from qmot.solvers.occupation.pricing_scip import check_qcr_memory

__all__ = [
    "DEFAULT_MAX_CONFIGURATIONS",
    "SymmetricOTResult",
    "certify_occupation_lp",
    "sce_energy",
    "solve_occupation_lp",
    "symmetric_ot",
    "validate_cost_matrix",
    "validate_problem",
]

DEFAULT_MAX_CONFIGURATIONS = 2_000_000
"""Largest enumeration :func:`symmetric_ot` builds (columns of the LP)."""
DEFAULT_TOL = 1e-9


@dataclass(frozen=True, repr=False)
class SymmetricOTResult(TransportResult):
    """:class:`~qmot.results.TransportResult` with the many-body optimiser.

    ``cost`` is the total :math:`\\min\\mathbb E\\sum_{i<j}C`; ``configurations`` (``K x L``
    occupation vectors) and ``weights`` describe the optimal symmetric N-body measure;
    ``potentials["y"]`` is the Kantorovich potential (one value per site).
    """

    configurations: np.ndarray | None = None
    weights: np.ndarray | None = None
    particles: int = 2
    summary_properties: ClassVar[tuple[str, ...]] = ("cost_per_pair",)

    @property
    def cost_per_pair(self) -> float:
        """:math:`F_N^{OT}[\\mu] = \\text{cost}/\\binom N2` (Cotar–Friesecke–Pass 2015, eq.
        (1.19))."""
        return self.cost / math.comb(self.particles, 2)

    @property
    def pair_measure(self) -> np.ndarray:
        """Pair measure :math:`\\mu_2` of the optimal N-body measure (``L x L``)."""
        return pair_measure(self.configurations, self.weights)


METHODS = ("auto", "enumerate", "colgen")
"""``symmetric_ot`` methods: full enumeration, column generation, or chosen by size."""
DEFAULT_PRICING_TIME = 60.0
"""Seconds one exact pricing of column generation may take."""


def _check_options(
    tol: object,
    method: object,
    max_time: object,
    pricing_time: object,
    certify: object,
    pricing_engine: object,
) -> tuple[float, str, float]:
    tol = check_tolerance(tol, "tol")
    if method not in METHODS:
        raise InvalidInputError(f"`method` must be one of {METHODS} (got {method!r})")
    if certify not in CERTIFY_POLICIES:
        raise InvalidInputError(f"`certify` must be one of {CERTIFY_POLICIES} (got {certify!r})")
    budget = check_seconds(max_time, "max_time")
    check_seconds(pricing_time, "pricing_time")
    check_pricing_engine(pricing_engine)
    return float(tol), str(method), math.inf if budget is None else budget


@interruptible  # Ctrl-C returns at once, even inside HiGHS
def symmetric_ot(
    C: ArrayLike,
    mu: ArrayLike,
    N: int,
    *,
    normalize: bool = False,
    tol: float = DEFAULT_TOL,
    method: str = "auto",
    max_configurations: int = DEFAULT_MAX_CONFIGURATIONS,
    max_time: float | None = None,
    pricing_time: float = DEFAULT_PRICING_TIME,
    verbose: bool = False,
    seed: int = 0,
    certify: str = "budget",
    pricing_engine: str = DEFAULT_PRICING_ENGINE,
) -> SymmetricOTResult:
    r"""Exact symmetric N-marginal OT with pair cost ``C`` and one-body marginal ``mu``.

    Parameters
    ----------
    C
        Symmetric non-negative ``L x L`` cost matrix; ``+inf`` on the diagonal forbids double
        occupation of that site (Coulomb). Sites may come from any dimension.
    mu
        Probability vector on the ``L`` sites.
    N
        Number of particles (≥ 2).
    normalize
        Divide ``mu`` by its sum instead of rejecting it.
    tol
        Required certified gap relative to ``max(1, cost)``.
    method
        ``"enumerate"``: the LP over all occupation vectors; ``"colgen"``: certified column
        generation (:mod:`qmot.manybody.column_generation`); ``"auto"`` (default): enumeration
        when it has at most ``max_configurations`` columns, column generation otherwise.
    max_configurations
        Largest enumeration allowed (``method="enumerate"`` refuses larger ones).
    max_time
        Column generation only: stop after this many seconds with the best certified bracket
        (``status="time_limit"`` unless it closed). ``None``: no limit.
    pricing_time
        Column generation only: seconds one exact pricing may take. When it runs out
        without a proof, and while ``max_time`` remains, the bracket's lower end is
        strengthened by the doubly nonnegative relaxation
        (:func:`qmot.manybody.column_generation.dnn_lower_bound`, up to ``DNN_MAX_SITES``
        sites; one SDP given the same budget, capped by what remains of ``max_time``); the
        result keeps its certified (wider) bracket and ``status="pricing_time_limit"``. So
        that this bound always has time, an exact pricing uses at most four fifths of what
        remains of ``max_time``.
    verbose
        Show a live progress line (round, pool size, bracket) on standard error.
    seed
        Seed of the randomised pricing heuristics (results are reproducible).
    certify
        Column generation only: how long to spend *proving* the value once the pricing
        heuristics find no improving column (the value is then usually final; the bracket is
        certified under every policy). ``"budget"`` (default): the exact pricing, and then the
        relaxation, get at most ``max(5 s, 3 × the time taken so far)`` each, capped by
        ``pricing_time``; ``"full"``: each exact pricing gets ``pricing_time``; ``"none"``: no
        proof, the weak bound :math:`\mu^\top y - \max_k y_k` and
        ``status="upper_bound_only"`` unless it closes.
    pricing_engine
        Column generation only: the exact pricing. ``"bnb"`` (default): qmot's branch and
        bound over the particles' sites (:mod:`qmot.solvers.occupation.pricing_bnb`);
        ``"highs"``: HiGHS's mixed-integer program; ``"scip"``, ``"qcr"``: SCIP on the
        nonconvex program or on its quadratic convex reformulation (``pip install qmot[scip]``).
        All give certified bounds; the default proves far larger problems
        (``benchmarks/bench_pricing.py``).

    Returns
    -------
    SymmetricOTResult
        ``cost`` = :math:`\min\mathbb E\sum_{i<j}C(x_i,x_j)` (total, Cotar–Friesecke–Pass 2015 eq.
        (1.18)),
        ``cost_per_pair`` = :math:`F_N^{OT}`, the optimal configurations with their weights,
        Kantorovich potential ``potentials["y"]``, ``pair_measure``, certified bracket
        ``[lower_bound, upper_bound]``; ``status="optimal"`` only when it closed to ``tol``.

    Raises
    ------
    InfeasibleError
        A site with infinite self-cost would need more than one particle (N·mu_k > 1).

    Examples
    --------
    >>> import numpy as np
    >>> C = np.array([[np.inf, 1.0], [1.0, np.inf]])  # two sites, no double occupation
    >>> symmetric_ot(C, [0.5, 0.5], 2).cost           # one particle on each site
    1.0
    >>> from qmot.manybody import Coulomb, sce_1d
    >>> x, mu = np.linspace(0.0, 1.0, 12), np.full(12, 1 / 12)  # column generation, 12 sites
    >>> result = symmetric_ot(Coulomb().matrix(x), mu, 4, method="colgen")
    >>> result.status, abs(result.cost - sce_1d(x, mu, 4, Coulomb()).cost) < 1e-9
    ('optimal', True)
    """
    matrix, weights, particles = validate_problem(C, mu, N, normalize=normalize)
    tol, method, budget = _check_options(
        tol, method, max_time, pricing_time, certify, pricing_engine
    )
    single = np.isinf(np.diag(matrix))
    count = configuration_count(matrix.shape[0], particles, single=single)
    if method == "enumerate" and count > max_configurations:
        raise InvalidInputError(
            f"`N` = {particles} on {matrix.shape[0]} sites needs {count:.3g} configurations, more "
            f"than max_configurations = {max_configurations:.3g}; raise the budget or use "
            'method="colgen"'
        )
    memory = enumeration_lp_bytes(count, matrix.shape[0], particles)
    if method == "enumerate":  # the estimate before the build (column generation is lean)
        what = f"full enumeration of {count:.3g} configurations"
        check_memory(memory, what, 'use method="colgen"')
    if method == "colgen" or (
        method == "auto" and (count > max_configurations or exceeds_limit(memory))
    ):
        if pricing_engine == "qcr":
            check_qcr_memory(matrix, particles)
        limits = _Limits(tol, budget, float(pricing_time), str(certify), str(pricing_engine))
        return _by_column_generation(matrix, weights, particles, limits, verbose, seed)
    return _by_enumeration(matrix, weights, particles, tol, count)


def _by_enumeration(
    matrix: np.ndarray, weights: np.ndarray, particles: int, tol: float, count: int
) -> SymmetricOTResult:
    started = time.perf_counter()
    single = np.isinf(np.diag(matrix))
    configurations = enumerate_configurations(matrix.shape[0], particles, single=single)
    column_costs = configuration_cost(configurations, matrix)
    plan, y, status = solve_occupation_lp(configurations, column_costs, weights, particles)
    lower, upper, y, residuals = certify_occupation_lp(
        configurations, column_costs, weights, particles, plan, y
    )
    support = plan > 1e-12
    within = upper - lower <= tol * max(1.0, abs(upper))
    return SymmetricOTResult(
        cost=upper,
        lower_bound=min(lower, upper),
        upper_bound=upper,
        status=OPTIMAL if within else Status.GAP_EXCEEDS_TOLERANCE,
        solver="HiGHS (full enumeration)",
        potentials={"y": y},
        residuals=residuals,
        info={"columns": int(count), "seconds": time.perf_counter() - started, "lp_status": status},
        configurations=configurations[support],
        weights=plan[support],
        particles=particles,
    )


@dataclass(frozen=True)
class _Limits:
    """Tolerance and budgets of one column-generation run."""

    tol: float
    max_time: float
    pricing_time: float
    certify: str
    pricing_engine: str


def _by_column_generation(
    matrix: np.ndarray,
    weights: np.ndarray,
    particles: int,
    limits: _Limits,
    verbose: bool,
    seed: int,
) -> SymmetricOTResult:
    started = time.perf_counter()
    title = f"symmetric OT, N = {particles}, L = {matrix.shape[0]}"
    with bracket_progress(title, enabled=verbose) as progress:
        run = column_generation(
            matrix,
            weights,
            particles,
            tol=limits.tol,
            max_time=limits.max_time,
            pricing_time=limits.pricing_time,
            seed=seed,
            progress=progress,
            certify=limits.certify,
            pricing_engine=limits.pricing_engine,
        )
    configurations, plan = run.configurations, np.clip(run.weights, 0.0, None)
    upper = float(plan @ configuration_cost(configurations, matrix))
    residuals = {
        "marginal": float(np.abs(plan @ configurations / particles - weights).max()),
        "negative_weight": float(max(0.0, -run.weights.min(initial=0.0))),
    }
    pricing = run.pricing
    return SymmetricOTResult(
        cost=upper,
        lower_bound=min(run.lower_bound, upper),
        upper_bound=upper,
        status=OPTIMAL if run.certified else run.status,
        solver=f"HiGHS column generation (local-search + {limits.pricing_engine} pricing)",
        potentials={"y": run.y},
        residuals=residuals,
        info={
            "columns": int(
                configuration_count(matrix.shape[0], particles, single=np.isinf(np.diag(matrix)))
            ),
            "rounds": run.rounds,
            "pool": run.pool,
            "columns_added": run.columns_added,
            "pricing_status": None if pricing is None else pricing.status,
            "pricing_seconds": None if pricing is None else pricing.seconds,
            "pricing_engine": limits.pricing_engine,
            "pricing_nodes": None if pricing is None else pricing.nodes,
            "seconds": time.perf_counter() - started,
            "certify": limits.certify,
            "history": run.history,
        },
        configurations=configurations,
        weights=plan,
        particles=particles,
    )


def sce_energy(
    rho_sites: ArrayLike, N: int, pair_cost: ArrayLike, **options: object
) -> SymmetricOTResult:
    r"""Strictly-correlated-electrons energy :math:`V_{ee}^{SCE}[\rho] = \binom N2 F_N^{OT}[\rho/N]`
    (Cotar–Friesecke–Pass 2015, eq. (1.21)) for a density given as masses on sites with
    :math:`\sum\rho = N`.

    ``pair_cost`` is the ``L x L`` cost matrix on the sites.
    """
    from qmot.manybody.marginals import density_to_marginal

    particles = check_positive_int(N, "N", minimum=2)
    marginal = density_to_marginal(rho_sites, particles)
    return symmetric_ot(pair_cost, marginal, particles, **options)  # type: ignore[arg-type]
