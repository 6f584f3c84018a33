"""MK_ħ against closed forms, a second representation, and the theorems of Caglioti–Golse–Paul
2020."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmot.errors import InvalidInputError
from qmot.linalg import kron_left, kron_right, partial_trace
from qmot.quantum import (
    CoherentMixture,
    FockDensity,
    analyse_coupling,
    classical_cost,
    cost_operator,
    coupling_from_coherent_frame,
    husimi,
    mk2,
    quantum_saving,
)

coordinate = st.floats(-2.0, 2.0, allow_nan=False)


@given(st.lists(coordinate, min_size=4, max_size=4), st.floats(0.05, 3.0))
def test_two_coherent_states_cost_the_squared_phase_space_distance(
    z: list[float], hbar: float
) -> None:
    result = mk2(CoherentMixture([z[:2]], hbar=hbar), CoherentMixture([z[2:]], hbar=hbar))
    expected = (z[0] - z[2]) ** 2 + (z[1] - z[3]) ** 2
    assert result.cost == pytest.approx(expected, abs=1e-10)
    assert result.gap <= 1e-10


def test_two_mode_coherent_states() -> None:
    first = CoherentMixture([[0.1, -0.3, 0.5, 0.2]], hbar=0.3)
    second = CoherentMixture([[1.0, 0.4, -0.5, 0.0]], hbar=0.3)
    assert mk2(first, second).cost == pytest.approx(0.81 + 0.49 + 1.0 + 0.04, abs=1e-10)


@pytest.mark.parametrize(("m", "n", "hbar"), [(0, 0, 1.0), (0, 3, 0.5), (2, 5, 0.1)])
def test_number_states_cost_2hbar_m_plus_n(m: int, n: int, hbar: float) -> None:
    result = mk2(
        FockDensity.number_state(m, hbar, cutoff=6), FockDensity.number_state(n, hbar, cutoff=5)
    )
    assert result.cost == pytest.approx(2 * hbar * (m + n), abs=1e-10)


def test_two_mode_number_states() -> None:
    result = mk2(
        FockDensity.number_state((1, 0), 0.5, cutoff=2),
        FockDensity.number_state((0, 2), 0.5, cutoff=2),
    )
    assert result.cost == pytest.approx(2 * 0.5 * 3, abs=1e-10)


@pytest.mark.parametrize("hbar", [0.1, 0.5, 2.0])
@pytest.mark.parametrize(("a", "b"), [(0.3, 0.8), (1.0, 1.4)])
def test_equal_masses_quantum_cost_equals_classical_cost(a: float, b: float, hbar: float) -> None:
    """Seed 000, eq. (13): C_q = C_c = (a - b)² for R = ½(|a⟩⟨a| + |-a⟩⟨-a|), S likewise with b."""
    first = CoherentMixture([[-a, 0.0], [a, 0.0]], hbar=hbar)
    second = CoherentMixture([[-b, 0.0], [b, 0.0]], hbar=hbar)
    result = mk2(first, second)
    assert result.lower_bound - 1e-9 <= (a - b) ** 2 <= result.upper_bound + 1e-9
    assert result.gap <= 1e-6
    # the explicit Töplitz coupling of eq. (22) attains it
    coupling = coupling_from_coherent_frame(first, second, np.diag([0.5, 0.0, 0.0, 0.5]))
    cost = cost_operator(first.section(), second.section(), hbar)
    assert np.trace(cost @ coupling).real == pytest.approx((a - b) ** 2, abs=1e-10)
    np.testing.assert_allclose(
        partial_trace(coupling, (2, 2), 2), first.section().density, atol=1e-12
    )


@pytest.mark.parametrize(("hbar", "eta"), [(0.5, 0.3), (1.0, 0.6)])
def test_unequal_masses_quantum_is_strictly_cheaper_and_not_toeplitz(
    hbar: float, eta: float
) -> None:
    """Seed 000, eq. (21) and §4: C_q < C_c, with an optimal coupling that is not Töplitz."""
    first = CoherentMixture([[1.0, 0.0], [-1.0, 0.0]], [(1 + eta) / 2, (1 - eta) / 2], hbar=hbar)
    second = CoherentMixture([[1.0, 0.0], [-1.0, 0.0]], hbar=hbar)
    saving = quantum_saving(first, second)
    assert saving.classical.cost == pytest.approx(2 * eta, abs=1e-12)  # eq. (16), a = 1
    assert saving.strictly_cheaper
    assert saving.lower_bound <= saving.saving <= saving.upper_bound
    analysis = analyse_coupling(first, second, saving.quantum.coupling)
    assert analysis.toeplitz_trace == pytest.approx(analysis.toeplitz_plan.sum())
    assert analysis.offdiagonal_fraction > 1e-3


def _random_mixture(
    rng: np.random.Generator, size: int, modes: int, hbar: float
) -> CoherentMixture:
    return CoherentMixture(
        rng.normal(size=(size, 2 * modes)), rng.dirichlet(np.ones(size)), hbar=hbar
    )


@given(st.integers(0, 2**32 - 1), st.integers(1, 2), st.floats(0.1, 2.0))
def test_random_mixtures_obey_eq_5_symmetry_and_positivity(
    seed: int, modes: int, hbar: float
) -> None:
    rng = np.random.default_rng(seed)
    first, second = _random_mixture(rng, 3, modes, hbar), _random_mixture(rng, 2, modes, hbar)
    forward, backward = mk2(first, second), mk2(second, first)
    assert forward.cost == pytest.approx(backward.cost, abs=1e-6)
    assert forward.lower_bound >= -1e-8  # C ≥ 0
    assert forward.lower_bound <= classical_cost(first, second).upper_bound + 1e-9  # eq. (5)
    assert forward.gap <= 1e-6


def test_coherent_path_and_fock_path_agree_as_the_cutoff_grows() -> None:
    rng = np.random.default_rng(4)
    first, second = _random_mixture(rng, 3, 1, 1.0), _random_mixture(rng, 2, 1, 1.0)
    exact = mk2(first, second).cost
    errors = [abs(mk2(first.to_fock(c), second.to_fock(c)).cost - exact) for c in (6, 12, 30)]
    assert errors[2] < 1e-8
    assert errors[0] > errors[2]
    mixed = mk2(first, second.to_fock(30))
    assert mixed.cost == pytest.approx(exact, abs=1e-8)
    assert "Fock" in mixed.info["basis"] and "coherent" in mixed.info["basis"]


def test_dual_potentials_are_feasible_on_the_supports() -> None:
    rng = np.random.default_rng(5)
    first, second = _random_mixture(rng, 3, 1, 0.7), _random_mixture(rng, 3, 1, 0.7)
    result = mk2(first, second)
    cost = cost_operator(first.section(), second.section(), 0.7)
    a, b = result.potentials["A"], result.potentials["B"]
    slack = cost - kron_left(a, 3) - kron_right(3, b)
    assert np.linalg.eigvalsh(slack).min() >= -1e-10
    dual = np.trace(first.section().density @ a).real + np.trace(second.section().density @ b).real
    # the lower bound also pays for the rounding of the computed cost operator
    widening = result.residuals["cost_operator_error"]
    assert 0 < widening < 1e-8
    assert dual == pytest.approx(result.lower_bound + widening, abs=1e-10)


def test_husimi_is_a_probability_density_and_both_representations_agree() -> None:
    mixture = CoherentMixture([[0.5, -0.3], [-0.4, 0.6]], [0.3, 0.7], hbar=0.5)
    grid = np.linspace(-6, 6, 241)
    values = husimi(mixture, grid, grid)
    step = grid[1] - grid[0]
    assert values.sum() * step**2 == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(
        husimi(mixture.to_fock(40), grid[::20], grid[::20]), values[::20, ::20], atol=1e-10
    )
    paired = husimi(CoherentMixture([[0, 0, 0, 0]], hbar=1.0), [[0.0, 0.0]], [[0.0, 0.0]])
    assert paired[0] == pytest.approx(1 / (2 * np.pi) ** 2)


def test_bad_input() -> None:
    first = CoherentMixture([[0.0, 0.0]], hbar=1.0)
    with pytest.raises(InvalidInputError, match=r"`S.hbar` must equal `R.hbar` = 1.0 \(got 0.5\)"):
        mk2(first, CoherentMixture([[0.0, 0.0]], hbar=0.5))
    with pytest.raises(
        InvalidInputError, match=r"`S` must have the same number of modes as `R` \(1\) \(got 2\)"
    ):
        mk2(first, CoherentMixture([[0.0, 0.0, 0.0, 0.0]], hbar=1.0))
    with pytest.raises(InvalidInputError, match=r"`R` must be a quantum state \(CoherentMixture"):
        mk2(np.eye(2) / 2, first)  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError, match="`R` must be a CoherentMixture to have a classical symbol"
    ):
        classical_cost(FockDensity.number_state(0, 1.0), first)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`tol` must be a positive number"):
        mk2(first, first, tol=0)
    with pytest.raises(InvalidInputError, match=r"`q` and `p` must both have shape \(K, 1\)"):
        husimi(first, [[0.0, 1.0]], [[0.0]])


@pytest.mark.slow
def test_thermal_fock_pair_at_cutoff_20_is_certified_by_auto() -> None:
    """r·s = 441: QMOT-ENTROPIC alone stalls at a gap of about 5e-5; AUTO must hand over and
    finish (measured: about 160 s on 2 cores) near the cut-off 16 value."""
    from qmot.quantum import FockDensity

    first = FockDensity.thermal(0.3, hbar=1.0, cutoff=20)
    second = FockDensity.thermal(1.0, hbar=1.0, cutoff=20)
    result = mk2(first, second, max_time=900)
    assert result.status == "optimal"
    coarser = mk2(
        FockDensity.thermal(0.3, hbar=1.0, cutoff=16), FockDensity.thermal(1.0, hbar=1.0, cutoff=16)
    )
    # the values of the truncated pairs change by 9e-5 from cut-off 16 to 20
    assert coarser.lower_bound <= result.upper_bound
    assert abs(result.cost - coarser.cost) < 1e-3
