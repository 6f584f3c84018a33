r"""Symmetry reduction of :math:`MK_\hbar^2` for phase-invariant (Fock-diagonal) marginals.

The cost of Caglioti–Golse–Paul 2020 (§1), in its truncated form
:math:`C = 2\hbar\sum_j (N_j\otimes 1 + 1\otimes N_j - a_j^*\otimes a_j - a_j\otimes a_j^*)`,
commutes with every :math:`T_j = N_j\otimes 1 + 1\otimes N_j` (each term moves one quantum of
mode :math:`j` from one factor to the other). When both marginals commute with every
:math:`N_j` — they are diagonal in the Fock basis — the twirl
:math:`Q \mapsto \int e^{i\theta\cdot T} Q e^{-i\theta\cdot T}\,d\theta/(2\pi)^d` maps couplings to
couplings of the same cost (:math:`\operatorname{tr}_2` of the twirl is the twirl of
:math:`R` by :math:`e^{i\theta\cdot N}`, which is :math:`R`), so an optimal coupling may be taken
block-diagonal in the joint eigenspaces of :math:`(T_1..T_d)`: the sectors
:math:`\{|n\rangle\otimes|n'\rangle : n + n' = k\}`. The marginal constraints only see the
diagonal of the blocks, :math:`\sum_{n'} Q_{(n,n'),(n,n')} = R_{nn}`, and the dual potentials
may be taken diagonal, so the dual slack :math:`C - A\otimes 1 - 1\otimes B` is block-diagonal
too. The coupling SDP of dimension :math:`D_RD_S` becomes one SDP with small PSD blocks
(at cut-off 20, one mode: 41 blocks of size at most 21 instead of one 441-dimensional matrix).

Certificates, block by block: the dual point is shifted by the least certified eigenvalue over
the blocks (:func:`qmot.certify.margins.certified_least_eigenvalue`); the dual bound
:math:`\operatorname{tr}(RA) + \operatorname{tr}(SB)` with diagonal :math:`A, B` holds for the
given :math:`R, S` whatever their off-diagonal entries. The primal blocks are projected on the PSD
cone, their diagonals scaled by a congruence :math:`\operatorname{diag}(x_ny_{n'})^{1/2}` (classical
Sinkhorn scaling on the diagonal, which keeps every block PSD), corrected exactly and mixed with
:math:`R\otimes S` just enough to stay PSD (as :func:`qmot.sdp.certify_primal`). When the
marginals carry off-diagonal entries below the detection tolerance, the upper bound pays for
them by convexity (:func:`_offdiagonal_penalty`).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qmot.certify.margins import (
    certified_least_eigenvalue,
    certified_pairing,
    eigenvalue_margin,
    rounding_margin,
)
from qmot.certify.tolerance import Tolerance
from qmot.errors import SolverError
from qmot.quantum.states import FockDensity
from qmot.results import OPTIMAL, TransportResult

__all__ = [
    "PHASE_INVARIANCE_RTOL",
    "SectorBlock",
    "mk2_phase_invariant",
    "offdiagonal_size",
    "phase_invariant",
    "sector_blocks",
]

PHASE_INVARIANCE_RTOL = 1e-12
"""Off-diagonal Fock entries up to this fraction of the largest diagonal entry are treated as
rounding of a phase-invariant state (their effect is still paid in the upper bound)."""
DENSE_COUPLING_LIMIT = 2500
"""Largest :math:`D_R D_S` for which the block coupling is also returned as a dense matrix."""
SINKHORN_SWEEPS = 5000
_EPS = float(np.finfo(float).eps)


def offdiagonal_size(state: FockDensity) -> float:
    """Largest off-diagonal modulus of ``state.matrix`` relative to its largest diagonal entry."""
    matrix = state.matrix
    diagonal = np.abs(np.diag(matrix))
    off = np.abs(matrix - np.diag(np.diag(matrix)))
    return float(off.max() / diagonal.max()) if diagonal.max() > 0 else math.inf


def phase_invariant(state: object, rtol: float = PHASE_INVARIANCE_RTOL) -> bool:
    r"""True when ``state`` is a :class:`FockDensity` that commutes with every :math:`N_j` up to
    ``rtol`` (its off-diagonal entries relative to the largest diagonal entry)."""
    return isinstance(state, FockDensity) and offdiagonal_size(state) <= rtol


@dataclass(frozen=True)
class SectorBlock:
    r"""One total-number sector :math:`n + n' = k`: the joint indices ``i * D_S + j`` it holds
    (both populations positive), their first and second indices, and the compression of
    :math:`C` (real symmetric)."""

    sector: tuple[int, ...]
    first: np.ndarray
    second: np.ndarray
    cost: np.ndarray

    @property
    def size(self) -> int:
        """Number of product basis states in the block."""
        return self.first.size


def _occupations(cutoff: int, modes: int) -> list[tuple[int, ...]]:
    """Multi-indices in Kronecker order (mode 0 most significant)."""
    return list(itertools.product(range(cutoff + 1), repeat=modes))


def sector_blocks(
    first: FockDensity, second: FockDensity, first_kept: np.ndarray, second_kept: np.ndarray
) -> list[SectorBlock]:
    r"""The sectors of the kept product states and the blocks of :math:`C`.

    ``first_kept``, ``second_kept``: indices of the basis states with positive population.
    Matrix elements: diagonal :math:`2\hbar\sum_j(n_j + n'_j)`;
    :math:`\langle m + e_j, m' - e_j|C|m, m'\rangle = -2\hbar\sqrt{(m_j+1)m'_j}` and its
    transpose.
    """
    hbar, modes = first.hbar, first.modes
    left = _occupations(first.cutoff, modes)
    right = _occupations(second.cutoff, modes)
    groups: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for i in first_kept:
        for j in second_kept:
            key = tuple(a + b for a, b in zip(left[i], right[j], strict=True))
            groups.setdefault(key, []).append((int(i), int(j)))
    left_index = {n: k for k, n in enumerate(left)}
    right_index = {n: k for k, n in enumerate(right)}
    blocks = []
    for key, pairs in sorted(groups.items()):
        position = {pair: p for p, pair in enumerate(pairs)}
        cost = np.zeros((len(pairs), len(pairs)))
        for p, (i, j) in enumerate(pairs):
            n, m = left[i], right[j]
            cost[p, p] = 2.0 * hbar * (sum(n) + sum(m))
            for mode in range(modes):
                if m[mode] == 0 or n[mode] == first.cutoff:
                    continue
                up = (*n[:mode], n[mode] + 1, *n[mode + 1 :])
                down = (*m[:mode], m[mode] - 1, *m[mode + 1 :])
                q = position.get((left_index[up], right_index[down]))
                if q is not None:
                    value = -2.0 * hbar * math.sqrt((n[mode] + 1) * m[mode])
                    cost[q, p] = cost[p, q] = value
        indices = np.array(pairs)
        blocks.append(SectorBlock(key, indices[:, 0], indices[:, 1], cost))
    return blocks


BARRIER_GROWTH = 10.0
"""Factor by which the barrier parameter grows between centring phases."""
NEWTON_STEPS = 100
"""Newton steps allowed per centring phase."""
CENTRING_DECREMENT = 1e-8
"""A phase ends once the squared Newton decrement is this small: the iterate is then centred
far more precisely than the certificates need (they do not rely on centrality), and smaller
targets only chase rounding noise at large barrier parameters."""


@dataclass
class _BarrierState:
    """Potentials, barrier parameter and the slack inverses of the current iterate."""

    potentials: np.ndarray
    weight: float
    inverses: list[np.ndarray]


def _slack_inverses(
    blocks: Sequence[SectorBlock], selectors: list[np.ndarray], potentials: np.ndarray
) -> list[np.ndarray] | None:
    """Inverses of the slack blocks, or ``None`` when one is not positive definite."""
    inverses = []
    for block, selector in zip(blocks, selectors, strict=True):
        slack = block.cost - np.diag(selector @ potentials)
        try:
            factor = np.linalg.cholesky(slack)
        except np.linalg.LinAlgError:
            return None
        inverse_factor = np.linalg.inv(factor)
        inverses.append(inverse_factor.T @ inverse_factor)
    return inverses


def _log_determinants(
    blocks: Sequence[SectorBlock], selectors: list[np.ndarray], potentials: np.ndarray
) -> np.ndarray | None:
    """:math:`\\log\\det L_k` per block, or ``None`` outside the domain."""
    values = []
    for block, selector in zip(blocks, selectors, strict=True):
        try:  # Cholesky, not the sign of det (an even number of negative eigenvalues has det > 0)
            factor = np.linalg.cholesky(block.cost - np.diag(selector @ potentials))
        except np.linalg.LinAlgError:
            return None
        values.append(2.0 * float(np.sum(np.log(np.diag(factor)))))
    return np.array(values)


def _newton_step(
    state: _BarrierState, selectors: list[np.ndarray], marginals: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, float]:
    r"""Newton direction of :math:`t(r\cdot a + s\cdot b) + \sum_k\log\det L_k` and its
    decrement; gradient :math:`t\,r - P^\top\operatorname{diag}(L^{-1})`, Hessian
    :math:`-P^\top (L^{-1}\circ L^{-1}) P` summed over the blocks."""
    size = marginals.size
    gradient = state.weight * marginals
    hessian = np.zeros((size, size))
    for inverse, selector in zip(state.inverses, selectors, strict=True):
        gradient = gradient - selector.T @ np.diag(inverse)
        hessian += selector.T @ (inverse * inverse) @ selector
    reduced = hessian[np.ix_(free, free)]
    scale = 1.0 / np.sqrt(np.diag(reduced))  # Jacobi scaling: the potentials' scales differ
    direction = np.zeros(size)
    scaled = np.linalg.solve(scale[:, None] * reduced * scale[None, :], scale * gradient[free])
    direction[free] = scale * scaled
    return direction, float(gradient[free] @ direction[free])


def _solve_blocks(
    blocks: Sequence[SectorBlock], first: np.ndarray, second: np.ndarray, tolerance: Tolerance
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, str]:
    r"""Barrier method on the block dual :math:`\max r\cdot a + s\cdot b` s.t.
    :math:`L_k = C_k - \operatorname{diag}(a_n + b_{n'}) \succ 0`.

    On the central path :math:`Q_k = L_k^{-1}/t` is a coupling (the centring condition is
    :math:`\operatorname{tr}_2 Q = r`, :math:`\operatorname{tr}_1 Q = s`) with duality gap
    :math:`\sum_k \dim L_k / t`; a tiny objective weight (a thermal tail of 1e-13) does not
    degrade the other potentials, as it does in a generic conic solver. ``b_0`` is fixed (the
    potentials are defined up to :math:`a + c`, :math:`b - c`). Returns :math:`Q_k`, the
    potentials and a status line.
    """
    n1, n2 = first.size, second.size
    selectors = []
    for block in blocks:
        selector = np.zeros((block.size, n1 + n2))
        selector[np.arange(block.size), block.first] = 1.0
        selector[np.arange(block.size), n1 + block.second] = 1.0
        selectors.append(selector)
    marginals = np.concatenate([first, second])
    free = np.setdiff1d(np.arange(n1 + n2), [n1])
    lowest = min(float(np.linalg.eigvalsh(b.cost)[0]) for b in blocks)
    start = np.full(n1 + n2, 0.5 * lowest - 1.0)
    start[n1] = 0.0
    start[:n1] = lowest - 2.0
    state = _BarrierState(start, 1.0, _slack_inverses(blocks, selectors, start) or [])
    dimension = sum(b.size for b in blocks)
    steps = 0
    while True:
        for _ in range(NEWTON_STEPS):
            direction, decrement = _newton_step(state, selectors, marginals, free)
            if decrement <= CENTRING_DECREMENT:
                break
            current = _log_determinants(blocks, selectors, state.potentials)
            slope = state.weight * float(marginals @ direction)
            length = 1.0
            while length > 1e-12:
                trial = state.potentials + length * direction
                values = _log_determinants(blocks, selectors, trial)
                # the change of the barrier function, summed from O(1) terms (its absolute
                # value, t·(r·a), is too large to difference in floating point)
                if values is not None and current is not None:
                    change = length * slope + math.fsum(values - current)
                    if change >= 0.25 * length * decrement:
                        break
                length /= 2
            else:
                break
            state.potentials = trial
            state.inverses = _slack_inverses(blocks, selectors, trial) or state.inverses
            steps += 1
            if decrement <= 1e-3 * CENTRING_DECREMENT:
                break
        value = float(marginals @ state.potentials)
        if dimension / state.weight <= 0.1 * tolerance.width(value):
            break
        state.weight *= BARRIER_GROWTH
    couplings = [inverse / state.weight for inverse in state.inverses]
    status = (
        f"barrier t={state.weight:.3g}, {steps} Newton steps, "
        f"gap bound {dimension / state.weight:.2g}"
    )
    return couplings, state.potentials[:n1], state.potentials[n1:], status


def _cost_error(blocks: Sequence[SectorBlock]) -> float:
    """Bound on :math:`\\|\\hat C - C\\|_{op}` (block-diagonal: the largest block bound)."""
    return max(rounding_margin(float(np.linalg.norm(b.cost)), 4) for b in blocks)


def _certify_dual_blocks(
    blocks: Sequence[SectorBlock],
    first: np.ndarray,
    second: np.ndarray,
    first_potential: np.ndarray,
    second_potential: np.ndarray,
) -> tuple[np.ndarray, float]:
    r"""Shift :math:`A` by the least certified eigenvalue of the slack blocks; return the shifted
    :math:`A` and the certified dual objective (a lower bound)."""
    least = math.inf
    for block in blocks:
        diagonal = first_potential[block.first] + second_potential[block.second]
        slack = block.cost - np.diag(diagonal)
        magnitude = float(np.linalg.norm(block.cost)) + float(np.linalg.norm(diagonal))
        least = min(least, certified_least_eigenvalue(slack, magnitude=magnitude))
    shifted = first_potential + least
    value_first, error_first = certified_pairing(first, shifted)
    value_second, error_second = certified_pairing(second, second_potential)
    spread = rounding_margin(float(np.abs(shifted).max()), 2)
    return shifted, value_first + value_second - error_first - error_second - spread


def _sinkhorn_scaling(
    diagonal: np.ndarray, first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row and column factors ``u``, ``v`` with ``u_i q_ij v_j`` of marginals ``first``,
    ``second`` (``q > 0`` on the kept pairs)."""
    u, v = np.ones(first.size), np.ones(second.size)
    for _ in range(SINKHORN_SWEEPS):
        u = first / (diagonal @ v)
        v = second / (diagonal.T @ u)
        rows = u * (diagonal @ v)
        if float(np.abs(rows - first).max()) <= 4 * _EPS * float(first.max()):
            break
    return u, v


def _certify_primal_blocks(
    blocks: Sequence[SectorBlock],
    values: list[np.ndarray],
    first: np.ndarray,
    second: np.ndarray,
) -> list[np.ndarray]:
    """Exactly admissible blocks (module docstring), the marginals being ``first``, ``second``
    on the kept indices (compressed numbering)."""
    products = [first[b.first] * second[b.second] for b in blocks]
    projected = []
    for value, product in zip(values, products, strict=True):
        eigenvalues, vectors = np.linalg.eigh((value + value.T) / 2)
        positive = (vectors * np.clip(eigenvalues, 0.0, None)) @ vectors.T
        projected.append((1.0 - 1e-14) * positive + 1e-14 * np.diag(product))
    diagonal = np.zeros((first.size, second.size))
    for block, value in zip(blocks, projected, strict=True):
        diagonal[block.first, block.second] = np.diag(value)
    u, v = _sinkhorn_scaling(diagonal, first, second)
    scaled = []
    for block, value in zip(blocks, projected, strict=True):
        root = np.sqrt(u[block.first] * v[block.second])
        scaled.append(root[:, None] * value * root[None, :])
    diagonal = np.zeros_like(diagonal)
    for block, value in zip(blocks, scaled, strict=True):
        diagonal[block.first, block.second] = np.diag(value)
    first_defect = first - diagonal.sum(axis=1)
    second_defect = second - diagonal.sum(axis=0)
    trace_defect = float(first_defect.sum())
    corrected, relative = [], 0.0
    for block, value, product in zip(blocks, scaled, products, strict=True):
        correction = (
            first_defect[block.first] * second[block.second]
            + first[block.first] * second_defect[block.second]
            - trace_defect * product
        )
        matrix = value + np.diag(correction)
        whitening = 1.0 / np.sqrt(product)
        least = float(np.linalg.eigvalsh(whitening[:, None] * matrix * whitening[None, :])[0])
        relative = min(relative, least)
        corrected.append(matrix)
    weight = 0.0 if relative >= 0 else min(1.0, -relative / (1.0 - relative) * (1 + 1e-9) + 1e-15)
    mixed = [
        (1.0 - weight) * m + weight * np.diag(p) for m, p in zip(corrected, products, strict=True)
    ]
    for matrix in mixed:
        if float(np.linalg.eigvalsh(matrix)[0]) < -eigenvalue_margin(matrix):
            raise SolverError("the block coupling could not be made exactly admissible")
    return mixed


def _offdiagonal_penalty(state: FockDensity, other: FockDensity) -> float:
    r"""Extra cost of the coupling of :math:`\operatorname{diag}R` turned into one of :math:`R`.

    With :math:`X = R - \operatorname{diag}R` and :math:`t \ge -\lambda_{\min}(D^{-1/2}XD^{-1/2})`,
    :math:`Z = D + X/t \succeq 0` and :math:`R = (1-t)D + tZ`; mixing in :math:`Z\otimes S` costs
    at most :math:`t\,\operatorname{tr}(C\,D\otimes S) + 4\hbar\sum_j|\operatorname{tr}(a_jX)|
    |\operatorname{tr}(a_jS)|` (:math:`\operatorname{tr}(C\,X\otimes Y) = 2\hbar\sum_j
    \langle N_j\rangle_X + \langle N_j\rangle_Y - 2\operatorname{Re}\overline{\langle a_j
    \rangle_X}\langle a_j\rangle_Y`). Returns ``inf`` when no ``t < 1`` exists."""
    matrix = state.matrix
    diagonal = np.diag(matrix).real
    off = matrix - np.diag(np.diag(matrix))
    if not np.any(off):
        return 0.0
    kept = diagonal > 0
    if np.any(off[~kept]) or np.any(off[:, ~kept]):
        return math.inf
    root = 1.0 / np.sqrt(diagonal[kept])
    whitened = root[:, None] * off[np.ix_(kept, kept)] * root[None, :]
    least = certified_least_eigenvalue(whitened)
    weight = max(0.0, -least) * (1.0 + 1e-9)
    if weight >= 1.0:
        return math.inf
    numbers = [np.diag(n).real for n in state.section().number]
    other_numbers = [np.diag(n).real for n in other.section().number]
    base = (
        2.0
        * state.hbar
        * sum(
            float(n @ diagonal) + float(m @ np.diag(other.matrix).real)
            for n, m in zip(numbers, other_numbers, strict=True)
        )
    )
    cross = sum(
        abs(np.trace(a @ off)) * abs(np.trace(b @ other.matrix))
        for a, b in zip(state.section().annihilation, other.section().annihilation, strict=True)
    )
    return weight * base + 4.0 * state.hbar * float(cross) + rounding_margin(base, 8)


def _dense_coupling(
    blocks: Sequence[SectorBlock],
    mixed: list[np.ndarray],
    kept: tuple[np.ndarray, np.ndarray],
    dims: tuple[int, int],
) -> np.ndarray | None:
    if dims[0] * dims[1] > DENSE_COUPLING_LIMIT:
        return None
    coupling = np.zeros((dims[0] * dims[1],) * 2)
    for block, matrix in zip(blocks, mixed, strict=True):
        joint = kept[0][block.first] * dims[1] + kept[1][block.second]
        coupling[np.ix_(joint, joint)] = matrix
    return coupling


def mk2_phase_invariant(
    R: FockDensity, S: FockDensity, *, tolerance: Tolerance | None = None
) -> TransportResult:
    r""":math:`MK_\hbar(R,S)^2` of two phase-invariant Fock densities by the block SDP (module
    docstring), certified block by block; exact for the truncated states as given.

    Raises
    ------
    SolverError
        The block SDP failed or its coupling could not be made admissible.
    """
    tolerance = tolerance or Tolerance()
    started = time.perf_counter()
    first_full, second_full = np.diag(R.matrix).real, np.diag(S.matrix).real
    first_kept, second_kept = np.flatnonzero(first_full > 0), np.flatnonzero(second_full > 0)
    first, second = first_full[first_kept], second_full[second_kept]
    full_blocks = sector_blocks(R, S, first_kept, second_kept)
    blocks = [
        SectorBlock(
            b.sector,
            np.searchsorted(first_kept, b.first),
            np.searchsorted(second_kept, b.second),
            b.cost,
        )
        for b in full_blocks
    ]
    values, first_potential, second_potential, status = _solve_blocks(
        blocks, first, second, tolerance
    )
    first_potential, lower = _certify_dual_blocks(
        blocks, first, second, first_potential, second_potential
    )
    mixed = _certify_primal_blocks(blocks, values, first, second)
    upper = math.fsum(float(np.sum(b.cost * m)) for b, m in zip(blocks, mixed, strict=True))
    upper += rounding_margin(
        sum(float(np.abs(b.cost * m).sum()) for b, m in zip(blocks, mixed, strict=True)),
        max(b.size for b in blocks) ** 2,
    )
    error = _cost_error(blocks)
    penalty = _offdiagonal_penalty(R, S) + _offdiagonal_penalty(S, R)
    lower, upper = lower - error, max(upper, 0.0) + error + penalty
    dims = (first_full.size, second_full.size)
    potentials = {"A": np.zeros(dims[0]), "B": np.zeros(dims[1])}
    potentials["A"][first_kept], potentials["B"][second_kept] = first_potential, second_potential
    info: dict[str, Any] = {
        "symmetry": "phase-invariant marginals: coupling block-diagonal in the sectors "
        "n + n' = k (C commutes with every N_j⊗1 + 1⊗N_j)",
        "blocks": len(blocks),
        "largest_block": max(b.size for b in blocks),
        "offdiagonal_size": (offdiagonal_size(R), offdiagonal_size(S)),
        "offdiagonal_penalty": penalty,
        "solver_status": status,
        "seconds": time.perf_counter() - started,
        "coupling_blocks": [
            (b.sector, first_kept[b.first] * dims[1] + second_kept[b.second], m)
            for b, m in zip(blocks, mixed, strict=True)
        ],
    }
    return TransportResult(
        cost=upper,
        lower_bound=lower,
        upper_bound=upper,
        status=OPTIMAL if tolerance.met(upper, lower) else "gap_exceeds_tolerance",
        solver="QMOT-BARRIER (phase-invariant blocks)",
        coupling=_dense_coupling(blocks, mixed, (first_kept, second_kept), dims)
        if penalty == 0.0
        else None,
        potentials={k: np.diag(v) for k, v in potentials.items()},
        info=info,
    )
