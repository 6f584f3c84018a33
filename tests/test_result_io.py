"""Results survive JSON (``to_dict``/``from_dict``, ``save``/``load``) and pickling exactly;
N-body and SCE results carry their own fields; states have short reprs."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from qmot.classical import w2
from qmot.errors import InvalidInputError
from qmot.manybody import Coulomb, SCE1DResult, SymmetricOTResult, sce_1d, symmetric_ot
from qmot.quantum import CoherentMixture, FockDensity, dpt_divergence, mk2, pauli
from qmot.result_io import result_from_dict
from qmot.results import TransportResult


def _results() -> dict[str, TransportResult]:
    sites = np.linspace(0.0, 1.0, 6)
    return {
        "w2": w2([[0.0], [1.0]], [0.3, 0.7], [[0.0], [3.0]], [0.5, 0.5]),
        "mk2": mk2(
            CoherentMixture([[0.0, 0.0], [1.0, 0.5]], [0.4, 0.6], hbar=0.5),
            CoherentMixture([[0.0, 1.0], [2.0, 0.0]], hbar=0.5),
        ),
        "dpt": dpt_divergence(np.diag([0.3, 0.7]), np.array([[0.6, 0.1j], [-0.1j, 0.4]]), pauli()),
        "nbody": symmetric_ot(Coulomb().matrix(sites), np.full(6, 1 / 6), 3),
        "sce": sce_1d(sites, None, 3, Coulomb()),
        "sce_continuous": sce_1d(sites, np.ones(6), 2, Coulomb(), continuous=True),
    }


RESULTS = _results()


def _same_arrays(first: object, second: object) -> bool:
    if first is None or second is None:
        return first is None and second is None
    return np.array_equal(np.asarray(first), np.asarray(second))


def _assert_same(copy: TransportResult, original: TransportResult) -> None:
    assert type(copy) is type(original)
    for name in ("cost", "lower_bound", "upper_bound", "status", "solver"):
        assert getattr(copy, name) == getattr(original, name)
    assert dict(copy.residuals) == dict(original.residuals)
    assert _same_arrays(copy.plan, original.plan)
    assert _same_arrays(copy.coupling, original.coupling)
    assert (copy.channel is None) == (original.channel is None)
    for mine, theirs in zip(copy.channel or (), original.channel or (), strict=True):
        assert np.array_equal(mine, theirs)
    assert set(copy.potentials) == set(original.potentials)
    for key, value in original.potentials.items():
        assert np.array_equal(copy.potentials[key], value)
    for name in ("configurations", "weights", "particles"):
        if hasattr(original, name):
            assert _same_arrays(getattr(copy, name), getattr(original, name))


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_save_and_load_give_the_same_result(name: str, tmp_path: Path) -> None:
    original = RESULTS[name]
    path = original.save(tmp_path / f"{name}.json")
    json.loads(path.read_text())  # strict JSON: no NaN or Infinity literals
    _assert_same(TransportResult.load(path), original)


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_from_dict_of_to_dict_is_the_same_result(name: str) -> None:
    original = RESULTS[name]
    data = json.loads(json.dumps(original.to_dict(include_arrays=True)))
    _assert_same(type(original).from_dict(data), original)


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_results_pickle(name: str) -> None:
    original = RESULTS[name]
    copy = pickle.loads(pickle.dumps(original))
    _assert_same(copy, original)
    for mine, theirs in zip(
        getattr(copy, "comotion", ()), getattr(original, "comotion", ()), strict=True
    ):
        points = np.linspace(-0.1, 1.1, 13)
        assert np.array_equal(mine(points), theirs(points))


def test_nbody_result_serialises_its_own_fields() -> None:
    result = RESULTS["nbody"]
    summary = result.to_dict()
    assert summary["type"] == "SymmetricOTResult" and summary["particles"] == 3
    assert summary["cost_per_pair"] == pytest.approx(result.cost / 3)  # binom(3, 2) = 3
    configurations = np.array(summary["configurations"])
    assert configurations.shape[1] == 6 and (configurations.sum(axis=1) == 3).all()
    weights = np.array(summary["weights"])
    marginal = weights @ configurations / 3
    assert np.allclose(marginal, 1 / 6, atol=1e-12)
    assert "N=3" in repr(result) and "configurations=" in repr(result)


def test_sce_result_knows_its_particles_and_cost_per_pair() -> None:
    """Three particles at 0, ½, 1 on three equal sites: 1/½ + 1/½ + 1/1 = 5 in total."""
    result = sce_1d([0.0, 0.5, 1.0], None, 3, Coulomb())
    assert result.particles == 3 and result.cost == pytest.approx(5.0)
    assert result.to_dict()["cost_per_pair"] == pytest.approx(5.0 / math.comb(3, 2))
    loaded = SCE1DResult.from_dict(result.to_dict(include_arrays=True))
    assert loaded.particles == 3 and loaded.comotion == ()


def test_non_finite_numbers_round_trip(tmp_path: Path) -> None:
    result = TransportResult(
        cost=1.0,
        lower_bound=-math.inf,
        upper_bound=1.0,
        status="gap_exceeds_tolerance",
        solver="test",
        potentials={"u": np.array([0.0, math.inf])},
        residuals={"r": math.nan},
    )
    loaded = TransportResult.load(result.save(tmp_path / "r.json"))
    assert loaded.lower_bound == -math.inf and loaded.potentials["u"][1] == math.inf
    assert math.isnan(loaded.residuals["r"])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"cost": 1.0}, "`data` must have the keys"),
        (
            {
                "cost": 1,
                "lower_bound": 1,
                "upper_bound": 1,
                "status": "x",
                "solver": "y",
                "type": "Z",
            },
            "`data['type']` must be one of",
        ),
        (
            {"cost": "one", "lower_bound": 1, "upper_bound": 1, "status": "x", "solver": "y"},
            "`data['cost']` must be a number",
        ),
        (
            {"cost": 1, "lower_bound": 1, "upper_bound": 1, "status": 2, "solver": "y"},
            "`data['status']` must be text",
        ),
        ([1, 2], "`data` must be a mapping"),
    ],
)
def test_bad_dicts_are_refused(data: object, expected: str) -> None:
    with pytest.raises(InvalidInputError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        result_from_dict(data)  # type: ignore[arg-type]


def test_a_subclass_refuses_another_type() -> None:
    data = RESULTS["w2"].to_dict(include_arrays=True)
    with pytest.raises(InvalidInputError, match="must be one of"):
        SymmetricOTResult.from_dict(data)


def test_load_refuses_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="must be an existing file"):
        TransportResult.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InvalidInputError, match="must be UTF-8 JSON"):
        TransportResult.load(tmp_path / "bad.json")


def test_states_have_short_one_line_reprs() -> None:
    coherent = repr(CoherentMixture(np.zeros((40, 4)) + np.arange(40)[:, None], hbar=0.5))
    fock = repr(FockDensity.thermal(0.3, hbar=0.5, cutoff=10))
    assert coherent == "CoherentMixture(40 points, modes=2, hbar=0.5)"
    assert fock.startswith("FockDensity(cutoff=10, modes=1, hbar=0.5, truncation_loss=9.9e-08")
    assert "\n" not in coherent + fock and len(fock) < 80
