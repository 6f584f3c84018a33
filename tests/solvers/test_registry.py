"""Solver objects, their options schemas and the registry of names."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.sdp import coupling_sdp
from qmot.solvers import COUPLING_SOLVERS, AutoCoupling, QmotEntropic, QmotIPM, coupling_solver

CLASSICAL_COST = np.diag([0.0, 1.0, 1.0, 0.0])
FIRST, SECOND = np.diag([0.7, 0.3]), np.diag([0.4, 0.6])


def test_every_name_of_the_registry_builds_its_solver() -> None:
    for name, solver_class in COUPLING_SOLVERS.items():
        solver = coupling_solver(name.lower(), None)
        assert isinstance(solver, solver_class)
        assert solver.name == name


def test_solver_objects_are_frozen_hyper_parameters() -> None:
    solver = QmotIPM(max_iterations=7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        solver.max_iterations = 8  # type: ignore[misc]
    assert coupling_solver(solver, None) is solver


def test_auto_gives_each_stage_only_its_own_options() -> None:
    auto = coupling_solver("AUTO", {"gap_tol": 1e-9, "memory": 10, "max_evaluations": 50})
    assert isinstance(auto, AutoCoupling)
    assert auto.ipm == QmotIPM(gap_tol=1e-9)
    assert auto.entropic == QmotEntropic(memory=10, max_evaluations=50)


@pytest.mark.parametrize(
    ("solver", "options", "message"),
    [
        ("QMOT-IPM", {"memory": 10}, r"for QMOT-IPM must use names from"),
        ("QMOT-ENTROPIC", {"memory": 0}, r"`solver_options\['memory'\]` must be a positive int"),
        ("AUTO", {"memory": "ten"}, r"`solver_options\['memory'\]` must be a positive integer"),
        ("CLARABEL", {"memory": 10}, r"for CLARABEL must be settings the solver accepts"),
        (QmotIPM(), {"gap_tol": 1e-9}, r"must be empty when `solver` is a solver object"),
        ("MOSEK", None, r"`solver` must be one of \('AUTO', 'QMOT-IPM'"),
        (3, None, r"`solver` must be one of .* \(got 3\)"),
    ],
)
def test_bad_solver_choices_are_refused_before_any_solve(
    solver: object, options: object, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        coupling_sdp(CLASSICAL_COST, FIRST, SECOND, solver=solver, solver_options=options)


@pytest.mark.parametrize("solver", [QmotIPM(max_iterations=80), QmotEntropic(memory=10)])
def test_a_solver_object_solves_like_its_name(solver: object) -> None:
    result = coupling_sdp(CLASSICAL_COST, FIRST, SECOND, solver=solver, tol=1e-6)
    assert result.status == "optimal"
    assert result.lower_bound <= 0.3 <= result.upper_bound  # the optimum moves mass 0.3
