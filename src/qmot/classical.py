r"""Classical two-marginal optimal transport: the baseline for every quantum number.

.. math::

    W_2^2(\mu,\nu) = \min_{p \ge 0,\ p\mathbf 1 = a,\ p^\top \mathbf 1 = b}
    \sum_{ij} p_{ij}|x_i - y_j|^2

(Caglioti–Golse–Paul 2020, eq. (1) and the definition of :math:`C_c`), solved exactly by POT's
network simplex,
and in one dimension by the monotone (quantile) coupling.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import as_points, as_real_array, as_weights, check_tolerance
from qmot.certify.margins import certified_pairing, rounding_margin
from qmot.errors import InvalidInputError, SolverError
from qmot.results import OPTIMAL, Status, TransportResult

__all__ = ["DEFAULT_TOL", "certify_plan", "emd2", "squared_distances", "w2", "w2_1d"]

DEFAULT_TOL = 1e-9
"""Required certified bracket width, relative to ``max(1, cost)``."""


def squared_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Matrix :math:`M_{ij} = |x_i - y_j|^2` for point arrays of shape ``(n, d)``, ``(m, d)``."""
    diff = x[:, None, :] - y[None, :, :]
    return np.einsum("ijk,ijk->ij", diff, diff)


def _validate_pair(
    x: ArrayLike, a: ArrayLike | None, y: ArrayLike, b: ArrayLike | None, normalize: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    xs = as_points(x, "x")
    ys = as_points(y, "y", dim=xs.shape[1])
    a_w = as_weights(a, "a", xs.shape[0], normalize=normalize)
    b_w = as_weights(b, "b", ys.shape[0], normalize=normalize)
    return xs, a_w, ys, b_w


def _checked_squared_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """:func:`squared_distances`, refusing point sets whose squared distances overflow.

    Raises
    ------
    InvalidInputError
        Some :math:`|x_i - y_j|^2` is not a finite double (coordinates near ``1e154`` or more
        apart).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        cost = squared_distances(x, y)
    if not np.all(np.isfinite(cost)):
        extent = max(float(np.abs(x).max()), float(np.abs(y).max()))
        raise InvalidInputError(
            "`x` and `y` must have squared distances |x_i - y_j|^2 that are finite in double "
            f"precision (got coordinates up to {extent:.3g} in magnitude; |x_i - y_j| must "
            f"stay below {np.sqrt(np.finfo(float).max):.3g}): rescale the points"
        )
    return cost


def _c_transforms(cost: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(u, v)`` with ``u = v^c`` and ``v = u^c``: feasible, and no worse than before."""
    u = np.min(cost - v[None, :], axis=1)
    v = np.min(cost - u[:, None], axis=0)
    return u, v


def certify_plan(
    cost: np.ndarray, a: np.ndarray, b: np.ndarray, plan: np.ndarray, v: np.ndarray
) -> tuple[float, float, np.ndarray, np.ndarray, dict[str, float]]:
    r"""Certified bracket of a discrete OT problem from a plan and a dual potential ``v``.

    The dual pair is made exactly feasible by c-transforms
    (:math:`u_i = \min_j M_{ij} - v_j`, then :math:`v_j = \min_i M_{ij} - u_i`) and lowered by a
    rounding margin (:mod:`qmot.certify.margins`, the rule for every certificate); its objective
    :math:`a\cdot u + b\cdot v`, summed exactly and lowered by its own margin, is the lower
    bound. The upper bound
    is :math:`\sum_{ij} p_{ij} M_{ij}` of the plan, whose marginal errors go in the residuals.

    Returns
    -------
    lower, upper, u, v, residuals
    """
    u, v = _c_transforms(cost, v)
    slack = cost - u[:, None] - v[None, :]
    # each slack entry is two rounded subtractions: the one rule with k = 2 (qmot.certify)
    magnitude = float((np.abs(cost) + np.abs(u)[:, None] + np.abs(v)[None, :]).max())
    u = u + min(float(slack.min()), 0.0) - rounding_margin(magnitude, 2)
    first_value, first_error = certified_pairing(a, u)
    second_value, second_error = certified_pairing(b, v)
    lower = first_value + second_value - first_error - second_error
    upper = float(np.sum(plan * cost))
    residuals = {
        "marginal_a": float(np.abs(plan.sum(axis=1) - a).max()),
        "marginal_b": float(np.abs(plan.sum(axis=0) - b).max()),
        "plan_min_entry": float(plan.min()),
        "dual_min_slack": float((cost - u[:, None] - v[None, :]).min()),
    }
    return min(lower, upper), upper, u, v, residuals


def _result(
    cost: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    plan: np.ndarray,
    v: np.ndarray,
    *,
    solver: str,
    tol: float,
    started: float,
) -> TransportResult:
    with np.errstate(over="ignore", invalid="ignore"):
        lower, upper, u, v, residuals = certify_plan(cost, a, b, plan, v)
    if not (np.isfinite(lower) and np.isfinite(upper)):
        raise InvalidInputError(
            "`x` and `y` must have squared distances whose certificate is finite in double "
            f"precision (got largest |x_i - y_j|^2 = {float(cost.max()):.3g}): rescale the points"
        )
    within = upper - lower <= tol * max(1.0, abs(upper))
    return TransportResult(
        cost=upper,
        lower_bound=lower,
        upper_bound=upper,
        status=OPTIMAL if within else Status.GAP_EXCEEDS_TOLERANCE,
        solver=solver,
        plan=plan,
        potentials={"u": u, "v": v},
        residuals=residuals,
        info={"sizes": plan.shape, "tol": tol, "seconds": time.perf_counter() - started},
    )


def _check_tol(tol: object) -> float:
    return check_tolerance(tol, "tol")


def w2(
    x: ArrayLike,
    a: ArrayLike | None,
    y: ArrayLike,
    b: ArrayLike | None,
    *,
    normalize: bool = False,
    tol: float = DEFAULT_TOL,
    max_iterations: int = 1_000_000,
) -> TransportResult:
    r"""Exact squared 2-Wasserstein distance between weighted point clouds in :math:`\mathbb R^d`.

    .. math:: W_2^2 = \min_{p \in \Pi(a, b)} \sum_{ij} p_{ij} |x_i - y_j|^2

    (Caglioti–Golse–Paul 2020, eq. (1); :math:`C_c` of the bipartite matching problem). Solved by
    POT's exact
    network simplex (``ot.emd``); the bracket comes from :func:`certify_plan`.

    Parameters
    ----------
    x, y
        Points, shape ``(n, d)`` and ``(m, d)`` (a 1-D array is read as points on the line).
    a, b
        Weights summing to 1 (``None``: uniform).
    normalize
        Divide positive weights by their sum instead of rejecting them.
    tol
        Required certified bracket width relative to ``max(1, cost)``.
    max_iterations
        Network-simplex iteration limit.

    Returns
    -------
    TransportResult
        ``cost`` = :math:`W_2^2`, ``plan`` (``n x m``), ``potentials["u"]``, ``["v"]``.

    Raises
    ------
    InvalidInputError
        Empty, non-finite, negative or non-normalised input; mismatched dimensions.
    SolverError
        The network simplex stops before optimality.

    Examples
    --------
    >>> from qmot.classical import w2
    >>> w2([[0.0], [1.0]], [0.5, 0.5], [[0.0], [3.0]], [0.5, 0.5]).cost
    2.0
    """
    xs, a_w, ys, b_w = _validate_pair(x, a, y, b, normalize)
    tol = _check_tol(tol)
    started = time.perf_counter()
    cost = _checked_squared_distances(xs, ys)
    return _network_simplex(a_w, b_w, cost, max_iterations, tol, started)


EMD2_COST_LIMIT = 1e150
"""Largest ``|M_ij|`` :func:`emd2` accepts: its certificate adds and multiplies such entries."""


def _validate_emd2(
    a: ArrayLike | None, b: ArrayLike | None, M: ArrayLike, normalize: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The checks of :func:`emd2`: a finite real ``(n, m)`` cost and weights of lengths n, m."""
    cost = as_real_array(M, "M")
    if cost.ndim != 2 or 0 in cost.shape:
        raise InvalidInputError(f"`M` must be a non-empty 2-D cost matrix (got shape {cost.shape})")
    if not np.all(np.isfinite(cost)):
        bad = int(cost.size - np.count_nonzero(np.isfinite(cost)))
        raise InvalidInputError(f"`M` must be finite (got {bad} NaN/inf entries)")
    if float(np.abs(cost).max()) > EMD2_COST_LIMIT:
        raise InvalidInputError(
            f"`M` must have entries of magnitude at most {EMD2_COST_LIMIT:g} "
            f"(got {float(np.abs(cost).max()):.3g}): rescale the cost"
        )
    empty = {"a": a, "b": b}
    for name, value in empty.items():  # POT reads an empty list as uniform weights
        if value is not None and np.size(value) == 0:
            empty[name] = None
    a_w = as_weights(empty["a"], "a", cost.shape[0], normalize=normalize)
    b_w = as_weights(empty["b"], "b", cost.shape[1], normalize=normalize)
    return a_w, b_w, np.ascontiguousarray(cost)


def emd2(
    a: ArrayLike | None,
    b: ArrayLike | None,
    M: ArrayLike,
    *,
    normalize: bool = False,
    tol: float = DEFAULT_TOL,
    max_iterations: int = 1_000_000,
) -> TransportResult:
    r"""Exact discrete optimal transport with a given cost matrix, in POT's convention.

    .. math:: \min_{p \ge 0,\ p\mathbf 1 = a,\ p^	op\mathbf 1 = b}\ \sum_{ij} p_{ij} M_{ij}

    The arguments are those of ``ot.emd2(a, b, M)``, but the answer is a certified
    :class:`~qmot.results.TransportResult` (POT returns a bare number): POT's network simplex
    finds the plan, and :func:`certify_plan` turns its dual into an exactly feasible one, so
    ``lower_bound <= optimum <= upper_bound`` holds for the ``M`` given. With
    :math:`M_{ij} = |x_i - y_j|^2` this is :func:`w2` (Caglioti–Golse–Paul 2020, eq. (1)).

    Parameters
    ----------
    a, b
        Weights of the ``n`` rows and ``m`` columns of ``M``, each summing to 1 (``None`` or an
        empty list: uniform, as in POT).
    M
        Real, finite ``n x m`` cost matrix (any sign).
    normalize
        Divide positive weights by their sum instead of rejecting them.
    tol
        Required certified bracket width relative to ``max(1, |cost|)``.
    max_iterations
        Network-simplex iteration limit.

    Returns
    -------
    TransportResult
        ``cost`` (the optimal value, attained by ``plan``), ``plan`` (``n x m``),
        ``potentials["u"]``, ``["v"]`` (exactly feasible: :math:`u_i + v_j \le M_{ij}`).

    Raises
    ------
    InvalidInputError
        ``M`` not a finite real matrix; weights negative, not summing to 1 or of the wrong
        length.
    SolverError
        The network simplex stops before optimality.

    Examples
    --------
    >>> from qmot.classical import emd2
    >>> result = emd2([0.5, 0.5], [0.5, 0.5], [[0.0, 1.0], [1.0, 0.0]])
    >>> result.cost, result.status
    (0.0, 'optimal')
    """
    a_w, b_w, cost = _validate_emd2(a, b, M, normalize)
    tol = _check_tol(tol)
    return _network_simplex(a_w, b_w, cost, max_iterations, tol, time.perf_counter())


def _network_simplex(
    a_w: np.ndarray,
    b_w: np.ndarray,
    cost: np.ndarray,
    max_iterations: int,
    tol: float,
    started: float,
) -> TransportResult:
    """POT's network simplex on ``cost``, certified against ``cost`` itself.

    POT reports an all-negative cost matrix as infeasible; every plan has mass 1, so
    ``cost - min(cost, 0)`` has the same optimal plans, and the certificate uses ``cost``.
    """
    import ot  # deferred: keeps `import qmot` fast

    shift = min(float(cost.min()), 0.0)
    plan, log = ot.emd(a_w, b_w, cost - shift, numItermax=max_iterations, log=True)
    if log.get("result_code") != 1:
        raise SolverError(
            f"the network simplex did not reach optimality: {log.get('warning')}",
            solver="POT.emd",
            status=str(log.get("result_code")),
        )
    return _result(
        cost, a_w, b_w, plan, np.asarray(log["v"]), solver="POT.emd", tol=tol, started=started
    )


def _monotone_plan(
    x_order: np.ndarray, a: np.ndarray, y_order: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """North-west-corner (quantile) coupling of sorted masses and its basis path.

    The path visits ``n + m - 1`` cells, moving one index per step (degenerate zero-mass
    cells included), so the potentials along it are determined; the mass of cell ``(i, j)``
    is the overlap of the quantile intervals of ``x_i`` and ``y_j``.
    """
    cum_a = np.concatenate(([0.0], np.cumsum(a[x_order])))
    cum_b = np.concatenate(([0.0], np.cumsum(b[y_order])))
    cum_a[-1] = cum_b[-1] = 1.0
    last_i, last_j = a.size - 1, b.size - 1
    plan = np.zeros((a.size, b.size))
    path = []
    i = j = 0
    while True:
        overlap = min(cum_a[i + 1], cum_b[j + 1]) - max(cum_a[i], cum_b[j])
        plan[x_order[i], y_order[j]] += max(overlap, 0.0)
        path.append((int(x_order[i]), int(y_order[j])))
        if i == last_i and j == last_j:
            return plan, path
        if i < last_i and (j == last_j or cum_a[i + 1] <= cum_b[j + 1]):
            i += 1
        else:
            j += 1


def _path_potential(cost: np.ndarray, path: list[tuple[int, int]]) -> np.ndarray:
    """Potential ``v`` with ``u_i + v_j = M_ij`` on every cell of the basis path."""
    v = np.zeros(cost.shape[1])
    u = np.zeros(cost.shape[0])
    i_prev, j_prev = path[0]
    v[j_prev] = cost[i_prev, j_prev]
    for i, j in path[1:]:
        if i != i_prev:
            u[i] = cost[i, j] - v[j]
        else:
            v[j] = cost[i, j] - u[i]
        i_prev, j_prev = i, j
    return v


def w2_1d(
    x: ArrayLike,
    a: ArrayLike | None,
    y: ArrayLike,
    b: ArrayLike | None,
    *,
    normalize: bool = False,
    tol: float = DEFAULT_TOL,
) -> TransportResult:
    r"""Closed-form :math:`W_2^2` on the line by the monotone (quantile) coupling.

    .. math:: W_2^2(\mu,\nu) = \int_0^1 |F_\mu^{-1}(t) - F_\nu^{-1}(t)|^2\,dt,

    computed exactly for discrete measures by merging the cumulative masses (north-west corner
    rule on sorted points). The monotone coupling is optimal for convex costs on the line; the
    dual potentials along its basis path certify it (:func:`certify_plan`).

    Parameters
    ----------
    x, y
        1-D point arrays (or shape ``(n, 1)``).
    a, b
        Weights summing to 1 (``None``: uniform).
    normalize, tol
        As in :func:`w2`.

    Examples
    --------
    >>> from qmot.classical import w2_1d
    >>> w2_1d([0.0, 1.0], None, [0.0, 3.0], None).cost
    2.0
    """
    xs, a_w, ys, b_w = _validate_pair(x, a, y, b, normalize)
    if xs.shape[1] != 1:
        raise InvalidInputError(f"`x` must be one-dimensional for w2_1d (got d={xs.shape[1]})")
    tol = _check_tol(tol)
    started = time.perf_counter()
    x_order = np.argsort(xs[:, 0], kind="stable")
    y_order = np.argsort(ys[:, 0], kind="stable")
    plan, path = _monotone_plan(x_order, a_w, y_order, b_w)
    cost = _checked_squared_distances(xs, ys)
    v = _path_potential(cost, path)
    return _result(
        cost, a_w, b_w, plan, v, solver="closed-form (quantile coupling)", tol=tol, started=started
    )
