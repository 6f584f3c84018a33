r"""Coherent-state algebra in closed form (Caglioti–Golse–Paul 2020, §1 conventions).

Coherent states:
:math:`\langle x|q,p\rangle = (\pi\hbar)^{-d/4} e^{-|x-q|^2/2\hbar} e^{ip\cdot x/\hbar}`.
With the ladder operators :math:`a_j = (x_j + i p_j)/\sqrt{2\hbar}`, :math:`|q,p\rangle` is the
eigenvector of every :math:`a_j` with eigenvalue :math:`\alpha_j = (q_j + i p_j)/\sqrt{2\hbar}`;
it equals the Glauber state :math:`|\alpha\rangle` times the phase :math:`e^{i p\cdot q/2\hbar}`.
Hence, exactly,

.. math::

    \langle q,p|q',p'\rangle = e^{-i p\cdot q/2\hbar + i p'\cdot q'/2\hbar}
        \exp\!\big(-\tfrac12|\alpha|^2 - \tfrac12|\alpha'|^2 + \bar\alpha\cdot\alpha'\big),
    \qquad |\langle q,p|q',p'\rangle|^2 = e^{-|z - z'|^2/2\hbar}.

Points are arrays of shape ``(M, 2d)`` with rows ``[q_1..q_d, p_1..p_d]``.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np

__all__ = [
    "coherent_fock_amplitudes",
    "coherent_overlaps",
    "embed_mode_operator",
    "ladder_eigenvalues",
    "truncated_annihilation",
]


def _split(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = points.shape[1] // 2
    return points[:, :d], points[:, d:]


def ladder_eigenvalues(points: np.ndarray, hbar: float) -> np.ndarray:
    r"""Eigenvalues :math:`\alpha_j = (q_j + i p_j)/\sqrt{2\hbar}`, shape ``(M, d)``."""
    q, p = _split(points)
    return (q + 1j * p) / math.sqrt(2.0 * hbar)


def _paper_phase(points: np.ndarray, hbar: float) -> np.ndarray:
    r"""Phase :math:`e^{i p\cdot q / 2\hbar}` relating the paper's |q,p⟩ to Glauber's |α⟩."""
    q, p = _split(points)
    return np.exp(1j * np.sum(p * q, axis=1) / (2.0 * hbar))


def coherent_overlaps(first: np.ndarray, second: np.ndarray, hbar: float) -> np.ndarray:
    r"""Overlaps :math:`\langle z_i | w_k\rangle` (rows: ``first``, columns: ``second``)."""
    alpha, beta = ladder_eigenvalues(first, hbar), ladder_eigenvalues(second, hbar)
    exponent = (
        -0.5 * np.sum(np.abs(alpha) ** 2, axis=1)[:, None]
        - 0.5 * np.sum(np.abs(beta) ** 2, axis=1)[None, :]
        + alpha.conj() @ beta.T
    )
    phases = _paper_phase(first, hbar).conj()[:, None] * _paper_phase(second, hbar)[None, :]
    return phases * np.exp(exponent)


def truncated_annihilation(cutoff: int) -> np.ndarray:
    r"""Compression of :math:`a` to span{|0⟩..|cutoff⟩}: :math:`a|n\rangle = \sqrt n|n-1\rangle`."""
    return np.diag(np.sqrt(np.arange(1, cutoff + 1, dtype=float)), k=1).astype(complex)


def embed_mode_operator(operator: np.ndarray, mode: int, modes: int) -> np.ndarray:
    r"""Operator acting on mode ``mode`` of ``modes`` identical truncated modes (Kronecker)."""
    identity = np.eye(operator.shape[0])
    factors = [operator if k == mode else identity for k in range(modes)]
    return reduce(np.kron, factors)


def coherent_fock_amplitudes(points: np.ndarray, hbar: float, cutoff: int) -> np.ndarray:
    r"""Amplitudes :math:`\langle n|q,p\rangle` on the truncated multi-mode Fock basis.

    One mode: :math:`\langle n|\alpha\rangle = e^{-|\alpha|^2/2}\alpha^n/\sqrt{n!}`; several modes:
    Kronecker products; times the paper's phase. Shape ``(M, (cutoff+1)^d)``.
    """
    alpha = ladder_eigenvalues(points, hbar)
    n = np.arange(cutoff + 1)
    log_factorial = np.array([math.lgamma(k + 1.0) for k in n])
    rows = []
    for point_alpha, phase in zip(alpha, _paper_phase(points, hbar), strict=True):
        per_mode = []
        for value in point_alpha:
            with np.errstate(divide="ignore"):
                magnitude = (
                    np.exp(-0.5 * abs(value) ** 2 + n * np.log(abs(value)) - 0.5 * log_factorial)
                    if value != 0
                    else (n == 0).astype(float)
                )
            per_mode.append(magnitude * np.exp(1j * n * np.angle(value)))
        rows.append(phase * reduce(np.kron, per_mode))
    return np.array(rows)
