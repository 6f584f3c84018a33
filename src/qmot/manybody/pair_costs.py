r"""Radial pair costs :math:`c(x, y) = \ell(|x - y|)` of Cotar–Friesecke–Pass 2015.

Each cost builds the :math:`L\times L` matrix on a set of sites, knows its Fourier transform
:math:`\hat\ell(k) = \int e^{-ik\cdot z}\ell(z)\,dz` where Cotar–Friesecke–Pass 2015 gives it
(Remark 2.12(b),
Example 2.13), and says whether it is positive definite — analytically where known (Theorem 1.2
needs :math:`\hat\ell \ge 0`), numerically on given sites otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gamma, kv

from qmot._validation import as_points
from qmot.errors import InvalidInputError

__all__ = [
    "Coulomb",
    "Exponential",
    "Gaussian",
    "InverseMultiquadric",
    "PairCost",
    "Quadratic",
    "SoftCoulomb",
    "TruncatedQuadratic",
    "Yukawa",
]


def _positive(value: float, name: str) -> float:
    if not (math.isfinite(value) and value > 0):
        raise InvalidInputError(f"`{name}` must be a positive finite number (got {value!r})")
    return float(value)


@dataclass(frozen=True)
class PairCost:
    """Base class: subclasses define :meth:`profile` (:math:`\\ell` as a function of distance).

    The class constants say what is known analytically: ``positive_definite`` (True/False, or
    None when it must be checked on sites), ``singular_at_zero`` (:math:`\\ell(0) = +\\infty`,
    double occupation forbidden) and ``convex_decreasing`` (on :math:`(0,\\infty)`; the 1-D SCE
    construction is then optimal). The dataclass fields are the cost's parameters only.
    """

    positive_definite: ClassVar[bool | None] = None
    singular_at_zero: ClassVar[bool] = False
    convex_decreasing: ClassVar[bool] = False

    def profile(self, distance: np.ndarray) -> np.ndarray:
        """:math:`\\ell(r)` for distances ``r >= 0``."""
        raise NotImplementedError

    def __call__(self, distance: ArrayLike) -> np.ndarray:
        return self.profile(np.asarray(distance, dtype=float))

    def matrix(self, sites: ArrayLike) -> np.ndarray:
        """The cost matrix :math:`C_{kl} = \\ell(|s_k - s_l|)` on ``L`` sites.

        ``inf`` appears on the diagonal for singular costs.
        """
        points = as_points(sites, "sites")
        distances = np.sqrt(np.sum((points[:, None, :] - points[None, :, :]) ** 2, axis=2))
        with np.errstate(divide="ignore"):
            return self.profile(distances)

    def fourier(self, k: ArrayLike, dim: int) -> np.ndarray:
        """Fourier transform :math:`\\hat\\ell(|k|)` in dimension ``dim`` (as in
        Cotar–Friesecke–Pass 2015)."""
        raise NotImplementedError(f"{type(self).__name__} has no Fourier transform in qmot")

    def is_positive_definite_on(self, sites: ArrayLike, *, tol: float = 1e-10) -> bool:
        """Numerical check: the cost matrix on ``sites`` (finite part) is positive semidefinite."""
        matrix = self.matrix(sites)
        if self.singular_at_zero:
            matrix = np.where(np.isfinite(matrix), matrix, 0.0)
        least = float(np.linalg.eigvalsh((matrix + matrix.T) / 2)[0])
        return least >= -tol * max(1.0, float(np.abs(matrix).max()))


@dataclass(frozen=True)
class Coulomb(PairCost):
    """:math:`\\ell(r) = 1/r`, :math:`+\\infty` at 0; :math:`\\hat\\ell = 4\\pi/|k|^2` in
    :math:`\\mathbb R^3` (Thm. 1.2(a)(ii))."""

    positive_definite: ClassVar[bool | None] = True
    singular_at_zero: ClassVar[bool] = True
    convex_decreasing: ClassVar[bool] = True

    def profile(self, distance: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return 1.0 / distance

    def fourier(self, k: ArrayLike, dim: int) -> np.ndarray:
        if dim != 3:
            raise InvalidInputError(f"`dim` must be 3 for the Coulomb transform (got {dim})")
        return 4 * np.pi / np.asarray(k, dtype=float) ** 2


@dataclass(frozen=True)
class Yukawa(PairCost):
    """:math:`\\ell(r) = e^{-\\varepsilon r}/r`; in :math:`\\mathbb R^3`,
    :math:`\\hat\\ell = 4\\pi/(|k|^2+\\varepsilon^2)` (Remark 2.12(b)(iii))."""

    epsilon: float = 1.0
    positive_definite: ClassVar[bool | None] = True
    singular_at_zero: ClassVar[bool] = True
    convex_decreasing: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _positive(self.epsilon, "epsilon")

    def profile(self, distance: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.exp(-self.epsilon * distance) / distance

    def fourier(self, k: ArrayLike, dim: int) -> np.ndarray:
        if dim != 3:
            raise InvalidInputError(f"`dim` must be 3 for the Yukawa transform (got {dim})")
        return 4 * np.pi / (np.asarray(k, dtype=float) ** 2 + self.epsilon**2)


@dataclass(frozen=True)
class Gaussian(PairCost):
    """:math:`\\ell(r) = e^{-r^2/2\\sigma^2}`, :math:`\\hat\\ell = (\\sqrt{2\\pi}\\sigma)^d
    e^{-\\sigma^2|k|^2/2}` (Remark 2.12(b)(i))."""

    sigma: float = 1.0
    positive_definite: ClassVar[bool | None] = True

    def __post_init__(self) -> None:
        _positive(self.sigma, "sigma")

    def profile(self, distance: np.ndarray) -> np.ndarray:
        return np.exp(-(distance**2) / (2 * self.sigma**2))

    def fourier(self, k: ArrayLike, dim: int) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        return (math.sqrt(2 * math.pi) * self.sigma) ** dim * np.exp(-(self.sigma**2) * k**2 / 2)


@dataclass(frozen=True)
class Exponential(PairCost):
    """:math:`\\ell(r) = e^{-ar}`, :math:`\\hat\\ell = 2^d\\pi^{(d-1)/2}\\Gamma(\\frac{d+1}2)\\,a/
    (a^2+|k|^2)^{(d+1)/2}` (Remark 2.12(b)(i))."""

    a: float = 1.0
    positive_definite: ClassVar[bool | None] = True
    convex_decreasing: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _positive(self.a, "a")

    def profile(self, distance: np.ndarray) -> np.ndarray:
        return np.exp(-self.a * distance)

    def fourier(self, k: ArrayLike, dim: int) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        constant = 2**dim * math.pi ** ((dim - 1) / 2) * gamma((dim + 1) / 2)
        return constant * self.a / (self.a**2 + k**2) ** ((dim + 1) / 2)


@dataclass(frozen=True)
class InverseMultiquadric(PairCost):
    """:math:`\\ell(r) = (r^2 + \\lambda^2)^{-\\beta}`, positive definite for :math:`\\beta > 0`
    (Wendland, Thm. 6.13; Remark 2.12(b)(ii)); transform
    :math:`(2\\pi)^{d/2}2^{1-\\beta}\\Gamma(\\beta)^{-1}(|k|/\\lambda)^{\\beta-d/2}K_{\\beta-d/2}(\\lambda|k|)`."""

    lam: float = 1.0
    beta: float = 1.0
    positive_definite: ClassVar[bool | None] = True

    def __post_init__(self) -> None:
        _positive(self.lam, "lam")
        _positive(self.beta, "beta")

    def profile(self, distance: np.ndarray) -> np.ndarray:
        return (distance**2 + self.lam**2) ** (-self.beta)

    def fourier(self, k: ArrayLike, dim: int) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        order = self.beta - dim / 2
        constant = (2 * math.pi) ** (dim / 2) * 2 ** (1 - self.beta) / gamma(self.beta)
        safe = np.where(k > 0, k, 1.0)
        value = constant * (safe / self.lam) ** order * kv(order, self.lam * safe)
        # k → 0: (k/λ)^ν K_ν(λk) → Γ(ν) 2^{ν-1} λ^{-2ν} for ν > 0 (the integral of ℓ)
        at_zero = (
            constant * gamma(order) * 2 ** (order - 1) * self.lam ** (-2 * order)
            if order > 0
            else np.inf
        )
        return np.where(k > 0, value, at_zero)


@dataclass(frozen=True)
class SoftCoulomb(InverseMultiquadric):
    """:math:`\\ell(r) = (1 + r^2)^{-1/2}` (inverse multiquadric with :math:`\\lambda = 1`,
    :math:`\\beta = 1/2`; not in Cotar–Friesecke–Pass 2015, a common regularised Coulomb)."""

    lam: float = 1.0
    beta: float = 0.5


@dataclass(frozen=True)
class Quadratic(PairCost):
    """:math:`\\ell(r) = r^2` (Example 2.13(i)): not positive definite; the diagonal coupling is
    optimal with cost 0."""

    positive_definite: ClassVar[bool | None] = False

    def profile(self, distance: np.ndarray) -> np.ndarray:
        return distance**2


@dataclass(frozen=True)
class TruncatedQuadratic(PairCost):
    """:math:`\\ell(r) = e^{-r^2/2\\sigma^2} - e^{-\\sigma^2 r^2/2}`, :math:`\\sigma > 1`
    (Example 2.13(ii)): bounded, :math:`\\approx r^2(\\sigma^4-1)/2\\sigma^2` near 0, not positive
    definite."""

    sigma: float = 2.0
    positive_definite: ClassVar[bool | None] = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma) and self.sigma > 1):
            raise InvalidInputError(f"`sigma` must be a finite number > 1 (got {self.sigma!r})")

    def profile(self, distance: np.ndarray) -> np.ndarray:
        return np.exp(-(distance**2) / (2 * self.sigma**2)) - np.exp(
            -(self.sigma**2) * distance**2 / 2
        )

    def fourier(self, k: ArrayLike, dim: int) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        root = math.sqrt(2 * math.pi)
        return (root * self.sigma) ** dim * np.exp(-(self.sigma**2) * k**2 / 2) - (
            root / self.sigma
        ) ** dim * np.exp(-(k**2) / (2 * self.sigma**2))
