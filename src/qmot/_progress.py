"""Live progress display for long certified solves (rich), silent unless asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Update = Callable[[dict[str, float]], None]


def _format(record: dict[str, float]) -> str:
    parts = []
    for key, value in record.items():
        if isinstance(value, float):
            parts.append(f"{key} {value:.10g}")
        else:
            parts.append(f"{key} {value}")
    return " · ".join(parts)


@contextmanager
def bracket_progress(title: str, *, enabled: bool) -> Iterator[Update | None]:
    """Yield a callback that shows each iteration's record on one live line (or ``None``).

    The record is any mapping of names to numbers (iteration, pool size, lower and upper
    bound, …); it is printed to standard error so it never mixes with a program's output.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(title, total=None)

        def update(record: dict[str, float]) -> None:
            progress.update(task, description=f"{title}: {_format(record)}")

        yield update


class StageTable:
    """Rich live table on stderr: one row per finished ε-stage and a running status line."""

    def __init__(self, title: str) -> None:
        self.title = title
        from rich.console import Console
        from rich.live import Live

        self.rows: list[dict[str, float]] = []
        self.current: dict[str, float] | None = None
        self.live = Live(
            self._render(), console=Console(stderr=True), refresh_per_second=4, transient=False
        )

    def __enter__(self) -> StageTable:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.update(self._render())
        self.live.__exit__(None, None, None)

    def chain(
        self, other: Callable[[dict[str, float]], None] | None
    ) -> Callable[[dict[str, float]], None]:
        def update(entry: dict[str, float]) -> None:
            if entry.get("final"):
                self.rows.append(entry)
            self.current = entry
            self.live.update(self._render())
            if other is not None:
                other(entry)

        return update

    def _render(self) -> Any:
        from rich.table import Table

        table = Table(title=self.title, expand=False)
        for column in ("stage", "ε", "evaluations", "seconds", "lower", "upper", "rel. gap"):
            table.add_column(column, justify="right")
        shown = list(self.rows)
        if self.current is not None and not self.current.get("final"):
            shown.append(self.current)
        for entry in shown:
            gap = (entry["upper"] - entry["lower"]) / max(1.0, abs(entry["upper"]))
            table.add_row(
                f"{entry['stage']:.0f}" + ("" if entry.get("final") else " …"),
                f"{entry['epsilon']:.2e}",
                f"{entry['evaluations']:.0f}",
                f"{entry['seconds']:.1f}",
                f"{entry['lower']:.10g}",
                f"{entry['upper']:.10g}",
                f"{gap:.2e}",
            )
        return table
