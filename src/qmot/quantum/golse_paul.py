r"""The Golse–Mouhot–Paul quantum Wasserstein pseudo-distance :math:`MK_\hbar` (Caglioti–Golse–Paul
2020).

.. math::

    MK_\hbar(R, S)^2 = \inf_{Q \text{ coupling of } R, S} \operatorname{tr}(C Q),\qquad
    C = \sum_{j=1}^d (x_j\otimes 1 - 1\otimes x_j)^2 + (p_j\otimes 1 - 1\otimes p_j)^2 - 2d\hbar,

with the quantum Kantorovich dual
:math:`\sup\{\operatorname{tr}(RA + SB) : A\otimes I + I\otimes B \le C\}` (Caglioti–Golse–Paul
2020, §2).
Writing :math:`b_j = a_j\otimes 1 - 1\otimes a_j = (X_j + iP_j)/\sqrt{2\hbar}` gives

.. math::

    C = 2\hbar\sum_j b_j^* b_j
      = 2\hbar\sum_j (N_j\otimes 1 + 1\otimes N_j - a_j^*\otimes a_j - a_j\otimes a_j^*),

so the compression of :math:`C` to :math:`V\otimes W` only needs the
compressions of :math:`a_j` and :math:`N_j` to each factor — exact for coherent mixtures
(closed-form matrix elements) and for Fock densities (truncated ladders), and for any mix of the
two. Two coherent states at :math:`z, z'` cost exactly :math:`|z - z'|^2`.

References
----------
* E. Caglioti, F. Golse, T. Paul, *Quantum optimal transport is cheaper*, J. Stat. Phys.
  (2020); arXiv:1908.01829. The pseudo-distance: F. Golse, C. Mouhot, T. Paul, *On the mean
  field and classical limits of quantum mechanics*, Commun. Math. Phys. 343 (2016) 165–205.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import as_real_array
from qmot.certify.margins import rounding_margin
from qmot.classical import w2
from qmot.errors import InvalidInputError
from qmot.linalg import DEFAULT_SUPPORT_RTOL, hermitian_part
from qmot.quantum.coupling import coupling_settings, solve_coupling
from qmot.quantum.gaussian import (
    GaussianState,
    gaussian_mk2,
    gaussian_pair,
    tighten_with_moments,
)
from qmot.quantum.states import CoherentMixture, FockDensity, QuantumState, StateSection
from qmot.quantum.symmetry import mk2_phase_invariant, phase_invariant
from qmot.results import TransportResult
from qmot.solvers.coupling.auto import AutoCoupling

__all__ = [
    "CouplingAnalysis",
    "QuantumSaving",
    "analyse_coupling",
    "classical_cost",
    "cost_operator",
    "cost_operator_error",
    "coupling_from_coherent_frame",
    "frame_change",
    "husimi",
    "mk2",
    "quantum_saving",
]

State = QuantumState


def cost_operator(first: StateSection, second: StateSection, hbar: float) -> np.ndarray:
    r"""Compression of :math:`C` to the product of two sections' subspaces (exact).

    :math:`C = 2\hbar\sum_j (N_j\otimes 1 + 1\otimes N_j - A_j^*\otimes A_j - A_j\otimes A_j^*)`
    with :math:`A_j = P a_j P` and :math:`N_j = P a_j^* a_j P` on each side.
    """
    eye_first, eye_second = np.eye(first.dim), np.eye(second.dim)
    cost = np.zeros((first.dim * second.dim,) * 2, dtype=complex)
    for a, n, b, m in zip(
        first.annihilation, first.number, second.annihilation, second.number, strict=True
    ):
        cost += np.kron(n, eye_second) + np.kron(eye_first, m)
        cost -= np.kron(a.conj().T, b) + np.kron(a, b.conj().T)
    return hermitian_part(2.0 * hbar * cost)


def cost_operator_error(first: StateSection, second: StateSection, hbar: float) -> float:
    r"""Bound on :math:`\|\hat C - C\|_{op}` between the computed compression
    :func:`cost_operator` and the exact one, by the rounding rule of
    :mod:`qmot.certify.margins`.

    The entries of :math:`C` are differences of terms of size :math:`2\hbar|\alpha|^2`
    (:math:`|z - w|^2 = |z|^2 + |w|^2 - 2\operatorname{Re}\bar z w`), so two states far from
    the origin and close to each other lose digits to cancellation: the magnitude is the sum of
    the Frobenius norms of the terms, amplified by the sections' ``conditioning``. Since every
    coupling has trace 1, :math:`|\operatorname{tr}((\hat C - C)Q)|` is at most this bound.
    """
    root_first, root_second = math.sqrt(first.dim), math.sqrt(second.dim)
    magnitude = 0.0
    for a, n, b, m in zip(
        first.annihilation, first.number, second.annihilation, second.number, strict=True
    ):
        magnitude += float(np.linalg.norm(n)) * root_second + root_first * float(np.linalg.norm(m))
        magnitude += 2.0 * float(np.linalg.norm(a)) * float(np.linalg.norm(b))
    magnitude *= 2.0 * hbar * max(first.conditioning, second.conditioning)
    return rounding_margin(magnitude, 4 * len(first.annihilation) + first.dim + second.dim)


def _validate_pair(first: object, second: object) -> tuple[State, State]:
    for name, state in (("R", first), ("S", second)):
        if not isinstance(state, QuantumState):
            raise InvalidInputError(
                f"`{name}` must be a quantum state (CoherentMixture, FockDensity or another "
                f"QuantumState) (got {type(state).__name__})"
            )
    if first.hbar != second.hbar:  # type: ignore[union-attr]
        raise InvalidInputError(
            f"`S.hbar` must equal `R.hbar` = {first.hbar} (got {second.hbar})"  # type: ignore[union-attr]
        )
    if first.modes != second.modes:  # type: ignore[union-attr]
        raise InvalidInputError(
            f"`S` must have the same number of modes as `R` ({first.modes}) "  # type: ignore[union-attr]
            f"(got {second.modes})"  # type: ignore[union-attr]
        )
    return first, second  # type: ignore[return-value]


def mk2(
    R: State,
    S: State,
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
    r"""Squared quantum Wasserstein pseudo-distance :math:`MK_\hbar(R,S)^2` (Caglioti–Golse–Paul
    2020, §1).

    Reduces exactly to the finite SDP on the sections of ``R`` and ``S`` (coherent span or
    Fock truncation), then to the supports, and certifies the result (:mod:`qmot.sdp`).

    Parameters
    ----------
    R, S
        :class:`CoherentMixture` or :class:`FockDensity` with the same ħ and number of modes,
        or two :class:`~qmot.quantum.GaussianState` (exact moment SDP,
        :func:`qmot.quantum.gaussian.gaussian_mk2`). Two phase-invariant (Fock-diagonal) Fock
        densities are solved by the block SDP of :mod:`qmot.quantum.symmetry` when ``solver``
        is ``None`` or ``"AUTO"``; when the coupling SDP leaves its bracket open the moment
        bound :func:`qmot.quantum.moment_lower_bound` may close it.
    solver
        ``"AUTO"`` (default: QMOT-IPM for small sections, QMOT-ENTROPIC for large ones),
        ``"QMOT-IPM"``, ``"QMOT-ENTROPIC"``, ``"CLARABEL"`` or ``"SCS"`` (see
        :func:`qmot.quantum.coupling.coupling_sdp`).
    atol, rtol, tol
        Required certified bracket width ``upper - lower <= atol + rtol * |cost|`` (defaults
        1e-10 and 1e-7); ``tol`` selects the former rule ``tol * max(1, |cost|)`` (see
        :func:`qmot.quantum.coupling.coupling_sdp`).
    support_rtol
        Relative eigenvalue threshold of the support reduction.
    solver_options, max_time, verbose
        Passed to the coupling solver (see :func:`qmot.quantum.coupling.coupling_sdp`): extra solver
        settings, a wall-clock budget in seconds (the best certified bracket so far is returned
        with ``status="time_limit"``) and a live progress display.

    Returns
    -------
    TransportResult
        ``cost`` = :math:`MK_\hbar^2` (with the :math:`-2d\hbar` shift, so it can be as small as
        0 and two coherent states cost :math:`|z-z'|^2`); ``coupling`` on the product of the
        sections' orthonormal bases (``info["basis"]``; see :func:`analyse_coupling` for the
        coherent frame); ``potentials`` ``A``, ``B`` of the quantum Kantorovich dual.

    Examples
    --------
    >>> R = CoherentMixture([[0.0, 0.0]], hbar=0.1)
    >>> S = CoherentMixture([[3.0, 4.0]], hbar=0.1)
    >>> round(mk2(R, S).cost, 10)
    25.0
    """
    settings = coupling_settings(  # checked for every input, Gaussian ones included
        solver,
        tol=tol,
        atol=atol,
        rtol=rtol,
        support_rtol=support_rtol,
        solver_options=solver_options,
        max_time=max_time,
        verbose=verbose,
    )
    if isinstance(R, GaussianState) or isinstance(S, GaussianState):
        return gaussian_mk2(*gaussian_pair(R, S), tol=tol, atol=atol, rtol=rtol)
    first, second = _validate_pair(R, S)
    tolerance = settings.tol
    auto = isinstance(settings.solver, AutoCoupling)
    if auto and phase_invariant(first) and phase_invariant(second):
        symmetric = mk2_phase_invariant(first, second, tolerance=tolerance)  # type: ignore[arg-type]
        return replace(symmetric, info={**symmetric.info, **_problem_info(first, second)})
    first_section, second_section = first.section(), second.section()
    cost = cost_operator(first_section, second_section, first.hbar)
    result = solve_coupling(
        cost,
        first_section.density,
        second_section.density,
        settings,
        cost_error=cost_operator_error(first_section, second_section, first.hbar),
    )
    info = {
        **result.info,
        "basis": f"{first.basis_name} ⊗ {second.basis_name}",
        "section_dropped_weight": (first_section.dropped_weight, second_section.dropped_weight),
        **_problem_info(first, second),
    }
    result = replace(result, info=info)
    if result.status != "optimal" and np.isfinite(result.upper_bound):
        result = tighten_with_moments(result, first, second, tolerance)
    return result


def _problem_info(first: State, second: State) -> dict[str, Any]:
    """What the result is exact for, and the weights the states lost to truncation."""
    fock = isinstance(first, FockDensity) or isinstance(second, FockDensity)
    return {
        "hbar": first.hbar,
        "problem": "exact for the truncated states as given (Fock densities)"
        if fock
        else "exact for the coherent mixtures (no truncation)",
        "truncation_loss": (first.truncation_loss, second.truncation_loss),
    }


def classical_cost(R: CoherentMixture, S: CoherentMixture) -> TransportResult:
    r""":math:`C_c = W_2(\mu,\nu)^2` of the phase-space symbols of two Töplitz operators.

    The classical bipartite cost of Caglioti–Golse–Paul 2020, §1, on :math:`\mathbb R^{2d}`; by
    Caglioti–Golse–Paul 2020,
    eq. (5), :math:`MK_\hbar(R,S)^2 \le C_c`.
    """
    for name, state in (("R", R), ("S", S)):
        if not isinstance(state, CoherentMixture):
            raise InvalidInputError(
                f"`{name}` must be a CoherentMixture to have a classical symbol "
                f"(got {type(state).__name__})"
            )
    _validate_pair(R, S)
    return w2(R.points, R.weights, S.points, S.weights)


@dataclass(frozen=True)
class QuantumSaving:
    r"""Classical minus quantum cost, :math:`C_c - C_q`, with a certified bracket."""

    classical: TransportResult
    quantum: TransportResult

    @property
    def saving(self) -> float:
        """Point estimate :math:`C_c - C_q`."""
        return self.classical.cost - self.quantum.cost

    @property
    def lower_bound(self) -> float:
        """Certified lower bound: classical lower bound minus quantum upper bound."""
        return self.classical.lower_bound - self.quantum.upper_bound

    @property
    def upper_bound(self) -> float:
        """Certified upper bound: classical upper bound minus quantum lower bound."""
        return self.classical.upper_bound - self.quantum.lower_bound

    @property
    def strictly_cheaper(self) -> bool:
        """True when the bracket proves :math:`C_q < C_c` (Caglioti–Golse–Paul 2020, eq. (21))."""
        return self.lower_bound > 0


def quantum_saving(R: CoherentMixture, S: CoherentMixture, **options: object) -> QuantumSaving:
    r"""Compare :math:`C_c` (:func:`classical_cost`) with :math:`C_q = MK_\hbar^2` (:func:`mk2`)."""
    classical = classical_cost(R, S)
    return QuantumSaving(classical=classical, quantum=mk2(R, S, **options))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CouplingAnalysis:
    r"""An optimal coupling written in the coherent frame (Caglioti–Golse–Paul 2020, §4).

    :math:`Q = \sum q_{ij,kl}|z_i w_j\rangle\langle z_k w_l|`.

    Attributes
    ----------
    coefficients
        The matrix :math:`q` (rows ``(i, j)``, columns ``(k, l)``, Kronecker order).
    toeplitz_plan
        :math:`\pi_{ij} = q_{ij,ij}`, the classical ("Töplitz") part of the coupling.
    toeplitz_trace
        :math:`\sum_{ij} q_{ij,ij}` — the trace carried by the classical part (1 for a Töplitz
        coupling such as eq. (22)).
    offdiagonal_fraction
        :math:`\|q - \operatorname{diag} q\|_F / \|q\|_F`, 0 exactly when :math:`Q` is Töplitz.
    """

    coefficients: np.ndarray
    toeplitz_plan: np.ndarray
    toeplitz_trace: float
    offdiagonal_fraction: float


def analyse_coupling(
    R: CoherentMixture, S: CoherentMixture, coupling: np.ndarray
) -> CouplingAnalysis:
    r"""Rewrite a coupling returned by :func:`mk2` on :math:`\{|z_i w_j\rangle\}`
    (Caglioti–Golse–Paul 2020, §4).

    With :math:`e = T^\top z`, :math:`f = U^\top w` (the Gram orthonormalisations),
    :math:`q = (T\otimes U)\,Q_{ef}\,(T\otimes U)^*`; unique when the coherent states are linearly
    independent.
    """
    first, second = R.section(), S.section()
    expected = first.dim * second.dim
    if np.shape(coupling) != (expected, expected):
        raise InvalidInputError(
            f"`coupling` must have shape ({expected}, {expected}) for these states "
            f"(got {np.shape(coupling)})"
        )
    transform = np.kron(first.coefficients, second.coefficients)
    q = transform @ np.asarray(coupling) @ transform.conj().T
    diagonal = np.diag(q).real
    norm = float(np.linalg.norm(q))
    offdiagonal = float(np.linalg.norm(q - np.diag(np.diag(q))))
    return CouplingAnalysis(
        coefficients=q,
        toeplitz_plan=diagonal.reshape(R.points.shape[0], S.points.shape[0]),
        toeplitz_trace=float(diagonal.sum()),
        offdiagonal_fraction=offdiagonal / norm if norm > 0 else 0.0,
    )


def frame_change(
    R: CoherentMixture, S: CoherentMixture, family: np.ndarray, other: np.ndarray | None = None
) -> np.ndarray:
    r"""Matrix taking coefficients on a family of vectors of ``span{|z_i⟩} ⊗ span{|w_j⟩}`` to
    coordinates in the orthonormal section basis used by :func:`mk2`.

    ``family`` (``M x k``) gives vectors :math:`\sum_i c_i|z_i\rangle` of the first factor and
    ``other`` (``N x l``, default: the identity, i.e. the :math:`|w_j\rangle` themselves) of the
    second; the result is :math:`(T^* G_R\, c) \otimes (U^* G_S\, c')`.
    """
    first, second = R.section(), S.section()
    other = np.eye(S.points.shape[0]) if other is None else other
    left = first.coefficients.conj().T @ R.gram() @ family
    right = second.coefficients.conj().T @ S.gram() @ other
    return np.kron(left, right)


def coupling_from_coherent_frame(
    R: CoherentMixture, S: CoherentMixture, coefficients: ArrayLike
) -> np.ndarray:
    r"""Operator :math:`\sum q_{ij,kl}|z_i w_j\rangle\langle z_k w_l|` in :func:`mk2`'s basis.

    The inverse of :func:`analyse_coupling`; e.g. the Töplitz coupling of Caglioti–Golse–Paul 2020,
    eq. (22)
    is ``np.diag`` of the classical plan.
    """
    q = np.asarray(coefficients, dtype=complex)
    size = R.points.shape[0] * S.points.shape[0]
    if q.shape != (size, size):
        raise InvalidInputError(f"`coefficients` must have shape ({size}, {size}) (got {q.shape})")
    change = frame_change(R, S, np.eye(R.points.shape[0]))
    return hermitian_part(change @ q @ change.conj().T)


def husimi(state: State, q: ArrayLike, p: ArrayLike) -> np.ndarray:
    r"""Husimi function :math:`\tilde W[R](q,p) = (2\pi\hbar)^{-d}\langle q,p|R|q,p\rangle`.

    Caglioti–Golse–Paul 2020, §1.

    For one mode and 1-D ``q``, ``p`` the result is on the grid ``q × p`` (shape
    ``(len(q), len(p))``); otherwise ``q`` and ``p`` are ``(K, d)`` arrays of paired coordinates
    and the result has shape ``(K,)``.

    Raises
    ------
    InvalidInputError
        ``state`` is not a supported state; ``q`` or ``p`` is non-numeric, complex (with a
        non-zero imaginary part), non-finite or of the wrong shape.
    """
    if not isinstance(state, QuantumState):
        raise InvalidInputError(
            f"`state` must be a quantum state (CoherentMixture, FockDensity or another "
            f"QuantumState) (got {type(state).__name__})"
        )
    q_arr, p_arr = as_real_array(q, "q"), as_real_array(p, "p")
    grid = state.modes == 1 and q_arr.ndim == 1 and p_arr.ndim == 1
    if grid:
        qq, pp = np.meshgrid(q_arr, p_arr, indexing="ij")
        points = np.column_stack([qq.ravel(), pp.ravel()])
    else:
        q2, p2 = np.atleast_2d(q_arr), np.atleast_2d(p_arr)
        if q2.shape != p2.shape or q2.shape[1] != state.modes:
            raise InvalidInputError(
                f"`q` and `p` must both have shape (K, {state.modes}) (got {q2.shape}, {p2.shape})"
            )
        points = np.hstack([q2, p2])
    if not np.all(np.isfinite(points)):
        raise InvalidInputError("`q` and `p` must be finite")
    values = state.coherent_expectations(points) / (2 * np.pi * state.hbar) ** state.modes
    return values.reshape(len(q_arr), len(p_arr)) if grid else values
