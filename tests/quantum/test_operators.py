from __future__ import annotations

import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.quantum import pauli, quadratures, spin


@pytest.mark.parametrize("j", [0.5, 1, 1.5, 2, 3.5])
def test_spin_operators_satisfy_su2(j: float) -> None:
    jx, jy, jz = spin(j)
    dim = round(2 * j + 1)
    np.testing.assert_allclose(jx @ jx + jy @ jy + jz @ jz, j * (j + 1) * np.eye(dim), atol=1e-12)
    np.testing.assert_allclose(jx @ jy - jy @ jx, 1j * jz, atol=1e-12)


def test_spin_half_is_half_pauli_and_bad_j() -> None:
    np.testing.assert_allclose(np.array(spin(0.5)) * 2, np.array(pauli()))
    with pytest.raises(InvalidInputError, match=r"`j` must be a positive half-integer \(got 0.3\)"):
        spin(0.3)


def test_quadratures_commute_canonically_below_the_cutoff() -> None:
    x, p = quadratures(6, hbar=0.5)
    commutator = x @ p - p @ x
    np.testing.assert_allclose(np.diag(commutator)[:-1], 0.5j * np.ones(6), atol=1e-12)
    assert abs(commutator[-1, -1] - 0.5j * (1 - 7)) < 1e-12  # the cut-off shows only at |n⟩
