"""The ``qmot`` command-line tool (Typer + rich)."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from qmot._version import __version__
from qmot.cli_jobs import register_job_commands, result_table
from qmot.errors import InvalidInputError, QmotError

app = typer.Typer(
    name="qmot",
    help="Quantum and many-body optimal transport with certified results.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
error_console = Console(stderr=True)


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"qmot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Quantum and many-body optimal transport with certified results."""


DEBUG_VARIABLE = "QMOT_DEBUG"
"""Set this environment variable (to anything but ``""`` or ``0``) to see tracebacks."""

EXPECTED_ERRORS = (QmotError, OSError, ValueError, KeyError, TypeError, sqlite3.Error)
"""Exceptions the commands turn into one ``error: ...`` line and exit code 2."""

_Command = TypeVar("_Command", bound=Callable[..., Any])


def _debugging() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _error_line(message: object) -> None:
    """Print ``error: message`` as exactly one line on stderr (never wrapped)."""
    text = " ".join(str(message).split()) or "unknown error"
    typer.echo(f"error: {text}", err=True)


def _fail(exc: BaseException) -> NoReturn:
    message = str(exc) if isinstance(exc, QmotError) else f"{type(exc).__name__}: {exc}"
    _error_line(message)
    raise typer.Exit(code=2) from exc


def _one_line_errors(command: _Command) -> _Command:
    """Turn the expected failures of a command into one line on stderr and exit code 2.

    With :data:`DEBUG_VARIABLE` set the exception propagates (with its traceback).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EXPECTED_ERRORS as exc:
            if _debugging():
                raise
            _fail(exc)

    return wrapper  # type: ignore[return-value]


def _check_output(target: Path, option: str) -> None:
    """Refuse an output file whose folder does not exist, or that is a folder."""
    if not target.parent.is_dir():
        raise InvalidInputError(f"`{option}` must be in an existing folder (got {target})")
    if target.is_dir():
        raise InvalidInputError(f"`{option}` must be a file, not a folder (got {target})")


@app.command("w2")
@_one_line_errors
def w2_command(
    first: Annotated[Path, typer.Argument(help="First weighted point set (.json or .csv).")],
    second: Annotated[Path, typer.Argument(help="Second weighted point set (.json or .csv).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    normalize: Annotated[
        bool, typer.Option("--normalize", help="Rescale weights that do not sum to 1.")
    ] = False,
) -> None:
    """Exact squared 2-Wasserstein distance W₂² between two weighted point sets."""
    from qmot.classical import w2
    from qmot.io import load_weighted_points

    x, a = load_weighted_points(first)
    y, b = load_weighted_points(second)
    result = w2(x, a, y, b, normalize=normalize)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        console.print(result_table(f"W₂²({first.name}, {second.name})", result))


def _selected_papers(paper: str) -> list[str]:
    from qmot.experiments import papers

    known = list(papers())
    if paper == "all":
        return known
    if paper not in known:
        raise InvalidInputError(
            f"`paper` must be one of {', '.join([*known, 'all'])} (got {paper!r})"
        )
    return [paper]


@app.command("reproduce")
@_one_line_errors
def reproduce_command(
    paper: Annotated[str, typer.Argument(help="A paper's key (see --list) or all.")] = "all",
    quick: Annotated[bool, typer.Option("--quick", help="Small grids (all in minutes).")] = False,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("qmot-results"),
    force: Annotated[
        bool, typer.Option("--force", help="Recompute papers that already have results.")
    ] = False,
    list_papers: Annotated[
        bool, typer.Option("--list", help="List the papers (key and title) and exit.")
    ] = False,
) -> None:
    """Reproduce the papers' claims: report.md, report.html, PNG figures and results.json."""
    import time

    from qmot.experiments import papers

    if list_papers:
        for key, module in papers().items():
            typer.echo(f"{key}\t{module.TITLE}")
        return

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from qmot.report import load_paper_result, save_paper_result, write_report

    names = _selected_papers(paper)
    if out.exists() and not out.is_dir():
        raise InvalidInputError(f"`--out` must be a folder (got the file {out})")
    for name in names:
        if (out / name).exists() and not (out / name).is_dir():
            raise InvalidInputError(f"`--out` must not hold a file named {name} (got {out / name})")
    stored_results = {
        name: None if force else load_paper_result(out / name, quick=quick) for name in names
    }
    results = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("reproducing", total=len(names))
        for name in names:
            folder = out / name
            stored = stored_results[name]
            if stored is not None:
                progress.update(task, description=f"{name}: reused stored results")
                results.append(stored)
            else:
                progress.update(task, description=f"{name}: running")
                started = time.perf_counter()
                report = papers()[name].run(quick=quick)
                results.append(
                    save_paper_result(
                        report, folder, quick=quick, seconds=time.perf_counter() - started
                    )
                )
            progress.advance(task)
    paths = write_report(results, out)
    table = Table(title="qmot reproduce")
    for column in ("paper", "claims", "passed", "seconds"):
        table.add_column(column)
    for result in results:
        style = "green" if result.passed == len(result.claims) else "red"
        table.add_row(
            result.paper,
            str(len(result.claims)),
            f"[{style}]{result.passed}[/{style}]",
            f"{result.seconds:.1f}",
        )
    console.print(table)
    console.print(f"report: {paths['html']} (also {paths['markdown'].name}, {paths['json'].name})")
    if any(r.passed != len(r.claims) for r in results):
        raise typer.Exit(code=1)


@app.command("sweep")
@_one_line_errors
def sweep_command(
    spec: Annotated[Path, typer.Argument(help="Sweep spec (TOML).")],
    store: Annotated[
        Path | None, typer.Option("--store", help="SQLite store (default: SPEC with .sqlite).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler, e.g. tcp://host:8786.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Processes of the local cluster (default: one per core)."),
    ] = None,
    threads_per_task: Annotated[
        int | None,
        typer.Option(
            "--threads-per-task", help="BLAS threads per task (default: cores ÷ tasks at once)."
        ),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run again the tasks stored as failed.")
    ] = False,
    worker_timeout: Annotated[
        float,
        typer.Option("--worker-timeout", help="Seconds without a live worker before giving up."),
    ] = 60.0,
) -> None:
    """Run a parameter sweep on Dask; every finished task is stored at once (resumable).

    Several sweeps may share one store: each task is claimed before it runs, so none is
    computed twice. Exit code 1 when a task failed or no worker stayed alive, 130 on Ctrl-C.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from qmot.sweep import NoWorkersError, check_store, load_spec, run_sweep

    parsed = load_spec(spec)
    target = store or spec.with_suffix(".sqlite")
    check_store(target)
    finished = [0]

    def advance(done: int, total: int) -> None:
        finished[0] = done
        bar.update(task, completed=done, total=total)

    try:
        with Progress(
            BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as bar:
            task = bar.add_task("sweep", total=None)
            counts = run_sweep(
                parsed,
                target,
                scheduler=scheduler,
                workers=workers,
                threads_per_task=threads_per_task,
                retry_failed=retry_failed,
                worker_timeout=worker_timeout,
                progress=advance,
            )
    except KeyboardInterrupt:
        _error_line(
            f"interrupted: {finished[0]} tasks of this run are stored in {target}; "
            "run the same command to resume"
        )
        raise typer.Exit(code=130) from None
    except NoWorkersError as exc:
        _error_line(str(exc))
        raise typer.Exit(code=1) from None
    elsewhere = f", {counts['elsewhere']} claimed by another sweep" if counts["elsewhere"] else ""
    console.print(
        f"{counts['total']} tasks: {counts['skipped']} already stored, "
        f"{counts['ran']} ran ({counts['failed']} failed){elsewhere} → {target}"
    )
    if counts["failed"]:
        _error_line(
            f"{counts['failed']} tasks failed (see `qmot results show {target}`); "
            "rerun with --retry-failed to run them again"
        )
        raise typer.Exit(code=1)


results_app = typer.Typer(help="Inspect and export sweep stores.", no_args_is_help=True)
app.add_typer(results_app, name="results")


def _rows_or_fail(store: Path) -> list[dict]:
    from qmot.sweep import read_rows

    return read_rows(store)


def _flat(row: dict) -> dict:
    flat = {k: v for k, v in row.items() if k != "parameters"}
    flat.update({f"param_{k}": v for k, v in row["parameters"].items()})
    return flat


def _parameter_names(rows: list[dict]) -> list[str]:
    return sorted({name for row in rows for name in row["parameters"]})


@results_app.command("show")
@_one_line_errors
def results_show(store: Annotated[Path, typer.Argument(help="SQLite store.")]) -> None:
    """Print the rows of a sweep store, one column per parameter."""
    rows = _rows_or_fail(store)
    names = _parameter_names(rows)
    table = Table(title=f"{store.name}: {len(rows)} tasks")
    for column in (*names, "cost", "bracket", "status", "solver", "seconds", "error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        bracket = (
            ""
            if row["lower_bound"] is None
            else f"[{row['lower_bound']:.6g}, {row['upper_bound']:.6g}]"
        )
        table.add_row(
            *("" if n not in row["parameters"] else str(row["parameters"][n]) for n in names),
            "" if row["cost"] is None else f"{row['cost']:.8g}",
            bracket,
            row["status"],
            row["solver"] or "",
            f"{row['seconds']:.3f}",
            row["error"] or "",
        )
    console.print(table)


@results_app.command("export")
@_one_line_errors
def results_export(
    store: Annotated[Path, typer.Argument(help="SQLite store.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", help="Output file.")] = None,
) -> None:
    """Export a sweep store as CSV or Parquet (one column per parameter)."""
    if fmt not in ("csv", "parquet"):
        raise InvalidInputError(f"`--format` must be csv or parquet (got {fmt!r})")
    target = output or store.with_suffix(f".{fmt}")
    _check_output(target, "--output")
    rows = [_flat(row) for row in _rows_or_fail(store)]
    columns = sorted({key for row in rows for key in row})
    if fmt == "csv":
        import csv

        with target.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows]), target)
    console.print(f"wrote {len(rows)} rows to {target}")


@app.command("plot")
@_one_line_errors
def plot_command(
    store: Annotated[Path, typer.Argument(help="SQLite store.")],
    x: Annotated[str, typer.Option("--x", help="Parameter on the x axis.")],
    y: Annotated[
        str, typer.Option("--y", help="cost, lower_bound, upper_bound or seconds.")
    ] = "cost",
    hue: Annotated[str | None, typer.Option("--hue", help="Parameter for colours.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="PNG file.")] = None,
) -> None:
    """Plot a sweep: y against parameter x, one line per value of hue, with brackets."""
    from matplotlib.figure import Figure

    if y not in ("cost", "lower_bound", "upper_bound", "seconds"):
        raise InvalidInputError(
            f"`--y` must be cost, lower_bound, upper_bound or seconds (got {y!r})"
        )
    target = output or store.with_suffix(".png")
    _check_output(target, "--output")
    rows = [r for r in _rows_or_fail(store) if r["status"] != "failed"]
    missing = [p for p in (x, hue) if p and any(p not in r["parameters"] for r in rows)]
    if not rows or missing:
        raise InvalidInputError(
            f"`--x`/`--hue` must be sweep parameters (missing: {missing or 'no successful rows'})"
        )
    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    groups: dict = {}
    for row in rows:
        groups.setdefault(row["parameters"].get(hue) if hue else None, []).append(row)
    for label, members in sorted(groups.items(), key=lambda item: str(item[0])):
        members.sort(key=lambda r: r["parameters"][x])
        xs = [r["parameters"][x] for r in members]
        axes.plot(xs, [r[y] for r in members], "o-", label=f"{hue} = {label}" if hue else y)
        if y == "cost":
            axes.fill_between(
                xs,
                [r["lower_bound"] for r in members],
                [r["upper_bound"] for r in members],
                alpha=0.2,
            )
    axes.set(xlabel=x, ylabel=y, title=store.stem)
    axes.legend()
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    console.print(f"wrote {target}")


register_job_commands(app, _one_line_errors)


def main() -> None:
    """Entry point of the ``qmot`` console script.

    Any exception that escapes a command becomes one ``error: ...`` line on stderr and exit
    code 2, unless :data:`DEBUG_VARIABLE` is set.
    """
    try:
        app()
    except Exception as exc:
        if _debugging():
            raise
        _error_line(f"{type(exc).__name__}: {exc}")
        sys.exit(2)
