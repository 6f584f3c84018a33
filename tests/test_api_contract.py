"""Every public name of the API contract works, and the modules that moved still answer."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import qmot


def test_the_contract_names_compute_the_documented_values() -> None:
    plan = qmot.classical.w2(np.array([[0.0]]), [1.0], np.array([[3.0]]), [1.0])
    assert plan.cost == pytest.approx(9.0)
    first = qmot.quantum.CoherentMixture([[0.0, 0.0]], hbar=0.1)
    second = qmot.quantum.CoherentMixture([[3.0, 4.0]], hbar=0.1)
    assert qmot.quantum.mk2(first, second).cost == pytest.approx(25.0, abs=1e-8)
    assert isinstance(qmot.quantum.FockDensity(np.eye(2) / 2), qmot.quantum.QuantumState)
    up, down = np.diag([1.0, 0.0]), np.diag([0.0, 1.0])
    pauli = qmot.quantum.pauli()
    assert qmot.quantum.dpt_divergence(up, down, pauli).cost == pytest.approx(4.0, abs=1e-7)
    line = np.array([[0.0], [1.0], [2.0]])
    cost = qmot.manybody.Coulomb().matrix(line)
    result = qmot.manybody.symmetric_ot(cost, np.full(3, 1 / 3), 2)
    assert result.cost == pytest.approx(5 / 6, abs=1e-9)  # ends paired 1/3, middle with each 1/3
    one_dimensional = qmot.manybody.sce_1d(
        line[:, 0], np.full(3, 1 / 3), 2, qmot.manybody.Coulomb()
    )
    assert one_dimensional.cost == pytest.approx(5 / 6)


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("qmot.sdp", ("coupling_sdp", "certify_dual", "certify_primal", "reduce_to_supports")),
        ("qmot.ipm", ("solve_coupling_ipm", "check_ipm_options", "QmotIPM")),
        ("qmot.first_order", ("solve_coupling_entropic", "check_entropic_options")),
        (
            "qmot.manybody.column_generation",
            ("column_generation", "exact_pricing", "dnn_lower_bound"),
        ),
        ("qmot.manybody.occupations", ("enumerate_configurations", "configuration_cost")),
        ("qmot.manybody.symmetric_ot", ("symmetric_ot", "validate_problem", "solve_occupation_lp")),
    ],
)
def test_moved_modules_re_export_their_names(module: str, names: tuple[str, ...]) -> None:
    loaded = importlib.import_module(module)
    assert all(callable(getattr(loaded, name)) for name in names)


def test_statuses_are_enum_members_equal_to_their_strings() -> None:
    result = qmot.quantum.coupling_sdp(np.diag([0.0, 1.0, 1.0, 0.0]), np.eye(2) / 2, np.eye(2) / 2)
    assert result.status is qmot.results.Status.OPTIMAL
    assert result.status == "optimal" and f"{result.status}" == "optimal"
    assert result.to_dict()["status"] == "optimal"
