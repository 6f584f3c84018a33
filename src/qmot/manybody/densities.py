r"""Analytic spherically symmetric densities on :math:`\mathbb R^3` with exact closed forms.

A density here is a finite sum :math:`4\pi\rho(r) = \sum_t c_t\, r^{m_t} e^{-\beta_t r}` with
rational coefficients :math:`c_t`, integer powers :math:`m_t \ge 0` and rational rates
:math:`\beta_t > 0`: hydrogenic orbitals and all their products are of this form. For them the
electron number inside a sphere, :math:`N_e(r) = \int_0^r 4\pi s^2\rho(s)\,ds`, is a regularised
incomplete gamma function, and the Hartree energy

.. math::

    U[\rho] = \tfrac12\iint\frac{\rho(x)\rho(y)}{|x-y|}\,dx\,dy
            = \int_0^\infty 4\pi r^2\rho(r)\,\frac{N_e(r)}{r}\,dr

(Newton's shell theorem: the angular average of :math:`1/|x-y|` is :math:`1/\max(|x|,|y|)`) is
a finite sum of :math:`k!/\beta^{k+1}`, evaluated here in exact rational arithmetic. These closed
forms are the independent oracles of :func:`qmot.manybody.sce_radial` and
:func:`qmot.manybody.radial_hartree_energy`.

The *Bohr atom* with :math:`N` electrons (Seidl, Gori-Giorgi, Savin, *Strictly correlated electrons
in density-functional theory: a general formulation with applications to spherical densities*, Phys.
Rev. A 75 (2007) 042511) fills the hydrogenic :math:`Z = 1` subshells 1s, 2s, 2p, 3s, 3p, 3d, …
in this order with :math:`2(2l+1)` electrons each (the last one partly, spread evenly over its
:math:`m`), so :math:`\rho = \sum_{nl} \mathrm{occ}_{nl}\, R_{nl}(r)^2/(4\pi)`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammainc, gammaincc

from qmot._validation import check_positive_int
from qmot.errors import InvalidInputError

__all__ = [
    "AnalyticRadialDensity",
    "bohr_atom",
    "hydrogenic_orbital_terms",
    "slater_1s_pair",
    "subshell_occupations",
]

Term = tuple[int, Fraction, Fraction]
"""``(power m, rate beta, coefficient c)`` of one term :math:`c\\,r^m e^{-\\beta r}`."""


def _merge(terms: Iterable[Term]) -> tuple[Term, ...]:
    merged: dict[tuple[int, Fraction], Fraction] = {}
    for power, rate, coefficient in terms:
        key = (int(power), Fraction(rate))
        merged[key] = merged.get(key, Fraction(0)) + Fraction(coefficient)
    return tuple(
        (power, rate, value) for (power, rate), value in sorted(merged.items()) if value != 0
    )


def _multiply(first: Iterable[Term], second: Iterable[Term]) -> tuple[Term, ...]:
    second = tuple(second)
    return _merge((m1 + m2, b1 + b2, c1 * c2) for m1, b1, c1 in first for m2, b2, c2 in second)


def _moment(power: int, rate: Fraction) -> Fraction:
    r""":math:`\int_0^\infty r^k e^{-\beta r}\,dr = k!/\beta^{k+1}`."""
    return Fraction(math.factorial(power)) / rate ** (power + 1)


def hydrogenic_orbital_terms(n: int, l: int, Z: Fraction | int = 1) -> tuple[Term, ...]:  # noqa: E741
    r"""Terms of :math:`R_{nl}(r)^2` for the hydrogenic ion of charge ``Z`` (exact rationals).

    :math:`R_{nl}(r) = \sqrt{(2Z/n)^3\frac{(n-l-1)!}{2n\,(n+l)!}}\;e^{-Zr/n}\,(2Zr/n)^l\,
    L^{(2l+1)}_{n-l-1}(2Zr/n)` with the generalised Laguerre polynomial
    :math:`L^{(\alpha)}_k(x) = \sum_{i=0}^k (-1)^i\binom{k+\alpha}{k-i}x^i/i!`, normalised so that
    :math:`\int_0^\infty R_{nl}^2 r^2\,dr = 1`.
    """
    z = Fraction(Z)
    scale = 2 * z / n
    k, alpha = n - l - 1, 2 * l + 1
    laguerre = [
        (i + l, Fraction(0), Fraction((-1) ** i * math.comb(k + alpha, k - i), math.factorial(i)))
        for i in range(k + 1)
    ]
    polynomial = [(power, rate, c * scale**power) for power, rate, c in laguerre]
    norm = scale**3 * Fraction(math.factorial(k), 2 * n * math.factorial(n + l))
    square = _multiply(polynomial, polynomial)
    return _merge((power, 2 * z / n, norm * c) for power, _, c in square)


def subshell_occupations(electrons: int) -> list[tuple[int, int, Fraction]]:
    """``(n, l, occupation)`` of the Bohr atom: 1s, 2s, 2p, 3s, 3p, 3d, … in order."""
    remaining = Fraction(electrons)
    filled: list[tuple[int, int, Fraction]] = []
    n = 1
    while remaining > 0:
        for l in range(n):  # noqa: E741
            take = min(remaining, Fraction(2 * (2 * l + 1)))
            if take > 0:
                filled.append((n, l, take))
            remaining -= take
        n += 1
    return filled


@dataclass(frozen=True)
class AnalyticRadialDensity:
    r"""A spherically symmetric density :math:`4\pi\rho(r) = \sum_t c_t r^{m_t}e^{-\beta_t r}`.

    Attributes
    ----------
    terms
        ``(m, beta, c)`` with exact rational ``beta > 0`` and ``c``.
    name
        A label for tables and figures.
    """

    terms: tuple[Term, ...]
    name: str = "analytic density"

    def __post_init__(self) -> None:
        if not self.terms or any(rate <= 0 or power < 0 for power, rate, _ in self.terms):
            raise InvalidInputError(
                f"`terms` must be non-empty with powers >= 0 and rates > 0 (got {self.terms!r})"
            )

    @property
    def electrons(self) -> float:
        r""":math:`\int 4\pi r^2\rho`, exact then rounded."""
        return float(self.electrons_exact)

    @property
    def electrons_exact(self) -> Fraction:
        """The electron number as an exact rational."""
        return sum((c * _moment(m + 2, b) for m, b, c in self.terms), Fraction(0))

    def __call__(self, r: ArrayLike) -> np.ndarray:
        """Density values :math:`\\rho(r)` (vectorised)."""
        radius = np.asarray(r, dtype=float)
        total = np.zeros_like(radius)
        for power, rate, c in self.terms:
            total += float(c) * radius**power * np.exp(-float(rate) * radius)
        return total / (4 * math.pi)

    def electrons_within(self, r: ArrayLike) -> np.ndarray:
        r""":math:`N_e(r) = \sum_t c_t\,\Gamma(m_t+3)\,P(m_t+3, \beta_t r)/\beta_t^{m_t+3}`."""
        radius = np.asarray(r, dtype=float)
        return sum(
            float(c * _moment(m + 2, b)) * gammainc(m + 3, float(b) * radius)
            for m, b, c in self.terms
        )

    def electrons_beyond(self, r: ArrayLike) -> np.ndarray:
        r""":math:`N - N_e(r)` from the upper incomplete gamma function (no cancellation)."""
        radius = np.asarray(r, dtype=float)
        return sum(
            float(c * _moment(m + 2, b)) * gammaincc(m + 3, float(b) * radius)
            for m, b, c in self.terms
        )

    def hartree_energy_exact(self) -> Fraction:
        r""":math:`U = \int_0^\infty r^2 q(r)\,N_e(r)/r\,dr` with :math:`q = 4\pi\rho`, exactly.

        :math:`N_e(r) = \sum_t c_t\frac{k_t!}{\beta_t^{k_t+1}}\big(1 - e^{-\beta_t r}
        \sum_{j\le k_t}(\beta_t r)^j/j!\big)`, :math:`k_t = m_t + 2`, is itself a sum of terms
        :math:`r^j e^{-\beta r}` (and a constant), so the integrand is one too.
        """
        cumulative: list[Term] = []
        for m, b, c in self.terms:
            k = m + 2
            weight = c * _moment(k, b)
            cumulative.append((0, Fraction(0), weight))
            cumulative += [(j, b, -weight * b**j / math.factorial(j)) for j in range(k + 1)]
        radial = [(m + 1, b, c) for m, b, c in self.terms]  # r^2 q(r) / r
        product = _multiply(radial, _merge(cumulative))
        return sum((c * _moment(m, b) for m, b, c in product), Fraction(0))

    def hartree_energy(self) -> float:
        """:meth:`hartree_energy_exact` rounded to the nearest float."""
        return float(self.hartree_energy_exact())

    def scaled(self, factor: Fraction | int) -> AnalyticRadialDensity:
        r"""The uniformly scaled density :math:`\rho_\lambda(r) = \lambda^3\rho(\lambda r)`."""
        lam = Fraction(factor)
        if lam <= 0:
            raise InvalidInputError(f"`factor` must be positive (got {factor!r})")
        return AnalyticRadialDensity(
            tuple((m, b * lam, c * lam ** (m + 3)) for m, b, c in self.terms),
            f"{self.name} scaled by {lam}",
        )


def bohr_atom(N: int) -> AnalyticRadialDensity:
    """The N-electron Bohr atom (module docstring): hydrogenic Z = 1 subshells filled in order.

    Examples
    --------
    >>> atom = bohr_atom(2)
    >>> atom.electrons, atom.hartree_energy()  # 1s^2 of hydrogen: U = 2 * 5/8
    (2.0, 1.25)
    """
    electrons = check_positive_int(N, "N", minimum=1)
    terms: list[Term] = []
    for n, l, occupation in subshell_occupations(electrons):  # noqa: E741
        terms += [(m, b, occupation * c) for m, b, c in hydrogenic_orbital_terms(n, l)]
    return AnalyticRadialDensity(_merge(terms), f"Bohr atom N={electrons}")


def slater_1s_pair(zeta: Fraction | int, name: str = "") -> AnalyticRadialDensity:
    r"""Two electrons in a 1s Slater orbital of exponent :math:`\zeta`:
    :math:`\rho = 2\zeta^3 e^{-2\zeta r}/\pi` (e.g. the variational
    :math:`\zeta = Z - 5/16` for He, Li⁺ and H⁻)."""
    z = Fraction(zeta)
    if z <= 0:
        raise InvalidInputError(f"`zeta` must be positive (got {zeta!r})")
    terms = tuple((m, b, 2 * c) for m, b, c in hydrogenic_orbital_terms(1, 0, z))
    return AnalyticRadialDensity(terms, name or f"1s^2, zeta={z}")
