"""Honesty suite: every ``"optimal"`` bracket must contain the TRUE optimum of the problem the
user gave, checked against independent certificates (``tests/certify/oracles.py``), never
against qmot itself.

* upper side — explicitly built, exactly feasible points of the ORIGINAL (unreduced) problem,
  costed at 40 digits: the truth is at most their cost, so ``lower_bound <= cost + tiny``;
* lower side — the returned potentials re-verified at 40 digits on the FULL space:
  ``tr(RA) + tr(SB) + tr(R) min(0, λ_min(C - A⊗I - I⊗B))`` is at most the truth, so
  ``upper_bound >= that - tiny``;
* theorems — MK_ħ² <= C_c (Caglioti, Golse, Paul, *Quantum optimal transport is cheaper*,
  eq. (5)); the De Palma–Trevisan cost of any admissible channel is at least the optimum
  (M. Wirth, *Triangle inequality for a quantum Wasserstein divergence*, Def. 2.10/2.12).

The regression tests at the top reproduce known failures of the current code; they are meant
to fail until the code is fixed (do not mark them xfail).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from qmot.classical import w2
from qmot.errors import InvalidInputError
from qmot.manybody import symmetric_ot
from qmot.quantum import (
    CoherentMixture,
    FockDensity,
    dpt_cost,
    dpt_divergence,
    mk2,
    pauli,
    spin,
)
from qmot.sdp import coupling_sdp
from tests.certify import _inputs as gen
from tests.certify import oracles

TINY = 1e-12
"""Allowance for the oracles' own rounding, relative to the problem's scale."""

seeds = st.integers(0, 2**32 - 1)
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
"""Seeds do not shrink meaningfully, and each re-run costs 40-digit certificates."""


def scale_of(cost: np.ndarray) -> float:
    return max(1.0, float(np.abs(cost).max()))


def floor_allowance(cost: np.ndarray, first: np.ndarray, second: np.ndarray) -> float:
    """What qmot's documented convention may move the optimum by: eigenvalues at the rounding
    floor 16·n·ε·‖R‖_F are exact zeros of the problem it certifies (``qmot.certify.supports``),
    and cutting a weight w moves the optimum of the literal matrices by at most 2‖C‖√w."""
    weight = 0.0
    for state in (first, second):
        values = np.linalg.eigvalsh(state)
        floor = 16 * state.shape[0] * np.finfo(float).eps * np.linalg.norm(state)
        weight += floor * int(np.sum(np.abs(values) <= floor))  # each is known only to ±floor
    size = float(np.linalg.norm(cost))
    return 2 * size * math.sqrt(weight) + size * weight


def assert_bracket_against_oracles(result, cost, first, second, extra=()) -> None:
    """The core honesty check for any coupling-type result on the original ``(C, R, S)``."""
    scale = scale_of(cost) + floor_allowance(cost, first, second) / TINY
    assert result.lower_bound <= result.upper_bound, result
    if result.status != "optimal":
        return
    upper = oracles.best_upper(cost, first, second, extra=extra)
    assert result.lower_bound <= upper + TINY * scale, (result, upper)
    if result.coupling is not None and result.coupling.shape == cost.shape:
        extended = oracles.extend_coupling(cost, first, second, result.coupling)
        if extended is not None:  # the oracle could not make it exact: nothing to compare
            value = float(oracles.coupling_cost(cost, extended))
            assert result.lower_bound <= value + TINY * scale, (result, value)
    potentials = result.potentials
    if "A" in potentials and potentials["A"].shape == first.shape:
        verified = oracles.verified_dual_bound(
            cost, first, second, potentials["A"], potentials["B"]
        )
        assert result.upper_bound >= verified - TINY * scale, (result, verified)


def classical_upper(x: np.ndarray, a: np.ndarray, y: np.ndarray, b: np.ndarray) -> float:
    """Exact cost (40 digits) of an exactly feasible plan: the LP plan, made exact by the
    coupling correction on diagonal matrices, or the product plan — whichever is cheaper."""
    from scipy.optimize import linprog

    diff = x[:, None, :] - y[None, :, :]
    costs = (diff**2).sum(axis=2)
    m, n = costs.shape
    rows = np.zeros((m + n, m * n))
    for i in range(m):
        rows[i, i * n : (i + 1) * n] = 1
    for j in range(n):
        rows[m + j, j::n] = 1
    plan = linprog(costs.ravel(), A_eq=rows, b_eq=np.r_[a, b], bounds=(0, None), method="highs")
    cost_op = np.diag(costs.ravel())
    R, S = np.diag(a), np.diag(b)
    candidates = [float(oracles.coupling_cost(cost_op, oracles.product_coupling(R, S)))]
    if plan.status == 0:
        exact = oracles.make_exact(R, S, oracles.to_mp(np.diag(plan.x)))
        if exact is not None:
            candidates.append(float(oracles.coupling_cost(cost_op, exact)))
    return min(candidates)


# ---------------------------------------------------------------- regression reproducers


def test_regression_coupling_sdp_dropped_eigenvalue() -> None:
    # Measured on main: bracket [0, 0] "optimal" (closed form after dropping ε = 5e-13);
    # the explicit coupling below costs -1.4128e-06.
    C, R, S = gen.reproducer_coupling()
    result = coupling_sdp(C, R, S)
    eps = R[1, 1]
    sz = np.diag([1.0, -1.0])
    X = -0.999 * np.sqrt(eps * (1 - eps)) * sz / 2
    explicit = np.block([[(1 - eps) * S, X], [X.conj().T, eps * S]])
    assert np.linalg.eigvalsh(explicit)[0] >= 0
    value = float(oracles.coupling_cost(C, oracles.to_mp(explicit)))
    assert value < -1.4e-6
    if result.status == "optimal":
        assert result.lower_bound <= value + TINY, (result, value)
    assert_bracket_against_oracles(result, C, R, S)


def _mk2_reproducer() -> tuple[CoherentMixture, CoherentMixture]:
    rng = np.random.default_rng(108)
    hbar = float(10 ** rng.uniform(-3, 2))  # 19.05
    centre = rng.normal(size=2)
    first = centre + 3e-6 * rng.uniform(-1, 1, size=(4, 2))
    second = centre + 3e-6 * rng.uniform(-1, 1, size=(2, 2))
    a, b = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(2))
    return CoherentMixture(first, a, hbar), CoherentMixture(second, b, hbar)


def test_regression_mk2_near_coincident_above_classical() -> None:
    # Measured on main: "optimal" bracket [3.631e-12, 3.631e-12] while C_c = 2.198e-12
    # (lower bound 1.65 x C_c), contradicting MK² <= C_c.
    R, S = _mk2_reproducer()
    result = mk2(R, S)
    c_c = classical_upper(R.points, R.weights, S.points, S.weights)
    assert result.lower_bound <= result.upper_bound
    if result.status == "optimal":
        assert result.lower_bound <= c_c * (1 + 1e-12), (result, c_c)


def _dpt_dropped_reproducer() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    u = gen.unitary(rng, 3)
    rho = u @ np.diag([7.5e-13, 1.2e-12, 1.0]) @ u.conj().T
    g = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    sigma = g @ g.conj().T
    return rho, sigma / np.trace(sigma).real


def test_regression_dpt_channel_below_lower_bound() -> None:
    # Measured on main: "optimal", lower bound 1.76...; the exactly admissible channel built
    # below (the returned coupling extended to the dropped eigenvalue 7.5e-13) costs 1.04e-06
    # less than the certified lower bound (dpt_cost re-evaluation).
    from qmot.quantum.de_palma_trevisan import dpt_cost_operator

    rho, sigma = _dpt_dropped_reproducer()
    ops = spin(1)
    result = dpt_divergence(rho, sigma, ops)
    assert result.lower_bound <= result.upper_bound
    # the coupling is built for the cost operator dpt_cost evaluates (qmot's own KMS norms)
    cost = dpt_cost_operator(rho, sigma, list(ops), list(ops))
    coupling = oracles.extend_coupling(cost, rho, sigma.T, result.coupling)
    channel = oracles.channel_from_coupling_mp(coupling, rho, sigma)
    value = dpt_cost(rho, sigma, ops, ops, channel)
    if result.status == "optimal":
        assert result.lower_bound <= value + TINY * 10, (result, value)


def test_regression_dpt_ill_conditioned_sigma_does_not_crash() -> None:
    # Measured on main: numpy.linalg.LinAlgError "A singular matrix detected" under AUTO.
    rng = np.random.default_rng(34)
    u = gen.unitary(rng, 3)
    sigma = u @ np.diag([5.9e-13, 1.3e-10, 1.0]) @ u.conj().T
    v = gen.unitary(rng, 3)
    rho = v @ np.diag(rng.dirichlet(np.ones(3))) @ v.conj().T
    result = dpt_divergence(rho, sigma, spin(1))
    assert result.lower_bound <= result.upper_bound


@pytest.mark.parametrize("difference", [2e-7, 3e-5, 1e-3, 0.2])
def test_small_divergences_are_accurate_relative_to_their_value(difference: float) -> None:
    """Closed form: for commuting qubit states diag(p, 1-p), diag(q, 1-q) and the single
    operator x = σ_z, every KMS norm is 1 and the coupling problem is the classical one of
    maximising E[z z'], so W² = 2 - 2(1 - 2|p - q|) = 4|p - q|. Under the former rule
    (tol relative to max(1, cost)) W² = 8e-7 could be "optimal" 10 % off; the default
    atol = 1e-10, rtol = 1e-7 certify it to 1e-10 absolute."""
    p = 0.6
    q = p + difference
    truth = 4 * abs(p - q)
    result = dpt_divergence(np.diag([p, 1 - p]), np.diag([q, 1 - q]), [np.diag([1.0, -1.0])])
    assert result.status == "optimal"
    assert result.lower_bound - 1e-15 <= truth <= result.upper_bound + 1e-15
    assert result.gap <= 1e-10 + 1e-7 * truth
    assert abs(result.cost - truth) <= 1e-10 + 1e-7 * truth
    legacy = dpt_divergence(
        np.diag([p, 1 - p]), np.diag([q, 1 - q]), [np.diag([1.0, -1.0])], tol=1e-3
    )
    assert legacy.gap <= 1e-3 * max(1.0, legacy.upper_bound)


# ---------------------------------------------------------------- properties (default tier)


def _coupling_case(seed: int):
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(2, 4, size=2))
    first = gen.ill_conditioned_state(rng, m)
    second = gen.ill_conditioned_state(rng, n)
    cost = gen.random_hermitian(rng, m * n)
    return cost, first, second


def check_coupling_sdp(seed: int) -> None:
    cost, first, second = _coupling_case(seed)
    result = coupling_sdp(cost, first, second)
    assert_bracket_against_oracles(result, cost, first, second)


def check_mk2_coherent(seed: int) -> None:
    rng = np.random.default_rng(seed)
    hbar = gen.hbar(rng)
    k, ell = (int(v) for v in rng.integers(1, 5, size=2))
    points = gen.near_coincident_points(rng, k + ell)
    first = CoherentMixture(points[:k], rng.dirichlet(np.ones(k)), hbar)
    second = CoherentMixture(points[k:], rng.dirichlet(np.ones(ell)), hbar)
    try:
        result = mk2(first, second)
    except InvalidInputError:
        return
    assert result.lower_bound <= result.upper_bound, result
    c_c = classical_upper(first.points, first.weights, second.points, second.weights)
    # Caglioti–Golse–Paul, eq. (5): MK_ħ² <= C_c, whatever the status
    assert result.lower_bound <= c_c * (1 + 1e-12), (result, c_c)
    if k == ell == 1 and result.status == "optimal":
        truth = float(np.sum((first.points[0] - second.points[0]) ** 2))
        assert abs(result.cost - truth) <= 1e-6 * truth + 1e-12, (result, truth)


def check_mk2_fock(seed: int) -> None:
    rng = np.random.default_rng(seed)
    hbar = gen.hbar(rng)
    cutoff = int(rng.integers(1, 3))
    first = gen.fock_state(rng, cutoff)
    second = gen.fock_state(rng, cutoff)
    result = mk2(FockDensity(first, hbar), FockDensity(second, hbar))
    cost = oracles.fock_cost_operator(cutoff, hbar)
    assert_bracket_against_oracles(result, cost, first, second)


def check_dpt(seed: int) -> None:
    rng = np.random.default_rng(seed)
    j = [0.5, 1.0][int(rng.integers(0, 2))]
    ops = pauli() if j == 0.5 else spin(j)
    n = ops[0].shape[0]
    rho = gen.ill_conditioned_state(rng, n)
    sigma = rho.copy() if rng.integers(0, 4) == 0 else gen.ill_conditioned_state(rng, n)
    result = dpt_divergence(rho, sigma, ops)
    assert result.lower_bound <= result.upper_bound, result
    scale = 10 * sum(float(np.abs(op).max()) ** 2 for op in ops)
    if np.array_equal(rho, sigma):
        assert result.lower_bound <= TINY * scale, result  # the identity channel costs 0
    if result.status != "optimal":
        return
    try:
        value = dpt_cost(rho, sigma, ops, ops, result.channel)
    except InvalidInputError:
        value = math.inf  # the returned channel is not admissible: nothing to compare
    assert result.lower_bound <= value + TINY * scale, (result, value)
    cost = oracles.dpt_cost_operator(rho, sigma, ops)
    assert_bracket_against_oracles(result, cost, rho, sigma.T)


def check_w2(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(1, 6, size=2))
    x = gen.near_coincident_points(rng, m)
    y = gen.near_coincident_points(rng, n) + 10 ** rng.uniform(-6, 0)
    a, b = rng.dirichlet(np.ones(m)), rng.dirichlet(np.ones(n))
    result = w2(x, a, y, b)
    assert result.lower_bound <= result.upper_bound, result
    if result.status == "optimal":
        upper = classical_upper(x, a, y, b)
        assert result.lower_bound <= upper * (1 + 1e-12) + 1e-300, (result, upper)


def check_symmetric_ot(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sites = int(rng.integers(2, 5))
    particles = int(rng.integers(2, 4))
    g = rng.uniform(0, 1, size=(sites, sites))
    cost = (g + g.T) / 2
    mu = rng.dirichlet(np.ones(sites))
    result = symmetric_ot(cost, mu, particles)
    assert result.lower_bound <= result.upper_bound, result
    if result.status == "optimal":
        # the i.i.d. measure mu^{⊗N} is feasible: binom(N, 2) mu^T C mu
        product = math.comb(particles, 2) * float(mu @ cost @ mu)
        assert result.lower_bound <= product * (1 + 1e-12) + 1e-15, (result, product)


CHECKS = {
    "coupling_sdp": check_coupling_sdp,
    "mk2_coherent": check_mk2_coherent,
    "mk2_fock": check_mk2_fock,
    "dpt_divergence": check_dpt,
    "w2": check_w2,
    "symmetric_ot": check_symmetric_ot,
}
DEFAULT_EXAMPLES = {
    "coupling_sdp": 4,
    "mk2_coherent": 8,
    "mk2_fock": 4,
    "dpt_divergence": 4,
    "w2": 10,
    "symmetric_ot": 6,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_honest_brackets(name: str) -> None:
    @settings(deadline=None, max_examples=DEFAULT_EXAMPLES[name], phases=NO_SHRINK)
    @given(seed=seeds)
    def run(seed: int) -> None:
        CHECKS[name](seed)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_honest_brackets_adversarial(name: str) -> None:
    @settings(deadline=None, max_examples=15 * DEFAULT_EXAMPLES[name], phases=NO_SHRINK)
    @given(seed=seeds)
    def run(seed: int) -> None:
        CHECKS[name](seed)

    run()
