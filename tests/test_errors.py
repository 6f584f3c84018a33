from __future__ import annotations

import pytest

from qmot.errors import InfeasibleError, InvalidInputError, QmotError, SolverError


def test_hierarchy_lets_callers_catch_by_kind() -> None:
    assert issubclass(InvalidInputError, QmotError)
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(SolverError, QmotError)
    assert issubclass(SolverError, RuntimeError)
    assert issubclass(InfeasibleError, QmotError)


def test_solver_error_message_names_solver_status_and_residuals() -> None:
    error = SolverError(
        "no convergence", solver="SCS", status="inaccurate", residuals={"marginal_R": 1e-3}
    )
    text = str(error)
    assert "SCS" in text and "inaccurate" in text and "marginal_R: 0.001" in text
    assert error.residuals == {"marginal_R": 1e-3}
    with pytest.raises(QmotError):
        raise error
