"""Input checks shared by the public entry points.

Each entry point calls these once, before any solver. Every failure raises
:class:`~qmot.errors.InvalidInputError` whose message names the argument, the rule
and the value seen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot.errors import InvalidInputError

__all__ = [
    "WEIGHT_SUM_TOL",
    "as_density_matrix",
    "as_hermitian",
    "as_points",
    "as_real_array",
    "as_vector",
    "as_weights",
    "check_positive_int",
    "check_seconds",
    "check_tolerance",
    "dense",
    "reject_imaginary",
]

WEIGHT_SUM_TOL = 1e-9
"""Absolute tolerance on ``sum(weights) == 1`` and ``trace(R) == 1``."""


def dense(value: Any, name: str = "value") -> Any:
    """The plain array of an object with a callable ``.full()`` (a QuTiP ``Qobj``), else ``value``.

    QuTiP is not a dependency: any object whose ``full()`` returns its dense matrix (as
    ``qutip.Qobj.full`` does) is accepted wherever a matrix or an operator is.

    Examples
    --------
    >>> class Operator:
    ...     def full(self):
    ...         return np.eye(2)
    >>> dense(Operator()).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if isinstance(value, np.ndarray):
        return value
    full = getattr(value, "full", None)
    if not callable(full):
        return value
    try:
        return np.asarray(full())
    except Exception as exc:  # whatever the object's own conversion raises
        raise InvalidInputError(
            f"`{name}` must convert to a matrix with .full() (got {type(value).__name__}: "
            f"{type(exc).__name__}: {exc})"
        ) from exc


def is_ket(value: Any) -> bool:
    """True for a QuTiP-style state vector (an object with ``.full()`` and ``isket`` true)."""
    return callable(getattr(value, "full", None)) and getattr(value, "isket", False) is True


def reject_imaginary(value: ArrayLike, name: str) -> ArrayLike:
    """Refuse a complex ``value`` for a real argument unless its imaginary part is exactly 0.

    NumPy would drop the imaginary part with only a ``ComplexWarning``; a complex array whose
    imaginary part is exactly zero loses nothing and is accepted (as its real part).
    """
    if isinstance(value, np.ndarray):
        candidate = value
    elif isinstance(value, complex | np.complexfloating):
        candidate = np.asarray(value)
    else:
        try:
            candidate = np.asarray(value)
        except (TypeError, ValueError):
            return value  # ragged or non-numeric: the conversion below reports it
    if not np.iscomplexobj(candidate):
        return value
    imaginary = np.abs(np.imag(candidate))
    if np.any(imaginary != 0):
        largest = float(np.nanmax(imaginary)) if imaginary.size else 0.0
        raise InvalidInputError(
            f"`{name}` must be real (got complex entries, max |imag| = {largest:.3g})"
        )
    return np.real(candidate)


def _as_finite_array(value: ArrayLike, name: str, *, dtype: type) -> np.ndarray:
    value = dense(value, name)
    if dtype is float:
        value = reject_imaginary(value, name)
    try:
        array = np.ascontiguousarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{name}` must be numeric (got {type(value).__name__})") from exc
    if array.size == 0:
        raise InvalidInputError(f"`{name}` must not be empty (got shape {array.shape})")
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise InvalidInputError(f"`{name}` must be finite (got {bad} NaN/inf entries)")
    return array


def as_vector(value: ArrayLike, name: str, length: int) -> np.ndarray:
    """Return ``value`` as a finite float vector of the given length."""
    array = _as_finite_array(value, name, dtype=float)
    if array.shape != (length,):
        raise InvalidInputError(
            f"`{name}` must be a vector of length {length} (got shape {array.shape})"
        )
    return array


def as_real_array(value: ArrayLike, name: str) -> np.ndarray:
    """Return ``value`` as a real float array of any shape (no finiteness check).

    Complex input is refused unless its imaginary part is exactly 0; ragged or non-numeric
    input is refused with a message naming ``name``.
    """
    real = reject_imaginary(value, name)
    try:
        return np.asarray(real, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{name}` must be numeric (got {type(value).__name__})") from exc


def as_points(points: ArrayLike, name: str, *, dim: int | None = None) -> np.ndarray:
    """Return ``points`` as a finite float array of shape ``(n, d)``.

    A 1-D input of length ``n`` is read as ``n`` points on the line. Complex input is refused
    unless its imaginary part is exactly 0 (then its real part is used): NumPy would otherwise
    drop a non-zero imaginary part with only a warning.
    """
    array = _as_finite_array(points, name, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InvalidInputError(
            f"`{name}` must be a 1-D or 2-D array of points (got ndim={array.ndim})"
        )
    if dim is not None and array.shape[1] != dim:
        raise InvalidInputError(
            f"`{name}` must have {dim} coordinates per point to match the other side "
            f"(got {array.shape[1]})"
        )
    return array


def as_weights(
    weights: ArrayLike | None, name: str, size: int, *, normalize: bool = False
) -> np.ndarray:
    """Return validated probability weights of length ``size``.

    ``None`` means uniform weights. Weights must be real (as in :func:`as_points`), finite
    and non-negative and sum to 1 within :data:`WEIGHT_SUM_TOL`; with ``normalize=True`` a
    positive total is divided out instead (never silently).
    """
    if weights is None:
        return np.full(size, 1.0 / size)
    array = _as_finite_array(weights, name, dtype=float)
    if array.ndim != 1 or array.shape[0] != size:
        raise InvalidInputError(
            f"`{name}` must be a 1-D array with one weight per point ({size}) "
            f"(got shape {array.shape})"
        )
    if np.any(array < 0):
        raise InvalidInputError(f"`{name}` must be non-negative (got minimum {array.min():.6g})")
    total = float(array.sum())
    if normalize:
        if total <= 0:
            raise InvalidInputError(f"`{name}` must have a positive sum to normalise (got {total})")
        return array / total
    if abs(total - 1.0) > WEIGHT_SUM_TOL:
        raise InvalidInputError(
            f"`{name}` must sum to 1 within {WEIGHT_SUM_TOL:g} (got {total:.12g}); "
            "pass normalize=True to rescale"
        )
    return array


def as_hermitian(matrix: ArrayLike, name: str, *, rtol: float = 1e-10) -> np.ndarray:
    """Return ``matrix`` as a complex Hermitian array (exactly symmetrised).

    The deviation ``||M - M^*||_max`` must be at most ``rtol * max(1, ||M||_max)``.
    """
    array = _as_finite_array(matrix, name, dtype=complex)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise InvalidInputError(f"`{name}` must be a square matrix (got shape {array.shape})")
    scale = max(1.0, float(np.abs(array).max()))
    deviation = float(np.abs(array - array.conj().T).max())
    if deviation > rtol * scale:
        raise InvalidInputError(f"`{name}` must be Hermitian (got max |M - M^*| = {deviation:.3g})")
    return (array + array.conj().T) / 2


def as_density_matrix(
    matrix: ArrayLike, name: str, *, psd_tol: float = 1e-10, normalize: bool = False
) -> np.ndarray:
    """Return a validated density matrix: Hermitian, positive semidefinite, trace 1.

    ``psd_tol`` is relative to the largest eigenvalue; ``normalize=True`` divides out a
    positive trace instead of rejecting it. A QuTiP ket (``isket``) is read as the pure state
    |ψ⟩⟨ψ|; a QuTiP density matrix as its dense matrix.
    """
    if is_ket(matrix):
        vector = _as_finite_array(matrix, name, dtype=complex).reshape(-1)
        matrix = np.outer(vector, vector.conj())
    hermitian = as_hermitian(matrix, name)
    eigenvalues = np.linalg.eigvalsh(hermitian)
    if eigenvalues[0] < -psd_tol * max(1.0, abs(eigenvalues[-1])):
        raise InvalidInputError(
            f"`{name}` must be positive semidefinite (got least eigenvalue {eigenvalues[0]:.3g})"
        )
    trace = float(np.trace(hermitian).real)
    if normalize:
        if trace <= 0:
            raise InvalidInputError(f"`{name}` must have positive trace to normalise (got {trace})")
        return hermitian / trace
    if abs(trace - 1.0) > WEIGHT_SUM_TOL:
        raise InvalidInputError(
            f"`{name}` must have trace 1 within {WEIGHT_SUM_TOL:g} (got {trace:.12g}); "
            "pass normalize=True to rescale"
        )
    return hermitian


def check_positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidInputError(f"`{name}` must be an integer (got {value!r})")
    if value < minimum:
        raise InvalidInputError(f"`{name}` must be at least {minimum} (got {value})")
    return int(value)


def check_seconds(value: object, name: str) -> float | None:
    """Return a wall-clock budget as ``float``, or ``None`` (no limit).

    Raises
    ------
    InvalidInputError
        ``value`` is not ``None`` and not a positive finite number (booleans are refused).
    """
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not (np.isfinite(value) and value > 0)
    ):
        raise InvalidInputError(
            f"`{name}` must be a positive number of seconds or None (got {value!r})"
        )
    return float(value)


def check_tolerance(value: object, name: str = "tol") -> float:
    """Return a tolerance as ``float``: a positive finite real number.

    Raises
    ------
    InvalidInputError
        ``value`` is a string, a boolean, not a real number, not finite, or not positive.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise InvalidInputError(
            f"`{name}` must be a positive number (got {type(value).__name__} {value!r})"
        )
    if not (np.isfinite(value) and value > 0):
        raise InvalidInputError(f"`{name}` must be a positive number (got {value!r})")
    return float(value)


def check_named_options(
    options: Mapping[str, Any],
    rules: Mapping[str, tuple[str, Callable[[Any], bool]]],
    solver: str,
) -> dict[str, Any]:
    """Validate a solver's ``solver_options`` against its schema ``{name: (rule, check)}``.

    Raises
    ------
    InvalidInputError
        An unknown option name (the accepted ones are listed), or a value that breaks its rule.
    """
    for name, value in options.items():
        if name not in rules:
            raise InvalidInputError(
                f"`solver_options` for {solver} must use names from {tuple(rules)} (got {name!r})"
            )
        rule, check = rules[name]
        if not check(value):
            raise InvalidInputError(f"`solver_options[{name!r}]` must be {rule} (got {value!r})")
    return dict(options)


def is_integer_value(value: Any) -> bool:
    """True for Python and NumPy integers (not booleans): a rule of the options schemas."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def is_finite_real(value: Any) -> bool:
    """True for finite Python and NumPy reals (not booleans): a rule of the options schemas."""
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and bool(np.isfinite(value))
    )
