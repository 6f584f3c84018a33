r"""Certificates for the problem the user gave, when a solver worked on the supports.

Every coupling :math:`Q` of :math:`(R, S)` lives on :math:`\operatorname{ran}R\otimes
\operatorname{ran}S`, so the reduction to the supports is exact — for the *exact* supports.
Numerically, eigenvalues below a threshold are cut, and with them a weight
:math:`\varepsilon_R = \operatorname{tr}(P_R^\perp R)`, :math:`\varepsilon_S` that is small but
not zero. The reduced problem (marginals :math:`\tilde R = U^*RU/\operatorname{tr}(U^*RU)`,
:math:`\tilde S`) is then a different problem, whose optimum can differ from the true one by
:math:`O(\sqrt{\varepsilon}\,\|C\|)`. This module turns a certificate of the reduced problem
into one of the given problem.

**Lower bound.** Let :math:`P = P_R\otimes P_S`, :math:`P^\perp = 1 - P`, let :math:`(A', B')`
be exactly dual feasible for the reduced cost :math:`C' = (U\otimes V)^* C (U\otimes V)`, and
let :math:`Q` be *any* coupling of :math:`(R, S)`. Then :math:`\operatorname{tr}P^\perp Q \le
\varepsilon := \varepsilon_R + \varepsilon_S` (since :math:`P^\perp \le P_R^\perp\otimes 1 +
1\otimes P_S^\perp`) and, splitting :math:`Q` into blocks,

.. math::

    \operatorname{tr}(CQ) = \operatorname{tr}(C\,PQP) + 2\operatorname{Re}
        \operatorname{tr}(P^\perp C P\cdot PQP^\perp) + \operatorname{tr}(C\,P^\perp Q P^\perp).

* :math:`X = (U\otimes V)^*Q(U\otimes V) \succeq 0` has :math:`\operatorname{tr}_2 X = U^*RU - Y`
  with :math:`Y\succeq 0`, :math:`\operatorname{tr}Y = \varepsilon_S` (likewise for
  :math:`\operatorname{tr}_1 X`), and :math:`C' - A'\otimes 1 - 1\otimes B' \succeq 0`, so
  :math:`\operatorname{tr}(C\,PQP) \ge \operatorname{tr}(A'U^*RU) + \operatorname{tr}(B'V^*SV)
  - \lambda_{\max}^+(A')\,\varepsilon_S - \lambda_{\max}^+(B')\,\varepsilon_R`.
* Hölder and Cauchy–Schwarz: :math:`\|PQP^\perp\|_1 \le (\operatorname{tr}PQP\cdot
  \operatorname{tr}P^\perp QP^\perp)^{1/2} \le \sqrt\varepsilon`, so the cross term is at least
  :math:`-2\|P^\perp C P\|\sqrt\varepsilon`.
* :math:`\operatorname{tr}(C\,P^\perp QP^\perp) \ge \min(0, \lambda_{\min}(C))\,\varepsilon`.

Hence, for every coupling, hence for the optimum,

.. math::

    \operatorname{tr}(CQ) \ge \operatorname{tr}(A'U^*RU) + \operatorname{tr}(B'V^*SV)
      - \lambda_{\max}^+(A')\varepsilon_S - \lambda_{\max}^+(B')\varepsilon_R
      - 2\|P^\perp C P\|\sqrt{\varepsilon} + \min(0,\lambda_{\min}(C))\,\varepsilon,

and the gauge :math:`(A' + c, B' - c)` is chosen to make this largest. With nothing cut
(:math:`\varepsilon = 0`) it is the reduced dual objective. The example of a qubit with
eigenvalue :math:`\varepsilon = 5\cdot10^{-13}` shows the :math:`\sqrt\varepsilon` term is
attained up to a factor close to 1.

**Upper bound.** A coupling :math:`Q'` of :math:`(\tilde R, \tilde S)` is lifted to an exact
coupling of :math:`(R, S)`: with :math:`a = 1 - \varepsilon_R`, :math:`b = 1 - \varepsilon_S`,
:math:`c = \min(a, b)`,

.. math::

    Q = c\,(U\otimes V)Q'(U\otimes V)^* + \frac{R_\circ\otimes S_\circ}{1 - c},\qquad
    R_\circ = R - \tfrac{c}{a}P_RRP_R,\ S_\circ = S - \tfrac{c}{b}P_SSP_S,

both rests positive semidefinite with trace :math:`1 - c`; its cost is within
:math:`O(\varepsilon\|C\|)` of :math:`c\operatorname{tr}(C'Q')`.

The weights :math:`\varepsilon_R, \varepsilon_S` are computed as
:math:`\operatorname{tr}(W^*RW)` for the cut eigenvectors :math:`W`, with error-free products
and an exactly rounded sum (:mod:`qmot.certify.margins`).

**What "the problem the user gave" means at the rounding floor.** An eigenvalue of a
floating-point matrix is known only up to the eigensolver's error bound
:math:`16\,n\,\varepsilon_{\text{mach}}\|R\|_F` (:func:`rounding_floor`, the rule of
:mod:`qmot.certify.margins`): a state built as ``np.outer(psi, psi.conj())`` has eigenvalues of
order :math:`10^{-17}` that no computation can tell from 0, just as input validation accepts
eigenvalues down to :math:`-10^{-10}\lambda_{\max}`. Eigenvalues at or below that floor are
exact zeros of the problem qmot certifies; every eigenvalue above it (for example
:math:`5\cdot10^{-13}`) is part of the problem, and cutting it is paid for by the bound above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qmot.certify.margins import (
    certified_pairing,
    exact_quadratic_trace,
    rounding_floor,
    rounding_margin,
)

__all__ = [
    "SupportCut",
    "cut_penalty",
    "lift_coupling",
    "lift_lower_bound",
    "split_support",
]

LEAST_EIGENVALUE_DENSE_LIMIT = 800
"""Up to this dimension of :math:`H\\otimes K`, :math:`\\lambda_{\\min}(C)` is computed; above
it the cruder :math:`-\\|C\\|_F` is used (the term is multiplied by the tiny cut weight)."""


@dataclass(frozen=True)
class SupportCut:
    """What a support reduction cut from one marginal.

    Attributes
    ----------
    kept, cut
        Orthonormal eigenvectors kept (``U``, decreasing eigenvalue) and cut (``W``).
    weight
        Certified upper bound on :math:`\\operatorname{tr}(W^* M W)`, the trace cut.
    dropped_eigenvalues
        Sum of the absolute values of the cut eigenvalues (as reported before).
    """

    kept: np.ndarray
    cut: np.ndarray
    weight: float
    dropped_eigenvalues: float


def split_support(matrix: np.ndarray, rtol: float) -> SupportCut:
    """Split the eigenvectors of a PSD ``matrix`` at ``rtol * lambda_max``, with the certified
    weight of the cut part (eigenvalues at the rounding floor count as exact zeros: module
    docstring)."""
    hermitian = (matrix + matrix.conj().T) / 2
    eigenvalues, vectors = np.linalg.eigh(hermitian)
    threshold = rtol * max(float(eigenvalues[-1]), 0.0)
    keep = eigenvalues > threshold
    kept = vectors[:, keep][:, ::-1]
    cut = vectors[:, ~keep]
    if cut.shape[1] == 0:
        return SupportCut(kept, cut, 0.0, 0.0)
    dropped = float(np.abs(eigenvalues[~keep]).sum())
    resolved = np.abs(eigenvalues[~keep]) > rounding_floor(hermitian)
    return SupportCut(kept, cut, cut_weight(hermitian, cut[:, resolved]), dropped)


EXACT_WEIGHT_LIMIT = 4_000_000
"""Largest ``n² · k`` (dimension squared times cut vectors) for which the cut weight is
evaluated with error-free products; above it, the rounding rule on the term magnitudes."""


def cut_weight(matrix: np.ndarray, cut: np.ndarray) -> float:
    r"""Certified upper bound on :math:`\operatorname{tr}(P_W M)` for cut eigenvectors ``W``.

    :math:`\operatorname{tr}(W^*MW)` is evaluated exactly rounded
    (:func:`qmot.certify.margins.exact_quadratic_trace`) when it is affordable; the rounding
    rule on :math:`\|MW\|_F` covers the departure of the computed ``W`` from an exactly
    orthonormal basis (a perturbation :math:`\Delta` changes the weight by
    :math:`O(\|\Delta\|\,\|MW\|)`, and :math:`MW` is tiny for eigenvectors of tiny
    eigenvalues).
    """
    if cut.shape[1] == 0:
        return 0.0
    size = matrix.shape[0]
    image_norm = float(np.linalg.norm(matrix @ cut))
    if size * size * cut.shape[1] <= EXACT_WEIGHT_LIMIT:
        value, error = exact_quadratic_trace(cut, matrix)
        return abs(value) + error + rounding_margin(image_norm, size)
    inside = float(np.trace(cut.conj().T @ matrix @ cut).real)
    magnitude = float(np.sum((np.abs(cut).T @ np.abs(matrix)) * np.abs(cut).T))
    return abs(inside) + rounding_margin(magnitude, size + 1)


SPECTRAL_NORM_LIMIT = 1_000_000_000
r"""Largest ``(m n)·(r s)²`` for which :math:`\|P^\perp C P\|` is the operator norm (an SVD);
above it the Frobenius norm, an upper bound, is used."""


def _cost_bounds(cost: np.ndarray, isometry: np.ndarray) -> tuple[float, float]:
    r"""Certified :math:`\|P^\perp C P\|` (Frobenius, an upper bound of the operator norm) and
    :math:`\min(0, \lambda_{\min}(C))` (a lower bound)."""
    image = cost @ isometry
    off_block = image - isometry @ (isometry.conj().T @ image)
    cost_norm = float(np.linalg.norm(cost))
    if off_block.shape[0] * off_block.shape[1] ** 2 <= SPECTRAL_NORM_LIMIT:
        off_norm = float(np.linalg.norm(off_block, 2)) * (1.0 + 1e-12)
    else:
        off_norm = float(np.linalg.norm(off_block))
    off_norm += rounding_margin(cost_norm, 2 * cost.shape[0])
    if cost.shape[0] <= LEAST_EIGENVALUE_DENSE_LIMIT:
        least = float(np.linalg.eigvalsh(cost)[0]) - rounding_margin(cost_norm, cost.shape[0])
    else:
        least = -cost_norm
    return off_norm, min(0.0, least)


def cut_penalty(cost: np.ndarray, first_cut: SupportCut, second_cut: SupportCut) -> float:
    r"""The part of the lower bound's penalty known before solving:
    :math:`2\|P^\perp CP\|\sqrt\varepsilon - \min(0,\lambda_{\min}(C))\,\varepsilon`."""
    total = first_cut.weight + second_cut.weight
    if total == 0.0:
        return 0.0
    isometry = np.kron(first_cut.kept, second_cut.kept)
    off_norm, least = _cost_bounds(cost, isometry)
    return 2.0 * off_norm * math.sqrt(total) - least * total


def lift_lower_bound(
    cost: np.ndarray,
    first_cut: SupportCut,
    second_cut: SupportCut,
    reduced_first: np.ndarray,
    reduced_second: np.ndarray,
    first_potential: np.ndarray,
    second_potential: np.ndarray,
) -> tuple[float, float, float]:
    r"""Lower bound on the optimum of the *given* problem from an exactly feasible reduced dual
    point (module docstring).

    Parameters
    ----------
    cost
        The full cost :math:`C` on :math:`H\otimes K`.
    first_cut, second_cut
        The support splits of ``R`` and ``S``.
    reduced_first, reduced_second
        :math:`U^*RU` and :math:`V^*SV` (not renormalised).
    first_potential, second_potential
        :math:`A'`, :math:`B'` with :math:`C' - A'\otimes 1 - 1\otimes B' \succeq 0` exactly.

    Returns
    -------
    lower, gauge, penalty
        The bound, the gauge constant :math:`c` used (add it to ``A'``, subtract from ``B'``)
        and the penalty paid for the cut weight (0 when nothing was cut).
    """
    # tr(R A) = Re Σ conj(R_ij) A_ij for Hermitian R, A
    first_value, first_error = certified_pairing(reduced_first, first_potential)
    second_value, second_error = certified_pairing(reduced_second, second_potential)
    base = first_value + second_value - first_error - second_error
    eps_first, eps_second = first_cut.weight, second_cut.weight
    if eps_first == 0.0 and eps_second == 0.0:
        return base, 0.0, 0.0
    fixed = cut_penalty(cost, first_cut, second_cut)
    top_first = float(np.linalg.eigvalsh(first_potential)[-1])
    top_second = float(np.linalg.eigvalsh(second_potential)[-1])

    def penalty(gauge: float) -> float:
        # the gauge moves tr(A'U*RU) + tr(B'V*SV) by gauge·(a − b) = gauge·(ε_S − ε_R)
        return (
            -gauge * (eps_second - eps_first)
            + max(top_first + gauge, 0.0) * eps_second
            + max(top_second - gauge, 0.0) * eps_first
            + fixed
        )

    gauge = min((0.0, -top_first, top_second), key=penalty)
    paid = penalty(gauge)
    return base - paid, gauge, paid


def _psd_part(matrix: np.ndarray) -> np.ndarray:
    eigenvalues, vectors = np.linalg.eigh((matrix + matrix.conj().T) / 2)
    return (vectors * np.clip(eigenvalues, 0.0, None)) @ vectors.conj().T


def lift_coupling(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    first_cut: SupportCut,
    second_cut: SupportCut,
    reduced_coupling: np.ndarray,
) -> tuple[np.ndarray, float]:
    r"""An exact coupling of the given ``(R, S)`` from a coupling of the renormalised reduced
    marginals, and its cost plus the rounding margin of evaluating it (module docstring)."""
    first_kept, second_kept = first_cut.kept, second_cut.kept
    isometry = np.kron(first_kept, second_kept)
    lifted = isometry @ reduced_coupling @ isometry.conj().T
    if first_cut.cut.shape[1] == 0 and second_cut.cut.shape[1] == 0:
        coupling = (lifted + lifted.conj().T) / 2
    else:
        first_inside = first_kept @ (first_kept.conj().T @ first @ first_kept) @ first_kept.conj().T
        second_inside = second_kept @ (second_kept.conj().T @ second @ second_kept)
        second_inside = second_inside @ second_kept.conj().T
        kept_first = float(np.trace(first_inside).real)
        kept_second = float(np.trace(second_inside).real)
        common = min(kept_first, kept_second)
        first_rest = _psd_part(first - common / kept_first * first_inside)
        second_rest = _psd_part(second - common / kept_second * second_inside)
        rest_weight = float(np.sqrt(np.trace(first_rest).real * np.trace(second_rest).real))
        coupling = common * lifted
        if rest_weight > 0.0:
            coupling = coupling + np.kron(first_rest, second_rest) / rest_weight
        coupling = (coupling + coupling.conj().T) / 2
    value, error = certified_pairing(cost, coupling)  # tr(CQ) = Re Σ conj(C_ij) Q_ij
    return coupling, value + error
