r"""Gaussian states on :math:`L^2(\mathbb R^d)` and the exact :math:`MK_\hbar^2` between them.

A Gaussian state is fixed by its first moments :math:`m_a = \langle r_a\rangle` and its
symmetrised covariance :math:`\Gamma_{ab} = \tfrac12\langle\{r_a - m_a, r_b - m_b\}\rangle`, in
the ordering :math:`r = (q_1..q_d, p_1..p_d)` of :class:`~qmot.quantum.CoherentMixture` points.
A real symmetric :math:`\Gamma` is the covariance of a state iff the uncertainty principle
:math:`\Gamma + \tfrac{i\hbar}2\Omega \succeq 0` holds, :math:`\Omega = \begin{pmatrix}0&I\\-I&0
\end{pmatrix}` (a coherent state has :math:`\Gamma = \tfrac\hbar2 I`).

**The cost only sees second moments.** With the cost of Caglioti–Golse–Paul 2020 (§1),
:math:`C = \sum_a (r_a\otimes 1 - 1\otimes r_a)^2 - 2d\hbar`, a coupling :math:`Q` of
:math:`R, S` with joint covariance :math:`\Sigma = \begin{pmatrix}\Gamma & K\\ K^\top &
\Gamma'\end{pmatrix}` (:math:`K_{ab} = \langle (r_a - m_a)\otimes(r_b - m'_b)\rangle`, real
because the two factors commute) has

.. math::

    \operatorname{tr}(CQ) = |m - m'|^2 + \operatorname{tr}\Gamma + \operatorname{tr}\Gamma'
        - 2\operatorname{tr}K - 2d\hbar .

Every coupling has an admissible joint covariance,
:math:`\Sigma + \tfrac{i\hbar}2(\Omega\oplus\Omega) \succeq 0`; conversely, for Gaussian
:math:`R, S` every admissible :math:`\Sigma` with these diagonal blocks is the covariance of a
Gaussian state on :math:`2d` modes whose marginals are Gaussian with moments
:math:`(m, \Gamma)`, :math:`(m', \Gamma')` — i.e. of a coupling. Hence, exactly,

.. math::

    MK_\hbar(R, S)^2 = c_0 - 2\max\Big\{\operatorname{tr}K : K\in\mathbb R^{2d\times 2d},\
        \begin{pmatrix}A & K\\ K^\top & B\end{pmatrix}\succeq 0\Big\},\qquad
    A = \Gamma + \tfrac{i\hbar}2\Omega,\ B = \Gamma' + \tfrac{i\hbar}2\Omega,

with :math:`c_0 = |m - m'|^2 + \operatorname{tr}\Gamma + \operatorname{tr}\Gamma' - 2d\hbar`:
a :math:`4d\times 4d` SDP, no truncation. Its dual (weak duality: :math:`\operatorname{tr}K =
\operatorname{tr}(Y M_0) - \operatorname{tr}(Y M(K))` when :math:`\operatorname{Re} Y_{12} = -I/2`)
is :math:`\min\{\operatorname{Re}\operatorname{tr}(Y_{11}A) + \operatorname{Re}\operatorname{tr}
(Y_{22}B) : Y \succeq 0,\ \operatorname{Re}Y_{12} = -\tfrac12 I\}`, and any such :math:`Y` proves
:math:`MK_\hbar^2 \ge c_0 - 2\operatorname{tr}(YM_0)`.

For non-Gaussian states with finite second moments the same SDP is a *relaxation* (every
coupling has an admissible joint covariance, not every admissible covariance a coupling), so
its certified dual value is a lower bound on :math:`MK_\hbar^2` for any pair
(:func:`moment_lower_bound`).

Closed forms (checked in the tests): a pure side forces :math:`K = 0` (the kernel of :math:`A`
is a complex Lagrangian subspace whose real and imaginary parts span :math:`\mathbb R^{2d}`),
so :math:`MK_\hbar^2 = c_0`; two one-mode thermal states (:math:`\Gamma = \hbar(\bar n +
\tfrac12)I`) give :math:`2\hbar(\sqrt{\bar n} - \sqrt{\bar n'})^2` (rotation averaging makes
:math:`K = \alpha I + \beta\Omega`, and the constraint reads
:math:`\alpha^2 + \beta^2 \le \hbar^2\bar n\bar n'`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import as_real_array, check_positive_int
from qmot.certify.margins import (
    certified_least_eigenvalue,
    certified_pairing,
    eigenvalue_margin,
    rounding_margin,
)
from qmot.certify.tolerance import Tolerance
from qmot.errors import InvalidInputError, SolverError
from qmot.quantum.states import CoherentMixture, FockDensity, check_hbar
from qmot.results import OPTIMAL, TransportResult

__all__ = [
    "GaussianState",
    "Moments",
    "gaussian_mk2",
    "moment_lower_bound",
    "moments",
    "symplectic_form",
    "thermal_pair_mk2",
]

_EPS = float(np.finfo(float).eps)
SYMMETRY_RTOL = 1e-12
"""Relative asymmetry of ``covariance`` accepted (and symmetrised away)."""


def symplectic_form(modes: int) -> np.ndarray:
    r""":math:`\Omega = \begin{pmatrix}0 & I_d\\ -I_d & 0\end{pmatrix}` in the ordering
    :math:`(q_1..q_d, p_1..p_d)`, so that :math:`[r_a, r_b] = i\hbar\Omega_{ab}`."""
    eye = np.eye(modes)
    zero = np.zeros((modes, modes))
    return np.block([[zero, eye], [-eye, zero]])


def _uncertainty_matrix(covariance: np.ndarray, hbar: float) -> np.ndarray:
    r""":math:`\Gamma + \tfrac{i\hbar}2\Omega` (formed exactly: ħ/2 and ±1 entries)."""
    return covariance + 0.5j * hbar * symplectic_form(covariance.shape[0] // 2)


@dataclass(frozen=True, eq=False)
class GaussianState:
    r"""Gaussian state with first moments ``mean`` and symmetrised covariance ``covariance``.

    Parameters
    ----------
    mean
        :math:`m = \langle r\rangle`, length ``2d``, ordering ``[q_1..q_d, p_1..p_d]``.
    covariance
        :math:`\Gamma_{ab} = \tfrac12\langle\{r_a - m_a, r_b - m_b\}\rangle`, real symmetric
        ``2d x 2d`` with :math:`\Gamma + \tfrac{i\hbar}2\Omega \succeq 0`.
    hbar
        Planck constant :math:`\hbar > 0`.

    Examples
    --------
    >>> vacuum = GaussianState([0.0, 0.0], [[0.5, 0.0], [0.0, 0.5]], hbar=1.0)
    >>> vacuum.modes, round(vacuum.purity, 12)
    (1, 1.0)
    """

    mean: np.ndarray
    covariance: np.ndarray
    hbar: float

    def __init__(self, mean: ArrayLike, covariance: ArrayLike, hbar: float = 1.0) -> None:
        hbar_value = check_hbar(hbar)
        means = as_real_array(mean, "mean").ravel()
        if means.size == 0 or means.size % 2 or not np.all(np.isfinite(means)):
            raise InvalidInputError(
                f"`mean` must hold 2d finite numbers [q_1..q_d, p_1..p_d] (got {means.size} "
                f"entries: {np.asarray(mean)!r})"
            )
        cov = as_real_array(covariance, "covariance")
        if cov.shape != (means.size, means.size) or not np.all(np.isfinite(cov)):
            raise InvalidInputError(
                f"`covariance` must be a finite {means.size}x{means.size} matrix (got shape "
                f"{cov.shape})"
            )
        scale = max(float(np.abs(cov).max()), hbar_value)
        asymmetry = float(np.abs(cov - cov.T).max())
        if asymmetry > SYMMETRY_RTOL * scale:
            raise InvalidInputError(
                f"`covariance` must be symmetric (got max |Γ - Γᵀ| = {asymmetry:.3g})"
            )
        cov = (cov + cov.T) / 2
        uncertainty = _uncertainty_matrix(cov, hbar_value)
        least = float(np.linalg.eigvalsh(uncertainty)[0])
        if least < -eigenvalue_margin(uncertainty):
            raise InvalidInputError(
                "`covariance` must satisfy the uncertainty principle Γ + (iħ/2)Ω ⪰ 0 "
                f"(got least eigenvalue {least:.6g} with hbar={hbar_value})"
            )
        object.__setattr__(self, "mean", means)
        object.__setattr__(self, "covariance", cov)
        object.__setattr__(self, "hbar", hbar_value)

    @property
    def modes(self) -> int:
        """Number of degrees of freedom ``d``."""
        return self.mean.size // 2

    @property
    def purity(self) -> float:
        r""":math:`\operatorname{tr}\rho^2 = (\hbar/2)^d/\sqrt{\det\Gamma}`."""
        return float((self.hbar / 2) ** self.modes / math.sqrt(np.linalg.det(self.covariance)))

    @property
    def is_pure(self) -> bool:
        r"""True when :math:`\Gamma + \tfrac{i\hbar}2\Omega` has :math:`d` eigenvalues that
        cannot be told from 0 (:func:`qmot.certify.margins.eigenvalue_margin`)."""
        return _kernel_dimension(_uncertainty_matrix(self.covariance, self.hbar)) >= self.modes

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def coherent(cls, point: ArrayLike, hbar: float = 1.0) -> GaussianState:
        r"""Coherent state :math:`|q,p\rangle`: mean ``point``, :math:`\Gamma = \tfrac\hbar2 I`."""
        means = as_real_array(point, "point").ravel()
        hbar_value = check_hbar(hbar)
        return cls(means, 0.5 * hbar_value * np.eye(means.size), hbar_value)

    @classmethod
    def thermal(cls, nbar: float | ArrayLike, hbar: float = 1.0, modes: int = 1) -> GaussianState:
        r"""Thermal state :math:`\Gamma = \hbar(\bar n_j + \tfrac12)` on mode ``j`` (``nbar``
        a scalar or one value per mode), mean 0."""
        modes = check_positive_int(modes, "modes")
        occupations = np.broadcast_to(as_real_array(nbar, "nbar"), (modes,)).astype(float)
        if not np.all(np.isfinite(occupations)) or np.any(occupations < 0):
            raise InvalidInputError(
                f"`nbar` must be finite and non-negative (got {np.asarray(nbar)!r})"
            )
        hbar_value = check_hbar(hbar)
        diagonal = hbar_value * (np.concatenate([occupations, occupations]) + 0.5)
        return cls(np.zeros(2 * modes), np.diag(diagonal), hbar_value)

    @classmethod
    def squeezed(
        cls,
        r: float | ArrayLike,
        hbar: float = 1.0,
        angle: float | ArrayLike = 0.0,
        point: ArrayLike | None = None,
    ) -> GaussianState:
        r"""Squeezed (displaced) vacuum, mode by mode:
        :math:`\Gamma_j = \tfrac\hbar2 O_j \operatorname{diag}(e^{-2r_j}, e^{2r_j}) O_j^\top`,
        :math:`O_j` the rotation by ``angle_j / 2`` (squeezing :math:`S(r e^{i\theta})`).

        ``r`` and ``angle`` are scalars or one value per mode; ``point`` is the mean (default 0).
        """
        squeezing = np.atleast_1d(as_real_array(r, "r")).astype(float).ravel()
        modes = squeezing.size if point is None else np.asarray(point).size // 2
        squeezing = np.broadcast_to(squeezing, (modes,))
        angles = np.broadcast_to(as_real_array(angle, "angle"), (modes,)).astype(float)
        if not (np.all(np.isfinite(squeezing)) and np.all(np.isfinite(angles))):
            raise InvalidInputError(f"`r` and `angle` must be finite (got {r!r}, {angle!r})")
        hbar_value = check_hbar(hbar)
        cov = np.zeros((2 * modes, 2 * modes))
        for j, (rj, theta) in enumerate(zip(squeezing, angles, strict=True)):
            c, s = math.cos(theta / 2), math.sin(theta / 2)
            rotation = np.array([[c, -s], [s, c]])
            block = rotation @ np.diag([math.exp(-2 * rj), math.exp(2 * rj)]) @ rotation.T
            cov[np.ix_([j, modes + j], [j, modes + j])] = 0.5 * hbar_value * block
        means = np.zeros(2 * modes) if point is None else as_real_array(point, "point").ravel()
        return cls(means, cov, hbar_value)

    @classmethod
    def two_mode_squeezed(cls, r: float, hbar: float = 1.0) -> GaussianState:
        r"""Two-mode squeezed vacuum: :math:`\langle q_1q_1\rangle = \tfrac\hbar2\cosh 2r`,
        :math:`\langle q_1q_2\rangle = \tfrac\hbar2\sinh 2r = -\langle p_1p_2\rangle`; each
        mode alone is thermal with :math:`\bar n = \sinh^2 r`."""
        value = float(as_real_array(r, "r"))
        if not math.isfinite(value):
            raise InvalidInputError(f"`r` must be finite (got {r!r})")
        hbar_value = check_hbar(hbar)
        c, s = math.cosh(2 * value), math.sinh(2 * value)
        qq = 0.5 * hbar_value * np.array([[c, s], [s, c]])
        pp = 0.5 * hbar_value * np.array([[c, -s], [-s, c]])
        zero = np.zeros((2, 2))
        return cls(np.zeros(4), np.block([[qq, zero], [zero, pp]]), hbar_value)

    def displaced(self, shift: ArrayLike) -> GaussianState:
        """The state translated in phase space by ``shift`` (a Weyl displacement)."""
        vector = as_real_array(shift, "shift").ravel()
        if vector.shape != self.mean.shape:
            raise InvalidInputError(
                f"`shift` must have length {self.mean.size} (got {vector.size})"
            )
        return GaussianState(self.mean + vector, self.covariance, self.hbar)

    def transformed(self, symplectic: ArrayLike) -> GaussianState:
        r"""Image under the Gaussian unitary of the symplectic matrix ``S``:
        :math:`m \mapsto Sm`, :math:`\Gamma \mapsto S\Gamma S^\top`."""
        matrix = as_real_array(symplectic, "symplectic")
        omega = symplectic_form(self.modes)
        if matrix.shape != omega.shape:
            raise InvalidInputError(
                f"`symplectic` must have shape {omega.shape} (got {matrix.shape})"
            )
        defect = float(np.abs(matrix @ omega @ matrix.T - omega).max())
        if defect > 1e-10:
            raise InvalidInputError(f"`symplectic` must satisfy SΩSᵀ = Ω (got defect {defect:.3g})")
        return GaussianState(matrix @ self.mean, matrix @ self.covariance @ matrix.T, self.hbar)

    # -- representations ------------------------------------------------------------------
    def husimi(self, points: ArrayLike) -> np.ndarray:
        r"""Husimi function :math:`(2\pi\hbar)^{-d}\langle z|\rho|z\rangle` at the ``(K, 2d)``
        phase-space ``points``: the Gaussian of mean :math:`m` and covariance
        :math:`\Gamma + \tfrac\hbar2 I`."""
        array = np.atleast_2d(as_real_array(points, "points"))
        if array.shape[1] != self.mean.size or not np.all(np.isfinite(array)):
            raise InvalidInputError(
                f"`points` must be finite with {self.mean.size} columns (got {array.shape})"
            )
        smoothed = self.covariance + 0.5 * self.hbar * np.eye(self.mean.size)
        centred = array - self.mean
        exponent = -0.5 * np.einsum("ka,ab,kb->k", centred, np.linalg.inv(smoothed), centred)
        norm = (2 * np.pi) ** self.modes * math.sqrt(np.linalg.det(smoothed))
        return np.exp(exponent) / norm

    def to_fock(self, cutoff: int) -> FockDensity:
        r"""Compression to the Fock states with :math:`n_j \le` ``cutoff``, renormalised; the lost
        weight :math:`1 - \operatorname{tr}(P\rho P)` is :attr:`FockDensity.truncation_loss`.

        The matrix elements are the Taylor coefficients of the generating function
        :math:`e^{|\alpha|^2}\langle\alpha|\rho|\alpha\rangle = \sum_{mn}\rho_{mn}
        \bar\alpha^m\alpha^n/\sqrt{m!n!}`, the exponential of a quadratic polynomial in
        :math:`(\alpha, \bar\alpha)` (the Husimi Gaussian); they follow from the recursion
        :math:`\tilde\rho_{e+1_k} = (v_k\tilde\rho_e + \sum_l M_{kl}\sqrt{e_l}\,
        \tilde\rho_{e-1_l})/\sqrt{e_k + 1}` on normalised coefficients, exactly up to rounding.
        """
        cutoff = check_positive_int(cutoff, "cutoff", minimum=0)
        coefficients = _fock_coefficients(self, cutoff)
        size = (cutoff + 1) ** self.modes
        matrix = coefficients.reshape(size, size).T
        matrix = (matrix + matrix.conj().T) / 2
        kept = float(np.trace(matrix).real)
        return FockDensity(matrix / kept, self.hbar, self.modes, truncation_loss=1.0 - kept)


def _kernel_dimension(matrix: np.ndarray) -> int:
    """Number of eigenvalues of a Hermitian matrix within its rounding margin of 0."""
    return int(np.sum(np.linalg.eigvalsh(matrix) <= eigenvalue_margin(matrix)))


def _fock_coefficients(state: GaussianState, cutoff: int) -> np.ndarray:
    r"""Normalised Taylor coefficients :math:`\tilde\rho_{(n, m)}` (α exponents ``n`` first,
    then :math:`\bar\alpha` exponents ``m``) of the generating function of :meth:`to_fock`."""
    d, hbar = state.modes, state.hbar
    smoothed = state.covariance + 0.5 * hbar * np.eye(2 * d)
    weight = np.linalg.inv(smoothed)
    eye = np.eye(d)
    lift = math.sqrt(hbar / 2) * np.block([[eye, eye], [-1j * eye, 1j * eye]])
    swap = np.block([[np.zeros((d, d)), eye], [eye, np.zeros((d, d))]])
    quadratic = swap - lift.T @ weight @ lift
    linear = lift.T @ weight @ state.mean
    constant = hbar**d / math.sqrt(np.linalg.det(smoothed))
    constant *= math.exp(-0.5 * float(state.mean @ weight @ state.mean))
    table = np.zeros((cutoff + 1,) * (2 * d), dtype=complex)
    table[(0,) * (2 * d)] = constant
    roots = np.sqrt(np.arange(cutoff + 2, dtype=float))
    for index in itertools.product(range(cutoff + 1), repeat=2 * d):
        k = next((axis for axis, value in enumerate(index) if value), None)
        if k is None:
            continue
        previous = list(index)
        previous[k] -= 1
        value = linear[k] * table[tuple(previous)]
        for axis in range(2 * d):
            if previous[axis]:
                lower = list(previous)
                lower[axis] -= 1
                value += quadratic[k, axis] * roots[previous[axis]] * table[tuple(lower)]
        table[index] = value / roots[previous[k] + 1]
    return table


# -- moments of any supported state ---------------------------------------------------------
@dataclass(frozen=True)
class Moments:
    r"""First moments, symmetrised covariance and a bound on the rounding of each entry."""

    mean: np.ndarray
    covariance: np.ndarray
    hbar: float
    error: float = 0.0

    @property
    def modes(self) -> int:
        """Number of degrees of freedom ``d``."""
        return self.mean.size // 2


def moments(state: object) -> Moments:
    r"""First and second moments of a :class:`GaussianState`, :class:`CoherentMixture` or
    :class:`FockDensity` (the latter exactly for the truncated state).

    Coherent mixture: :math:`m = \sum_i w_i z_i`, :math:`\Gamma = \tfrac\hbar2 I +
    \sum_i w_i (z_i - m)(z_i - m)^\top`. Fock density: with :math:`\xi = (a; a^*)` and
    :math:`r = L\xi`, :math:`L = \sqrt{\hbar/2}\begin{pmatrix}I & I\\ -iI & iI\end{pmatrix}`,
    :math:`\Gamma = \operatorname{Re}(L\langle\xi\xi^\top\rangle L^\top) - mm^\top`, where
    :math:`\langle a_j a_k\rangle = \operatorname{tr}(\rho A_jA_k)`,
    :math:`\langle a_j^*a_k\rangle = \operatorname{tr}(\rho A_j^*A_k)` with the truncated
    :math:`A_j` (exact: :math:`a` maps the truncated space into itself) and
    :math:`\langle a_ka_j^*\rangle = \langle a_j^*a_k\rangle + \delta_{jk}`.
    """
    if isinstance(state, GaussianState):
        return Moments(state.mean, state.covariance, state.hbar)
    if isinstance(state, CoherentMixture):
        mean = state.weights @ state.points
        centred = state.points - mean
        spread = (centred * state.weights[:, None]).T @ centred
        cov = 0.5 * state.hbar * np.eye(mean.size) + spread
        magnitude = float(state.weights @ np.sum(state.points**2, axis=1)) + state.hbar
        return Moments(mean, cov, state.hbar, rounding_margin(magnitude, 4 * len(state.weights)))
    if isinstance(state, FockDensity):
        return _fock_moments(state)
    raise InvalidInputError(
        "`state` must be a GaussianState, CoherentMixture or FockDensity "
        f"(got {type(state).__name__})"
    )


def _fock_moments(state: FockDensity) -> Moments:
    section = state.section()
    rho, d, hbar = state.matrix, state.modes, state.hbar
    lowering = section.annihilation
    first = np.array([np.trace(rho @ a) for a in lowering])
    pair = np.array([[np.trace(rho @ a @ b) for b in lowering] for a in lowering])
    normal = np.array([[np.trace(rho @ a.conj().T @ b) for b in lowering] for a in lowering])
    moments_xi = np.block(
        [[pair, normal.T + np.eye(d)], [normal, pair.conj()]]
    )  # ⟨ξ_c ξ_e⟩ with ξ = (a_1..a_d, a_1*..a_d*)
    eye = np.eye(d)
    lift = math.sqrt(hbar / 2) * np.block([[eye, eye], [-1j * eye, 1j * eye]])
    mean = (lift @ np.concatenate([first, first.conj()])).real
    second = (lift @ moments_xi @ lift.T).real
    cov = second - np.outer(mean, mean)
    cov = (cov + cov.T) / 2
    size = rho.shape[0]
    magnitude = hbar * (2.0 * d * state.cutoff + 2.0) + float(mean @ mean)
    return Moments(mean, cov, hbar, rounding_margin(magnitude, 4 * size * d + 4))


# -- the moment SDP and its certificates ----------------------------------------------------
@dataclass(frozen=True)
class _Offset:
    """:math:`c_0` of the module docstring with a bound on its error."""

    value: float
    error: float


def _offset(first: Moments, second: Moments) -> _Offset:
    difference = first.mean - second.mean
    terms = [
        *(difference**2).tolist(),
        *np.diag(first.covariance).tolist(),
        *np.diag(second.covariance).tolist(),
        -2.0 * first.modes * first.hbar,
    ]
    value = math.fsum(terms)
    spread = first.error + second.error
    n = difference.size
    error = rounding_margin(math.fsum(abs(t) for t in terms), 4) + n * (
        2.0 * spread + 2.0 * float(np.abs(difference).max()) * spread + spread**2
    )
    return _Offset(value, error)


def _joint_matrix(first: np.ndarray, second: np.ndarray, cross: np.ndarray) -> np.ndarray:
    return np.block([[first, cross.astype(complex)], [cross.T.astype(complex), second]])


def _solve_primal(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    r"""Maximise :math:`\operatorname{tr}K` over admissible joint covariances (Clarabel)."""
    import cvxpy as cp  # deferred: cvxpy set-up is slow and unused by `import qmot`

    n = first.shape[0]
    joint = cp.Variable((2 * n, 2 * n), hermitian=True)
    constraints = [
        joint >> 0,
        joint[:n, :n] == first,
        joint[n:, n:] == second,
        cp.imag(joint[:n, n:]) == 0,
    ]
    problem = cp.Problem(cp.Maximize(cp.real(cp.trace(joint[:n, n:]))), constraints)
    _run(problem)
    if joint.value is None:
        raise SolverError("the moment SDP returned no primal point", solver="CLARABEL")
    return np.asarray(joint.value)[:n, n:].real.copy()


def _solve_dual(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    r"""Minimise :math:`\operatorname{Re}\operatorname{tr}(Y_{11}A + Y_{22}B)` over
    :math:`Y \succeq 0` with :math:`\operatorname{Re}Y_{12} = -I/2` (Clarabel)."""
    import cvxpy as cp

    n = first.shape[0]
    dual = cp.Variable((2 * n, 2 * n), hermitian=True)
    objective = cp.real(cp.trace(dual[:n, :n] @ first) + cp.trace(dual[n:, n:] @ second))
    problem = cp.Problem(
        cp.Minimize(objective), [dual >> 0, cp.real(dual[:n, n:]) == -0.5 * np.eye(n)]
    )
    _run(problem)
    if dual.value is None:
        raise SolverError("the moment SDP returned no dual point", solver="CLARABEL")
    return np.asarray(dual.value)


_CLARABEL_SETTINGS: dict[str, Any] = {
    "tol_gap_abs": 1e-12,
    "tol_gap_rel": 1e-12,
    "tol_feas": 1e-12,
    "max_iter": 200,
}


def _run(problem: Any) -> None:
    import warnings

    import cvxpy as cp

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Solution may be inaccurate")
            problem.solve(solver="CLARABEL", **_CLARABEL_SETTINGS)
    except cp.error.SolverError as exc:
        raise SolverError(f"the moment SDP raised: {exc}", solver="CLARABEL") from exc


def _certified_cross(first: np.ndarray, second: np.ndarray, cross: np.ndarray) -> np.ndarray:
    r"""Shrink :math:`K \mapsto tK` until the joint matrix is certified PSD: since
    :math:`M(tK) = tM(K) + (1-t)M(0)`, :math:`t = \lambda_0/(\lambda_0 - \lambda_K)` works up to
    rounding, which the final certified eigenvalue check covers. Falls back to :math:`K = 0`."""
    zero = np.zeros_like(cross)
    floor = certified_least_eigenvalue(_joint_matrix(first, second, zero))
    for _ in range(8):
        least = certified_least_eigenvalue(_joint_matrix(first, second, cross))
        if least >= 0:
            return cross
        if floor <= 0:
            break
        cross = cross * (floor / (floor - least) * (1.0 - 1e-12))
    return zero


def _certified_dual_value(
    first: np.ndarray, second: np.ndarray, dual: np.ndarray, errors: tuple[float, float]
) -> float:
    r"""Make :math:`Y` exactly feasible (set :math:`\operatorname{Re}Y_{12} = -I/2`, shift the
    diagonal blocks by the certified negativity) and return an upper bound on
    :math:`\operatorname{Re}\operatorname{tr}(Y_{11}A + Y_{22}B)`."""
    n = first.shape[0]
    dual = (dual + dual.conj().T) / 2
    dual[:n, n:] = -0.5 * np.eye(n) + 1j * dual[:n, n:].imag
    dual[n:, :n] = dual[:n, n:].conj().T
    for _ in range(8):
        least = certified_least_eigenvalue(dual)
        if least >= 0:
            break
        shift = -least * (1.0 + 1e-9) + rounding_margin(float(np.linalg.norm(dual)), 2 * n)
        dual = dual + shift * np.diag(np.r_[np.ones(n), np.ones(n)])
        dual[:n, n:] = -0.5 * np.eye(n) + 1j * dual[:n, n:].imag
        dual[n:, :n] = dual[:n, n:].conj().T
    else:
        raise SolverError("the moment SDP dual point could not be made feasible")
    value_first, error_first = certified_pairing(dual[:n, :n], first)
    value_second, error_second = certified_pairing(dual[n:, n:], second)
    spread = errors[0] * float(np.abs(dual[:n, :n]).sum()) + errors[1] * float(
        np.abs(dual[n:, n:]).sum()
    )
    return value_first + value_second + error_first + error_second + spread


def _polished_dual(first: np.ndarray, second: np.ndarray, cross: np.ndarray) -> list[np.ndarray]:
    r"""Dual points from complementary slackness :math:`Y M(K^*) = 0`: :math:`Y = VWV^*` on the
    numerical kernel :math:`V` of :math:`M(K^*)`, with Hermitian :math:`W` fitted by least
    squares to :math:`\operatorname{Re}(V_1WV_2^*) = -I/2` and projected on the PSD cone.

    Interior-point duals of this SDP are accurate to about 1e-8 (the optimal :math:`Y` is rank
    deficient); these candidates are exact up to rounding when the primal point is. Every
    candidate is certified by :func:`_certified_dual_value` like any other dual point."""
    n = first.shape[0]
    vectors = np.linalg.eigh(_joint_matrix(first, second, cross))[1]
    candidates = []
    for k in range(1, n + 1):
        basis = vectors[:, :k]
        top, bottom = basis[:n], basis[n:]
        columns, hermitian_basis = [], []
        for i in range(k):
            for j in range(i, k):
                for phase in (1.0, 1j) if i != j else (1.0,):
                    unit = np.zeros((k, k), dtype=complex)
                    unit[i, j] = phase
                    unit[j, i] = np.conj(phase)
                    hermitian_basis.append(unit)
                    columns.append((top @ unit @ bottom.conj().T).real.ravel())
        design = np.array(columns).T
        solution = np.linalg.lstsq(design, -0.5 * np.eye(n).ravel(), rcond=None)[0]
        weights = sum(c * u for c, u in zip(solution, hermitian_basis, strict=True))
        values, rotation = np.linalg.eigh(weights)
        weights = (rotation * np.clip(values, 0.0, None)) @ rotation.conj().T
        candidates.append(basis @ weights @ basis.conj().T)
    return candidates


def _polished_cross(first: np.ndarray, second: np.ndarray, dual: np.ndarray) -> np.ndarray:
    r"""Primal point from complementary slackness :math:`M(K)Y = 0`: with :math:`V` the range of
    :math:`Y`, solve :math:`AV_1 + KV_2 = 0`, :math:`K^\top V_1 + BV_2 = 0` for real :math:`K`
    by least squares (it is then shrunk to exact admissibility like any other point)."""
    n = first.shape[0]
    eigenvalues, vectors = np.linalg.eigh((dual + dual.conj().T) / 2)
    span = vectors[:, eigenvalues > 1e-6 * eigenvalues[-1]]
    top, bottom = span[:n], span[n:]
    columns = []
    for a in range(n):
        for b in range(n):
            unit = np.zeros((n, n))
            unit[a, b] = 1.0
            image = np.concatenate([(unit @ bottom).ravel(), (unit.T @ top).ravel()])
            columns.append(np.concatenate([image.real, image.imag]))
    target = -np.concatenate([(first @ top).ravel(), (second @ bottom).ravel()])
    solution = np.linalg.lstsq(
        np.array(columns).T, np.concatenate([target.real, target.imag]), rcond=None
    )[0]
    return solution.reshape(n, n)


def _barrier_cross(
    first: np.ndarray, second: np.ndarray, target: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Maximise :math:`\operatorname{tr}K + \mu\log\det M(K)` by damped Newton steps for
    :math:`\mu \to 0` (until :math:`4d\mu \le` ``target``): the central path stays strictly
    admissible, so no shrinking is needed. With :math:`G = M^{-1}`, the gradient is
    :math:`\delta_{ab} + 2\mu\operatorname{Re}G_{a,n+b}` and the Hessian
    :math:`-\mu\operatorname{Re}(G_{21}[b,c]G_{21}[d,a] + G_{22}[b,d]G_{11}[c,a] +
    G_{11}[a,c]G_{22}[d,b] + G_{12}[a,d]G_{12}[c,b])`. At a centre
    :math:`\operatorname{Re}(\mu G_{12}) = -I/2`, so :math:`Y = \mu G \succ 0` is the matching
    dual point, with gap :math:`4d\mu`. Returns the pair :math:`(K, Y)` of every phase: once
    :math:`M(K)` is nearly singular, rounding (about :math:`\varepsilon/\mu` in :math:`G`)
    stalls the centring, and which phase certifies best depends on the instance."""
    n = first.shape[0]
    cross, weight = np.zeros((n, n)), 1.0

    def log_det(point: np.ndarray) -> float | None:
        try:  # Cholesky, not the sign of det: an even number of negative eigenvalues has det > 0
            factor = np.linalg.cholesky(_joint_matrix(first, second, point))
        except np.linalg.LinAlgError:
            return None
        return 2.0 * float(np.sum(np.log(np.diag(factor).real)))

    centred: list[tuple[np.ndarray, np.ndarray]] = []
    while True:
        for _ in range(100):
            inverse = np.linalg.inv(_joint_matrix(first, second, cross))
            g11, g12, g21, g22 = inverse[:n, :n], inverse[:n, n:], inverse[n:, :n], inverse[n:, n:]
            gradient = (np.eye(n) + 2.0 * weight * g12.real).ravel()
            hessian = (
                np.einsum("bc,da->abcd", g21, g21)
                + np.einsum("bd,ca->abcd", g22, g11)
                + np.einsum("ac,db->abcd", g11, g22)
                + np.einsum("ad,cb->abcd", g12, g12)
            ).real.reshape(n * n, n * n)
            step = np.linalg.solve(weight * hessian, gradient)
            decrement = float(gradient @ step)
            if decrement <= 1e-10 * weight:  # the decrement of f/μ, self-concordant
                break
            current, length = log_det(cross), 1.0
            while length > 1e-14:
                trial = cross + length * step.reshape(n, n)
                value = log_det(trial)
                if value is not None and current is not None:
                    change = length * float(np.trace(step.reshape(n, n))) + weight * (
                        value - current
                    )
                    if change >= 0.25 * length * decrement:
                        break
                length /= 2
            else:
                break
            cross = trial
        centred.append((cross.copy(), weight * np.linalg.inv(_joint_matrix(first, second, cross))))
        if 2 * n * weight <= target:
            return centred
        weight *= 0.1


EXTENDED_BARRIER_DIGITS = 40
"""Decimal digits of the extended-precision end of the barrier path (:func:`_extended_barrier`)."""
EXTENDED_BARRIER_MODES = 2
"""Largest number of modes for which the barrier path is continued in extended precision."""


def _extended_barrier(
    first: np.ndarray, second: np.ndarray, cross: np.ndarray, weight: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Continue the central path of :func:`_barrier_cross` from ``(cross, weight)`` down to
    :math:`\mu = 10^{-15}` in extended precision (mpmath).

    In double precision the centring stalls near :math:`\mu \approx \sqrt\varepsilon` (the
    inverse of the nearly singular :math:`M(K)` carries errors of :math:`\varepsilon/\mu`), so
    neither the primal nor the dual point of the path can be trusted beyond about 1e-7; with
    40 digits the centres are exact to double precision and, rounded, certify gaps of about
    :math:`4d\mu`. The returned pairs are certified like any other candidate."""
    import mpmath

    n = first.shape[0]
    found = []
    with mpmath.workdps(EXTENDED_BARRIER_DIGITS):
        base = mpmath.matrix(2 * n, 2 * n)
        for i in range(n):
            for j in range(n):
                base[i, j] = mpmath.mpc(complex(first[i, j]))
                base[n + i, n + j] = mpmath.mpc(complex(second[i, j]))
        point = mpmath.matrix(
            [[mpmath.mpf(float(cross[i, j])) for j in range(n)] for i in range(n)]
        )

        def joint(value: Any) -> Any:
            matrix = base.copy()
            for i in range(n):
                for j in range(n):
                    matrix[i, n + j] = value[i, j]
                    matrix[n + j, i] = value[i, j]
            return matrix

        def log_det(value: Any) -> Any:
            try:
                factor = mpmath.cholesky(joint(value))
            except (ValueError, ZeroDivisionError):
                return None
            return 2 * mpmath.fsum(mpmath.log(mpmath.re(factor[i, i])) for i in range(2 * n))

        mu = mpmath.mpf(weight)
        while mu > mpmath.mpf("1e-15"):
            mu /= 10
            for _ in range(30):
                inverse = mpmath.inverse(joint(point))
                gradient = mpmath.matrix(n * n, 1)
                hessian = mpmath.matrix(n * n, n * n)
                for a in range(n):
                    for b in range(n):
                        row = a * n + b
                        gradient[row] = (1 if a == b else 0) + 2 * mu * mpmath.re(inverse[a, n + b])
                        for c in range(n):
                            for d in range(n):
                                hessian[row, c * n + d] = mu * mpmath.re(
                                    inverse[n + b, c] * inverse[n + d, a]
                                    + inverse[n + b, n + d] * inverse[c, a]
                                    + inverse[a, c] * inverse[n + d, n + b]
                                    + inverse[a, n + d] * inverse[c, n + b]
                                )
                step = mpmath.lu_solve(hessian, gradient)
                decrement = mpmath.fsum(gradient[k] * step[k] for k in range(n * n))
                if decrement <= mu * mpmath.mpf("1e-30"):
                    break
                current, length = log_det(point), mpmath.mpf(1)
                while length > mpmath.mpf("1e-20"):
                    trial = point + length * mpmath.matrix(
                        [[step[i * n + j] for j in range(n)] for i in range(n)]
                    )
                    value = log_det(trial)
                    if value is not None:
                        change = length * mpmath.fsum(step[i * n + i] for i in range(n))
                        if change + mu * (value - current) >= length * decrement / 4:
                            break
                    length /= 2
                else:
                    break
                point = trial
            dual = mu * mpmath.inverse(joint(point))
            found.append(
                (
                    np.array([[float(point[i, j]) for j in range(n)] for i in range(n)]),
                    np.array([[complex(dual[i, j]) for j in range(2 * n)] for i in range(2 * n)]),
                )
            )
    return found


def _best_cross(
    first: np.ndarray, second: np.ndarray, *, extended: bool = False
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """The certified admissible :math:`K` of largest trace among the interior-point point, the
    barrier point and the ones polished from the dual candidates."""
    interior = _solve_primal(first, second)
    candidates = [_certified_cross(first, second, interior)]
    crosses, duals = [interior], []
    try:
        path = _barrier_cross(first, second, 1e-13)
    except np.linalg.LinAlgError:
        path = []
    if extended and len(path) > 8 and first.shape[0] <= 2 * EXTENDED_BARRIER_MODES:
        path += _extended_barrier(first, second, path[8][0], 1e-8)
    for central, central_dual in path:
        candidates.append(_certified_cross(first, second, central))
        duals.append(central_dual)
        crosses.append(central)
    for dual in [_solve_dual(first, second), *_polished_dual(first, second, interior)]:
        try:
            polished = _polished_cross(first, second, dual)
        except np.linalg.LinAlgError:
            continue
        candidates.append(_certified_cross(first, second, polished))
    best = max(candidates, key=lambda cross: math.fsum(np.diag(cross)))
    return best, crosses, duals


def _best_dual_value(
    first: np.ndarray,
    second: np.ndarray,
    crosses: Sequence[np.ndarray],
    errors: tuple[float, float],
    duals: Sequence[np.ndarray] = (),
) -> float:
    """The smallest certified dual value among the interior-point dual, the given ``duals`` and
    the ones polished from the primal points ``crosses``."""
    values = [_certified_dual_value(first, second, _solve_dual(first, second), errors)]
    polished = [dual for cross in crosses for dual in _polished_dual(first, second, cross)]
    polished.extend(duals)
    for candidate in polished:
        try:
            values.append(_certified_dual_value(first, second, candidate, errors))
        except SolverError:
            continue
    return min(values)


def _check_pair(first: object, second: object) -> tuple[Moments, Moments]:
    left, right = moments(first), moments(second)
    if left.hbar != right.hbar:
        raise InvalidInputError(f"`S.hbar` must equal `R.hbar` = {left.hbar} (got {right.hbar})")
    if left.modes != right.modes:
        raise InvalidInputError(
            f"`S` must have the same number of modes as `R` ({left.modes}) (got {right.modes})"
        )
    return left, right


def moment_lower_bound(R: object, S: object) -> float:
    r"""Certified lower bound on :math:`MK_\hbar(R,S)^2` from first and second moments alone.

    Valid for any pair of states with finite second moments (module docstring: the Gaussian
    SDP is a relaxation of the coupling problem), exact for Gaussian pairs. ``R`` and ``S`` are
    :class:`GaussianState`, :class:`CoherentMixture` or :class:`FockDensity` (for the latter,
    a bound for the truncated state as given).

    Examples
    --------
    >>> R, S = GaussianState.thermal(1.0, 0.5), GaussianState.thermal(4.0, 0.5)
    >>> bound = moment_lower_bound(R, S)  # exact value 2ħ(√4 − √1)² = 1
    >>> 1 - 1e-7 < bound <= 1
    True
    """
    left, right = _check_pair(R, S)
    offset = _offset(left, right)
    first = _uncertainty_matrix(left.covariance, left.hbar)
    second = _uncertainty_matrix(right.covariance, right.hbar)
    cross = _solve_primal(first, second)
    bound = _best_dual_value(first, second, (cross,), (left.error, right.error))
    return offset.value - offset.error - 2.0 * bound


def thermal_pair_mk2(nbar: float, other: float, hbar: float) -> float:
    r"""Closed form :math:`2\hbar(\sqrt{\bar n} - \sqrt{\bar n'})^2` for two one-mode thermal
    states (module docstring)."""
    return 2.0 * hbar * (math.sqrt(nbar) - math.sqrt(other)) ** 2


def gaussian_mk2(
    R: GaussianState,
    S: GaussianState,
    *,
    tol: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
) -> TransportResult:
    r"""Exact, certified :math:`MK_\hbar(R,S)^2` between two Gaussian states (module
    docstring), through :func:`qmot.quantum.mk2`.

    A pure side forces the product coupling (closed form :math:`c_0`); otherwise the
    :math:`4d\times4d` SDP is solved (Clarabel, and a barrier path whose centres are primal and
    dual points at once, continued in extended precision when double precision leaves the
    bracket wider than a thousandth of the tolerance, for :math:`d \le 2`). Every candidate is
    certified: a primal point is shrunk until the joint matrix is certified PSD (upper bound), a
    dual point gets :math:`\operatorname{Re}Y_{12} = -I/2` exactly and is shifted until it is
    certified PSD (lower bound); the best of each side is kept.
    """
    for name, state in (("R", R), ("S", S)):
        if not isinstance(state, GaussianState):
            raise InvalidInputError(
                f"`{name}` must be a GaussianState (got {type(state).__name__})"
            )
    tolerance = Tolerance.from_arguments(tol, atol, rtol)
    left, right = _check_pair(R, S)
    offset = _offset(left, right)
    first = _uncertainty_matrix(left.covariance, left.hbar)
    second = _uncertainty_matrix(right.covariance, right.hbar)
    info: dict[str, Any] = {
        "problem": "exact MK_ħ² between Gaussian states (moment SDP, no truncation)",
        "hbar": left.hbar,
        "modes": left.modes,
    }
    if R.is_pure or S.is_pure:
        cross = np.zeros((2 * left.modes,) * 2)
        lower, upper = offset.value - offset.error, offset.value + offset.error
        solver = "closed-form (pure side: product coupling)"
    else:
        for extended in (False, True):
            cross, crosses, duals = _best_cross(first, second, extended=extended)
            trace_cross = math.fsum(np.diag(cross))
            upper = offset.value + offset.error - 2.0 * (trace_cross - _EPS * abs(trace_cross))
            lower = (
                offset.value
                - offset.error
                - 2.0 * _best_dual_value(first, second, crosses, (0.0, 0.0), duals)
            )
            if upper - lower <= 1e-3 * tolerance.width(upper):  # else: extended precision
                break
        solver = "Gaussian moment SDP (CLARABEL + barrier, polished)"
    joint = np.block([[left.covariance, cross], [cross.T, right.covariance]])
    info["coupling_mean"] = np.concatenate([left.mean, right.mean])
    info["coupling_covariance"] = joint
    return TransportResult(
        cost=upper,
        lower_bound=lower,
        upper_bound=upper,
        status=OPTIMAL if tolerance.met(upper, lower) else "gap_exceeds_tolerance",
        solver=solver,
        info=info,
    )


def gaussian_pair(R: object, S: object) -> tuple[GaussianState, GaussianState]:
    """Both states as :class:`GaussianState` (a one-point :class:`CoherentMixture` is the
    coherent state); anything else is refused with a pointer to :meth:`GaussianState.to_fock`."""
    pair = []
    for name, state in (("R", R), ("S", S)):
        if isinstance(state, CoherentMixture) and state.points.shape[0] == 1:
            state = GaussianState.coherent(state.points[0], state.hbar)
        if not isinstance(state, GaussianState):
            raise InvalidInputError(
                f"`{name}` must be a GaussianState or a single coherent state when the other "
                f"state is Gaussian (got {type(state).__name__}); convert the Gaussian one with "
                "GaussianState.to_fock(cutoff) to compare it with a Fock density"
            )
        pair.append(state)
    return pair[0], pair[1]


def tighten_with_moments(
    result: TransportResult, R: object, S: object, tolerance: Tolerance
) -> TransportResult:
    """Raise ``result.lower_bound`` to :func:`moment_lower_bound` when that is larger (used by
    :func:`qmot.quantum.mk2` when the coupling SDP left its bracket open)."""
    from dataclasses import replace

    try:
        bound = moment_lower_bound(R, S)
    except (SolverError, np.linalg.LinAlgError):  # the bound is optional evidence
        return result
    info = {**result.info, "moment_lower_bound": bound}
    if bound <= result.lower_bound:
        return replace(result, info=info)
    status = OPTIMAL if tolerance.met(result.upper_bound, bound) else result.status
    return replace(result, lower_bound=bound, status=status, info=info)
