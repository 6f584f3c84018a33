r"""When a certified bracket counts as ``"optimal"``: the one tolerance rule of qmot's couplings.

A bracket :math:`[\ell, u]` meets the tolerance when

.. math::

    u - \ell \le \max(\texttt{atol},\ \texttt{rtol}\,|u|) .

Defaults (:data:`DEFAULT_RTOL` = 1e-7, :data:`DEFAULT_ATOL` = 1e-10): values above
``atol / rtol`` = 1e-3 are certified to 7 significant digits, smaller ones to 1e-10 absolute —
so a De Palma–Trevisan divergence of two nearly equal states, :math:`W^2 \approx 10^{-6}`, is
known to about 1e-4 relative, not to 10 % as under the former rule
:math:`u - \ell \le \texttt{tol}\,\max(1, |u|)` (which ``tol=`` still selects: it is the rule
with ``atol = rtol = tol``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qmot.errors import InvalidInputError

__all__ = ["DEFAULT_ATOL", "DEFAULT_RTOL", "Tolerance"]

DEFAULT_RTOL = 1e-7
"""Default relative tolerance on the certified bracket width."""
DEFAULT_ATOL = 1e-10
"""Default absolute tolerance on the certified bracket width."""


@dataclass(frozen=True)
class Tolerance:
    """Absolute and relative tolerance on the width of a certified bracket.

    Examples
    --------
    >>> Tolerance(atol=1e-10, rtol=1e-7).met(upper=8.0e-7, lower=7.9e-7)
    False
    >>> Tolerance.legacy(1e-7).met(upper=8.0e-7, lower=7.9e-7)
    True
    """

    atol: float = DEFAULT_ATOL
    rtol: float = DEFAULT_RTOL

    @classmethod
    def legacy(cls, tol: float) -> Tolerance:
        """The rule ``gap <= tol * max(1, |upper|)``: ``atol = rtol = tol``."""
        return cls(atol=float(tol), rtol=float(tol))

    @classmethod
    def from_arguments(cls, tol: float | None, atol: float | None, rtol: float | None) -> Tolerance:
        """Validate the ``tol``/``atol``/``rtol`` arguments of an entry point.

        ``tol`` alone selects the legacy rule; ``atol``/``rtol`` override either default.
        """
        for name, value in (("tol", tol), ("atol", atol), ("rtol", rtol)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(f"`{name}` must be a positive number (got {value!r})")
            if not (math.isfinite(value) and value > 0):
                raise InvalidInputError(f"`{name}` must be a positive number (got {value!r})")
        base = cls() if tol is None else cls.legacy(tol)
        return cls(
            atol=base.atol if atol is None else float(atol),
            rtol=base.rtol if rtol is None else float(rtol),
        )

    def width(self, upper: float) -> float:
        """The largest bracket width allowed at the value ``upper``."""
        return max(self.atol, self.rtol * abs(upper))

    def met(self, upper: float, lower: float) -> bool:
        """True when ``upper - lower`` is within :meth:`width`."""
        return upper - lower <= self.width(upper)

    @property
    def strictest(self) -> float:
        """One relative number for solvers that take a single ``tol`` relative to
        ``max(1, |value|)``: ``min(atol, rtol)`` meets this rule at every value."""
        return min(self.atol, self.rtol)

    def rescaled(self, factor: float) -> Tolerance:
        """The same rule for a problem whose values are multiplied by ``factor > 0``."""
        return Tolerance(atol=self.atol * factor, rtol=self.rtol)
