"""Bad input that used to be accepted silently (or crash) now gets a clear InvalidInputError."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest

from qmot.classical import w2, w2_1d
from qmot.errors import InvalidInputError
from qmot.manybody import Coulomb, is_n_representable, sce_1d, symmetric_ot
from qmot.quantum import (
    CoherentMixture,
    apply_channel,
    choi_to_kraus,
    husimi,
    kms_norm,
    kraus_to_choi,
    random_channel,
)
from qmot.sdp import coupling_sdp

LINE = [[0.0], [1.0]]
TWO_SITES = np.diag([0.5, 0.5])
CLASSICAL_COST = np.diag([0.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: w2(np.array([[1 + 1j], [0]]), None, LINE, None), r"`x` must be real .*1\)"),
        (lambda: w2(LINE, None, np.array([[0.0], [2j]]), None), r"`y` must be real .*= 2\)"),
        (
            lambda: w2(LINE, np.array([0.5 + 0.1j, 0.5]), LINE, None),
            r"`a` must be real \(got complex entries, max \|imag\| = 0.1\)",
        ),
        (lambda: CoherentMixture(np.array([[1j, 0.0]])), r"`points` must be real"),
        (
            lambda: CoherentMixture([[0, 0], [1, 0]], np.array([0.5 + 1e-3j, 0.5])),
            r"`weights` must be real \(got complex entries, max \|imag\| = 0.001\)",
        ),
        (
            lambda: husimi(CoherentMixture([[0.0, 0.0]]), np.array([1j]), [0.0]),
            r"`q` must be real",
        ),
        (
            lambda: symmetric_ot(np.array([[0, 1j], [1j, 0]]), [0.5, 0.5], 2),
            r"^`C` must be real \(got complex entries",
        ),
    ],
)
def test_complex_input_with_imaginary_part_is_refused(
    call: Callable[[], object], message: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        with pytest.raises(InvalidInputError, match=message):
            call()


def test_complex_input_with_zero_imaginary_part_is_its_real_part() -> None:
    result = w2(np.array([[0 + 0j], [1 + 0j]]), None, [[0.0], [3.0]], None)
    assert result.cost == pytest.approx(2.0)


def test_sce_1d_refuses_points_off_the_line() -> None:
    with pytest.raises(InvalidInputError, match=r"`x` must be sites on the line, shape \(L,\)"):
        sce_1d([[0.0, 1.0], [2.0, 3.0]], None, 2, Coulomb())
    assert sce_1d([[0.0], [1.0]], None, 2, Coulomb()).cost == pytest.approx(1.0)


def _choi(n: int = 2) -> np.ndarray:
    return kraus_to_choi(random_channel(n, seed=3))


def test_choi_to_kraus_refuses_non_hermitian() -> None:
    choi = _choi()
    choi[0, 1] += 0.1
    with pytest.raises(InvalidInputError, match=r"`choi` must be Hermitian"):
        choi_to_kraus(choi, (2, 2))


def test_choi_to_kraus_refuses_non_psd() -> None:
    with pytest.raises(InvalidInputError, match=r"`choi` must be positive semidefinite"):
        choi_to_kraus(np.diag([1.0, 1.0, 1.0, -1.0]) / 1.0, (2, 2))


def test_choi_to_kraus_refuses_non_trace_preserving() -> None:
    with pytest.raises(InvalidInputError, match=r"`choi` must be trace preserving, tr_out J = 1"):
        choi_to_kraus(2 * _choi(), (2, 2))


def test_choi_to_kraus_traces_the_output_factor() -> None:
    kraus = random_channel(2, 3, seed=1)  # 2 -> 3: the output factor comes first
    back = choi_to_kraus(kraus_to_choi(kraus), (3, 2))
    state = np.diag([0.3, 0.7])
    np.testing.assert_allclose(apply_channel(back, state), apply_channel(kraus, state), atol=1e-12)


def test_apply_channel_refuses_non_cptp_and_wrong_state() -> None:
    with pytest.raises(InvalidInputError, match=r"`kraus` must be trace preserving"):
        apply_channel([2 * np.eye(2)], TWO_SITES)
    with pytest.raises(InvalidInputError, match=r"`state` must be 2 x 2, the input dimension"):
        apply_channel([np.eye(2)], np.eye(3) / 3)
    with pytest.raises(InvalidInputError, match=r"`state` must be Hermitian"):
        apply_channel([np.eye(2)], np.array([[0.5, 1.0], [0.0, 0.5]]))


def test_kms_norm_refuses_non_psd_rho() -> None:
    with pytest.raises(InvalidInputError, match=r"`rho` must be positive semidefinite"):
        kms_norm(np.eye(2), np.diag([1.5, -0.5]))
    with pytest.raises(InvalidInputError, match=r"`a` must be 2 x 2"):
        kms_norm(np.eye(3), TWO_SITES)


def test_w2_refuses_squared_distances_that_overflow() -> None:
    for solve in (w2, w2_1d):
        with pytest.raises(InvalidInputError, match=r"`x` and `y` must have squared distances"):
            solve([0.0, 1e300], None, [0.0, -1e300], None)


@pytest.mark.parametrize(
    "call",
    [
        lambda: w2(LINE, None, LINE, None, tol="1e-7"),
        lambda: w2_1d(LINE, None, LINE, None, tol="1e-7"),
        lambda: symmetric_ot(np.array([[0.0, 1.0], [1.0, 0.0]]), [0.5, 0.5], 2, tol="1e-7"),
        lambda: sce_1d([0.0, 1.0], None, 2, Coulomb(), tol="1e-7"),
        lambda: coupling_sdp(CLASSICAL_COST, TWO_SITES, TWO_SITES, tol="1e-7"),
    ],
)
def test_string_tol_is_refused(call: Callable[[], object]) -> None:
    with pytest.raises(
        InvalidInputError, match=r"`tol` must be a positive number \(got .*'1e-7'\)"
    ):
        call()


def test_string_support_rtol_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"`support_rtol` must lie in \[0, 1\)"):
        coupling_sdp(CLASSICAL_COST, TWO_SITES, TWO_SITES, support_rtol="1e-7")


@pytest.mark.parametrize(
    ("solver", "options", "message"),
    [
        ("AUTO", {"bogus": 10}, r"`solver_options` for AUTO must use names of its stages'"),
        ("QMOT-IPM", {"bogus": 1}, r"for QMOT-IPM must use names from .*\(got 'bogus'\)"),
        ("QMOT-IPM", {"max_iterations": 0}, r"`solver_options\['max_iterations'\]` must be a"),
        ("CLARABEL", {"bogus": 1}, r"`solver_options` for CLARABEL must be settings the solver"),
        ("SCS", {"bogus": 1}, r"`solver_options` for SCS must be settings the solver accepts"),
        ("AUTO", [1], r"`solver_options` must be a mapping"),
    ],
)
def test_unknown_solver_options_are_refused(solver: str, options: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        coupling_sdp(CLASSICAL_COST, TWO_SITES, TWO_SITES, solver=solver, solver_options=options)


def test_auto_refuses_options_that_no_stage_accepts() -> None:
    with pytest.raises(InvalidInputError, match=r"for AUTO must use names of its stages' opt"):
        coupling_sdp(
            CLASSICAL_COST, TWO_SITES, TWO_SITES, solver="AUTO", solver_options={"bogus": 1}
        )


def test_known_ipm_options_still_reach_auto() -> None:
    result = coupling_sdp(
        CLASSICAL_COST, TWO_SITES, TWO_SITES, solver="AUTO", solver_options={"gap_tol": 1e-9}
    )
    assert result.status == "optimal" and result.cost == pytest.approx(0.0, abs=1e-8)


def test_is_n_representable_refuses_huge_enumerations() -> None:
    with pytest.raises(
        InvalidInputError, match=r"`N` = 14 on 14 sites needs 2.01e\+07 configurations"
    ):
        is_n_representable(np.full((14, 14), 1 / 196), 14)
