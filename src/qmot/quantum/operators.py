r"""Cost-operator presets for the De Palma–Trevisan divergence (Wirth 2025).

* :func:`pauli` — :math:`(\sigma_x, \sigma_y, \sigma_z)` on a qubit;
* :func:`spin` — :math:`(J_x, J_y, J_z)` for any spin :math:`j` (dimension :math:`2j+1`);
* :func:`quadratures` — position and momentum :math:`x = \sqrt{\hbar/2}(a + a^*)`,
  :math:`p = -i\sqrt{\hbar/2}(a - a^*)` compressed to the Fock states :math:`|0\rangle..|n\rangle`
  (§3, unbounded case). :math:`W_{2,DPT}` only involves the compressions of the operators to the
  supports of the states, never :math:`x^2`, so for states inside the cut-off the compressed
  quadratures give the exact value; what a finite cut-off truncates is the *states* (their
  tails), and :func:`quadratures` leaves that to the caller (see ``FockDensity.truncation_loss``).
"""

from __future__ import annotations

import numpy as np

from qmot._validation import check_positive_int
from qmot.errors import InvalidInputError
from qmot.quantum.phase_space import truncated_annihilation

__all__ = ["pauli", "quadratures", "spin"]


def pauli() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Pauli matrices :math:`(\\sigma_x, \\sigma_y, \\sigma_z)`."""
    return (
        np.array([[0, 1], [1, 0]], dtype=complex),
        np.array([[0, -1j], [1j, 0]]),
        np.array([[1, 0], [0, -1]], dtype=complex),
    )


def spin(j: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Spin operators :math:`(J_x, J_y, J_z)` for spin ``j`` ∈ {1/2, 1, 3/2, ...} (ħ = 1).

    Basis :math:`|j, m\rangle`, :math:`m = j, j-1, \dots, -j`;
    :math:`J_+|j,m\rangle = \sqrt{j(j+1) - m(m+1)}\,|j,m+1\rangle`.
    """
    if not (np.isfinite(j) and j > 0 and float(2 * j).is_integer()):
        raise InvalidInputError(f"`j` must be a positive half-integer (got {j!r})")
    m = j - np.arange(round(2 * j) + 1)
    raising = np.diag(np.sqrt(j * (j + 1) - m[1:] * (m[1:] + 1)), k=1).astype(complex)
    return (
        (raising + raising.conj().T) / 2,
        (raising - raising.conj().T) / 2j,
        np.diag(m).astype(complex),
    )


def quadratures(cutoff: int, hbar: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Position and momentum compressed to ``span{|0⟩, …, |cutoff⟩}``: :math:`PxP`, :math:`PpP`."""
    cutoff = check_positive_int(cutoff, "cutoff")
    if not (np.isfinite(hbar) and hbar > 0):
        raise InvalidInputError(f"`hbar` must be a positive finite number (got {hbar!r})")
    lowering = truncated_annihilation(cutoff)
    scale = np.sqrt(hbar / 2)
    return scale * (lowering + lowering.conj().T), -1j * scale * (lowering - lowering.conj().T)
