"""QuTiP objects are accepted wherever a matrix or an operator is (no hard dependency)."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.quantum import FockDensity, apply_channel, dpt_divergence, kms_norm, mk2, spin
from qmot.sdp import coupling_sdp

qutip = pytest.importorskip("qutip")


def test_mk2_of_qutip_number_states_is_2hbar_m_plus_n() -> None:
    hbar = 0.5
    first = FockDensity(qutip.fock_dm(6, 1), hbar=hbar)
    second = FockDensity(qutip.fock_dm(5, 3), hbar=hbar)
    assert mk2(first, second).cost == pytest.approx(2 * hbar * (1 + 3), abs=1e-10)


def test_mk2_of_a_qutip_ket_is_the_pure_state() -> None:
    ket = FockDensity(qutip.basis(4, 2), hbar=1.0)  # |2⟩ read as |2⟩⟨2|
    vacuum = FockDensity(qutip.fock_dm(4, 0), hbar=1.0)
    assert mk2(ket, vacuum).cost == pytest.approx(2 * 1.0 * 2, abs=1e-10)


def test_dpt_divergence_of_two_qutip_pure_states_has_its_closed_form() -> None:
    # Both pure: W² = Σ_x (⟨x⟩_ρ − ⟨x⟩_σ)² (De Palma–Trevisan 2021, Prop. for pure states).
    first, second = qutip.ket2dm(qutip.rand_ket(3, seed=1)), qutip.ket2dm(qutip.rand_ket(3, seed=2))
    ops = [qutip.jmat(1, axis) for axis in "xyz"]
    expected = sum((qutip.expect(x, first) - qutip.expect(x, second)) ** 2 for x in ops)
    assert dpt_divergence(first, second, ops).cost == pytest.approx(expected, abs=1e-9)


def test_dpt_divergence_accepts_qutip_density_matrices() -> None:
    rho, sigma = qutip.rand_dm(3, seed=3), qutip.rand_dm(3, seed=4)
    result = dpt_divergence(rho, sigma, spin(1))  # the failing call
    assert result.lower_bound <= result.cost <= result.upper_bound
    assert result.lower_bound >= -1e-9  # a squared divergence
    with pytest.raises(InvalidInputError, match="`ops` must contain at least one"):
        dpt_divergence(rho, sigma, [])


def test_coupling_sdp_with_qutip_marginals_and_cost() -> None:
    # A product cost C = A⊗1 + 1⊗B is paid by every coupling: tr(Cπ) = tr(Aρ) + tr(Bσ).
    a, b = qutip.sigmaz(), qutip.sigmax()
    rho, sigma = qutip.rand_dm(2, seed=5), qutip.rand_dm(2, seed=6)
    cost = qutip.tensor(a, qutip.qeye(2)) + qutip.tensor(qutip.qeye(2), b)
    result = coupling_sdp(cost, rho, sigma)
    expected = qutip.expect(a, rho) + qutip.expect(b, sigma)
    assert result.lower_bound - 1e-8 <= expected <= result.upper_bound + 1e-8


def test_qutip_kraus_lists_and_operators_in_channel_helpers() -> None:
    gamma = 0.3  # amplitude damping: Kraus operators of a CPTP map
    kraus = [
        qutip.Qobj(np.array([[1, 0], [0, np.sqrt(1 - gamma)]])),
        qutip.Qobj(np.array([[0, np.sqrt(gamma)], [0, 0]])),
    ]
    excited = qutip.fock_dm(2, 1)
    out = apply_channel(kraus, excited)
    assert out == pytest.approx(np.diag([gamma, 1 - gamma]), abs=1e-14)
    number = qutip.num(2)  # ‖N‖²_KMS at a diagonal state: ⟨N²⟩ = population of |1⟩
    assert kms_norm(number, qutip.Qobj(np.diag([0.4, 0.6]))) ** 2 == pytest.approx(0.6)
    with pytest.raises(InvalidInputError, match="must be trace preserving"):
        apply_channel([kraus[0]], excited)


def test_a_failing_full_is_a_clear_error() -> None:
    class Broken:
        def full(self) -> np.ndarray:
            raise RuntimeError("no dense form")

    with pytest.raises(InvalidInputError, match=r"`rho` must convert to a matrix with \.full\(\)"):
        dpt_divergence(Broken(), np.eye(2) / 2, spin(0.5))
