"""Reading weighted point sets from JSON and CSV files (used by the ``qmot`` command).

JSON: ``{"points": [[x1, ..., xd], ...], "weights": [w1, ...]}`` (``weights`` optional, a bare
list of points is accepted too).

CSV: one point per row with a header naming the columns; a column called ``weight`` holds the
weights (optional), every other column is a coordinate. Without a header every column is a
coordinate and the weights are uniform.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from qmot.errors import InvalidInputError

__all__ = ["load_weighted_points"]

WEIGHT_COLUMN = "weight"


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"`{path}` must be UTF-8 text (got byte 0x{exc.object[exc.start]:02x} "
            f"at offset {exc.start})"
        ) from exc
    except OSError as exc:
        raise InvalidInputError(f"`{path}` must be a readable file ({exc.strerror})") from exc


def _numeric(value: object, path: Path, what: str) -> np.ndarray:
    """``value`` as a float array; ragged or non-numeric JSON is refused naming the file."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        lengths = sorted({len(row) if isinstance(row, list) else -1 for row in value})
        if len(lengths) > 1:
            raise InvalidInputError(
                f"`{path}` must give every point the same number of coordinates in {what} "
                f"(got rows of lengths {[n for n in lengths if n >= 0]})"
            )
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{path}` must hold only numbers in {what} ({exc})") from exc
    if any(isinstance(item, bool) for item in np.asarray(value, dtype=object).ravel()):
        raise InvalidInputError(f"`{path}` must hold only numbers in {what} (got a boolean)")
    return array


def _from_json(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"`{path}` must be valid JSON ({exc.msg} at line {exc.lineno})"
        ) from exc
    if isinstance(data, list):
        return _numeric(data, path, "the list of points"), None
    if not isinstance(data, dict) or "points" not in data:
        keys = sorted(data) if isinstance(data, dict) else []
        raise InvalidInputError(
            f"`{path}` must hold a list of points or an object with key 'points' "
            f"(got {type(data).__name__} with keys {keys})"
        )
    weights = data.get("weights")
    return (
        _numeric(data["points"], path, "'points'"),
        None if weights is None else _numeric(weights, path, "'weights'"),
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _from_csv(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    text = _read_text(path)
    rows = [
        row
        for row in csv.reader(io.StringIO(text, newline=""))
        if row and any(cell.strip() for cell in row)
    ]
    if not rows:
        raise InvalidInputError(f"`{path}` must contain at least one point (got an empty file)")
    header = None if all(_is_number(cell) for cell in rows[0]) else [c.strip() for c in rows[0]]
    body = rows if header is None else rows[1:]
    try:
        table = np.asarray([[float(cell) for cell in row] for row in body], dtype=float)
    except ValueError as exc:
        raise InvalidInputError(
            f"`{path}` must contain only numbers below the header ({exc})"
        ) from exc
    if table.ndim != 2 or table.shape[0] == 0:
        raise InvalidInputError(f"`{path}` must have rows of equal length with at least one point")
    if header is None or WEIGHT_COLUMN not in header:
        return table, None
    weight_index = header.index(WEIGHT_COLUMN)
    return np.delete(table, weight_index, axis=1), table[:, weight_index]


def load_weighted_points(path: str | Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Read ``(points, weights)`` from a ``.json`` or ``.csv`` file; weights may be ``None``.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "mu.json"
    >>> _ = f.write_text(json.dumps({"points": [[0.0], [1.0]], "weights": [0.25, 0.75]}))
    >>> load_weighted_points(f)[1].tolist()
    [0.25, 0.75]
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(f"`{file}` must be an existing file (not found)")
    suffix = file.suffix.lower()
    if suffix == ".json":
        return _from_json(file)
    if suffix == ".csv":
        return _from_csv(file)
    raise InvalidInputError(f"`{file}` must end in .json or .csv (got {suffix or 'no suffix'!r})")
