"""The ``qmot`` command-line tool (Typer + rich)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qmot._version import __version__
from qmot.errors import QmotError
from qmot.results import TransportResult

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


def result_table(title: str, result: TransportResult) -> Table:
    """A rich table of a result's value and evidence."""
    table = Table(title=title, show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value")
    table.add_row("cost", f"{result.cost:.12g}")
    table.add_row("distance", f"{result.distance:.12g}")
    table.add_row("certified bracket", f"[{result.lower_bound:.12g}, {result.upper_bound:.12g}]")
    table.add_row("gap", f"{result.gap:.3e}")
    table.add_row("status", result.status)
    table.add_row("solver", result.solver)
    for name, value in result.residuals.items():
        table.add_row(f"residual {name}", f"{value:.3e}")
    return table


def _fail(exc: QmotError) -> None:
    error_console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code=2) from exc


@app.command("w2")
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

    try:
        x, a = load_weighted_points(first)
        y, b = load_weighted_points(second)
        result = w2(x, a, y, b, normalize=normalize)
    except QmotError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        console.print(result_table(f"W₂²({first.name}, {second.name})", result))


PAPERS = {
    "cgp2020": "qmot.experiments.cgp2020",
    "wirth2025": "qmot.experiments.wirth2025",
    "cfp2015": "qmot.experiments.cfp2015",
}


def _selected_papers(paper: str) -> list[str]:
    if paper == "all":
        return list(PAPERS)
    if paper not in PAPERS:
        error_console.print(
            f"[red]error:[/red] `paper` must be one of {', '.join([*PAPERS, 'all'])} "
            f"(got {paper!r})"
        )
        raise typer.Exit(code=2)
    return [paper]


@app.command("reproduce")
def reproduce_command(
    paper: Annotated[str, typer.Argument(help="cgp2020, wirth2025, cfp2015 or all.")] = "all",
    quick: Annotated[bool, typer.Option("--quick", help="Small grids (all in minutes).")] = False,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("qmot-results"),
    force: Annotated[
        bool, typer.Option("--force", help="Recompute papers that already have results.")
    ] = False,
) -> None:
    """Reproduce the papers' claims: report.md, report.html, PNG figures and results.json."""
    import importlib
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from qmot.report import load_paper_result, save_paper_result, write_report

    names = _selected_papers(paper)
    results = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("reproducing", total=len(names))
        for name in names:
            folder = out / name
            stored = None if force else load_paper_result(folder, quick=quick)
            if stored is not None:
                progress.update(task, description=f"{name}: reused stored results")
                results.append(stored)
            else:
                progress.update(task, description=f"{name}: running")
                started = time.perf_counter()
                report = importlib.import_module(PAPERS[name]).run(quick=quick)
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


def main() -> None:
    """Entry point of the ``qmot`` console script."""
    app()
