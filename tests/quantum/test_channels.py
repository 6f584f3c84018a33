from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmot.errors import InvalidInputError
from qmot.linalg import partial_trace, random_density_matrix
from qmot.quantum.channels import (
    apply_channel,
    apply_dual,
    as_kraus,
    channel_from_coupling,
    choi_to_kraus,
    compose,
    gns_inner,
    kms_inner,
    kms_norm,
    kraus_to_choi,
    random_channel,
)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_kraus_choi_round_trip_and_pictures(n_in: int, n_out: int, n_kraus: int, seed: int) -> None:
    if n_out * n_kraus < n_in:
        n_kraus = -(-n_in // n_out)
    kraus = random_channel(n_in, n_out, n_kraus, seed=seed)
    state = random_density_matrix(n_in, seed=seed)
    choi = kraus_to_choi(kraus)
    # Φ_*(a) = tr_K[J (1 ⊗ aᵀ)] and tr_H J = 1 (trace preservation)
    via_choi = partial_trace(choi @ np.kron(np.eye(n_out), state.T), (n_out, n_in), 2)
    np.testing.assert_allclose(via_choi, apply_channel(kraus, state), atol=1e-12)
    np.testing.assert_allclose(partial_trace(choi, (n_out, n_in), 1), np.eye(n_in), atol=1e-12)
    back = choi_to_kraus(choi, (n_out, n_in))
    np.testing.assert_allclose(apply_channel(back, state), apply_channel(kraus, state), atol=1e-12)
    # duality tr(Φ_*(a) x) = tr(a Φ(x))
    x = random_density_matrix(n_out, seed=seed + 1)
    assert np.trace(apply_channel(kraus, state) @ x) == pytest.approx(
        np.trace(state @ apply_dual(kraus, x)), abs=1e-12
    )


def test_composition_is_the_composed_map() -> None:
    phi12, phi23 = random_channel(3, 2, 2, seed=1), random_channel(4, 3, 2, seed=2)
    state = random_density_matrix(4, seed=3)
    composed = compose(phi12, phi23)
    np.testing.assert_allclose(
        apply_channel(composed, state),
        apply_channel(phi12, apply_channel(phi23, state)),
        atol=1e-12,
    )
    with pytest.raises(InvalidInputError, match="`second` must output the input space of `first`"):
        compose(phi23, phi12)


def test_kms_and_gns_inner_products() -> None:
    rho = random_density_matrix(3, seed=4)
    x = random_density_matrix(3, seed=5) - np.eye(3) / 3
    # ‖x‖²_KMS = Σ √(λ_a λ_b)|x_ab|² ≤ tr(ρ x²) = ‖x‖²_GNS (Wirth 2025, §2)
    values, vectors = np.linalg.eigh(rho)
    entries = vectors.conj().T @ x @ vectors
    expected = float(np.sum(np.sqrt(np.outer(values, values)) * np.abs(entries) ** 2))
    assert kms_norm(x, rho) ** 2 == pytest.approx(expected, abs=1e-12)
    assert kms_norm(x, rho) ** 2 <= gns_inner(x, x, rho).real + 1e-12
    assert kms_inner(x, x, rho).imag == pytest.approx(0.0, abs=1e-14)


def test_channel_from_coupling_is_admissible_with_singular_sigma() -> None:
    sigma = random_density_matrix(3, 2, seed=6)
    kraus = random_channel(3, 3, 2, seed=7)
    rho = apply_channel(kraus, sigma)
    values, vectors = np.linalg.eigh(sigma)
    root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.conj().T
    purification = sum(np.kron(root[:, [i]], np.eye(3)[:, [i]]) for i in range(3))
    coupling = sum(
        np.kron(v, np.eye(3))
        @ purification
        @ purification.conj().T
        @ np.kron(v, np.eye(3)).conj().T
        for v in kraus
    )
    recovered = channel_from_coupling(coupling, rho, sigma)
    np.testing.assert_allclose(apply_channel(recovered, sigma), rho, atol=1e-10)
    np.testing.assert_allclose(sum(v.conj().T @ v for v in recovered), np.eye(3), atol=1e-10)


def test_kraus_validation() -> None:
    with pytest.raises(InvalidInputError, match=r"`kraus` must be trace preserving, Σ v\*v = 1"):
        as_kraus([np.eye(2) * 0.5])
    with pytest.raises(InvalidInputError, match="must be matrices of one common shape"):
        as_kraus([np.eye(2), np.eye(3)])
    with pytest.raises(InvalidInputError, match="must contain at least one Kraus operator"):
        as_kraus([])
    with pytest.raises(InvalidInputError, match=r"`n_kraus` must satisfy n_out·n_kraus ≥ n_in"):
        random_channel(4, 1, 2)
