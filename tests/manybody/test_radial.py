"""sce_radial and radial_hartree_energy against closed forms, mpmath and the 1-D solver."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.manybody import Coulomb, radial_hartree_energy, sce_1d, sce_radial
from qmot.manybody.densities import bohr_atom, slater_1s_pair


def _mpmath_two_electrons(zeta: float) -> mp.mpf:
    """V_ee^SCE of 1s^2 with exponent zeta by mpmath (30 digits): the antipodal formula
    with N_e and N - N_e from regularised incomplete gamma functions."""
    mp.mp.dps = 30
    z = mp.mpf(zeta)

    def inside(r):
        return 2 * mp.gammainc(3, 0, 2 * z * r, regularized=True)

    def outside(r):
        return 2 * mp.gammainc(3, 2 * z * r, mp.inf, regularized=True)

    def radial(r):
        return 4 * z**3 * r**2 * mp.e ** (-2 * z * r) * 2

    def partner(r):
        target = mp.log(inside(r))
        low, high, x = mp.mpf(0), mp.mpf(600) / z, mp.mpf(2) / z
        for _ in range(300):
            gap = mp.log(outside(x)) - target
            low, high = (x, high) if gap > 0 else (low, x)
            trial = x + gap * outside(x) / radial(x)
            trial = trial if low < trial < high else (low + high) / 2
            if abs(trial - x) < mp.mpf(10) ** -27 * x:
                return trial
            x = trial
        return x

    median = mp.findroot(lambda r: inside(r) - 1, 1.3 / z)
    value = mp.quad(lambda r: radial(r) / (r + partner(r)), [0, 0.2 / z, 0.6 / z, median])
    mp.mp.dps = 15
    return value


@pytest.fixture(scope="module")
def hydrogen_pair():
    return sce_radial(bohr_atom(2), 2, r_max=40.0)


def test_two_electrons_match_mpmath(hydrogen_pair):
    reference = float(_mpmath_two_electrons(1.0))
    assert hydrogen_pair.status == "estimate"  # a callable density: the bracket is an estimate
    assert hydrogen_pair.lower_bound <= reference <= hydrogen_pair.upper_bound
    assert abs(hydrogen_pair.cost - reference) < 1e-13
    assert hydrogen_pair.gap < 1e-10


def test_hartree_energy_matches_closed_form():
    for electrons in (2, 4, 10):
        atom = bohr_atom(electrons)
        exact = atom.hartree_energy()
        result = radial_hartree_energy(atom, r_max=120.0)
        assert abs(result.cost - exact) < 1e-12 * exact
        assert result.lower_bound <= exact <= result.upper_bound


def test_hartree_closed_form_of_hydrogen():
    assert bohr_atom(1).hartree_energy_exact() == Fraction(5, 16)  # half of J(1s,1s) = 5/8


def test_comotion_conserves_electron_number(hydrogen_pair):
    atom = bohr_atom(2)
    radii = np.array([0.05, 0.3, 1.0, 1.3])
    partner = hydrogen_pair.comotion[1](radii)
    total = atom.electrons_within(radii) + atom.electrons_within(partner)
    assert np.allclose(total, 2.0, rtol=0, atol=1e-13)
    # the far end from the closed-form tail: N_e(r) = N - N_e(f(r)) with no cancellation
    assert np.allclose(atom.electrons_beyond(partner) / atom.electrons_within(radii), 1, atol=1e-11)


def test_scaling_multiplies_the_energy(hydrogen_pair):
    scaled = sce_radial(bohr_atom(2).scaled(3), 2, r_max=40.0 / 3)
    assert abs(scaled.cost - 3 * hydrogen_pair.cost) < 1e-12
    he = sce_radial(slater_1s_pair(Fraction(27, 16)), 2, r_max=30.0)
    assert abs(he.cost - float(_mpmath_two_electrons(27 / 16))) < 1e-12


def test_unfolding_identity_with_the_line():
    """N = 2: V equals the 1-D SCE energy of x -> x^2 rho(|x|) on the real line."""
    atom = bohr_atom(2)
    x = np.linspace(-25.0, 25.0, 4001)
    line = sce_1d(x, x**2 * atom(np.abs(x)), 2, Coulomb(), continuous=True)
    radial = sce_radial(atom, 2, r_max=25.0)
    assert abs(line.cost - radial.cost) < 5e-5  # the 1-D piecewise-linear surrogate: O(h^2)
    assert line.lower_bound - 5e-5 <= radial.cost <= line.upper_bound + 5e-5


def test_grid_density_is_piecewise_linear_model():
    atom = bohr_atom(2)
    grid = np.linspace(0.0, 30.0, 3001)
    values = atom(grid)
    result = sce_radial(values, 2, r=grid, normalize=True)
    reference = sce_radial(atom, 2, r_max=30.0).cost
    assert result.status == "optimal"
    assert abs(result.cost - reference) < 1e-5
    assert "piecewise-linear" in result.info["density_model"]


def test_potential_gauge_and_dual_equality(hydrogen_pair):
    """u = v + kappa satisfies u(r) + u(f(r)) = 1/(r + f(r)) on the support (complementary
    slackness) and v(r) = 1/r beyond the density."""
    v = hydrogen_pair.sce_potential
    kappa = hydrogen_pair.info["kantorovich_shift"]
    radii = np.array([0.2, 0.7, 1.2])
    partner = hydrogen_pair.comotion[1](radii)
    dual = (v(radii) + kappa) + (v(partner) + kappa)
    assert np.allclose(dual, 1 / (radii + partner), atol=2e-4)
    assert v(np.array([50.0]))[0] == pytest.approx(1 / 50.0)
    assert v(np.array([0.0]))[0] > v(np.array([1.0]))[0] > v(np.array([5.0]))[0]


def test_result_is_json_ready(hydrogen_pair):
    summary = json.loads(json.dumps(hydrogen_pair.to_dict()))
    assert summary["status"] == "estimate"
    low, high = summary["w_infinity_bracket"]
    assert low <= hydrogen_pair.cost - 1.25 <= high
    assert summary["hartree_energy"] == pytest.approx(1.25, abs=1e-13)


@pytest.fixture(scope="module")
def lithium_like():
    return sce_radial(bohr_atom(3), 3, r_max=60.0, shells=10)


def test_three_electrons_bracket(lithium_like):
    result = lithium_like
    assert result.lower_bound <= result.upper_bound
    assert result.info["shell_lp_lower_bound"] <= result.upper_bound
    assert result.info["counter_monotone_lower_bound"] <= result.lower_bound
    assert result.status == "gap_exceeds_tolerance"
    assert result.lower_bound >= 0.8 * result.upper_bound  # nontrivial
    # the SGS plan is one radial plan: its value is at least the N = 2-type pair bound
    assert result.upper_bound >= result.info["counter_monotone_lower_bound"]


@pytest.mark.slow
def test_three_electrons_scaling(lithium_like):
    atom, result = bohr_atom(3), lithium_like
    scaled = sce_radial(atom.scaled(2), 3, r_max=30.0, shells=10)
    assert abs(scaled.upper_bound - 2 * result.upper_bound) < 1e-6
    assert math.isclose(scaled.lower_bound, 2 * result.lower_bound, rel_tol=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sce_radial(bohr_atom(2), 1, r_max=40.0), "`N` must be at least 2"),
        (lambda: sce_radial(bohr_atom(2), 3, r_max=40.0), "`rho` must integrate to N = 3"),
        (lambda: sce_radial(lambda r: -np.exp(-r), 2, r_max=40.0), "non-negative"),
        (
            lambda: sce_radial(np.ones(3), 2, r=np.array([0.0, 2.0, 1.0])),
            "`r` must be strictly increasing",
        ),
        (lambda: sce_radial(np.ones(3), 2), "`r` must be given"),
        (lambda: sce_radial(bohr_atom(2), 2, r_max=-1.0), "`r_max` must be a positive"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(InvalidInputError, match=message):
        call()


def test_normalize_rescales():
    doubled = sce_radial(lambda r: 2 * bohr_atom(2)(r), 2, r_max=40.0, normalize=True)
    assert abs(doubled.cost - sce_radial(bohr_atom(2), 2, r_max=40.0).cost) < 1e-12


def test_three_body_cost_matches_direct_minimisation():
    """The planar two-angle search against BFGS over all directions in R^3 (an independent
    parametrisation)."""
    from qmot.manybody._radial_angles import minimise_directions
    from qmot.manybody.radial_shells import three_body_cost

    rng = np.random.default_rng(11)
    radii = rng.uniform(0.05, 4.0, size=(12, 3))
    planar = three_body_cost(radii)
    for row, value in zip(radii, planar, strict=True):
        direct = minimise_directions(row, None, rng, restarts=4).energy
        assert value == pytest.approx(direct, rel=1e-9)


def test_three_electron_shell_lp_beats_or_equals_the_ansatz():
    from qmot.manybody.radial_shells import three_electron_shells

    comparison = three_electron_shells(bohr_atom(3), r_max=60.0, shells=12)
    assert comparison.lp_value <= comparison.sgs_value + 1e-12  # the ansatz is one feasible plan
    assert comparison.info["dual_objective"] == pytest.approx(comparison.lp_value, rel=1e-9)
    # one-body marginal of the optimal plan: 1/L on every shell
    counts = np.zeros(12)
    for weight, triple in zip(comparison.lp_weights, comparison.configurations, strict=True):
        np.add.at(counts, triple, weight / 3)
    assert np.allclose(counts, 1 / 12, atol=1e-9)
