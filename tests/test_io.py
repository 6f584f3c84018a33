from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.io import load_weighted_points


def test_json_object_and_bare_list(tmp_path: Path) -> None:
    obj = tmp_path / "a.json"
    obj.write_text(json.dumps({"points": [[0, 1], [2, 3]], "weights": [0.25, 0.75]}))
    points, weights = load_weighted_points(obj)
    np.testing.assert_array_equal(points, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(weights, [0.25, 0.75])
    bare = tmp_path / "b.json"
    bare.write_text("[[0], [1]]")
    assert load_weighted_points(bare)[1] is None


def test_csv_with_and_without_header(tmp_path: Path) -> None:
    with_header = tmp_path / "a.csv"
    with_header.write_text("x,weight,y\n0,0.5,1\n2,0.5,3\n")
    points, weights = load_weighted_points(with_header)
    np.testing.assert_array_equal(points, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(weights, [0.5, 0.5])
    bare = tmp_path / "b.csv"
    bare.write_text("0,1\n2,3\n")
    points, weights = load_weighted_points(bare)
    assert points.shape == (2, 2) and weights is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", "0", r"must end in .json or .csv \(got '.txt'\)"),
        ("a.json", "{", "must be valid JSON"),
        ("a.json", '{"pts": []}', "must hold a list of points or an object with key 'points'"),
        ("a.csv", "", "must contain at least one point"),
        ("a.csv", "x,y\n1,zz\n", "must contain only numbers below the header"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InvalidInputError, match=message):
        load_weighted_points(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="must be an existing file"):
        load_weighted_points(tmp_path / "missing.json")
