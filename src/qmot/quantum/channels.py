r"""Quantum channels in finite dimension: Kraus ↔ Choi, both pictures, composition, KMS.

Conventions (Wirth 2025, Prop. 2.1): a channel :math:`\Phi_*` from states on ``K`` (input,
dimension ``n_in``) to states on ``H`` (output, ``n_out``) has Kraus operators
:math:`v_j : K \to H` (arrays ``(n_out, n_in)``) with :math:`\sum_j v_j^* v_j = 1_K`;

.. math::

    \Phi_*(a) = \sum_j v_j a v_j^* \quad\text{(Schrödinger)},\qquad
    \Phi(x) = \sum_j v_j^* x v_j \quad\text{(Heisenberg, unital CP)}.

The Choi matrix is :math:`J = \sum_{ij}\Phi_*(|i\rangle\langle j|)\otimes|i\rangle\langle j|`
on :math:`H\otimes K` (output first), so :math:`\Phi_*(a) = \operatorname{tr}_K[J(1\otimes a^\top)]`
and trace preservation reads :math:`\operatorname{tr}_H J = 1_K`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from qmot._validation import as_hermitian, check_positive_int, dense
from qmot.certify.margins import rounding_floor
from qmot.errors import InvalidInputError
from qmot.linalg import hermitian_part, psd_power

__all__ = [
    "CHANNEL_TOL",
    "apply_channel",
    "apply_dual",
    "as_kraus",
    "channel_from_coupling",
    "choi_to_kraus",
    "compose",
    "gns_inner",
    "kms_inner",
    "kms_norm",
    "kraus_to_choi",
    "random_channel",
]

CHANNEL_TOL = 1e-9
"""Tolerance on :math:`\\|\\sum_j v_j^* v_j - 1\\|_{\\max}` for trace preservation."""


def as_kraus(kraus: Sequence[ArrayLike] | ArrayLike, name: str = "kraus") -> tuple[np.ndarray, ...]:
    """Validate Kraus operators of a CPTP map (equal shapes, finite, :math:`\\sum v^*v = 1`)."""
    try:
        operators = tuple(np.asarray(dense(k, name), dtype=complex) for k in kraus)  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{name}` must be a sequence of matrices ({exc})") from exc
    if not operators:
        raise InvalidInputError(f"`{name}` must contain at least one Kraus operator (got none)")
    shape = operators[0].shape
    if len(shape) != 2 or any(op.shape != shape for op in operators):
        raise InvalidInputError(
            f"`{name}` must be matrices of one common shape (got {[op.shape for op in operators]})"
        )
    if not all(np.all(np.isfinite(op)) for op in operators):
        raise InvalidInputError(f"`{name}` must be finite")
    defect = float(np.abs(sum(op.conj().T @ op for op in operators) - np.eye(shape[1])).max())
    if defect > CHANNEL_TOL:
        raise InvalidInputError(
            f"`{name}` must be trace preserving, Σ v*v = 1 (got max deviation {defect:.3g})"
        )
    return operators


def apply_channel(kraus: Sequence[ArrayLike], state: ArrayLike) -> np.ndarray:
    r"""Schrödinger picture :math:`\Phi_*(a) = \sum_j v_j a v_j^*`.

    Parameters
    ----------
    kraus
        Kraus operators of a CPTP map, arrays ``(n_out, n_in)`` with
        :math:`\sum_j v_j^* v_j = 1` (:func:`as_kraus`).
    state
        Hermitian ``n_in x n_in`` operator (a density matrix, or any self-adjoint operator:
        the map is linear).

    Raises
    ------
    InvalidInputError
        ``kraus`` is not CPTP, or ``state`` is not Hermitian of the input dimension.
    """
    operators = as_kraus(kraus)
    operator = as_hermitian(state, "state")
    n_in = operators[0].shape[1]
    if operator.shape != (n_in, n_in):
        raise InvalidInputError(
            f"`state` must be {n_in} x {n_in}, the input dimension of `kraus` "
            f"(got shape {operator.shape})"
        )
    return _apply_channel(operators, operator)


def _apply_channel(kraus: Sequence[np.ndarray], state: np.ndarray) -> np.ndarray:
    """:func:`apply_channel` without validation (for validated Kraus operators and states)."""
    return hermitian_part(sum(v @ state @ v.conj().T for v in kraus))


def apply_dual(kraus: Sequence[np.ndarray], observable: np.ndarray) -> np.ndarray:
    r"""Heisenberg picture :math:`\Phi(x) = \sum_j v_j^* x v_j` (unital)."""
    return sum(v.conj().T @ observable @ v for v in kraus)


def kraus_to_choi(kraus: Sequence[np.ndarray]) -> np.ndarray:
    r"""Choi matrix :math:`J = \sum_j |v_j\rangle\!\rangle\langle\!\langle v_j|`,
    :math:`|v\rangle\!\rangle = \sum_i v|i\rangle\otimes|i\rangle` (output ⊗ input)."""
    vectors = [np.asarray(dense(v, "kraus")).reshape(-1) for v in kraus]  # (out, in) order
    return sum(np.outer(vec, vec.conj()) for vec in vectors)


def choi_to_kraus(
    choi: ArrayLike, dims: tuple[int, int], *, rtol: float = 1e-12
) -> tuple[np.ndarray, ...]:
    r"""Kraus operators of the CPTP map with Choi matrix ``choi`` on output ⊗ input.

    Parameters
    ----------
    choi
        :math:`J` on :math:`H\otimes K` (output first, module docstring): Hermitian, positive
        semidefinite and trace preserving, :math:`\operatorname{tr}_H J = 1_K`, each within
        :data:`CHANNEL_TOL` (the PSD rule relative to the largest eigenvalue).
    dims
        ``(n_out, n_in)``, positive integers.
    rtol
        Eigenvalues of :math:`J` at most ``rtol`` times the largest give no Kraus operator.

    Raises
    ------
    InvalidInputError
        ``dims`` are not positive integers, or ``choi`` has the wrong shape or breaks one of
        the rules above.
    """
    if not isinstance(dims, tuple | list) or len(dims) != 2:
        raise InvalidInputError(f"`dims` must be a pair (n_out, n_in) (got {dims!r})")
    n_out = check_positive_int(dims[0], "dims[0]")
    n_in = check_positive_int(dims[1], "dims[1]")
    matrix = as_hermitian(choi, "choi", rtol=CHANNEL_TOL)
    if matrix.shape != (n_out * n_in, n_out * n_in):
        raise InvalidInputError(
            f"`choi` must have shape ({n_out * n_in}, {n_out * n_in}) (got {matrix.shape})"
        )
    eigenvalues = np.linalg.eigvalsh(matrix)
    top = max(float(eigenvalues[-1]), 0.0)
    if eigenvalues[0] < -CHANNEL_TOL * max(1.0, top):
        raise InvalidInputError(
            f"`choi` must be positive semidefinite (completely positive map) "
            f"(got least eigenvalue {eigenvalues[0]:.3g})"
        )
    traced = np.einsum("aiaj->ij", matrix.reshape(n_out, n_in, n_out, n_in))
    defect = float(np.abs(traced - np.eye(n_in)).max())
    if defect > CHANNEL_TOL:
        raise InvalidInputError(
            "`choi` must be trace preserving, tr_out J = 1 on the input space "
            f"(got max deviation {defect:.3g})"
        )
    return _choi_to_kraus(matrix, (n_out, n_in), rtol=rtol)


def _choi_to_kraus(
    matrix: np.ndarray, dims: tuple[int, int], *, rtol: float = 1e-12
) -> tuple[np.ndarray, ...]:
    """:func:`choi_to_kraus` without validation (``matrix`` Hermitian of the right shape)."""
    n_out, n_in = dims
    eigenvalues, vectors = np.linalg.eigh(matrix)
    keep = eigenvalues > rtol * max(float(eigenvalues[-1]), 0.0)
    return tuple(
        np.sqrt(value) * vector.reshape(n_out, n_in)
        for value, vector in zip(eigenvalues[keep], vectors[:, keep].T, strict=True)
    )


def compose(first: Sequence[np.ndarray], second: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    r"""Kraus operators of :math:`\Phi_{23}\circ\Phi_{12}` in the Heisenberg picture.

    ``first`` = Kraus of :math:`\Phi_{12}` (:math:`H_2 \to H_1`), ``second`` = Kraus of
    :math:`\Phi_{23}` (:math:`H_3\to H_2`); the composed channel maps states on :math:`H_3`
    to :math:`H_1`, :math:`(\Phi_{12*}\circ\Phi_{23*})(a) = \sum_{ij} v_i w_j a (v_i w_j)^*`
    (Wirth 2025, proof of Thm. 2.11).
    """
    if first[0].shape[1] != second[0].shape[0]:
        raise InvalidInputError(
            f"`second` must output the input space of `first` (dimension {first[0].shape[1]}; "
            f"got {second[0].shape[0]})"
        )
    return tuple(v @ w for v in first for w in second)


def random_channel(
    n_in: int,
    n_out: int | None = None,
    n_kraus: int = 2,
    *,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, ...]:
    """Random CPTP map from an isometry :math:`K \\to H\\otimes\\mathbb C^{n_{kraus}}` (seeded)."""
    n_in = check_positive_int(n_in, "n_in")
    n_out = n_in if n_out is None else check_positive_int(n_out, "n_out")
    n_kraus = check_positive_int(n_kraus, "n_kraus")
    if n_out * n_kraus < n_in:
        raise InvalidInputError(
            f"`n_kraus` must satisfy n_out·n_kraus ≥ n_in = {n_in} (got {n_out}·{n_kraus})"
        )
    rng = np.random.default_rng(seed)
    ginibre = rng.normal(size=(n_out * n_kraus, n_in)) + 1j * rng.normal(
        size=(n_out * n_kraus, n_in)
    )
    isometry, _ = np.linalg.qr(ginibre)
    return tuple(isometry[j * n_out : (j + 1) * n_out] for j in range(n_kraus))


def kms_inner(a: np.ndarray, b: np.ndarray, rho: np.ndarray) -> complex:
    r"""KMS inner product (Wirth 2025, §2).

    :math:`\langle a, b\rangle_\rho = \operatorname{tr}(a^*\rho^{1/2} b \rho^{1/2})`, with the
    square root of every eigenvalue above the rounding floor (none is cut: an eigenvalue
    :math:`\lambda = 10^{-12}` still contributes :math:`\sqrt\lambda = 10^{-6}`; those at the
    floor, which no computation can tell from 0, are zeros: :mod:`qmot.certify.supports`).
    """
    root = psd_power(rho, 0.5, rtol=_floor_rtol(rho))
    return complex(np.trace(a.conj().T @ root @ b @ root))


def _floor_rtol(rho: np.ndarray) -> float:
    top = float(np.linalg.eigvalsh(hermitian_part(rho))[-1])
    return rounding_floor(rho) / top if top > 0 else 0.0


def kms_norm(a: ArrayLike, rho: ArrayLike) -> float:
    r""":math:`\|a\|_\rho = \|\rho^{1/4} a \rho^{1/4}\|_2` (Wirth 2025, §2).

    Parameters
    ----------
    a
        Square operator, finite.
    rho
        Hermitian positive semidefinite operator of the same size (the PSD rule is relative
        to its largest eigenvalue, tolerance :data:`CHANNEL_TOL`; the trace is free).

    Raises
    ------
    InvalidInputError
        ``a`` is not a finite square matrix, ``rho`` is not Hermitian PSD, or the sizes differ.
    """
    state = as_hermitian(rho, "rho")
    eigenvalues = np.linalg.eigvalsh(state)
    if eigenvalues[0] < -CHANNEL_TOL * max(1.0, abs(float(eigenvalues[-1]))):
        raise InvalidInputError(
            f"`rho` must be positive semidefinite (got least eigenvalue {eigenvalues[0]:.3g})"
        )
    operator = _as_square(a, "a", state.shape[0])
    return _kms_norm(operator, state)


def _as_square(value: ArrayLike, name: str, size: int) -> np.ndarray:
    try:
        array = np.asarray(dense(value, name), dtype=complex)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{name}` must be a numeric matrix ({exc})") from exc
    if array.shape != (size, size):
        raise InvalidInputError(f"`{name}` must be {size} x {size} (got shape {array.shape})")
    if not np.all(np.isfinite(array)):
        raise InvalidInputError(f"`{name}` must be finite")
    return array


def _kms_norm(a: np.ndarray, rho: np.ndarray) -> float:
    """:func:`kms_norm` without validation (for validated operators and states)."""
    return float(np.sqrt(max(kms_inner(a, a, rho).real, 0.0)))


def gns_inner(a: np.ndarray, b: np.ndarray, rho: np.ndarray) -> complex:
    r"""GNS inner product :math:`\operatorname{tr}(\rho a^* b)`."""
    return complex(np.trace(rho @ a.conj().T @ b))


def channel_from_coupling(
    coupling: np.ndarray, rho: np.ndarray, sigma: np.ndarray, *, rtol: float = 1e-12
) -> tuple[np.ndarray, ...]:
    r"""Kraus operators of an admissible channel (:math:`\Phi_*(\sigma) = \rho`) from a coupling
    :math:`\Pi` of :math:`(\rho, \sigma^\top)`.

    :math:`J = (1\otimes\sigma^{-\top/2})\Pi(1\otimes\sigma^{-\top/2})
    + \tau\otimes(1-P_\sigma)^\top` with pseudo-inverse powers and :math:`\tau = \rho`
    completing the map on :math:`\ker\sigma`.
    """
    n_out, n_in = rho.shape[0], sigma.shape[0]
    eigenvalues, vectors = np.linalg.eigh(hermitian_part(sigma))
    keep = eigenvalues > rtol * eigenvalues[-1]
    inverse_root = (vectors[:, keep] / np.sqrt(eigenvalues[keep])) @ vectors[:, keep].conj().T
    kernel = np.eye(n_in) - vectors[:, keep] @ vectors[:, keep].conj().T
    scaling = np.kron(np.eye(n_out), inverse_root.T)
    choi = scaling @ coupling @ scaling.conj().T + np.kron(rho, kernel.T)
    return _choi_to_kraus(hermitian_part(choi), (n_out, n_in), rtol=rtol)
