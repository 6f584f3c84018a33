"""Memory estimates made before a large problem is built, and the limit they are held to.

Three routes grow fast enough to exhaust a machine before they report anything: the generic
conic solvers driven through cvxpy (Clarabel factorises a dense block of the size of the PSD
cone, so its memory grows like the fourth power of the coupling dimension), the full
enumeration of occupation vectors in symmetric N-marginal OT, and the representability LP
(dense columns of the pair measure). Each entry point calls one estimator here and
:func:`check_memory`, which refuses with :class:`~qmot.errors.InvalidInputError` naming the
estimate, the limit and the way out — instead of being killed by the system.

The limit is :data:`MEMORY_LIMIT_BYTES` (read at each check, so it can be changed at run time:
``qmot._memory.MEMORY_LIMIT_BYTES = 64 * 2**30``), by default half of the physical memory or
the value of the environment variable ``QMOT_MEMORY_LIMIT_GB``.
"""

from __future__ import annotations

import os

from qmot.errors import InvalidInputError

__all__ = [
    "MEMORY_LIMIT_BYTES",
    "check_memory",
    "conic_sdp_bytes",
    "enumeration_lp_bytes",
    "exceeds_limit",
    "format_bytes",
    "representability_lp_bytes",
]


def _default_limit() -> int:
    """Half of the physical memory (or ``QMOT_MEMORY_LIMIT_GB`` GiB), 8 GiB if unknown."""
    configured = os.environ.get("QMOT_MEMORY_LIMIT_GB", "")
    if configured:
        try:
            return int(float(configured) * 2**30)
        except ValueError:
            pass  # an unreadable setting falls back to the default
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) // 2
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


MEMORY_LIMIT_BYTES: int = _default_limit()
"""Largest estimated memory (bytes) a problem may need before qmot refuses to build it."""

_BASE = 64 * 2**20
"""Fixed overhead of a solve (solver libraries, cvxpy's compilation), bytes."""

CLARABEL_FACTOR = 7.0
"""Measured peak memory of Clarabel ÷ 8·t² (t = entries of the real PSD cone's triangle):
6.9, 6.9, 6.5 and 6.3 at coupling dimensions 16, 25, 36 and 49 (peak RSS, one solve each:
22 MiB, 90 MiB, 358 MiB, 1.2 GiB)."""


def format_bytes(count: float) -> str:
    """``count`` bytes in MiB or GiB, for messages (``format_bytes(3 * 2**30) == '3.0 GiB'``)."""
    if count >= 2**30:
        return f"{count / 2**30:.1f} GiB"
    return f"{count / 2**20:.0f} MiB"


def conic_sdp_bytes(dim: int, solver: str) -> int:
    r"""Estimated peak memory of a coupling SDP of dimension ``dim`` through cvxpy.

    cvxpy turns the complex Hermitian PSD variable of size :math:`D` into a real PSD cone of
    size :math:`2D`, whose upper triangle has :math:`t = D(2D+1)` entries. Clarabel's KKT
    system holds a dense :math:`t\times t` block per PSD cone (and its factor), so its memory
    is :data:`CLARABEL_FACTOR` · 8 t² bytes; SCS works with :math:`2D\times 2D`
    eigendecompositions and sparse data, linear in :math:`t`.
    """
    entries = dim * (2 * dim + 1)
    if solver.upper() == "CLARABEL":
        return int(_BASE + CLARABEL_FACTOR * 8.0 * entries**2)
    return int(_BASE + 2_000 * entries + 64 * (2 * dim) ** 2)


def real_sdp_bytes(size: int) -> int:
    r"""Estimated peak memory of a real SDP with one PSD cone of size ``size`` in Clarabel
    (through cvxpy): :data:`CLARABEL_FACTOR` · 8 t² bytes for the :math:`t = n(n+1)/2`
    entries of the cone's upper triangle (see :func:`conic_sdp_bytes`)."""
    entries = size * (size + 1) // 2
    return int(_BASE + CLARABEL_FACTOR * 8.0 * entries**2)


def enumeration_lp_bytes(columns: int, sites: int, particles: int) -> int:
    """Estimated memory of the full-enumeration LP of symmetric N-marginal OT.

    Per column: the occupation vector (``sites`` int64), its cost, and HiGHS's copies of a
    column with at most ``min(particles, sites)`` non-zeros (value and index, about three
    copies) plus its bounds, basis status and work arrays: about 1 kB (measured: 1.3 kB per
    column all told at 177 100 columns, 20 sites, N = 6).
    """
    nonzeros = min(particles, sites)
    return int(_BASE + columns * (8 * sites + 8 + 3 * 12 * nonzeros + 1_000))


def representability_lp_bytes(columns: int, sites: int) -> int:
    """Estimated memory of the representability LP: dense pair-measure columns, three copies.

    Each of the ``columns`` occupation vectors contributes a dense column of the
    ``sites(sites+1)/2`` upper-triangle entries of its pair measure; the feasibility LP and the
    separating (Farkas) LP each hold it again in sparse form. Measured: 3.5 kB per column all
    told at L = N = 10 (92 378 columns, 352 MiB); the estimate there is 5 kB per column.
    """
    rows = sites * (sites + 1) // 2
    return int(_BASE + columns * (8 * sites + 6 * 12 * rows + 1_000))


def exceeds_limit(estimate: int) -> bool:
    """True when ``estimate`` bytes exceed :data:`MEMORY_LIMIT_BYTES` (read at each call)."""
    return estimate > MEMORY_LIMIT_BYTES


def check_memory(estimate: int, what: str, way_out: str) -> None:
    """Refuse a problem whose estimated memory exceeds :data:`MEMORY_LIMIT_BYTES`.

    Parameters
    ----------
    estimate
        Estimated peak memory in bytes.
    what
        The problem, as it reads in the message (e.g. ``"solver='CLARABEL' on a coupling of
        dimension 121"``).
    way_out
        What the user can do instead (another solver or method, a smaller problem).

    Raises
    ------
    InvalidInputError
        The estimate exceeds the limit; the message names both and the way out.
    """
    limit = MEMORY_LIMIT_BYTES
    if estimate > limit:
        raise InvalidInputError(
            f"{what} needs about {format_bytes(estimate)} of memory (estimate), more than the "
            f"limit of {format_bytes(limit)} (qmot._memory.MEMORY_LIMIT_BYTES or the "
            f"environment variable QMOT_MEMORY_LIMIT_GB); {way_out}"
        )
