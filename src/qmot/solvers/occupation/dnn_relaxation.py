r"""The doubly nonnegative (DNN) relaxation of symmetric N-marginal transport on sites.

Two bounds, each evaluated exactly from the multipliers SCS returns (signs enforced, a rounding
margin of :mod:`qmot.certify.margins` on the least eigenvalue), so an inaccurate SDP solution
only loosens them: :func:`pricing_bound` bounds the pricing minimum :math:`r^\star(y)` at a
fixed dual :math:`y`, :func:`certified_relaxation` the whole problem (maximising over
:math:`y` too). The inputs are validated by the entry points in :mod:`qmot.manybody.relaxations`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from qmot.certify.margins import eigenvalue_margin
from qmot.certify.occupation import lagrangian_margin

__all__ = ["DNN_MAX_SITES", "certified_relaxation", "pricing_bound"]

DNN_MAX_SITES = 400
"""Largest number of sites for the doubly nonnegative relaxation bound (an SDP of size L + 1,
given ``pricing_time`` seconds of SCS iterations: to tolerance it takes 1–5 s on a 10 × 10 grid,
30 s on 120 sites of a line, 78 s on 200; 60 s on 400 certify a relative gap of 0.005)."""


def pricing_bound(
    cost: np.ndarray, y: np.ndarray, particles: int, time_limit: float | None
) -> float | None:
    """:func:`qmot.manybody.dnn_pricing_bound` on inputs already validated."""
    multipliers = _solve_dnn_dual(cost, particles, y=y, time_limit=time_limit)
    if multipliers is None:
        return None
    return _weak_duality_bound(cost, y, particles, multipliers)


def certified_relaxation(
    cost: np.ndarray, mu: np.ndarray, particles: int, time_limit: float | None
) -> tuple[float, np.ndarray] | None:
    """:func:`qmot.manybody.dnn_lower_bound` on inputs already validated."""
    multipliers = _solve_dnn_dual(cost, particles, mu=mu, time_limit=time_limit)
    if multipliers is None:
        return None
    y = multipliers["y"]
    pricing = _weak_duality_bound(cost, y, particles, multipliers)
    return float(mu @ y) + pricing - lagrangian_margin(cost, mu, y), y


def _pricing_matrix(cost: np.ndarray, y: Any, particles: int) -> Any:
    r"""The matrix :math:`Q` with :math:`c(n) - y^\top n/N = \langle Q, (1, n)(1, n)^\top\rangle`
    (``y`` a vector or a cvxpy expression)."""
    import cvxpy as cp

    binary = np.isinf(np.diag(cost))
    finite_diagonal = np.where(binary, 0.0, np.diag(cost))
    off = np.array(cost, dtype=float)
    np.fill_diagonal(off, 0.0)
    block = off / 2 + np.diag(finite_diagonal / 2)
    if isinstance(y, cp.Expression):
        border = cp.reshape(-y / (2 * particles) - finite_diagonal / 4, (1, y.shape[0]), order="C")
        return cp.bmat([[np.zeros((1, 1)), border], [border.T, block]])
    border = (-y / (2 * particles) - finite_diagonal / 4)[None, :]
    return np.block([[np.zeros((1, 1)), border], [border.T, block]])


def _solve_dnn_dual(
    cost: np.ndarray,
    particles: int,
    *,
    y: np.ndarray | None = None,
    mu: np.ndarray | None = None,
    time_limit: float | None = None,
) -> dict[str, Any] | None:
    """Multipliers of the doubly nonnegative relaxation by SCS, at fixed ``y`` or, given ``mu``,
    with ``y`` maximising the Lagrangian bound too (``None`` when SCS returns nothing)."""
    import cvxpy as cp  # deferred: cvxpy set-up is slow and unused elsewhere in this module

    sites = cost.shape[0]
    binary = np.isinf(np.diag(cost))
    a, c = cp.Variable(), cp.Variable()
    lower, upper, rows = cp.Variable(sites), cp.Variable(sites), cp.Variable(sites)
    nonnegative = cp.Variable((sites + 1, sites + 1), symmetric=True)
    potential = cp.Variable(sites) if y is None else y
    slack = (
        _pricing_matrix(cost, potential, particles)
        - _dnn_constraint_map(a, lower, upper, c, rows, particles)
        - nonnegative
    )
    constraints = [slack >> 0, nonnegative >= 0, upper >= 0]
    if binary.any():
        constraints.append(upper[np.flatnonzero(binary)] == 0)
    if not binary.all():
        constraints.append(lower[np.flatnonzero(~binary)] >= 0)
    objective = a + c * particles
    if y is None:  # the potential is a variable too: the Lagrangian bound mu^T y + r*(y)
        objective = objective + mu @ potential
    problem = cp.Problem(cp.Maximize(objective), constraints)
    try:
        budget = {} if time_limit is None else {"time_limit_secs": float(time_limit)}
        with warnings.catch_warnings():  # "inaccurate" is expected: the bound is re-evaluated
            warnings.filterwarnings("ignore", message="Solution may be inaccurate")
            problem.solve(solver="SCS", eps=1e-7, max_iters=20_000, **budget)
    except cp.error.SolverError:
        return None
    if a.value is None:
        return None
    return {
        "a": float(a.value),
        "c": float(c.value),
        "lower": np.asarray(lower.value),
        "upper": np.asarray(upper.value),
        "rows": np.asarray(rows.value),
        "nonnegative": np.asarray(nonnegative.value),
        "y": np.asarray(potential.value if y is None else y, dtype=float),
    }


def _weak_duality_bound(
    cost: np.ndarray, y: np.ndarray, particles: int, multipliers: dict[str, Any]
) -> float:
    """The weak-duality bound of :func:`dnn_pricing_bound`, evaluated from the multipliers with
    their signs enforced and a rounding margin on the least eigenvalue."""
    binary = np.isinf(np.diag(cost))
    lower_value = multipliers["lower"].copy()
    lower_value[~binary] = np.clip(lower_value[~binary], 0.0, None)
    upper_value = np.where(binary, 0.0, np.clip(multipliers["upper"], 0.0, None))
    exact_slack = _pricing_matrix(cost, y, particles) - np.clip(
        multipliers["nonnegative"], 0.0, None
    )
    exact_slack -= _dnn_constraint_map(
        multipliers["a"], lower_value, upper_value, multipliers["c"], multipliers["rows"], particles
    )
    exact_slack = (exact_slack + exact_slack.T) / 2
    least = float(np.linalg.eigvalsh(exact_slack)[0])
    rounding = eigenvalue_margin(exact_slack)
    trace = 1 + particles if binary.all() else 1 + particles**2
    return multipliers["a"] + multipliers["c"] * particles + trace * min(0.0, least - rounding)


def _dnn_constraint_map(a: Any, lower: Any, upper: Any, c: Any, rows: Any, particles: int) -> Any:
    r""":math:`\sum_k m_k A_k` over the constraints of :func:`dnn_pricing_bound`, for numbers or
    cvxpy expressions alike: ``a`` on :math:`Y_{00}`, ``lower`` on :math:`X_{ii} - n_i`
    (:math:`= 0` or :math:`\ge 0`), ``upper`` on :math:`N n_i - X_{ii} \ge 0`, ``c`` on
    :math:`\sum n_i`, ``rows`` on :math:`\sum_j X_{ij} - N n_i`."""
    import cvxpy as cp

    symbolic = isinstance(a, cp.Expression)
    stack = cp.bmat if symbolic else np.block
    shape = cp.reshape if symbolic else (lambda v, size, order="C": np.reshape(v, size))
    sites = lower.shape[0]
    border = shape(
        (-lower + particles * upper) / 2 + c / 2 - particles * rows / 2, (1, sites), order="C"
    )
    ones = np.ones((sites, 1))
    column, row = shape(rows, (sites, 1), order="C"), shape(rows, (1, sites), order="C")
    diagonal = cp.diag(lower - upper) if symbolic else np.diag(lower - upper)
    block = diagonal + (column @ ones.T + ones @ row) / 2
    return stack([[shape(a, (1, 1), order="C"), border], [border.T, block]])
