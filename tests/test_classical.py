"""Classical W₂ against independent oracles: the 1-D quantile formula, hand values, LP."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

from qmot.classical import squared_distances, w2, w2_1d
from qmot.errors import InvalidInputError


def _weights(draw: st.DrawFn, size: int) -> np.ndarray:
    raw = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=size, max_size=size)))
    raw[0] += 0.1  # positive total
    return raw / raw.sum()


@st.composite
def _line_instance(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n, m = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    coords = st.floats(-10, 10, allow_nan=False)
    x = np.array(draw(st.lists(coords, min_size=n, max_size=n)))
    y = np.array(draw(st.lists(coords, min_size=m, max_size=m)))
    return x, _weights(draw, n), y, _weights(draw, m)


@given(_line_instance())
def test_network_simplex_equals_quantile_formula_on_the_line(
    instance: tuple[np.ndarray, ...],
) -> None:
    x, a, y, b = instance
    simplex, quantile = w2(x, a, y, b), w2_1d(x, a, y, b)
    scale = max(1.0, quantile.cost)
    assert simplex.cost == pytest.approx(quantile.cost, abs=1e-9 * scale)
    for result in (simplex, quantile):
        assert result.status == "optimal"
        assert result.lower_bound <= result.upper_bound
        assert result.gap <= 1e-9 * scale


@given(_line_instance())
def test_quantile_plan_is_a_coupling(instance: tuple[np.ndarray, ...]) -> None:
    x, a, y, b = instance
    plan = w2_1d(x, a, y, b).plan
    assert plan.min() >= 0
    np.testing.assert_allclose(plan.sum(axis=1), a, atol=1e-12)
    np.testing.assert_allclose(plan.sum(axis=0), b, atol=1e-12)


def test_two_points_by_hand() -> None:
    # ½|0-0|² + ½|1-3|² = 2 (monotone); the crossed matching costs ½·9 + ½·1 = 5
    result = w2([[0.0], [1.0]], [0.5, 0.5], [[0.0], [3.0]], [0.5, 0.5])
    assert result.cost == pytest.approx(2.0, abs=1e-14)
    assert result.distance == pytest.approx(np.sqrt(2.0))
    np.testing.assert_allclose(result.plan, np.eye(2) / 2)


def test_unequal_masses_of_the_paper() -> None:
    """Caglioti–Golse–Paul 2020, §1: the classical cost of unequal masses.

    C_c = (1-η)/2 (x1-y1)² + η/2 (x2-y1)² + 1/2 (x2-y2)² with x = y = ∓a.
    """
    eta, a = 0.3, 1.5
    result = w2([-a, a], [(1 - eta) / 2, (1 + eta) / 2], [-a, a], [0.5, 0.5])
    assert result.cost == pytest.approx(eta / 2 * (2 * a) ** 2, abs=1e-12)


@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_bracket_contains_the_scipy_lp_value_in_several_dimensions(seed: int, dim: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 7, size=2)
    x, y = rng.normal(size=(n, dim)), rng.normal(size=(m, dim))
    a, b = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
    cost = squared_distances(x, y)
    lp = linprog(
        cost.ravel(),
        A_eq=np.vstack([np.kron(np.eye(n), np.ones(m)), np.kron(np.ones(n), np.eye(m))]),
        b_eq=np.concatenate([a, b]),
        bounds=(0, None),
        method="highs",
    )
    result = w2(x, a, y, b)
    assert result.lower_bound - 1e-12 <= lp.fun <= result.upper_bound + 1e-12
    u, v = result.potentials["u"], result.potentials["v"]
    assert (cost - u[:, None] - v[None, :]).min() >= 0


def test_normalize_is_opt_in() -> None:
    with pytest.raises(InvalidInputError, match=r"`a` must sum to 1 within 1e-09 \(got 2\)"):
        w2([0.0, 1.0], [1.0, 1.0], [0.0], None)
    assert w2([0.0, 1.0], [1.0, 1.0], [0.0], None, normalize=True).cost == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([[0.0, 1.0]], None, [[0.0]], None), r"`y` must have 2 coordinates per point .*got 1"),
        (([], None, [0.0], None), r"`x` must not be empty"),
        (([0.0, np.nan], None, [0.0], None), r"`x` must be finite"),
        (([0.0, 1.0], [1.2, -0.2], [0.0], None), r"`a` must be non-negative"),
        (([0.0, 1.0], None, [0.0], [0.5]), r"`b` must sum to 1"),
    ],
)
def test_bad_input(args: tuple, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        w2(*args)


def test_w2_1d_refuses_points_in_the_plane() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`x` must be one-dimensional for w2_1d \(got d=2\)"
    ):
        w2_1d(np.zeros((2, 2)), None, np.zeros((2, 2)), None)
    with pytest.raises(InvalidInputError, match="`tol` must be a positive number"):
        w2_1d([0.0], None, [1.0], None, tol=0.0)
