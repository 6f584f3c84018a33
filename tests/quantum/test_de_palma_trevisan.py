"""W_{2,DPT} against closed forms, the integral representation, the original D, and the
theorems of Wirth 2025 on random inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import IntegrationWarning

from qmot.errors import InvalidInputError
from qmot.linalg import random_density_matrix
from qmot.quantum import (
    apply_channel,
    de_palma_trevisan,
    dpt_cost,
    dpt_divergence,
    dpt_original_squared,
    integral_representation,
    kms_norm,
    pauli,
    random_channel,
    spin,
    subadditivity,
    triangle_check,
)
from tests.conftest import random_hermitian


def _pure(vector: np.ndarray) -> np.ndarray:
    vector = vector / np.linalg.norm(vector)
    return np.outer(vector, vector.conj())


@given(st.integers(0, 2**32 - 1), st.integers(2, 4))
def test_both_pure_closed_form(seed: int, dim: int) -> None:
    rng = np.random.default_rng(seed)
    first, second = (_pure(rng.normal(size=dim) + 1j * rng.normal(size=dim)) for _ in range(2))
    ops = [random_hermitian(dim, rng) for _ in range(2)]
    expected = sum((np.trace(first @ x).real - np.trace(second @ x).real) ** 2 for x in ops)
    result = dpt_divergence(first, second, ops)
    assert result.cost == pytest.approx(expected, abs=1e-10)


@given(st.integers(0, 2**32 - 1))
def test_one_pure_state_forces_the_channel(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mixed = random_density_matrix(3, seed=rng)
    pure = _pure(rng.normal(size=3) + 1j * rng.normal(size=3))
    ops = spin(1)
    expected = sum(
        kms_norm(x, mixed) ** 2
        + np.trace(pure @ x).real ** 2
        - 2 * np.trace(mixed @ x).real * np.trace(pure @ x).real
        for x in ops
    )
    assert dpt_divergence(mixed, pure, ops).cost == pytest.approx(expected, abs=1e-10)
    assert dpt_divergence(pure, mixed, ops).cost == pytest.approx(expected, abs=1e-10)


@settings(max_examples=15)
@given(st.integers(0, 2**32 - 1), st.integers(2, 3), st.booleans())
def test_zero_self_distance_symmetry_and_d_identity(seed: int, dim: int, deficient: bool) -> None:
    rng = np.random.default_rng(seed)
    rho = random_density_matrix(dim, seed=rng)
    sigma = random_density_matrix(dim, dim - 1 if deficient else dim, seed=rng)
    ops = [random_hermitian(dim, rng) for _ in range(2)]
    forward = dpt_divergence(rho, sigma, ops)
    assert forward.status == "optimal"
    assert dpt_divergence(rho, rho, ops).upper_bound <= 1e-7
    assert dpt_divergence(sigma, rho, ops).cost == pytest.approx(forward.cost, abs=1e-6)
    d, d_rho, d_sigma = (
        dpt_original_squared(*pair, ops) for pair in ((rho, sigma), (rho, rho), (sigma, sigma))
    )
    assert all(r.status == "optimal" for r in (d, d_rho, d_sigma))
    identity = d.cost - d_rho.cost / 2 - d_sigma.cost / 2
    assert identity == pytest.approx(forward.cost, abs=1e-6)
    # the recovered channel is admissible and attains the optimum (Def. 2.12)
    assert forward.residuals["channel_admissibility"] <= 1e-8
    assert dpt_cost(rho, sigma, ops, ops, forward.channel) == pytest.approx(forward.cost, abs=1e-7)


@settings(max_examples=15)
@given(st.integers(0, 2**32 - 1), st.integers(2, 3), st.integers(2, 3))
def test_integral_representation_equals_the_cost(seed: int, n_in: int, n_out: int) -> None:
    """Wirth 2025, Thm. 2.7, with a rank-deficient ρ or σ half the time."""
    rng = np.random.default_rng(seed)
    sigma = random_density_matrix(n_in, int(rng.integers(1, n_in + 1)), seed=rng)
    kraus = random_channel(n_in, n_out, 2, seed=rng)
    rho = apply_channel(kraus, sigma)
    x = [random_hermitian(n_out, rng) for _ in range(2)]
    y = [random_hermitian(n_in, rng) for _ in range(2)]
    value, error = integral_representation(rho, sigma, x, y, kraus)
    assert error < 1e-8
    assert value == pytest.approx(dpt_cost(rho, sigma, x, y, kraus), abs=1e-8)


@settings(max_examples=15)
@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.integers(2, 4))
def test_integral_representation_error_estimate_covers_the_closed_form(
    seed: int, n_in: int, n_out: int
) -> None:
    """The returned error is an estimate (documented as such), but it is meant to cover the
    true value: against the closed form of Def. 2.10, and with no warning escaping."""
    rng = np.random.default_rng(seed)
    sigma = random_density_matrix(n_in, int(rng.integers(1, n_in + 1)), seed=rng)
    kraus = random_channel(n_in, n_out, 2, seed=rng)
    rho = apply_channel(kraus, sigma)
    x = [random_hermitian(n_out, rng) for _ in range(2)]
    y = [random_hermitian(n_in, rng) for _ in range(2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, error = integral_representation(rho, sigma, x, y, kraus)
    assert abs(value - dpt_cost(rho, sigma, x, y, kraus)) <= error


def test_integral_representation_reports_a_failed_quadrature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When quad warns that it did not converge, the warning is caught and the error is inf."""

    def failing_quad(*args: object, **kwargs: object) -> tuple[float, float]:
        warnings.warn("roundoff error is detected", IntegrationWarning, stacklevel=2)
        return 1.0, 1e-3

    monkeypatch.setattr(de_palma_trevisan, "quad", failing_quad)
    z, rho = np.diag([1.0, -1.0]), np.diag([0.7, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, error = integral_representation(rho, rho, [z], [z], [np.eye(2)])
    assert value == 1.0 and error == np.inf


@pytest.mark.parametrize("epsabs", [0.0, -1e-9, np.inf, "tiny"])
def test_integral_representation_refuses_a_bad_accuracy(epsabs: object) -> None:
    z, rho = np.diag([1.0, -1.0]), np.diag([0.7, 0.3])
    with pytest.raises(InvalidInputError, match="`epsabs` must be a positive finite number"):
        integral_representation(rho, rho, [z], [z], [np.eye(2)], epsabs=epsabs)  # type: ignore[arg-type]


@given(st.integers(0, 2**32 - 1))
def test_subadditivity_on_random_channels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rho3 = random_density_matrix(3, seed=rng)
    phi23 = random_channel(3, 2, 2, seed=rng)
    phi12 = random_channel(2, 3, 2, seed=rng)
    rho2 = apply_channel(phi23, rho3)
    rho1 = apply_channel(phi12, rho2)
    ops = ([random_hermitian(3, rng)], [random_hermitian(2, rng)], [random_hermitian(3, rng)])
    left, right = subadditivity((rho1, rho2, rho3), ops, phi12, phi23)
    assert left <= right + 1e-10


@settings(max_examples=15)
@given(st.integers(0, 2**32 - 1))
def test_triangle_inequality_on_random_qubit_triples(seed: int) -> None:
    rng = np.random.default_rng(seed)
    states = [random_density_matrix(2, int(rng.integers(1, 3)), seed=rng) for _ in range(3)]
    check = triangle_check(*states, pauli())
    assert check.certified_slack >= -1e-7
    assert check.certified_slack <= check.slack + 1e-12


def test_bad_input() -> None:
    rho = np.eye(2) / 2
    with pytest.raises(InvalidInputError, match=r"`ops\[0\]` must be Hermitian"):
        dpt_divergence(rho, rho, [np.array([[0, 1], [0, 0]])])
    with pytest.raises(InvalidInputError, match=r"`ops\[0\]` must have shape \(2, 2\)"):
        dpt_divergence(rho, rho, [np.eye(3)])
    with pytest.raises(InvalidInputError, match="`sigma` must have the shape of `rho`"):
        dpt_divergence(rho, np.eye(3) / 3, [np.eye(2)])
    with pytest.raises(InvalidInputError, match="`ops_sigma` must have as many operators"):
        dpt_divergence(rho, np.eye(3) / 3, [np.eye(2)], [np.eye(3), np.eye(3)])
    with pytest.raises(InvalidInputError, match=r"`channel` must be trace preserving"):
        dpt_cost(rho, rho, [np.eye(2)], [np.eye(2)], [0.5 * np.eye(2)])
    with pytest.raises(InvalidInputError, match=r"`channel` must map sigma to rho"):
        dpt_cost(np.diag([1.0, 0.0]), rho, [np.eye(2)], [np.eye(2)], [np.eye(2)])
    with pytest.raises(InvalidInputError, match="`ops` must contain at least one operator"):
        dpt_divergence(rho, rho, [])


def test_original_quantity_passes_solver_choices_through() -> None:
    rng = np.random.default_rng(11)
    rho, sigma = random_density_matrix(3, seed=rng), random_density_matrix(3, seed=rng)
    ops = spin(1.0)
    reference = dpt_original_squared(rho, sigma, ops, solver="QMOT-IPM")
    entropic = dpt_original_squared(rho, sigma, ops, solver="QMOT-ENTROPIC", tol=1e-5)
    assert (reference.solver, entropic.solver) == ("QMOT-IPM", "QMOT-ENTROPIC")
    assert entropic.lower_bound <= reference.upper_bound + 1e-9
    assert reference.lower_bound <= entropic.upper_bound + 1e-9
    with pytest.raises(InvalidInputError, match="max_time"):
        dpt_original_squared(rho, sigma, ops, max_time=-1.0)
