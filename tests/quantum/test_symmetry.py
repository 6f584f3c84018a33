"""The phase-invariant block route against the full coupling SDP, closed forms and its own
detection rule."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.quantum import FockDensity, GaussianState, mk2
from qmot.quantum.symmetry import mk2_phase_invariant, phase_invariant, sector_blocks


def random_diagonal(cutoff: int, modes: int, hbar: float, rng: np.random.Generator) -> FockDensity:
    populations = rng.uniform(0.05, 1.0, size=(cutoff + 1) ** modes)
    return FockDensity(np.diag(populations / populations.sum()), hbar, modes=modes)


@pytest.mark.parametrize(("cutoff", "modes"), [(3, 1), (5, 1), (2, 2)])
def test_block_route_matches_the_full_coupling_sdp(cutoff: int, modes: int, rng) -> None:
    hbar = 0.7
    for _ in range(2):
        R, S = random_diagonal(cutoff, modes, hbar, rng), random_diagonal(cutoff, modes, hbar, rng)
        blocks = mk2(R, S)
        full = mk2(R, S, solver="QMOT-IPM")
        assert "symmetry" in blocks.info and "symmetry" not in full.info
        assert blocks.status == full.status == "optimal"
        assert blocks.lower_bound <= full.upper_bound + 1e-12
        assert full.lower_bound <= blocks.upper_bound + 1e-12
        assert blocks.cost == pytest.approx(full.cost, abs=1e-7)


def test_block_coupling_is_a_coupling_of_the_given_states(rng) -> None:
    R, S = random_diagonal(4, 1, 1.0, rng), random_diagonal(4, 1, 1.0, rng)
    result = mk2_phase_invariant(R, S)
    coupling = result.coupling.reshape(5, 5, 5, 5)
    assert np.allclose(np.einsum("ijkj->ik", coupling), R.matrix, atol=1e-13)
    assert np.allclose(np.einsum("ijil->jl", coupling), S.matrix, atol=1e-13)
    assert np.linalg.eigvalsh(result.coupling)[0] >= -1e-13


def test_number_states_cost_2hbar_m_plus_n_through_the_blocks() -> None:
    result = mk2(
        FockDensity.number_state(2, 0.5, cutoff=4), FockDensity.number_state(3, 0.5, cutoff=4)
    )
    assert "symmetry" in result.info
    assert result.cost == pytest.approx(2 * 0.5 * 5, abs=1e-10)


def test_sectors_partition_the_product_basis() -> None:
    R = FockDensity.thermal(0.5, 1.0, cutoff=4)
    blocks = sector_blocks(R, R, np.arange(5), np.arange(5))
    assert len(blocks) == 9
    assert sorted(int(b.sector[0]) for b in blocks) == list(range(9))
    assert sum(b.size for b in blocks) == 25
    for block in blocks:
        assert np.all(block.first + block.second == block.sector[0])


def test_detection_tolerance() -> None:
    thermal = FockDensity.thermal(0.4, 1.0, cutoff=4)
    assert phase_invariant(thermal)
    tilted = thermal.matrix.copy()
    tilted[0, 1] = tilted[1, 0] = 1e-14
    nearly = FockDensity(tilted, 1.0)
    assert phase_invariant(nearly)
    result = mk2(nearly, FockDensity.thermal(1.0, 1.0, cutoff=4))
    assert "symmetry" in result.info and result.info["offdiagonal_penalty"] > 0
    assert result.status == "optimal"
    coherent = GaussianState.coherent([0.5, 0.0], 1.0).to_fock(4)
    assert not phase_invariant(coherent)
    assert "symmetry" not in mk2(coherent, thermal).info


def test_explicit_solver_keeps_the_full_route() -> None:
    R, S = FockDensity.thermal(0.2, 1.0, cutoff=3), FockDensity.thermal(0.9, 1.0, cutoff=3)
    assert "symmetry" not in mk2(R, S, solver="CLARABEL").info


@pytest.mark.slow
def test_thermal_pair_at_cutoff_20_is_optimal() -> None:
    R, S = FockDensity.thermal(0.3, 1.0, cutoff=20), FockDensity.thermal(1.0, 1.0, cutoff=20)
    result = mk2(R, S)
    assert result.status == "optimal"
    exact = mk2(GaussianState.thermal(0.3, 1.0), GaussianState.thermal(1.0, 1.0)).cost
    assert abs(result.cost - exact) < 1e-5
