from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmot.errors import InvalidInputError
from qmot.linalg import (
    hermitian_part,
    kron_left,
    kron_right,
    least_eigenvalue,
    partial_trace,
    psd_power,
    psd_sqrt,
    random_density_matrix,
    support_basis,
    support_projector,
)


@given(dim=st.integers(1, 6), data=st.data())
def test_random_density_matrix_has_requested_rank_and_unit_trace(
    dim: int, data: st.DataObject
) -> None:
    rank = data.draw(st.integers(1, dim))
    rho = random_density_matrix(dim, rank, seed=data.draw(st.integers(0, 2**32 - 1)))
    assert np.trace(rho).real == pytest.approx(1.0)
    np.testing.assert_allclose(rho, rho.conj().T, atol=1e-15)
    eigenvalues = np.linalg.eigvalsh(rho)
    assert eigenvalues.min() > -1e-13
    assert np.linalg.matrix_rank(rho, tol=1e-10) == rank


def test_random_density_matrix_is_seeded_and_validates() -> None:
    np.testing.assert_array_equal(
        random_density_matrix(3, seed=7), random_density_matrix(3, seed=7)
    )
    with pytest.raises(InvalidInputError, match=r"`rank` must be an integer in \[1, 3\] \(got 4\)"):
        random_density_matrix(3, 4)
    with pytest.raises(InvalidInputError, match="`dim` must be a positive integer"):
        random_density_matrix(0)


def test_psd_sqrt_squares_back_and_power_inverts_on_support() -> None:
    rho = random_density_matrix(5, 3, seed=1)
    root = psd_sqrt(rho)
    np.testing.assert_allclose(root @ root, rho, atol=1e-12)
    pinv = psd_power(rho, -1.0)
    np.testing.assert_allclose(rho @ pinv @ rho, rho, atol=1e-10)
    np.testing.assert_allclose(pinv, np.linalg.pinv(rho, rcond=1e-10, hermitian=True), atol=1e-7)


def test_support_basis_is_orthonormal_range_and_reports_dropped_weight() -> None:
    rho = random_density_matrix(6, 2, seed=3)
    basis, dropped = support_basis(rho)
    assert basis.shape == (6, 2)
    np.testing.assert_allclose(basis.conj().T @ basis, np.eye(2), atol=1e-12)
    projector = support_projector(rho)
    np.testing.assert_allclose(projector @ rho, rho, atol=1e-12)
    assert dropped < 1e-14
    tiny = np.diag([0.5, 0.5 - 1e-14, 1e-14])
    basis, dropped = support_basis(tiny, rtol=1e-12)
    assert basis.shape[1] == 2 and dropped == pytest.approx(1e-14)


def test_partial_traces_of_products_and_kron_helpers(rng: np.random.Generator) -> None:
    a = random_density_matrix(2, seed=1)
    b = random_density_matrix(3, seed=2)
    product = np.kron(a, b)
    np.testing.assert_allclose(partial_trace(product, (2, 3), traced=2), a, atol=1e-14)
    np.testing.assert_allclose(partial_trace(product, (2, 3), traced=1), b, atol=1e-14)
    x = rng.normal(size=(2, 2))
    y = rng.normal(size=(3, 3))
    np.testing.assert_allclose(kron_left(x, 3), np.kron(x, np.eye(3)))
    np.testing.assert_allclose(kron_right(2, y), np.kron(np.eye(2), y))
    # tr((X ⊗ I) Q) = tr(X tr_2 Q) for an arbitrary Q
    q = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    assert np.trace(kron_left(x, 3) @ q) == pytest.approx(np.trace(x @ partial_trace(q, (2, 3), 2)))
    assert np.trace(kron_right(2, y) @ q) == pytest.approx(
        np.trace(y @ partial_trace(q, (2, 3), 1))
    )
    with pytest.raises(InvalidInputError, match=r"`operator` must have shape \(6, 6\)"):
        partial_trace(np.eye(5), (2, 3), traced=1)
    with pytest.raises(InvalidInputError, match="`traced` must be 1 or 2"):
        partial_trace(q, (2, 3), traced=3)


def test_hermitian_part_and_least_eigenvalue() -> None:
    m = np.array([[1.0, 2.0], [0.0, 1.0]])
    np.testing.assert_allclose(hermitian_part(m), [[1.0, 1.0], [1.0, 1.0]])
    assert least_eigenvalue(m) == pytest.approx(0.0, abs=1e-14)
