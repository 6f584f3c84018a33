r"""N-representability of pair measures on finitely many sites (Cotar–Friesecke–Pass 2015, §§2–3).

A symmetric pair measure :math:`\mu_2` on :math:`L` sites is N-representable (Def. 2.1) when
it is the pair marginal of a symmetric N-body measure, i.e. lies in
:math:`\operatorname{conv}\{(nn^\top - \operatorname{diag} n)/(N(N-1)) :
n\in\mathbb N^L, |n| = N\}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from qmot._memory import check_memory, representability_lp_bytes
from qmot._validation import as_real_array, check_positive_int
from qmot.errors import InvalidInputError
from qmot.manybody.symmetric_ot import SymmetricOTResult, symmetric_ot
from qmot.reductions.occupations import (
    configuration_count,
    enumerate_configurations,
    pair_measure,
)
from qmot.solvers.occupation.highs_lp import pair_measure_lp

__all__ = [
    "MAX_REPRESENTABILITY_CONFIGURATIONS",
    "Representability",
    "de_finetti_pair_measure",
    "is_n_representable",
    "representability_hierarchy",
]


MAX_REPRESENTABILITY_CONFIGURATIONS = 200_000
"""Default limit on the LP columns of :func:`is_n_representable` (L = N = 10: 92 378)."""


@dataclass(frozen=True)
class Representability:
    """Answer of :func:`is_n_representable`, with its certificate either way.

    Attributes
    ----------
    representable
        The verdict.
    configurations, weights
        If representable: an N-body measure (occupation vectors and weights) whose pair measure
        is ``mu2`` (residual in ``residual``).
    hyperplane
        If not: a symmetric matrix ``H`` with ``<H, μ₂(n)> ≥ 0`` for every configuration and
        ``<H, mu2> = margin < 0`` — a separating hyperplane.
    """

    representable: bool
    configurations: np.ndarray | None
    weights: np.ndarray | None
    hyperplane: np.ndarray | None
    margin: float
    residual: float


def _validate_pair_measure(mu2: ArrayLike) -> np.ndarray:
    matrix = as_real_array(mu2, "mu2")
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise InvalidInputError(
            f"`mu2` must be a non-empty square matrix (got shape {matrix.shape})"
        )
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise InvalidInputError("`mu2` must be finite and non-negative")
    if not np.allclose(matrix, matrix.T, atol=1e-12):
        raise InvalidInputError("`mu2` must be symmetric")
    if abs(matrix.sum() - 1) > 1e-9:
        raise InvalidInputError(f"`mu2` must sum to 1 (got {matrix.sum():.12g})")
    return matrix


def is_n_representable(
    mu2: ArrayLike, N: int, *, max_configurations: int = MAX_REPRESENTABILITY_CONFIGURATIONS
) -> Representability:
    """Decide N-representability of ``mu2`` by an LP (HiGHS via SciPy), with a certificate.

    The LP has one column per occupation vector, :math:`\binom{N+L-1}{N}` of them on ``L``
    sites (L = N = 14 already needs about 2·10⁷).

    Parameters
    ----------
    mu2
        Symmetric non-negative ``L x L`` pair measure summing to 1.
    N
        Number of particles, at least 2.
    max_configurations
        Refuse problems with more LP columns than this (default
        :data:`MAX_REPRESENTABILITY_CONFIGURATIONS`) instead of running for hours.

    Raises
    ------
    InvalidInputError
        Bad ``mu2`` or ``N``, or more configurations than ``max_configurations``.
    SolverError
        HiGHS fails.

    Examples
    --------
    >>> mu2 = [[0.0, 0.5], [0.5, 0.0]]          # ½(δ_A⊗δ_B + δ_B⊗δ_A), Cotar–Friesecke–Pass 2015 §2
    >>> is_n_representable(mu2, 2).representable, is_n_representable(mu2, 3).representable
    (True, False)
    """
    matrix = _validate_pair_measure(mu2)
    particles = check_positive_int(N, "N", minimum=2)
    limit = check_positive_int(max_configurations, "max_configurations")
    sites = matrix.shape[0]
    count = configuration_count(sites, particles)
    if count > limit:
        raise InvalidInputError(
            f"`N` = {particles} on {sites} sites needs {count:.3g} configurations, more than "
            f"max_configurations = {limit:.3g} (the representability LP enumerates them all); "
            "raise max_configurations to try anyway"
        )
    what = f"the representability LP of N = {particles} on {sites} sites ({count:.3g} columns)"
    check_memory(representability_lp_bytes(count, sites), what, "lower N or the number of sites")
    configurations = enumerate_configurations(sites, particles)
    upper = np.triu_indices(sites)
    columns = np.array([pair_measure(n[None, :], np.ones(1))[upper] for n in configurations]).T
    target = matrix[upper]
    found = pair_measure_lp(columns, target)
    if found.weights is not None:
        residual = float(np.abs(columns @ found.weights - target).max())
        keep = found.weights > 1e-12
        return Representability(
            True, configurations[keep], found.weights[keep], None, 0.0, residual
        )
    hyperplane = np.zeros((sites, sites))
    hyperplane[upper] = found.separation
    hyperplane = (hyperplane + hyperplane.T) / 2 + np.diag(np.diag(hyperplane)) / 2
    return Representability(False, None, None, hyperplane, found.separation_value, 0.0)


def representability_hierarchy(
    C: ArrayLike, mu: ArrayLike, N: int, ks: list[int]
) -> list[dict[str, float]]:
    r""":math:`V^{SCE,k} = \binom N2 F_k^{OT}[\mu]` (Cotar–Friesecke–Pass 2015, eq. (3.10)) for
    each ``k``.

    Lower bounds of :math:`V^{SCE} = V^{SCE,N}` for ``k < N`` (k-representability is weaker),
    upper bounds for ``k > N``.
    """
    particles = check_positive_int(N, "N", minimum=2)
    rows = []
    for k in ks:
        result = symmetric_ot(C, mu, k)
        value = math.comb(particles, 2) * result.cost_per_pair
        scale = math.comb(particles, 2) / math.comb(k, 2)
        rows.append(
            {
                "k": k,
                "V_k": value,
                "lower": scale * result.lower_bound,
                "upper": scale * result.upper_bound,
                "role": "lower bound"
                if k < particles
                else ("exact" if k == particles else "upper bound"),
            }
        )
    return rows


def de_finetti_pair_measure(result: SymmetricOTResult) -> tuple[np.ndarray, float]:
    r"""The de Finetti pair measure of Cotar–Friesecke–Pass 2015, Prop. 3.2, and its distance to
    :math:`\gamma_2`.

    :math:`P_{2,\gamma_N} = (1-\tfrac1N)\gamma_2 + \tfrac1N\Delta_\#\gamma_1` (draw two points
    with replacement from the empirical measure of :math:`\omega\sim\gamma_N`); the
    total-variation distance is
    :math:`\sup_A|\gamma_2(A) - P_2(A)| = (1 - \gamma_2(\text{diagonal}))/N \le 1/N`. (The
    bound is 2/N in the paper's :math:`\sup_{|f|\le1}` norm, which is twice this one.)
    """
    gamma2 = result.pair_measure
    particles = result.particles
    gamma1 = result.weights @ result.configurations / particles
    p2 = (1 - 1 / particles) * gamma2 + np.diag(gamma1) / particles
    return p2, 0.5 * float(np.abs(gamma2 - p2).sum())
