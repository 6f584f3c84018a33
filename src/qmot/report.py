"""Reports of paper reproductions: Markdown, self-contained HTML, PNG figures and JSON.

One folder per run (``qmot-results/`` by default) holding ``report.md``, ``report.html``
(figures embedded as base64 PNG, no external resources), ``results.json`` and one
sub-folder per paper with its PNG figures and its own ``results.json`` (used to resume).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmot._version import __version__
from qmot.errors import InvalidInputError
from qmot.experiments.claims import ExperimentReport
from qmot.results import jsonable

__all__ = ["PaperResult", "load_paper_result", "save_paper_result", "write_report"]


@dataclass(frozen=True)
class PaperResult:
    """A finished reproduction of one paper, as stored on disk."""

    paper: str
    title: str
    quick: bool
    claims: list[dict[str, Any]]
    figures: list[str]
    tables: dict[str, list[dict[str, Any]]]
    seconds: float
    captions: dict[str, str] = field(default_factory=dict)
    """What each figure shows, in words, keyed by its file name."""

    @property
    def passed(self) -> int:
        """Number of claims that passed."""
        return sum(bool(claim["passed"]) for claim in self.claims)


def save_paper_result(
    report: ExperimentReport, folder: Path, *, quick: bool, seconds: float
) -> PaperResult:
    """Write a paper's figures (PNG) and ``results.json`` into ``folder``; return the record."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = []
    captions = {}
    for name, figure in report.figures.items():
        figure.savefig(folder / f"{name}.png", dpi=110)
        figures.append(f"{name}.png")
        captions[f"{name}.png"] = report.captions.get(name, "")
    result = PaperResult(
        report.paper,
        report.title,
        quick,
        [c.to_dict() for c in report.claims],
        figures,
        report.tables,
        seconds,
        captions,
    )
    payload = {
        "paper": result.paper,
        "title": result.title,
        "quick": quick,
        "qmot_version": __version__,
        "seconds": seconds,
        "claims": result.claims,
        "figures": figures,
        "captions": captions,
        "tables": result.tables,
    }
    (folder / "results.json").write_text(json.dumps(jsonable(payload), indent=2))
    return result


def load_paper_result(folder: Path, *, quick: bool) -> PaperResult | None:
    """A stored result for the same mode and qmot version, or ``None`` (then recompute).

    Raises
    ------
    InvalidInputError
        ``results.json`` exists but is not the JSON object ``qmot reproduce`` writes (bad
        UTF-8, bad JSON, missing or mistyped keys); ``--force`` recomputes it.
    """
    path = folder / "results.json"
    if not path.is_file():
        return None
    advice = "pass --force to recompute it"
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"`{path}` must be valid UTF-8 JSON ({exc}); {advice}") from exc
    if not isinstance(data, dict):
        raise InvalidInputError(
            f"`{path}` must hold a JSON object (got {type(data).__name__}); {advice}"
        )
    if data.get("quick") != quick or data.get("qmot_version") != __version__:
        return None
    figures, claims, tables = data.get("figures", []), data.get("claims"), data.get("tables", {})
    if not (
        isinstance(data.get("paper"), str)
        and isinstance(data.get("title"), str)
        and isinstance(claims, list)
        and all(isinstance(claim, dict) and "passed" in claim for claim in claims)
        and isinstance(figures, list)
        and all(isinstance(name, str) for name in figures)
        and isinstance(tables, dict)
        and isinstance(data.get("seconds", 0.0), int | float)
    ):
        raise InvalidInputError(
            f"`{path}` must have 'paper', 'title' (text), 'claims' (list of objects), "
            f"'figures' (list of names), 'tables' and 'seconds' (got keys {sorted(data)}); "
            f"{advice}"
        )
    if not all((folder / name).is_file() for name in figures):
        return None
    captions = data.get("captions", {})
    if not isinstance(captions, dict):
        captions = {}
    return PaperResult(
        data["paper"],
        data["title"],
        quick,
        claims,
        figures,
        tables,
        float(data.get("seconds", 0.0)),
        {str(name): str(text) for name, text in captions.items()},
    )


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "—" if value is None else str(value)


def _bracket(claim: dict[str, Any]) -> str:
    if claim.get("lower_bound") is None:
        return ""
    return f"[{_number(claim['lower_bound'])}, {_number(claim['upper_bound'])}]"


def _claim_cells(claim: dict[str, Any]) -> list[str]:
    """Claim, reference, paper value, qmot value, bracket and pass criterion: the columns both
    formats share (the verdict follows them)."""
    return [
        claim["statement"],
        claim["reference"],
        claim["paper_value"],
        _number(claim["qmot_value"]),
        _bracket(claim),
        str(claim.get("criterion") or ""),
    ]


def _caption(result: PaperResult, name: str) -> str:
    """A figure's caption in words (its file name only when none was stored)."""
    return result.captions.get(name) or name


def _markdown(results: Sequence[PaperResult]) -> str:
    lines = [f"# qmot reproduction report (qmot {__version__})", ""]
    total = sum(len(r.claims) for r in results)
    lines += [f"{sum(r.passed for r in results)} of {total} claims pass.", ""]
    for result in results:
        lines += [
            f"## {result.title}",
            "",
            f"Mode: {'quick' if result.quick else 'full'}; {result.seconds:.1f} s.",
            "",
            "| claim | reference | paper | qmot | bracket | pass criterion | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        for claim in result.claims:
            cells = [*_claim_cells(claim), "pass" if claim["passed"] else "FAIL"]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
        for number, name in enumerate(result.figures, start=1):
            caption = _caption(result, name)
            lines += [
                f"![{caption}]({result.paper}/{name})",
                "",
                f"*Figure {number}.* {caption}",
                "",
            ]
    return "\n".join(lines)


def _html(results: Sequence[PaperResult], out: Path) -> str:
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;width:100%;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:4px 6px;font-size:14px;vertical-align:top}"
        ".pass{color:#176b28;font-weight:bold}.fail{color:#b00020;font-weight:bold}"
        "img{max-width:100%;margin:0.5em 0}"
    )
    total = sum(len(r.claims) for r in results)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>qmot reproduction report</title><style>{style}</style></head><body>",
        f"<h1>qmot reproduction report (qmot {html.escape(__version__)})</h1>",
        f"<p>{sum(r.passed for r in results)} of {total} claims pass.</p>",
    ]
    for result in results:
        parts.append(f"<h2>{html.escape(result.title)}</h2>")
        parts.append(f"<p>Mode: {'quick' if result.quick else 'full'}; {result.seconds:.1f} s.</p>")
        parts.append(
            "<table><tr><th>claim</th><th>reference</th><th>paper</th><th>qmot</th>"
            "<th>bracket</th><th>pass criterion</th><th>verdict</th></tr>"
        )
        for claim in result.claims:
            verdict = (
                '<span class="pass">pass</span>'
                if claim["passed"]
                else '<span class="fail">FAIL</span>'
            )
            cells = _claim_cells(claim)
            parts.append(
                "<tr>"
                + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                + f"<td>{verdict}</td></tr>"
            )
        parts.append("</table>")
        for number, name in enumerate(result.figures, start=1):
            data = base64.b64encode((out / result.paper / name).read_bytes()).decode("ascii")
            caption = html.escape(_caption(result, name))
            parts.append(
                f'<figure><img alt="{caption}" '
                f'src="data:image/png;base64,{data}"><figcaption>'
                f"<b>Figure {number}.</b> {caption}</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(results: Sequence[PaperResult], out: Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html`` and ``results.json`` for finished papers."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "markdown": out / "report.md",
        "html": out / "report.html",
        "json": out / "results.json",
    }
    paths["markdown"].write_text(_markdown(results))
    paths["html"].write_text(_html(results, out))
    summary = {
        "qmot_version": __version__,
        "papers": [
            {
                "paper": r.paper,
                "title": r.title,
                "quick": r.quick,
                "seconds": r.seconds,
                "claims": r.claims,
                "figures": [f"{r.paper}/{name}" for name in r.figures],
                "captions": {f"{r.paper}/{name}": _caption(r, name) for name in r.figures},
            }
            for r in results
        ],
    }
    paths["json"].write_text(json.dumps(jsonable(summary), indent=2))
    return paths
