"""Reading the inputs of the ``qmot mk2``, ``dpt``, ``sce`` and ``nbody`` commands from files.

Formats (also in ``qmot COMMAND --help`` and the documentation's command-line page):

* **Matrices and vectors**: ``.npy`` (NumPy's own format, real or complex; pickles refused),
  ``.json`` (nested lists, or ``{"real": [[...]], "imag": [[...]]}`` for complex entries) or
  ``.csv`` (real numbers, one row per line, ``inf`` allowed, a header line of names skipped).
* **Quantum states** (``qmot mk2``): a JSON object with a ``"kind"`` key --

  - ``{"kind": "coherent", "points": [[q.., p..], ...], "weights": [...], "hbar": 0.5}``,
  - ``{"kind": "fock", "matrix": [[...]], "hbar": 0.5, "modes": 1}``,
  - ``{"kind": "number", "occupation": 2, "cutoff": 4, "hbar": 0.5}``,
  - ``{"kind": "thermal", "mean_occupation": 0.3, "cutoff": 20, "hbar": 0.5}`` --

  or a ``.npy`` density matrix in the Fock basis (ħ and the number of modes from the command's
  options).
* **Operators** (``qmot dpt --ops``): ``pauli``, ``spin:J`` (``J`` = 1/2, 1, 3/2, ...) or a file:
  ``.npy`` of shape ``(m, d, d)`` or ``.json`` list of ``m`` matrices.
* **Densities on the line** (``qmot sce``): two columns ``x, value`` (``.csv`` or ``.npy`` of
  shape ``(n, 2)``), or a named test density ``uniform`` (on [0, 1]) or ``gaussian`` (the
  standard normal density on 201 points of [-5, 5]).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from qmot.errors import InvalidInputError

__all__ = [
    "NAMED_DENSITIES",
    "load_array",
    "load_density_1d",
    "load_operators",
    "load_state",
    "pair_cost_from_name",
]


def _read_text(path: Path, name: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"`{name}` ({path}) must be UTF-8 text (got byte 0x{exc.object[exc.start]:02x} "
            f"at offset {exc.start})"
        ) from exc


def _existing(path: str | Path, name: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(f"`{name}` must be an existing file (got {file}: not found)")
    return file


def _json(path: Path, name: str) -> Any:
    try:
        return json.loads(_read_text(path, name))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"`{name}` ({path}) must be valid JSON ({exc.msg} at line {exc.lineno})"
        ) from exc


def _numbers(value: Any, name: str, path: Path) -> np.ndarray:
    """A JSON value as a float or complex array (``{"real": .., "imag": ..}`` for complex)."""
    if isinstance(value, dict):
        if set(value) != {"real", "imag"}:
            raise InvalidInputError(
                f"`{name}` ({path}) must be a list of numbers or an object with exactly the keys "
                f"'real' and 'imag' (got keys {sorted(value)})"
            )
        real, imag = _numbers(value["real"], name, path), _numbers(value["imag"], name, path)
        if real.shape != imag.shape:
            raise InvalidInputError(
                f"`{name}` ({path}) must have 'real' and 'imag' of one shape "
                f"(got {real.shape} and {imag.shape})"
            )
        return real + 1j * imag
    if any(isinstance(item, bool) for item in np.asarray(value, dtype=object).ravel()):
        raise InvalidInputError(f"`{name}` ({path}) must hold numbers (got a boolean)")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"`{name}` ({path}) must hold numbers in rows of equal length ({exc})"
        ) from exc


def _csv(path: Path, name: str) -> np.ndarray:
    rows = [
        [cell.strip() for cell in row]
        for row in csv.reader(io.StringIO(_read_text(path, name), newline=""))
        if row and any(cell.strip() for cell in row)
    ]
    if rows and not all(_is_number(cell) for cell in rows[0]):
        rows = rows[1:]  # a header of names
    if not rows:
        raise InvalidInputError(f"`{name}` ({path}) must hold at least one row of numbers")
    try:
        table = np.asarray([[float(cell) for cell in row] for row in rows], dtype=float)
    except ValueError as exc:
        raise InvalidInputError(
            f"`{name}` ({path}) must hold numbers in rows of equal length ({exc})"
        ) from exc
    return table


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_array(path: str | Path, name: str) -> np.ndarray:
    """Read a matrix or vector from ``.npy``, ``.json`` or ``.csv``; ``name`` is the argument.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "C.csv"
    >>> _ = f.write_text("inf,1\\n1,inf\\n")
    >>> load_array(f, "COST").tolist()
    [[inf, 1.0], [1.0, inf]]
    """
    file = _existing(path, name)
    suffix = file.suffix.lower()
    if suffix == ".npy":
        try:
            array = np.load(file, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise InvalidInputError(
                f"`{name}` ({file}) must be a NumPy .npy file of numbers ({exc})"
            ) from exc
        if array.dtype.kind not in "biufc":
            raise InvalidInputError(
                f"`{name}` ({file}) must hold numbers (got dtype {array.dtype})"
            )
        return array.astype(complex if array.dtype.kind == "c" else float)
    if suffix == ".json":
        return _numbers(_json(file, name), name, file)
    if suffix == ".csv":
        return _csv(file, name)
    raise InvalidInputError(
        f"`{name}` must end in .npy, .json or .csv (got {suffix or 'no suffix'!r} in {file})"
    )


def load_vector(path: str | Path, name: str) -> np.ndarray:
    """A vector from a file: a 1-D array, or a matrix with one row or one column."""
    array = load_array(path, name)
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise InvalidInputError(f"`{name}` must hold a vector (got shape {array.shape})")
    return array


STATE_KINDS = ("coherent", "fock", "number", "thermal")
"""The ``"kind"`` values of a state file."""


def _field(data: dict[str, Any], key: str, name: str, path: Path) -> Any:
    if key not in data:
        raise InvalidInputError(
            f"`{name}` ({path}) must have the key {key!r} for kind {data['kind']!r} "
            f"(got keys {sorted(data)})"
        )
    return data[key]


def load_state(path: str | Path, name: str, *, hbar: float = 1.0, modes: int = 1) -> Any:
    """A :class:`~qmot.quantum.CoherentMixture` or :class:`~qmot.quantum.FockDensity` from a file.

    ``hbar`` and ``modes`` apply to a ``.npy`` density matrix and to JSON files without these keys.
    """
    from qmot.quantum import CoherentMixture, FockDensity

    file = _existing(path, name)
    if file.suffix.lower() == ".npy":
        return FockDensity(load_array(file, name), hbar, modes)
    if file.suffix.lower() != ".json":
        raise InvalidInputError(f"`{name}` must end in .json or .npy (got {file.suffix!r})")
    data = _json(file, name)
    if not isinstance(data, dict) or data.get("kind") not in STATE_KINDS:
        got = data.get("kind") if isinstance(data, dict) else type(data).__name__
        raise InvalidInputError(
            f"`{name}` ({file}) must be a JSON object whose 'kind' is one of "
            f"{', '.join(STATE_KINDS)} (got {got!r})"
        )
    state_hbar = float(data.get("hbar", hbar))
    kind = data["kind"]
    if kind == "coherent":
        points = _numbers(_field(data, "points", name, file), name, file)
        weights = data.get("weights")
        return CoherentMixture(
            points, None if weights is None else _numbers(weights, name, file), state_hbar
        )
    if kind == "fock":
        matrix = _numbers(_field(data, "matrix", name, file), name, file)
        return FockDensity(matrix, state_hbar, int(data.get("modes", modes)))
    if kind == "number":
        occupation = _field(data, "occupation", name, file)
        occupation = tuple(occupation) if isinstance(occupation, list) else occupation
        return FockDensity.number_state(occupation, state_hbar, data.get("cutoff"))
    return FockDensity.thermal(
        float(_field(data, "mean_occupation", name, file)),
        state_hbar,
        int(data.get("cutoff", 20)),
    )


def load_operators(spec: str, name: str) -> tuple[np.ndarray, ...]:
    """The operators named by ``spec``: ``pauli``, ``spin:J`` or a ``.npy``/``.json`` file."""
    from qmot.quantum import pauli, spin

    if spec == "pauli":
        return pauli()
    if spec.startswith("spin:"):
        text = spec.removeprefix("spin:")
        try:
            j = Fraction(text)
        except (ValueError, ZeroDivisionError) as exc:
            raise InvalidInputError(
                f"`{name}` must be spin:J with J = 1/2, 1, 3/2, ... (got {spec!r})"
            ) from exc
        return spin(float(j))
    array = load_array(spec, name)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1] != array.shape[2]:
        raise InvalidInputError(
            f"`{name}` must be pauli, spin:J or a file of square matrices of shape (m, d, d) "
            f"(got shape {array.shape})"
        )
    return tuple(array)


def _uniform() -> tuple[np.ndarray, np.ndarray | None]:
    return np.array([0.0, 1.0]), None


def _gaussian() -> tuple[np.ndarray, np.ndarray | None]:
    x = np.linspace(-5.0, 5.0, 201)
    return x, np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)


NAMED_DENSITIES: dict[str, Callable[[], tuple[np.ndarray, np.ndarray | None]]] = {
    "uniform": _uniform,
    "gaussian": _gaussian,
}
"""Test densities ``qmot sce`` knows by name: ``(grid, values)`` (``None``: uniform)."""


def load_density_1d(spec: str, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """``(x, values)`` of a density on the line: a named test density or a two-column file."""
    if spec in NAMED_DENSITIES:
        return NAMED_DENSITIES[spec]()
    table = load_array(spec, name)
    if table.ndim != 2 or table.shape[1] != 2 or np.iscomplexobj(table):
        raise InvalidInputError(
            f"`{name}` must be {', '.join(NAMED_DENSITIES)} or a file of two real columns "
            f"x, value (got shape {table.shape})"
        )
    return table[:, 0], table[:, 1]


def pair_cost_from_name(spec: str, name: str) -> Any:
    """``coulomb``, ``yukawa[:EPSILON]`` or ``exponential[:A]`` as a pair cost."""
    from qmot.manybody import Coulomb, Exponential, Yukawa

    kind, _, parameter = spec.partition(":")
    makers = {"coulomb": Coulomb, "yukawa": Yukawa, "exponential": Exponential}
    if kind not in makers or (kind == "coulomb" and parameter):
        raise InvalidInputError(
            f"`{name}` must be coulomb, yukawa[:EPSILON] or exponential[:A] (got {spec!r})"
        )
    if not parameter:
        return makers[kind]()
    try:
        value = float(parameter)
    except ValueError as exc:
        raise InvalidInputError(
            f"`{name}` must give a number after {kind}: (got {parameter!r})"
        ) from exc
    return makers[kind](value)
