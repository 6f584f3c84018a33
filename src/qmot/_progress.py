"""Live progress display for long certified solves (rich), silent unless asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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
