r"""Exact pricing in SCIP (optional: ``pip install qmot[scip]``), natively and convexified.

``"scip"`` hands SCIP the pricing problem as it is — integer occupations :math:`n_k`
(binary where :math:`C_{kk} = +\infty`), :math:`\sum_k n_k = N`, and the nonconvex quadratic
objective :math:`\tfrac12 n^\top \hat C n - (\tfrac12\operatorname{diag}\hat C + y/N)^\top n`
(:math:`\hat C` is :math:`C` with its infinite diagonal set to 0) — and lets it apply its own
reformulations and cuts.

``"qcr"`` is the quadratic convex reformulation (Billionnet–Elloumi–Lambert): on the binary
items :math:`b` of :func:`qmot.solvers.occupation.pricing_milp.item_encoding` (weights
:math:`w`), the objective :math:`\tfrac12 b^\top Qb + q^\top b` is replaced by

.. math::

    \tfrac12 b^\top Qb + q^\top b + \sum_i u_i(b_i^2 - b_i)
        + \sum_i \lambda_i b_i(w^\top b - N),

equal to it on every feasible point, with :math:`u, \lambda` the multipliers of the SDP
relaxation (Shor, with :math:`X_{ii} = b_i` and :math:`Xw = Nb`), so that it is convex and its
continuous relaxation is the SDP bound; a diagonal shift makes it exactly convex. SCIP then
solves the convex binary program (its product reformulation switched off).

SCIP's dual bound is valid whether or not it finishes. Ctrl-C stops it at the next node.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
import warnings
from typing import Any

import numpy as np

from qmot._memory import check_memory, real_sdp_bytes
from qmot.errors import InvalidInputError
from qmot.solvers.interrupt import cancelled
from qmot.solvers.occupation.pricing_common import PricingOutcome, PricingRequest
from qmot.solvers.occupation.pricing_milp import item_encoding

__all__ = ["check_qcr_memory", "qcr_memory", "qcr_pricing", "scip_pricing"]

FEASIBILITY_TOLERANCE = 1e-7
"""SCIP's relative feasibility tolerance; its dual bound is lowered by a few times this (below
1e-7 SoPlex, without GMP, warns on every LP that it cannot reach SCIP's tightened LP tolerance)."""


def _pyscipopt() -> Any:
    try:
        import pyscipopt
    except ImportError as exc:  # optional extra
        raise InvalidInputError(
            "`pricing_engine` 'scip' and 'qcr' need PySCIPOpt; install it with "
            "`pip install qmot[scip]` (got no module named pyscipopt)"
        ) from exc
    return pyscipopt


def _quadratic(cost: np.ndarray, y: np.ndarray, particles: int) -> tuple[np.ndarray, np.ndarray]:
    r"""``H, g`` with :math:`c(n) - y^\top n/N = \tfrac12 n^\top Hn + g^\top n` on the
    feasible occupations."""
    diagonal = np.diag(cost)
    finite = np.where(np.isinf(diagonal), 0.0, diagonal)
    hessian = np.array(cost, dtype=float)
    np.fill_diagonal(hessian, finite)
    return hessian, -0.5 * finite - y / particles


def _solve(
    model: Any, variables: list[Any], request: PricingRequest
) -> tuple[np.ndarray | None, PricingOutcome]:
    """Run SCIP with the limits and a Ctrl-C check at every node; the best point and bound."""
    pyscipopt = _pyscipopt()

    class _Interrupt(pyscipopt.Eventhdlr):  # type: ignore[misc, name-defined]
        def eventinit(self) -> None:
            self.model.catchEvent(pyscipopt.SCIP_EVENTTYPE.NODESOLVED, self)

        def eventexec(self, event: Any) -> None:
            if cancelled():
                self.model.interruptSolve()

    model.includeEventhdlr(_Interrupt(), "qmot_interrupt", "stops SCIP on Ctrl-C")
    model.setParam("limits/time", float(max(request.time_limit, 0.01)))
    model.setParam("limits/absgap", float(request.allowed_gap))
    model.setParam("limits/gap", 0.0)
    model.setParam("numerics/feastol", FEASIBILITY_TOLERANCE)
    model.setParam("misc/catchctrlc", False)  # Ctrl-C belongs to Python (the handler above)
    model.optimizeNogil()  # without the GIL, so that the caller's thread sees Ctrl-C at once
    status = model.getStatus()
    bound = float(model.getDualbound())
    # the epigraph may be violated by the relative feasibility tolerance: the bound pays it
    bound -= 4.0 * FEASIBILITY_TOLERANCE * max(1.0, abs(bound))
    point = None
    if model.getNSols() > 0:
        best = model.getBestSol()
        point = np.rint([model.getSolVal(best, v) for v in variables]).astype(np.int64)
    outcome = PricingOutcome(
        configuration=None,
        lower_bound=bound if math.isfinite(bound) else -math.inf,
        complete=status == "optimal",
        status=str(status),
        nodes=int(model.getNNodes()),
    )
    return point, outcome


def _model(
    hessian: np.ndarray,
    linear: np.ndarray,
    kinds: list[str],
    uppers: np.ndarray,
    weights: np.ndarray,
    particles: int,
    start: np.ndarray | None,
) -> tuple[Any, list[Any]]:
    """min ½xᵀHx + gᵀx s.t. wᵀx = N as a SCIP model (epigraph of the quadratic objective)."""
    pyscipopt = _pyscipopt()
    model = pyscipopt.Model()
    model.hideOutput()
    x = [
        model.addVar(vtype=kind, lb=0.0, ub=float(upper))
        for kind, upper in zip(kinds, uppers, strict=True)
    ]
    model.addCons(
        pyscipopt.quicksum(float(w) * v for w, v in zip(weights, x, strict=True)) == particles
    )
    epigraph = model.addVar(lb=None, ub=None)
    first, second = np.nonzero(np.triu(hessian, 1))
    terms = [float(hessian[i, j]) * x[i] * x[j] for i, j in zip(first, second, strict=True)]
    terms += [0.5 * float(hessian[i, i]) * x[i] * x[i] for i in np.flatnonzero(np.diag(hessian))]
    terms += [float(linear[i]) * x[i] for i in np.flatnonzero(linear)]
    model.addCons(pyscipopt.quicksum(terms) <= epigraph)
    model.setObjective(epigraph)
    if start is not None:
        solution = model.createSol()
        for v, value in zip(x, start, strict=True):
            model.setSolVal(solution, v, float(value))
        value = 0.5 * start @ hessian @ start + linear @ start
        model.setSolVal(solution, epigraph, float(value) + 1e-9 * (1 + abs(value)))
        model.addSol(solution, free=True)
    return model, x


def scip_pricing(request: PricingRequest) -> PricingOutcome:
    """Least reduced cost by SCIP on the native nonconvex integer program (module docstring)."""
    cost, particles = request.cost, request.particles
    hessian, linear = _quadratic(cost, request.y, particles)
    single = np.isinf(np.diag(cost))
    kinds = ["B" if s else "I" for s in single]
    uppers = np.where(single, 1, particles)
    model, x = _model(
        hessian, linear, kinds, uppers, np.ones(cost.shape[0]), particles, request.incumbent
    )
    point, outcome = _solve(model, x, request)
    return PricingOutcome(
        point, outcome.lower_bound, outcome.complete, outcome.status, outcome.nodes
    )


def qcr_multipliers(
    hessian: np.ndarray,
    linear: np.ndarray,
    weights: np.ndarray,
    particles: int,
    time_limit: float = math.inf,
) -> tuple[np.ndarray, np.ndarray]:
    r"""The convexified ``H', g'`` of the module docstring from the SDP's multipliers.

    The multipliers only need to make :math:`H'` positive semidefinite: the reformulation is
    exact on feasible points for any of them, so an inaccurate SDP solve costs strength, never
    validity; the least eigenvalue, less a rounding margin, is shifted to zero.
    """
    import cvxpy as cp

    size = linear.size
    lifted = cp.Variable((size + 1, size + 1), PSD=True)
    second, first = lifted[1:, 1:], lifted[0, 1:]
    diagonal = cp.diag(second) == first
    rows = second @ weights == particles * first
    constraints = [lifted[0, 0] == 1, diagonal, rows, weights @ first == particles]
    objective = 0.5 * cp.sum(cp.multiply(hessian, second)) + linear @ first
    with warnings.catch_warnings():  # inaccurate multipliers weaken, never invalidate
        warnings.simplefilter("ignore", UserWarning)
        problem = cp.Problem(cp.Minimize(objective), constraints)
        with contextlib.suppress(cp.error.SolverError):  # out of time: weaker multipliers
            problem.solve(solver="CLARABEL", time_limit=float(max(time_limit, 0.01)))
    u = np.zeros(size) if diagonal.dual_value is None else np.asarray(diagonal.dual_value)
    lam = np.zeros(size) if rows.dual_value is None else np.asarray(rows.dual_value)
    best = None
    for sign_u in (1.0, -1.0):  # the solver's sign convention for equality multipliers
        for sign_l in (1.0, -1.0):
            candidate = (
                hessian
                + 2 * sign_u * np.diag(u)
                + sign_l * (np.outer(lam, weights) + np.outer(weights, lam))
            )
            least = float(np.linalg.eigvalsh(candidate)[0])
            if best is None or least > best[0]:
                best = (least, sign_u, sign_l, candidate)
    least, sign_u, sign_l, convex = best
    norm = float(np.abs(convex).sum(axis=1).max(initial=0.0))
    shift = max(0.0, -least) + 64 * size * np.finfo(float).eps * norm
    convex = convex + shift * np.eye(size)
    shifted = linear - sign_u * u - sign_l * particles * lam - 0.5 * shift
    return convex, shifted


def qcr_memory(cost: np.ndarray, particles: int) -> int:
    """Estimated peak memory of the SDP behind the QCR multipliers (one cone over the items)."""
    return real_sdp_bytes(item_encoding(cost, particles)[0].size + 1)


def check_qcr_memory(cost: np.ndarray, particles: int) -> None:
    """Refuse, before any work, a QCR pricing whose SDP would not fit in memory."""
    items = item_encoding(cost, particles)[0].size
    check_memory(
        qcr_memory(cost, particles),
        f'pricing_engine="qcr" (an SDP over {items} binary items)',
        'use pricing_engine="bnb" (the default), "highs" or "scip"',
    )


def qcr_pricing(request: PricingRequest) -> PricingOutcome:
    """Least reduced cost by SCIP on the convexified binary program (module docstring)."""
    cost, particles, incumbent = request.cost, request.particles, request.incumbent
    check_qcr_memory(cost, particles)
    hessian, linear = _quadratic(cost, request.y, particles)
    sites, weights = item_encoding(cost, particles)
    item_hessian = hessian[np.ix_(sites, sites)] * np.outer(weights, weights)
    item_linear = linear[sites] * weights + 0.5 * np.diag(item_hessian)  # b_i² = b_i
    np.fill_diagonal(item_hessian, 0.0)
    started = time.perf_counter()
    convex, shifted = qcr_multipliers(  # half the budget for the SDP, the rest for SCIP
        item_hessian, item_linear, weights, particles, 0.5 * request.time_limit
    )
    left = max(request.time_limit - (time.perf_counter() - started), 0.01)
    request = dataclasses.replace(request, time_limit=left)
    start = None if incumbent is None else _encode(incumbent, sites, weights)
    count = sites.size
    model, b = _model(convex, shifted, ["B"] * count, np.ones(count), weights, particles, start)
    model.setParam("constraints/nonlinear/reformbinprods", False)
    point, outcome = _solve(model, b, request)
    configuration = None
    if point is not None:
        configuration = np.zeros(cost.shape[0], dtype=np.int64)
        np.add.at(configuration, sites, point * weights.astype(np.int64))
    return PricingOutcome(
        configuration, outcome.lower_bound, outcome.complete, outcome.status, outcome.nodes
    )


def _encode(occupation: np.ndarray, sites: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Binary digits of each occupation on its items (largest weight first)."""
    bits = np.zeros(sites.size)
    for k in np.flatnonzero(occupation):
        remaining = int(occupation[k])
        for i in np.flatnonzero(sites == k)[::-1]:
            if weights[i] <= remaining:
                bits[i], remaining = 1.0, remaining - int(weights[i])
    return bits
