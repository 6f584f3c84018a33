"""The SQLite store of a sweep: one row per finished task, and claims on the running ones.

Several ``qmot sweep`` processes may share one store. Before a task is scheduled its process
*claims* it in a write transaction (``BEGIN IMMEDIATE``, so two claims on one key are
serialised by SQLite's lock): the claim succeeds only if the store has no result for the key
and no live claim by another process. A claim is live while its process exists (checked by
process id on the same host) and refreshes its heartbeat; a claim whose process died — or whose
heartbeat is older than :data:`STALE_AFTER` seconds — is taken over. Recording a result and
dropping its claim happen in one transaction.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from qmot.errors import InvalidInputError

__all__ = [
    "COLUMNS",
    "STALE_AFTER",
    "Store",
    "check_store",
    "read_rows",
]

COLUMNS = (
    "key",
    "task",
    "parameters",
    "cost",
    "lower_bound",
    "upper_bound",
    "status",
    "solver",
    "seconds",
    "qmot_version",
    "error",
    "finished_at",
)

STALE_AFTER = 120.0
"""Seconds without a heartbeat after which another process may take a claim over."""

BUSY_TIMEOUT = 60.0
"""Seconds a process waits for another one's write transaction on the store."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, task TEXT, "
    "parameters TEXT, cost REAL, lower_bound REAL, upper_bound REAL, status TEXT, "
    "solver TEXT, seconds REAL, qmot_version TEXT, error TEXT, finished_at REAL)",
    "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT, host TEXT, "
    "pid INTEGER, heartbeat REAL)",
)


def _open(store: str | Path) -> sqlite3.Connection:
    path = Path(store)
    if not path.parent.is_dir():
        raise InvalidInputError(f"`store` must be in an existing folder (got {path})")
    if path.exists() and not path.is_file():
        raise InvalidInputError(f"`store` must be a file (got the folder {path})")
    connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        for statement in _SCHEMA:
            connection.execute(statement)
        connection.execute("SELECT key FROM results LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        connection.close()
        raise InvalidInputError(
            f"`store` must be a qmot SQLite sweep store (got {path}: {exc})"
        ) from exc
    return connection


def check_store(store: str | Path) -> None:
    """Check that ``store`` can hold a sweep (before any task is scheduled).

    Raises
    ------
    InvalidInputError
        Its folder is missing, it is a folder, or it exists but is not a qmot SQLite store.
    """
    _open(store).close()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


class Store:
    """A sweep store opened by one sweep process (the owner of its claims)."""

    def __init__(self, store: str | Path, *, stale_after: float = STALE_AFTER) -> None:
        self.path = Path(store)
        self.connection = _open(store)
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.owner = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:12]}"
        self.stale_after = stale_after
        self.opened_at = time.time()

    def stored_keys(self, *, retry_failed: bool = False) -> set[str]:
        """Keys that need no run: every stored row, or the successful ones with retries."""
        query = "SELECT key FROM results"
        if retry_failed:
            query += " WHERE status IS NOT 'failed'"
        return {key for (key,) in self.connection.execute(query)}

    def _claim_is_live(self, host: str, pid: int, heartbeat: float) -> bool:
        if time.time() - heartbeat > self.stale_after:
            return False
        return host != self.host or _process_alive(pid)

    def claim(self, key: str, *, retry_failed: bool = False) -> str:
        """Claim ``key`` for this process: ``"claimed"``, ``"stored"`` or ``"elsewhere"``.

        With ``retry_failed`` a failed row stored before this store was opened is run again
        (a failure recorded since, by any process, is not retried twice).
        """
        cursor = self.connection
        cursor.execute("BEGIN IMMEDIATE")
        try:
            row = cursor.execute(
                "SELECT status, finished_at FROM results WHERE key = ?", (key,)
            ).fetchone()
            if row is not None and not (
                retry_failed and row[0] == "failed" and (row[1] or 0.0) < self.opened_at
            ):
                cursor.execute("ROLLBACK")
                return "stored"
            held = cursor.execute(
                "SELECT owner, host, pid, heartbeat FROM claims WHERE key = ?", (key,)
            ).fetchone()
            if held is not None and held[0] != self.owner and self._claim_is_live(*held[1:]):
                cursor.execute("ROLLBACK")
                return "elsewhere"
            cursor.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?)",
                (key, self.owner, self.host, self.pid, time.time()),
            )
            cursor.execute("COMMIT")
        except BaseException:
            if self.connection.in_transaction:
                cursor.execute("ROLLBACK")
            raise
        return "claimed"

    def heartbeat(self) -> None:
        """Mark this process's claims as live."""
        self.connection.execute(
            "UPDATE claims SET heartbeat = ? WHERE owner = ?", (time.time(), self.owner)
        )

    def record(self, row: dict[str, Any]) -> None:
        """Store a finished task and drop its claim, in one transaction."""
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self.connection:
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.execute(
                f"INSERT OR REPLACE INTO results VALUES ({placeholders})",
                [row[c] for c in COLUMNS],
            )
            self.connection.execute(
                "DELETE FROM claims WHERE key = ? AND owner = ?", (row["key"], self.owner)
            )

    def release(self) -> None:
        """Drop every claim of this process (its unfinished tasks become claimable)."""
        self.connection.execute("DELETE FROM claims WHERE owner = ?", (self.owner,))

    def close(self) -> None:
        """Release the claims and close the connection."""
        try:
            self.release()
        finally:
            self.connection.close()


def read_rows(store: str | Path) -> list[dict[str, Any]]:
    """All rows of a store, parameters decoded, ordered by finishing time."""
    path = Path(store)
    if not path.is_file():
        raise InvalidInputError(f"`{path}` must be an existing sweep store (not found)")
    connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT)
    try:
        cursor = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM results ORDER BY finished_at"
        )
        rows = [dict(zip(COLUMNS, values, strict=True)) for values in cursor]
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(f"`{path}` must be a qmot sweep store ({exc})") from exc
    finally:
        connection.close()
    for row in rows:
        _decode_row(row, path)
    return rows


_NUMBER_COLUMNS = ("cost", "lower_bound", "upper_bound", "seconds", "finished_at")
_TEXT_COLUMNS = ("key", "task", "status", "solver", "qmot_version", "error")


def _decode_row(row: dict[str, Any], path: Path) -> None:
    """Decode ``parameters`` in place; refuse a row whose columns have the wrong types."""
    where = f"`{path}` row {row.get('key')!r}"
    try:
        parameters = json.loads(row["parameters"])
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{where} must hold parameters as a JSON object ({exc})") from exc
    if not isinstance(parameters, dict):
        raise InvalidInputError(
            f"{where} must hold parameters as a JSON object (got {type(parameters).__name__})"
        )
    row["parameters"] = parameters
    for column in _NUMBER_COLUMNS:
        value = row[column]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidInputError(f"{where} must have a number in `{column}` (got {value!r})")
    for column in _TEXT_COLUMNS:
        if row[column] is not None and not isinstance(row[column], str):
            raise InvalidInputError(f"{where} must have text in `{column}` (got {row[column]!r})")
    if row["status"] is None or row["seconds"] is None:
        raise InvalidInputError(f"{where} must have a status and seconds (got None)")
