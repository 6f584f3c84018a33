r"""Independent certificates for the honesty suite: nothing here calls a qmot solver.

Every function evaluates, in extended precision (mpmath, ``DIGITS`` digits), either

* a **feasible point of the original problem** — a coupling ``Q ⪰ 0`` with
  :math:`\operatorname{tr}_2 Q = R`, :math:`\operatorname{tr}_1 Q = S` for the matrices the user
  gave, unreduced — whose cost is an upper bound of the true optimum, or
* a **verified dual value**: for any Hermitian ``A``, ``B``,
  :math:`\operatorname{tr}(RA) + \operatorname{tr}(SB) + \operatorname{tr}(R)\,\min(0,
  \lambda_{\min}(C - A\otimes I - I\otimes B))` is the objective of the exactly feasible dual
  point :math:`(A + \min(0,\lambda_{\min}) I, B)`, hence a lower bound of the true optimum.

The floating-point inputs are exact rationals, so evaluating at 40 digits makes these bounds
rigorous up to about :math:`10^{-35}` relative (far below the allowances the tests use).
Tensor convention: :math:`H\otimes K` with the first factor outer, as ``numpy.kron``.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath as mp
import numpy as np

DIGITS = 40
"""Working precision (decimal digits) of every certificate here."""


def to_mp(matrix: np.ndarray) -> mp.matrix:
    """An exact copy of a float/complex NumPy matrix as an mpmath matrix."""
    if isinstance(matrix, mp.matrix):
        return matrix.copy()
    array = np.asarray(matrix, dtype=complex)
    out = mp.matrix(array.shape[0], array.shape[1])
    for i in range(array.shape[0]):
        for j in range(array.shape[1]):
            value = array[i, j]
            out[i, j] = mp.mpc(float(value.real), float(value.imag))
    return out


def to_numpy(matrix: mp.matrix) -> np.ndarray:
    """Round an mpmath matrix to complex doubles."""
    return np.array(
        [[complex(matrix[i, j]) for j in range(matrix.cols)] for i in range(matrix.rows)]
    )


def kron(first: mp.matrix, second: mp.matrix) -> mp.matrix:
    """Kronecker product (first factor outer)."""
    m, n = first.rows, second.rows
    out = mp.matrix(m * n, m * n)
    for i in range(m):
        for j in range(m):
            if first[i, j] == 0:
                continue
            for k in range(n):
                for ell in range(n):
                    out[i * n + k, j * n + ell] = first[i, j] * second[k, ell]
    return out


def partial_trace(coupling: mp.matrix, m: int, n: int, traced: int) -> mp.matrix:
    """:math:`\\operatorname{tr}_2` (``traced=2``, an m x m result) or ``tr_1`` (n x n)."""
    if traced == 2:
        out = mp.matrix(m, m)
        for i in range(m):
            for j in range(m):
                out[i, j] = mp.fsum(coupling[i * n + k, j * n + k] for k in range(n))
        return out
    out = mp.matrix(n, n)
    for k in range(n):
        for ell in range(n):
            out[k, ell] = mp.fsum(coupling[i * n + k, i * n + ell] for i in range(m))
    return out


def trace(matrix: mp.matrix) -> mp.mpf:
    return mp.re(mp.fsum(matrix[i, i] for i in range(matrix.rows)))


def pairing(first: mp.matrix, second: mp.matrix) -> mp.mpf:
    r""":math:`\operatorname{Re}\operatorname{tr}(AB)` for Hermitian ``A``, ``B``."""
    n = first.rows
    return mp.re(mp.fsum(first[i, j] * second[j, i] for i in range(n) for j in range(n)))


def hermitian(matrix: mp.matrix) -> mp.matrix:
    return (matrix + matrix.H) / 2


def eigh(matrix: mp.matrix) -> tuple[list[mp.mpf], mp.matrix]:
    """Eigenvalues (ascending) and eigenvectors of a Hermitian mpmath matrix."""
    values, vectors = mp.eigh(hermitian(matrix))
    order = sorted(range(len(values)), key=lambda k: values[k])
    sorted_vectors = mp.matrix(matrix.rows, matrix.rows)
    for new, old in enumerate(order):
        for i in range(matrix.rows):
            sorted_vectors[i, new] = vectors[i, old]
    return [mp.re(values[k]) for k in order], sorted_vectors


def least_eigenvalue(matrix: mp.matrix) -> mp.mpf:
    return min(mp.re(v) for v in mp.eigh(hermitian(matrix), eigvals_only=True))


def psd_function(matrix: mp.matrix, function) -> mp.matrix:
    """``function`` applied to the (clipped) spectrum of a PSD matrix."""
    values, vectors = eigh(matrix)
    diagonal = mp.diag([function(max(v, mp.mpf(0))) for v in values])
    return vectors * diagonal * vectors.H


def identity(n: int) -> mp.matrix:
    return mp.eye(n)


def verified_dual_bound(
    cost: np.ndarray, first: np.ndarray, second: np.ndarray, A: np.ndarray, B: np.ndarray
) -> float:
    r"""A rigorous lower bound of :math:`\min\{\operatorname{tr}(CQ)\}` over couplings of the
    ORIGINAL ``first``, ``second`` from the potentials ``A``, ``B`` (full, unreduced space):
    :math:`\operatorname{tr}(RA) + \operatorname{tr}(SB)`
    :math:`+ \operatorname{tr}(R)\min(0,\lambda_{\min})`.
    """
    with mp.workdps(DIGITS):
        m, n = first.shape[0], second.shape[0]
        C, R, S = to_mp(cost), to_mp(first), to_mp(second)
        Am, Bm = hermitian(to_mp(A)), hermitian(to_mp(B))
        slack = C - kron(Am, identity(n)) - kron(identity(m), Bm)
        least = least_eigenvalue(slack)
        value = pairing(R, Am) + pairing(S, Bm) + trace(R) * min(mp.mpf(0), least)
        return float(value - abs(value) * mp.mpf(10) ** (-30))


def coupling_cost(cost: np.ndarray, coupling: mp.matrix) -> mp.mpf:
    with mp.workdps(DIGITS):
        return pairing(to_mp(cost), coupling)


def make_exact(
    first: np.ndarray,
    second: np.ndarray,
    coupling: mp.matrix,
    partner: mp.matrix | None = None,
    sweeps: int = 60,
) -> mp.matrix | None:
    r"""Make ``coupling`` an exact coupling of ``(first, second)`` in extended precision.

    Steps (all at 40 digits): clip to the PSD cone; operator-Sinkhorn congruences
    :math:`Q \mapsto (X\otimes I)Q(X\otimes I)^*`, :math:`X = R^{1/2}(\operatorname{tr}_2Q)^{-1/2}`
    (and on the second factor), which keep :math:`Q \succeq 0` exactly and drive the marginal
    defects to ≈ 1e-35; the exact correction :math:`E = \Delta R\otimes S/\operatorname{tr}S
    + R\otimes\Delta S/\operatorname{tr}R - \operatorname{tr}\Delta R\,R\otimes S/
    (\operatorname{tr}R\operatorname{tr}S)`; finally a mixture with ``partner`` (default
    :math:`R\otimes S/\operatorname{tr}S`) just large enough to restore positivity. ``None``
    when that partner is not positive definite. What is left inexact is ``(tr S - tr R) R /
    tr R`` on the first marginal: zero when the float traces agree, ≈ 1e-16 otherwise.
    """
    with mp.workdps(DIGITS):
        R, S = to_mp(first), to_mp(second)
        m, n = R.rows, S.rows
        tr_r, tr_s = trace(R), trace(S)
        values, vectors = eigh(hermitian(coupling))
        current = vectors * mp.diag([max(v, mp.mpf(0)) for v in values]) * vectors.H
        r_values = eigh(R)[0]
        s_values = eigh(S)[0]
        if r_values[0] > 0 and s_values[0] > 0:
            root_r, root_s = psd_function(R, mp.sqrt), psd_function(S, mp.sqrt)
            target = mp.mpf(10) ** (-(DIGITS - 5))
            for _ in range(sweeps):
                marginal = partial_trace(current, m, n, 2)
                if eigh(marginal)[0][0] <= 0:
                    break
                factor = kron(root_r * psd_function(marginal, _inverse_sqrt), identity(n))
                current = hermitian(factor * current * factor.H)
                marginal = partial_trace(current, m, n, 1)
                if eigh(marginal)[0][0] <= 0:
                    break
                factor = kron(identity(m), root_s * psd_function(marginal, _inverse_sqrt))
                current = hermitian(factor * current * factor.H)
                defect = mp.mnorm(partial_trace(current, m, n, 2) - R, 1)
                if defect < target:
                    break
        delta_r = R - partial_trace(current, m, n, 2)
        delta_s = S - partial_trace(current, m, n, 1)
        product = kron(R, S)
        corrected = hermitian(
            current
            + kron(delta_r, S) / tr_s
            + kron(R, delta_s) / tr_r
            - product * (trace(delta_r) / (tr_r * tr_s))
        )
        least = least_eigenvalue(corrected)
        if least >= 0:
            return corrected
        partner = product / tr_s if partner is None else partner
        floor = least_eigenvalue(partner)
        if floor <= 0:
            return None
        weight = -least / (floor - least)
        return hermitian((1 - weight) * corrected + weight * partner)


def _inverse_sqrt(value: mp.mpf) -> mp.mpf:
    return 1 / mp.sqrt(value) if value > 0 else mp.mpf(0)


def product_coupling(first: np.ndarray, second: np.ndarray) -> mp.matrix:
    with mp.workdps(DIGITS):
        return kron(to_mp(first), to_mp(second) / trace(to_mp(second)))


def spectral_coupling(
    cost: np.ndarray, first: np.ndarray, second: np.ndarray, shrink: float = 0.999
) -> mp.matrix:
    r"""An explicit coupling that uses the off-diagonal freedom between eigenvectors of ``R``.

    With :math:`R = \sum_i r_i |u_i\rangle\langle u_i|` (computed at 40 digits):
    :math:`Q = \sum_{ij} \sqrt{r_i r_j}\,|u_i\rangle\langle u_j| \otimes S^{1/2} K_{ij} S^{1/2}`,
    :math:`K_{ii} = I`, :math:`\operatorname{tr}(S K_{ij}) = 0`, :math:`\|K_{ij}\| \le
    \text{shrink}/(m-1)`. Then :math:`\operatorname{tr}_1 Q = S`, :math:`\operatorname{tr}_2 Q =
    R` and the block matrix :math:`K \succeq (1-\text{shrink}) I` (block Gershgorin), so
    :math:`Q = D K D \succeq 0`. Each :math:`K_{ij}` points against the cost's gradient
    (projected on :math:`\operatorname{tr}(SK)=0`). For ``R = diag(1-ε, ε)``, ``S = I/2`` this
    is :math:`[[(1-ε)S, X], [X^*, εS]]` with :math:`X = -t\sqrt{ε(1-ε)}\,P/(2\|P\|)`.
    The result goes through :func:`make_exact` (the correction is ≈ 1e-40).
    """
    with mp.workdps(DIGITS):
        m, n = first.shape[0], second.shape[0]
        C, R, S = to_mp(cost), to_mp(first), to_mp(second)
        S = S / trace(S)
        r_values, U = eigh(R)
        r_values = [max(v, mp.mpf(0)) for v in r_values]
        root_s = psd_function(S, mp.sqrt)
        big_u = kron(U, identity(n))
        rotated = big_u.H * C * big_u
        blocks = mp.matrix(m * n, m * n)
        limit = mp.mpf(shrink) / max(m - 1, 1)
        s_norm2 = pairing(S, S)
        for i in range(m):
            for j in range(m):
                if i == j:
                    block = S * r_values[i]
                elif i < j:
                    cji = rotated[j * n : (j + 1) * n, i * n : (i + 1) * n]
                    gradient = (root_s * cji * root_s).H
                    overlap = mp.fsum(
                        mp.conj(S[a, b]) * gradient[a, b] for a in range(n) for b in range(n)
                    )
                    direction = gradient - S * (overlap / s_norm2)
                    size = mp.sqrt(max(eigh(direction.H * direction)[0][-1], mp.mpf(0)))
                    if size == 0:
                        continue
                    k_ij = -direction * (limit / size)
                    block = root_s * k_ij * root_s * mp.sqrt(r_values[i] * r_values[j])
                else:
                    continue
                for a in range(n):
                    for b in range(n):
                        blocks[i * n + a, j * n + b] = block[a, b]
                        if i != j:
                            blocks[j * n + b, i * n + a] = mp.conj(block[a, b])
        coupling = big_u * blocks * big_u.H
        exact = make_exact(first, second, hermitian(coupling), partner=None)
        return hermitian(coupling) if exact is None else exact


def projected_search(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    start: np.ndarray,
    steps: Sequence[float] = (1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3),
    blend: float = 1e-10,
) -> mp.mpf | None:
    r"""Projected-gradient steps from ``start`` (the solver's coupling, blended with ``blend``
    of :math:`R\otimes S` so that its marginals are invertible): for each step size, one step
    :math:`Q - \eta C` and PSD projection, then :func:`make_exact` (whose operator-Sinkhorn
    scaling restores the marginals). Returns the least exact cost seen (``None`` if none
    could be made exact). The blend moves the cost by at most ``blend * 2 * ||C||``."""
    scale = np.trace(second).real
    base = (start + start.conj().T) / 2
    base = (1 - blend) * base + blend * np.kron(first, second / scale)
    best = None
    for step in (0.0, *steps):
        trial = base - step * cost
        values, vectors = np.linalg.eigh((trial + trial.conj().T) / 2)
        trial = (vectors * np.clip(values, 0, None)) @ vectors.conj().T
        exact = make_exact(first, second, to_mp(trial))
        if exact is not None:
            value = coupling_cost(cost, exact)
            best = value if best is None else min(best, value)
    return best


def best_upper(
    cost: np.ndarray, first: np.ndarray, second: np.ndarray, extra: Sequence[np.ndarray] = ()
) -> float:
    """Least exact cost over: the product coupling, the spectral coupling (both ways round is
    not needed: it already uses all of ``R``'s eigen-pairs) and ``extra`` couplings made exact."""
    candidates = [
        coupling_cost(cost, product_coupling(first, second)),
        coupling_cost(cost, spectral_coupling(cost, first, second)),
    ]
    for start in extra:
        exact = make_exact(first, second, to_mp(start))
        if exact is not None:
            candidates.append(coupling_cost(cost, exact))
    return float(min(candidates))


# ----------------------------------------------------------------------------- cost operators


def fock_cost_operator(cutoff: int, hbar: float) -> np.ndarray:
    r"""Golse–Mouhot–Paul cost on one mode, compressed to Fock states ``n <= cutoff``:
    :math:`2\hbar(N\otimes 1 + 1\otimes N - a^*\otimes a - a\otimes a^*)` (built here, not by
    qmot: this is the exact compression, with the :math:`-2\hbar` shift)."""
    size = cutoff + 1
    lower = np.diag(np.sqrt(np.arange(1, size, dtype=float)), k=1)
    number = np.diag(np.arange(size, dtype=float))
    eye = np.eye(size)
    return (
        2.0
        * hbar
        * (
            np.kron(number, eye)
            + np.kron(eye, number)
            - np.kron(lower.T, lower)
            - np.kron(lower, lower.T)
        )
    )


def kms_norm2(op: np.ndarray, state: np.ndarray) -> mp.mpf:
    r""":math:`\|x\|_\rho^2 = \operatorname{tr}(x^*\rho^{1/2}x\rho^{1/2})` at 40 digits."""
    with mp.workdps(DIGITS):
        root = psd_function(to_mp(state), mp.sqrt)
        x = to_mp(op)
        return mp.re(trace_full(x.H * root * x * root))


def trace_full(matrix: mp.matrix) -> mp.mpc:
    return mp.fsum(matrix[i, i] for i in range(matrix.rows))


def dpt_cost_operator(rho: np.ndarray, sigma: np.ndarray, ops: Sequence[np.ndarray]) -> np.ndarray:
    r""":math:`C_{DPT} = \sum_k (\|x_k\|_\rho^2 + \|x_k\|_\sigma^2) 1 - 2 x_k\otimes x_k^\top`
    (Wirth, *Triangle inequality for a quantum Wasserstein divergence*, Def. 2.10, with the
    cross term paired with couplings of :math:`(\rho, \sigma^\top)`), rounded to doubles."""
    dim = rho.shape[0] * sigma.shape[0]
    out = np.zeros((dim, dim), dtype=complex)
    for op in ops:
        op = np.asarray(op, dtype=complex)
        out += float(kms_norm2(op, rho) + kms_norm2(op, sigma)) * np.eye(dim)
        out -= 2 * np.kron(op, op.T)
    return (out + out.conj().T) / 2


def channel_from_coupling_mp(
    coupling: mp.matrix, rho: np.ndarray, sigma: np.ndarray
) -> list[np.ndarray]:
    r"""Kraus operators of the channel of a coupling :math:`\Pi` of :math:`(\rho,\sigma^\top)`
    with full-rank ``sigma``: Choi :math:`J = (1\otimes\sigma^{-\top/2})\Pi(1\otimes
    \sigma^{-\top/2})`, then :math:`\Phi_*(\sigma) = \rho` exactly (40 digits)."""
    with mp.workdps(DIGITS):
        m, n = rho.shape[0], sigma.shape[0]
        inverse_root_t = psd_function(to_mp(sigma.T), lambda v: 1 / mp.sqrt(v))
        scaling = kron(identity(m), inverse_root_t)
        choi = hermitian(scaling * coupling * scaling.H)
        values, vectors = eigh(choi)
        kraus = []
        for k, value in enumerate(values):
            if value <= 0:
                continue
            column = [vectors[i, k] * mp.sqrt(value) for i in range(m * n)]
            # Choi J = Σ_ij |i><j| ⊗ Φ_*(|i'><j'|)ᵀ-convention of qmot: vec rows (out ⊗ in)
            kraus.append(
                np.array([[complex(column[a * n + b]) for b in range(n)] for a in range(m)])
            )
        return kraus


def swap_factors(matrix: np.ndarray, m: int, n: int) -> np.ndarray:
    """The operator on ``K ⊗ H`` that corresponds to ``matrix`` on ``H ⊗ K``."""
    return matrix.reshape(m, n, m, n).transpose(1, 0, 3, 2).reshape(m * n, m * n)


def extend_coupling(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    base: np.ndarray,
    rtol: float = 1e-12,
    shrink: float = 0.999,
    blend: float = 0.0,
) -> mp.matrix:
    r"""An exact coupling (40 digits) of the FULL ``(first, second)`` that extends ``base`` (a
    coupling living on the kept eigenvectors of ``first``, e.g. the solver's) to the
    eigenvalues of ``first`` below ``rtol * max`` that a support reduction drops.

    In the eigenbasis of ``R`` (40 digits), kept set :math:`K_0`, dropped set :math:`D`:
    :math:`Q = \begin{pmatrix} Q_0 & Y \\ Y^* & R_D\otimes S \end{pmatrix}`,
    :math:`Q_0` = ``base`` compressed to :math:`K_0\otimes K` and made an exact coupling of
    :math:`(R_{K_0}, \operatorname{tr}(R_{K_0}) S)`, :math:`Y = Q_0^{1/2} W (R_D\otimes S)^{1/2}`
    with :math:`\|W\| \le` ``shrink`` (so :math:`Q \succeq 0`) and
    :math:`\operatorname{tr}_K Y = 0` (so the marginals stay exact); :math:`W` points against
    the gradient of the cost, projected on that constraint (``blend`` first mixes
    :math:`Q_0` with the product coupling, widening the range of :math:`Q_0^{1/2}`). The cross
    terms gain
    :math:`O(\sqrt{\varepsilon}\,\|C\|)` over ``base`` — exactly what a dropped eigenvalue
    :math:`\varepsilon` is worth.
    """
    with mp.workdps(DIGITS):
        m, n = first.shape[0], second.shape[0]
        C, R, S = to_mp(cost), to_mp(first), to_mp(second)
        S = S / trace(S)
        r_values, U = eigh(R)
        top = r_values[-1]
        kept = [k for k in range(m) if r_values[k] > rtol * top]
        dropped = [k for k in range(m) if k not in kept]
        order = kept + dropped
        basis = mp.matrix(m, m)
        for new, old in enumerate(order):
            for i in range(m):
                basis[i, new] = U[i, old]
        big = kron(basis, identity(n))
        rotated = big.H * C * big
        start = big.H * to_mp(base) * big
        k0, d0 = len(kept) * n, len(dropped) * n
        r_kept = mp.diag([r_values[k] for k in kept])
        q0 = start[0:k0, 0:k0]
        q0 = make_exact(r_kept, S * trace(r_kept), q0)
        if q0 is not None and blend > 0:
            q0 = (1 - blend) * q0 + blend * kron(r_kept, S * trace(r_kept) / trace(r_kept))
        if q0 is None or not dropped:
            return make_exact(first, second, to_mp(base))
        lower = kron(mp.diag([r_values[k] for k in dropped]), S)
        a_root = psd_function(q0, mp.sqrt)
        b_root = psd_function(lower, mp.sqrt)
        # gradient of Re tr(C_{D,K0} Y) + Re tr(C_{K0,D} Y*) = 2 Re tr(B C_{D,K0} A W)
        c_dk = rotated[k0 : k0 + d0, 0:k0]
        gradient = (b_root * c_dk * a_root).H  # k0 x d0
        # constraint tr_K(A W B) = 0: linear map on vec(W), one row per (kept i, dropped j)
        rows = []
        for i in range(len(kept)):
            for j in range(len(dropped)):
                row = mp.matrix(k0, d0)
                for a in range(n):
                    for p in range(k0):
                        for q in range(d0):
                            row[p, q] += a_root[i * n + a, p] * b_root[q, j * n + a]
                rows.append(row)

        def inner(x: mp.matrix, y: mp.matrix) -> mp.mpc:
            return mp.fsum(mp.conj(x[p, q]) * y[p, q] for p in range(x.rows) for q in range(x.cols))

        # W satisfies the constraint iff <conj(row), W> = 0 for every row (bilinear form)
        normals = [_conj(row) for row in rows]
        gram = mp.matrix(len(normals), len(normals))
        for p, x in enumerate(normals):
            for q, y in enumerate(normals):
                gram[p, q] = inner(x, y)
        rhs = mp.matrix([inner(x, gradient) for x in normals])
        try:
            coefficients = mp.lu_solve(gram, rhs)
        except ZeroDivisionError:  # dependent constraints: no cross term, the plain extension
            return make_exact(first, second, to_mp(base))
        direction = gradient.copy()
        for p, x in enumerate(normals):
            direction -= x * coefficients[p]
        size = mp.sqrt(max(eigh(direction.H * direction)[0][-1], mp.mpf(0)))
        full = mp.matrix(k0 + d0, k0 + d0)
        full[0:k0, 0:k0] = q0
        full[k0 : k0 + d0, k0 : k0 + d0] = lower
        if size > 0:
            cross = a_root * (-direction * (mp.mpf(shrink) / size)) * b_root
            full[0:k0, k0 : k0 + d0] = cross
            full[k0 : k0 + d0, 0:k0] = cross.H
        coupling = big * hermitian(full) * big.H
        return make_exact(first, second, coupling)


def _conj(matrix: mp.matrix) -> mp.matrix:
    out = mp.matrix(matrix.rows, matrix.cols)
    for p in range(matrix.rows):
        for q in range(matrix.cols):
            out[p, q] = mp.conj(matrix[p, q])
    return out
