r"""Density operators on :math:`L^2(\mathbb R^d)` that qmot represents exactly.

* :class:`CoherentMixture` — the Töplitz operator :math:`\sum_i m_i |q_i,p_i\rangle\langle q_i,p_i|`
  of a discrete phase-space symbol (Caglioti–Golse–Paul 2020, §1, definition of Töplitz operators);
  exact, no
  truncation anywhere.
* :class:`FockDensity` — a density matrix in a truncated Fock (harmonic-oscillator) basis of
  ``modes`` modes, with :math:`a_j = (x_j + i p_j)/\sqrt{2\hbar}`.

Both expose :meth:`section`: an orthonormal basis of a finite subspace holding the state, the
state's matrix there and the *exact compressions* of :math:`a_j` and :math:`N_j = a_j^* a_j`
to that subspace — all that the cost operator needs (see :mod:`qmot.quantum.golse_paul`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import (
    as_density_matrix,
    as_points,
    as_real_array,
    as_weights,
    check_positive_int,
)
from qmot.errors import InvalidInputError
from qmot.linalg import hermitian_part
from qmot.quantum.phase_space import (
    coherent_fock_amplitudes,
    coherent_overlaps,
    embed_mode_operator,
    ladder_eigenvalues,
    truncated_annihilation,
)

__all__ = [
    "CoherentMixture",
    "FockDensity",
    "QuantumState",
    "StateSection",
    "check_hbar",
    "coherent_cutoff",
]


def check_hbar(hbar: object) -> float:
    """Validate a Planck constant: a finite positive number."""
    try:
        value = float(hbar)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`hbar` must be a positive number (got {hbar!r})") from exc
    if not (math.isfinite(value) and value > 0):
        raise InvalidInputError(f"`hbar` must be a positive finite number (got {hbar!r})")
    return value


@dataclass(frozen=True)
class StateSection:
    r"""A state written on a finite orthonormal basis, with the exact ladder compressions.

    Attributes
    ----------
    density
        The state's matrix in the basis (trace 1).
    annihilation
        For each mode ``j``, :math:`P a_j P` in the basis.
    number
        For each mode ``j``, :math:`P a_j^* a_j P` in the basis (not :math:`(PaP)^*(PaP)`).
    coefficients
        How the basis is built: column ``k`` holds the coefficients of basis vector ``k`` on the
        generating family (coherent states for a mixture, Fock states for a Fock density).
    dropped_weight
        Trace lost by discarding numerically null directions of the generating family.
    conditioning
        Factor by which the rounding of the construction is amplified in the compressions: the
        Gram condition number for a coherent span computed in double precision, 1 where every
        entry is correctly rounded (Fock bases, extended-precision coherent spans).
    """

    density: np.ndarray
    annihilation: tuple[np.ndarray, ...]
    number: tuple[np.ndarray, ...]
    coefficients: np.ndarray
    dropped_weight: float = 0.0
    conditioning: float = 1.0

    @property
    def dim(self) -> int:
        """Dimension of the subspace."""
        return self.density.shape[0]


@runtime_checkable
class QuantumState(Protocol):
    r"""What :func:`qmot.quantum.mk2` and :func:`qmot.quantum.husimi` need of a state on
    :math:`L^2(\mathbb R^d)`: a new state type implements these and nothing else changes.

    Attributes
    ----------
    hbar
        Planck constant of the state.
    modes
        Number of degrees of freedom ``d``.
    truncation_loss
        Weight lost when the state was truncated from an infinite-dimensional one (0 if none).
    basis_name
        How :meth:`section` builds its basis, in words (shown in results' ``info``).
    """

    hbar: float

    @property
    def modes(self) -> int: ...

    @property
    def truncation_loss(self) -> float: ...

    @property
    def basis_name(self) -> str: ...

    def section(self) -> StateSection:
        """The state on a finite orthonormal basis with the exact ladder compressions (the
        exact finite reduction of the Caglioti–Golse–Paul coupling problem)."""
        ...

    def coherent_expectations(self, points: np.ndarray) -> np.ndarray:
        """:math:`\\langle z|R|z\rangle` at phase-space points ``(K, 2d)`` (Husimi up to
        :math:`(2\\pi\\hbar)^{-d}`)."""
        ...


@dataclass(frozen=True, eq=False)
class CoherentMixture:
    r"""Töplitz operator :math:`R = \sum_i m_i |q_i,p_i\rangle\langle q_i,p_i|`
    (Caglioti–Golse–Paul 2020, §1).

    Parameters
    ----------
    points
        ``(M, 2d)`` array, rows ``[q_1..q_d, p_1..p_d]`` (a 1-D array of length ``2d`` is one
        point).
    weights
        Masses :math:`m_i \ge 0` summing to 1 (``None``: uniform).
    hbar
        Planck constant :math:`\hbar > 0`.
    normalize
        Divide positive weights by their sum instead of rejecting them.

    Examples
    --------
    >>> R = CoherentMixture([[-1.0, 0.0], [1.0, 0.0]], [0.5, 0.5], hbar=0.5)
    >>> R.modes, R.section().dim
    (1, 2)
    """

    points: np.ndarray
    weights: np.ndarray
    hbar: float

    def __init__(
        self,
        points: ArrayLike,
        weights: ArrayLike | None = None,
        hbar: float = 1.0,
        *,
        normalize: bool = False,
    ) -> None:
        array = as_points(np.atleast_2d(as_real_array(points, "points")), "points")
        if array.shape[1] % 2:
            raise InvalidInputError(
                f"`points` must have an even number 2d of columns [q_1..q_d, p_1..p_d] "
                f"(got {array.shape[1]})"
            )
        masses = as_weights(weights, "weights", array.shape[0], normalize=normalize)
        keep = masses > 0
        object.__setattr__(self, "points", array[keep])
        object.__setattr__(self, "weights", masses[keep])
        object.__setattr__(self, "hbar", check_hbar(hbar))

    @property
    def modes(self) -> int:
        """Number of degrees of freedom ``d`` (phase space is :math:`\\mathbb R^{2d}`)."""
        return self.points.shape[1] // 2

    def gram(self) -> np.ndarray:
        r"""Gram matrix :math:`G_{ik} = \langle z_i | z_k\rangle`."""
        return coherent_overlaps(self.points, self.points, self.hbar)

    def section(self) -> StateSection:
        r"""Exact finite section on span{|z_i⟩}, orthonormalised through the Gram matrix.

        With :math:`G = V\Lambda V^*`, the basis is :math:`e_k = \sum_i T_{ik}|z_i\rangle`,
        :math:`T = V\Lambda^{-1/2}`; then
        :math:`R_e = \Lambda^{1/2}V^* \operatorname{diag}(m) V\Lambda^{1/2}`,
        :math:`\langle z_i|a_j|z_k\rangle = \alpha_{kj} G_{ik}` and
        :math:`\langle z_i|N_j|z_k\rangle = \bar\alpha_{ij}\alpha_{kj} G_{ik}`.

        The compressions carry the rounding of :math:`G` amplified by its condition number
        :math:`\kappa`, and near-coincident points make :math:`\kappa` huge (:math:`1 - G_{ik}`
        is below the rounding of :math:`G_{ik}` itself for points :math:`10^{-8}` apart). So when
        :math:`\kappa >` ``GRAM_CONDITION_LIMIT`` the whole construction runs in extended
        precision (mpmath, digits raised until the least Gram eigenvalue is resolved) and only
        the results, which are well conditioned in the orthonormal basis, are rounded: the
        section is then exact to double precision and no direction is dropped
        (``dropped_weight`` is 0). Points that coincide exactly are merged (their weights
        added) first.
        """
        points, weights = _merge_coincident(self.points, self.weights)
        alpha = ladder_eigenvalues(points, self.hbar)
        gram = hermitian_part(coherent_overlaps(points, points, self.hbar))
        eigenvalues = np.linalg.eigvalsh(gram)
        if eigenvalues[0] > eigenvalues[-1] / GRAM_CONDITION_LIMIT:
            return _coherent_section(gram, weights, alpha)
        return _coherent_section_extended(points, weights, self.hbar)

    def to_fock(self, cutoff: int) -> FockDensity:
        """Truncate to Fock states with ``n_j <= cutoff`` (:meth:`FockDensity.from_coherent`)."""
        return FockDensity.from_coherent(self, cutoff)

    @property
    def truncation_loss(self) -> float:
        """0: a coherent mixture is never truncated (its section is exact)."""
        return 0.0

    @property
    def basis_name(self) -> str:
        """How :meth:`section` builds its basis."""
        return "orthonormalised coherent span (Gram)"

    def coherent_expectations(self, points: np.ndarray) -> np.ndarray:
        """:math:`\\sum_i m_i |\\langle z|z_i\rangle|^2` at the rows of ``points``."""
        overlaps = coherent_overlaps(points, self.points, self.hbar)
        return np.abs(overlaps) ** 2 @ self.weights


GRAM_CONDITION_LIMIT = 1e4
"""Gram condition number above which :meth:`CoherentMixture.section` works in extended
precision (the double-precision compressions would carry errors of about κ·1e-16)."""
EXTENDED_DIGITS = (40, 80, 160, 320)
"""Decimal digits tried in turn by the extended-precision section."""


def _merge_coincident(points: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Identical phase-space points are one coherent state: add their weights."""
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    if unique.shape[0] == points.shape[0]:
        return points, weights
    merged = np.zeros(unique.shape[0])
    np.add.at(merged, inverse.ravel(), weights)
    return unique, merged


def _coherent_section(gram: np.ndarray, weights: np.ndarray, alpha: np.ndarray) -> StateSection:
    """The section in double precision from a well-conditioned Gram matrix."""
    eigenvalues, vectors = np.linalg.eigh(gram)
    coefficients = vectors / np.sqrt(eigenvalues)
    root = vectors * np.sqrt(eigenvalues)
    density = hermitian_part(root.conj().T @ (weights[:, None] * root))
    kept_trace = float(np.trace(density).real)
    compress = coefficients.conj().T
    modes = alpha.shape[1]
    annihilation = tuple(
        compress @ (gram * alpha[:, j][None, :]) @ coefficients for j in range(modes)
    )
    number = tuple(
        hermitian_part(compress @ (gram * np.outer(alpha[:, j].conj(), alpha[:, j])) @ coefficients)
        for j in range(modes)
    )
    return StateSection(
        density=density / kept_trace,
        annihilation=annihilation,
        number=number,
        coefficients=coefficients,
        dropped_weight=max(0.0, 1.0 - kept_trace),
        conditioning=float(eigenvalues[-1] / eigenvalues[0]),
    )


def _coherent_section_extended(
    points: np.ndarray, weights: np.ndarray, hbar: float
) -> StateSection:
    """The section computed in extended precision (mpmath), rounded at the end."""
    import mpmath  # deferred: only ill-conditioned coherent mixtures need it

    count, modes = points.shape[0], points.shape[1] // 2
    for digits in EXTENDED_DIGITS:
        with mpmath.workdps(digits):
            scale = mpmath.sqrt(2 * mpmath.mpf(hbar))
            alpha = [
                [
                    (mpmath.mpf(points[i, j]) + 1j * mpmath.mpf(points[i, modes + j])) / scale
                    for j in range(modes)
                ]
                for i in range(count)
            ]
            phase = [
                mpmath.expj(
                    mpmath.fsum(
                        mpmath.mpf(points[i, modes + j]) * mpmath.mpf(points[i, j])
                        for j in range(modes)
                    )
                    / (2 * mpmath.mpf(hbar))
                )
                for i in range(count)
            ]
            gram = mpmath.matrix(count, count)
            for i in range(count):
                for k in range(count):
                    exponent = mpmath.fsum(
                        -(abs(alpha[i][j]) ** 2) / 2
                        - abs(alpha[k][j]) ** 2 / 2
                        + mpmath.conj(alpha[i][j]) * alpha[k][j]
                        for j in range(modes)
                    )
                    gram[i, k] = mpmath.conj(phase[i]) * phase[k] * mpmath.exp(exponent)
            eigenvalues, vectors = mpmath.eigh(gram)
            least = min(eigenvalues)
            if least > mpmath.mpf(10) ** (20 - digits) * max(eigenvalues):
                return _extended_compressions(gram, eigenvalues, vectors, weights, alpha)
    raise InvalidInputError(
        "`points` hold coherent states too close to resolve even with "
        f"{EXTENDED_DIGITS[-1]} digits (least Gram eigenvalue {float(least):.3g}); merge them"
    )


def _extended_compressions(
    gram: object, eigenvalues: object, vectors: object, weights: np.ndarray, alpha: list
) -> StateSection:
    import mpmath

    count, modes = len(alpha), len(alpha[0])
    root = mpmath.matrix(count, count)
    coefficients = mpmath.matrix(count, count)
    for i in range(count):
        for k in range(count):
            root[i, k] = vectors[i, k] * mpmath.sqrt(eigenvalues[k])
            coefficients[i, k] = vectors[i, k] / mpmath.sqrt(eigenvalues[k])
    adjoint = coefficients.transpose_conj()
    masses = mpmath.diag([mpmath.mpf(w) for w in weights])
    density = root.transpose_conj() * masses * root
    annihilation, number = [], []
    for j in range(modes):
        shifted = mpmath.matrix(count, count)
        counted = mpmath.matrix(count, count)
        for i in range(count):
            for k in range(count):
                shifted[i, k] = gram[i, k] * alpha[k][j]
                counted[i, k] = gram[i, k] * mpmath.conj(alpha[i][j]) * alpha[k][j]
        annihilation.append(_to_complex(adjoint * shifted * coefficients))
        number.append(hermitian_part(_to_complex(adjoint * counted * coefficients)))
    density_matrix = hermitian_part(_to_complex(density))
    return StateSection(
        density=density_matrix / float(np.trace(density_matrix).real),
        annihilation=tuple(annihilation),
        number=tuple(number),
        coefficients=_to_complex(coefficients),
        dropped_weight=0.0,
    )


def _to_complex(matrix: object) -> np.ndarray:
    import mpmath

    rows, cols = matrix.rows, matrix.cols  # type: ignore[attr-defined]
    return np.array(
        [[complex(mpmath.mpc(matrix[i, k])) for k in range(cols)] for i in range(rows)],  # type: ignore[index]
        dtype=complex,
    )


def _cutoff_from_dimension(dim: int, modes: int) -> int:
    per_mode = round(dim ** (1.0 / modes))
    if per_mode**modes != dim:
        raise InvalidInputError(
            f"`matrix` must have size (cutoff+1)^modes for modes={modes} (got size {dim})"
        )
    return per_mode - 1


@dataclass(frozen=True, eq=False)
class FockDensity:
    r"""Density matrix in a truncated Fock basis.

    The basis is :math:`|n_1\rangle\otimes\cdots\otimes|n_d\rangle`, :math:`0 \le n_j \le`
    ``cutoff``, in Kronecker ordering.

    Parameters
    ----------
    matrix
        Hermitian, positive semidefinite, trace-1 matrix of size ``(cutoff+1)**modes``.
    hbar
        Planck constant (fixes :math:`a = (x + ip)/\sqrt{2\hbar}`).
    modes
        Number of modes ``d``.
    normalize
        Divide a positive trace out instead of rejecting it.
    truncation_loss
        Weight the state lost when it was truncated from an infinite-dimensional one (reported,
        informational).

    Examples
    --------
    >>> state = FockDensity.number_state(2, hbar=1.0, cutoff=3)
    >>> state.cutoff, state.matrix.shape
    (3, (4, 4))
    """

    matrix: np.ndarray
    hbar: float
    modes: int
    truncation_loss: float

    def __init__(
        self,
        matrix: ArrayLike,
        hbar: float = 1.0,
        modes: int = 1,
        *,
        normalize: bool = False,
        truncation_loss: float = 0.0,
    ) -> None:
        modes = check_positive_int(modes, "modes")
        density = as_density_matrix(matrix, "matrix", normalize=normalize)
        _cutoff_from_dimension(density.shape[0], modes)
        object.__setattr__(self, "matrix", density)
        object.__setattr__(self, "hbar", check_hbar(hbar))
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "truncation_loss", float(truncation_loss))

    @property
    def cutoff(self) -> int:
        """Largest occupation number kept per mode."""
        return _cutoff_from_dimension(self.matrix.shape[0], self.modes)

    def section(self) -> StateSection:
        """The Fock basis itself: exact compressions :math:`P a_j P` and :math:`P N_j P`."""
        lowering = truncated_annihilation(self.cutoff)
        number = np.diag(np.arange(self.cutoff + 1, dtype=float)).astype(complex)
        return StateSection(
            density=self.matrix,
            annihilation=tuple(
                embed_mode_operator(lowering, j, self.modes) for j in range(self.modes)
            ),
            number=tuple(embed_mode_operator(number, j, self.modes) for j in range(self.modes)),
            coefficients=np.eye(self.matrix.shape[0], dtype=complex),
        )

    @property
    def basis_name(self) -> str:
        """How :meth:`section` builds its basis."""
        return f"Fock basis, cutoff {self.cutoff} per mode"

    def coherent_expectations(self, points: np.ndarray) -> np.ndarray:
        """:math:`\\langle z|R|z\rangle` at the rows of ``points`` from the Fock amplitudes."""
        amplitudes = coherent_fock_amplitudes(points, self.hbar, self.cutoff)
        return np.einsum("ki,ij,kj->k", amplitudes.conj(), self.matrix, amplitudes).real

    def tensor(self, other: FockDensity) -> FockDensity:
        """Product state on ``self.modes + other.modes`` modes (same ħ and cutoff)."""
        if other.hbar != self.hbar:
            raise InvalidInputError(f"`other.hbar` must equal {self.hbar} (got {other.hbar})")
        if other.cutoff != self.cutoff:
            raise InvalidInputError(f"`other.cutoff` must equal {self.cutoff} (got {other.cutoff})")
        loss = 1.0 - (1.0 - self.truncation_loss) * (1.0 - other.truncation_loss)
        return FockDensity(
            np.kron(self.matrix, other.matrix),
            self.hbar,
            self.modes + other.modes,
            truncation_loss=loss,
        )

    @classmethod
    def number_state(
        cls, occupation: int | tuple[int, ...], hbar: float = 1.0, cutoff: int | None = None
    ) -> FockDensity:
        """The pure number state :math:`|n_1\\rangle\\otimes\\cdots` (one int per mode)."""
        occupations = (
            (occupation,) if isinstance(occupation, int | np.integer) else tuple(occupation)
        )
        if not occupations or any(
            not isinstance(n, int | np.integer) or n < 0 for n in occupations
        ):
            raise InvalidInputError(
                f"`occupation` must be non-negative integers (got {occupation!r})"
            )
        cutoff = (
            max(occupations) if cutoff is None else check_positive_int(cutoff, "cutoff", minimum=0)
        )
        if max(occupations) > cutoff:
            raise InvalidInputError(f"`cutoff` must be at least {max(occupations)} (got {cutoff})")
        factors = []
        for n in occupations:
            vector = np.zeros(cutoff + 1)
            vector[n] = 1.0
            factors.append(np.outer(vector, vector))
        return cls(reduce(np.kron, factors), hbar, modes=len(occupations))

    @classmethod
    def thermal(cls, mean_occupation: float, hbar: float = 1.0, cutoff: int = 20) -> FockDensity:
        r"""One-mode thermal state :math:`\propto \sum_n (\bar n/(1+\bar n))^n |n\rangle\langle n|`,
        truncated at ``cutoff`` and renormalised; the lost weight is :attr:`truncation_loss`."""
        if not (math.isfinite(mean_occupation) and mean_occupation >= 0):
            raise InvalidInputError(
                f"`mean_occupation` must be a finite non-negative number (got {mean_occupation!r})"
            )
        cutoff = check_positive_int(cutoff, "cutoff", minimum=0)
        ratio = mean_occupation / (1.0 + mean_occupation)
        populations = (1.0 - ratio) * ratio ** np.arange(cutoff + 1)
        kept = float(populations.sum())
        return cls(np.diag(populations / kept), hbar, truncation_loss=1.0 - kept)

    @classmethod
    def from_coherent(cls, mixture: CoherentMixture, cutoff: int) -> FockDensity:
        r"""Truncate a coherent mixture to the Fock states with :math:`n_j \le` ``cutoff``.

        The result is renormalised; :attr:`truncation_loss` is the weight lost,
        :math:`1 - \operatorname{tr}(PRP)`.
        """
        cutoff = check_positive_int(cutoff, "cutoff", minimum=0)
        amplitudes = coherent_fock_amplitudes(mixture.points, mixture.hbar, cutoff)
        truncated = hermitian_part(amplitudes.T @ (mixture.weights[:, None] * amplitudes.conj()))
        kept = float(np.trace(truncated).real)
        return cls(truncated / kept, mixture.hbar, mixture.modes, truncation_loss=1.0 - kept)


def coherent_cutoff(mixture: CoherentMixture, loss: float = 1e-8, maximum: int = 400) -> int:
    """Smallest per-mode cutoff whose truncation keeps at least ``1 - loss`` of the weight."""
    for cutoff in range(maximum + 1):
        amplitudes = coherent_fock_amplitudes(mixture.points, mixture.hbar, cutoff)
        kept = float(mixture.weights @ np.sum(np.abs(amplitudes) ** 2, axis=1))
        if 1.0 - kept <= loss:
            return cutoff
    raise InvalidInputError(f"`loss` {loss:g} needs a cutoff above {maximum}")
