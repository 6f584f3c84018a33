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

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "ROUNDING_FACTOR",
    "certified_least_eigenvalue",
    "dot_margin",
    "eigenvalue_margin",
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


def dot_margin(first: ArrayLike, second: ArrayLike) -> float:
    r"""Error bound of the computed inner product :math:`\sum_i a_i b_i` (also for matrices:
    the Frobenius pairing :math:`\operatorname{tr}(A^* B)`)."""
    left, right = np.asarray(first), np.asarray(second)
    return rounding_margin(float(np.sum(np.abs(left) * np.abs(right))), left.size + 1)
