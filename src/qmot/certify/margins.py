r"""The one rounding-margin rule used by every certificate of qmot.

A certificate evaluates, in floating point, a quantity whose exact sign or value proves a
bound: the least eigenvalue of a dual slack :math:`C - A\otimes I - I\otimes B`, the reduced
costs :math:`c_j - a_j^\top y` of an LP, a dual objective :math:`a\cdot u + b\cdot v`. qmot
trusts such a computed number :math:`\hat q` only up to

.. math::

    |\hat q - q| \le \gamma\, k\, \varepsilon\, M,
    \qquad \gamma = 16 \ (\texttt{ROUNDING\_FACTOR}),

where :math:`\varepsilon = 2^{-52}` is the machine epsilon, :math:`k` the number of terms
that were summed (the length of the longest accumulation) and :math:`M` the sum of the
*magnitudes* of those terms.

Derivation. Recursive summation of :math:`k` floating-point terms :math:`t_i` (each a
product rounded once) has error at most :math:`\gamma_k \sum_i |t_i|` with
:math:`\gamma_k = k u / (1 - k u) \le 2 k u = k\varepsilon` for :math:`k u \le 1/2`,
:math:`u = \varepsilon/2` the unit round-off (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed., Lemma 3.1 and eq. (3.5)). For eigenvalues, LAPACK's Hermitian
eigensolvers are backward stable: the computed eigenvalues are the exact eigenvalues of
:math:`M + E` with :math:`\|E\|_2 \le p(n)\,u\,\|M\|_2` for a modest :math:`p(n)` that grows
linearly in :math:`n` (Higham, §7 and Anderson et al., *LAPACK Users' Guide*, §4.7), and
Weyl's inequality turns that into :math:`|\hat\lambda_i - \lambda_i| \le \|E\|_2`. Taking
:math:`k = n` and :math:`M = \|M\|_F \ge \|M\|_2` covers both with the same formula. The
factor 16 covers the constants of the reductions to tridiagonal form and of forming the matrix
itself (a few additions per entry), with room to spare; it costs nothing measurable in the
brackets (a margin of :math:`10^{-13}` relative at :math:`n = 100`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "ROUNDING_FACTOR",
    "certified_least_eigenvalue",
    "certified_pairing",
    "dot_margin",
    "eigenvalue_margin",
    "exact_quadratic_trace",
    "rounding_floor",
    "rounding_margin",
]

ROUNDING_FACTOR = 16.0
"""The constant :math:`\\gamma` of the rule (module docstring)."""

_EPS = float(np.finfo(float).eps)


def rounding_margin(magnitude: float, terms: int) -> float:
    r"""Error bound :math:`\gamma k \varepsilon M` of a quantity computed from ``terms``
    summands whose magnitudes add up to ``magnitude`` (module docstring).

    Examples
    --------
    >>> rounding_margin(1.0, 1) == 16 * 2.0**-52
    True
    """
    return ROUNDING_FACTOR * max(int(terms), 1) * _EPS * abs(float(magnitude))


def eigenvalue_margin(matrix: ArrayLike, *, magnitude: float | None = None) -> float:
    r"""Bound on the error of every computed eigenvalue of the Hermitian ``matrix``.

    ``magnitude`` defaults to :math:`\|M\|_F`; pass the sum of the Frobenius norms of the
    parts when ``matrix`` was formed as a sum of large, cancelling terms, so that the error of
    forming it is covered too.
    """
    array = np.asarray(matrix)
    size = float(np.linalg.norm(array)) if magnitude is None else float(magnitude)
    return rounding_margin(size, array.shape[0])


def rounding_floor(matrix: ArrayLike) -> float:
    r"""Eigenvalues of the Hermitian ``matrix`` at most this large in modulus cannot be told
    from 0 (:func:`eigenvalue_margin`); qmot treats them as exact zeros of a state
    (:mod:`qmot.certify.supports`)."""
    return eigenvalue_margin(matrix)


def certified_least_eigenvalue(matrix: ArrayLike, *, magnitude: float | None = None) -> float:
    r"""A number guaranteed to be at most :math:`\lambda_{\min}` of the Hermitian ``matrix``:
    the computed least eigenvalue minus :func:`eigenvalue_margin`.

    Examples
    --------
    >>> import numpy as np
    >>> bound = certified_least_eigenvalue(np.diag([1.0, 2.0]))
    >>> 1.0 - 1e-13 < bound < 1.0  # the margin is 16 · 2 · eps · √5 ≈ 1.6e-14
    True
    """
    array = np.asarray(matrix)
    hermitian = (array + array.conj().T) / 2
    least = float(np.linalg.eigvalsh(hermitian)[0])
    return least - eigenvalue_margin(hermitian, magnitude=magnitude)


def certified_pairing(first: ArrayLike, second: ArrayLike) -> tuple[float, float]:
    r"""The real pairing :math:`\operatorname{Re}\sum_i \bar a_i b_i` (for Hermitian matrices
    :math:`\operatorname{tr}(AB)`) and a bound on its error.

    Every product is split exactly into two floating-point numbers (Dekker's error-free
    product) and the terms are summed exactly rounded (``math.fsum``); the residual of that sum,
    computed the same way, is the error (0 when the value is exact). No rounding rule is needed:
    the bound is the residual itself, enlarged by one relative rounding.

    Examples
    --------
    >>> import numpy as np
    >>> certified_pairing(np.eye(2), np.diag([0.5, 0.5]))
    (1.0, 0.0)
    >>> value, error = certified_pairing(np.eye(2), np.diag([0.1, 0.2]))
    >>> abs(value - 0.3) <= 1e-16 and error <= 1e-16
    True
    """
    left = np.asarray(first, dtype=complex).ravel()
    right = np.asarray(second, dtype=complex).ravel()
    parts = [*_two_product(left.real, right.real), *_two_product(left.imag, right.imag)]
    terms = np.concatenate(parts)
    value = math.fsum(terms)
    residual = math.fsum(np.append(terms, -value))
    return value, abs(residual) * (1.0 + 2.0 * _EPS)


def dot_margin(first: ArrayLike, second: ArrayLike) -> float:
    r"""Error bound of the computed inner product :math:`\sum_i a_i b_i` (also for matrices:
    the Frobenius pairing :math:`\operatorname{tr}(A^* B)`)."""
    left, right = np.asarray(first), np.asarray(second)
    return rounding_margin(float(np.sum(np.abs(left) * np.abs(right))), left.size + 1)


_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp's splitting constant for binary64


def _two_product(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's error-free product: ``left * right == high + low`` exactly (no overflow or
    underflow assumed)."""
    high = left * right
    left_big = _SPLITTER * left
    left_high = left_big - (left_big - left)
    left_low = left - left_high
    right_big = _SPLITTER * right
    right_high = right_big - (right_big - right)
    right_low = right - right_high
    low = ((left_high * right_high - high) + left_high * right_low + left_low * right_high) + (
        left_low * right_low
    )
    return high, low


def _exact_triple_terms(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> list[np.ndarray]:
    r"""Floating-point numbers whose exact sum is :math:`\sum x y z` (elementwise products)."""
    high, low = _two_product(x, y)
    first_high, first_low = _two_product(high, z)
    second_high, second_low = _two_product(low, z)
    return [first_high, first_low, second_high, second_low]


def exact_quadratic_trace(vectors: ArrayLike, matrix: ArrayLike) -> tuple[float, float]:
    r""":math:`\operatorname{Re}\operatorname{tr}(W^* M W)` evaluated with error-free products
    and an exactly rounded sum, with its error bound (one rounding, :math:`\varepsilon|x|`).

    Used where a tiny quantity is the difference of large terms — the weight that a support cut
    removes from a dense density matrix — so that its bound reflects the matrix and not the
    rounding of its evaluation (which would be about :math:`n\varepsilon` instead of, say,
    :math:`10^{-17}`).

    Examples
    --------
    >>> import numpy as np
    >>> psi = np.array([0.6, 0.8j])
    >>> value, error = exact_quadratic_trace(np.array([[0.8], [-0.6j]]), np.outer(psi, psi.conj()))
    >>> abs(value) <= 1e-16 and error < 1e-30
    True
    """
    cut = np.asarray(vectors, dtype=complex)
    hermitian = np.asarray(matrix, dtype=complex)
    terms: list[np.ndarray] = []
    for column in cut.T:
        # conj(w_i) M_ij w_j = ace + bde − adf + bcf with w_i = a+ib, M_ij = c+id, w_j = e+if
        a, b = column.real[:, None], column.imag[:, None]
        e, f = column.real[None, :], column.imag[None, :]
        c, d = hermitian.real, hermitian.imag
        ones = np.ones_like(c)
        for x, y, z in ((a * ones, c, e * ones), (b * ones, d, e * ones)):
            terms.extend(_exact_triple_terms(x, y, z))
        for x, y, z in ((a * ones, d, f * ones), (-b * ones, c, f * ones)):
            terms.extend(-part for part in _exact_triple_terms(x, y, z))
    if not terms:
        return 0.0, 0.0
    value = math.fsum(np.concatenate([part.ravel() for part in terms]))
    return value, _EPS * abs(value)
