"""Every validation rule: the error type and the message (argument, rule, value seen)."""

from __future__ import annotations

import numpy as np
import pytest

from qmot._validation import (
    as_density_matrix,
    as_hermitian,
    as_points,
    as_weights,
    check_positive_int,
)
from qmot.errors import InvalidInputError


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([0.5, -0.1, 0.6], r"`w` must be non-negative \(got minimum -0.1\)"),
        ([0.5, np.nan, 0.5], r"`w` must be finite \(got 1 NaN/inf entries\)"),
        ([0.5, np.inf, 0.5], r"`w` must be finite"),
        ([0.3, 0.3, 0.3], r"`w` must sum to 1 within 1e-09 \(got 0.9\)"),
        ([0.5, 0.5], r"`w` must be a 1-D array with one weight per point \(3\)"),
        ([], r"`w` must not be empty"),
        ("abc", r"`w` must be numeric"),
    ],
)
def test_weight_rules(weights: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        as_weights(weights, "w", 3)


def test_weights_normalize_is_explicit() -> None:
    np.testing.assert_allclose(as_weights([1.0, 3.0], "w", 2, normalize=True), [0.25, 0.75])
    with pytest.raises(InvalidInputError, match="positive sum"):
        as_weights([0.0, 0.0], "w", 2, normalize=True)
    np.testing.assert_allclose(as_weights(None, "w", 4), np.full(4, 0.25))


def test_points_rules() -> None:
    assert as_points([1.0, 2.0], "x").shape == (2, 1)
    with pytest.raises(InvalidInputError, match=r"`x` must be a 1-D or 2-D array of points"):
        as_points(np.zeros((2, 2, 2)), "x")
    with pytest.raises(InvalidInputError, match=r"`y` must have 2 coordinates per point .*got 3"):
        as_points(np.zeros((4, 3)), "y", dim=2)
    with pytest.raises(InvalidInputError, match="`x` must not be empty"):
        as_points(np.zeros((0, 2)), "x")


def test_hermitian_rules() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`C` must be a square matrix \(got shape \(2, 3\)\)"
    ):
        as_hermitian(np.zeros((2, 3)), "C")
    with pytest.raises(
        InvalidInputError, match=r"`C` must be Hermitian \(got max \|M - M\^\*\| = 1"
    ):
        as_hermitian([[0, 1], [0, 0]], "C")


def test_density_matrix_rules() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`R` must be positive semidefinite \(got least eigenvalue -0.5"
    ):
        as_density_matrix(np.diag([1.5, -0.5]), "R")
    with pytest.raises(InvalidInputError, match=r"`R` must have trace 1 within 1e-09 \(got 2\)"):
        as_density_matrix(np.eye(2), "R")
    np.testing.assert_allclose(as_density_matrix(np.eye(2), "R", normalize=True), np.eye(2) / 2)
    with pytest.raises(InvalidInputError, match="`R` must be Hermitian"):
        as_density_matrix([[0.5, 0.3], [0.0, 0.5]], "R")


def test_positive_int_rules() -> None:
    assert check_positive_int(3, "N", minimum=2) == 3
    with pytest.raises(InvalidInputError, match=r"`N` must be at least 2 \(got 1\)"):
        check_positive_int(1, "N", minimum=2)
    with pytest.raises(InvalidInputError, match=r"`N` must be an integer \(got 2.5\)"):
        check_positive_int(2.5, "N")
    with pytest.raises(InvalidInputError, match="must be an integer"):
        check_positive_int(True, "N")
