"""`qmot reproduce`: the report files, verdicts, resumption, and the HTML in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmot.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = runner.invoke(app, ["reproduce", "all", "--quick", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_files_and_every_claim_has_a_passing_verdict(report_dir: Path) -> None:
    summary = json.loads((report_dir / "results.json").read_text())
    assert [paper["paper"] for paper in summary["papers"]] == ["cgp2020", "wirth2025", "cfp2015"]
    claims = [claim for paper in summary["papers"] for claim in paper["claims"]]
    figures = [figure for paper in summary["papers"] for figure in paper["figures"]]
    assert len(claims) >= 25 and all(claim["passed"] is True for claim in claims)
    papers = ("Caglioti–Golse–Paul 2020", "Wirth 2025", "Cotar–Friesecke–Pass 2015")
    assert all(claim["reference"].startswith(papers) for claim in claims)
    markdown = (report_dir / "report.md").read_text()
    assert markdown.count("| pass |") == len(claims) and "| FAIL |" not in markdown
    for figure in figures:
        assert (report_dir / figure).stat().st_size > 1000
    html = (report_dir / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(figures)
    assert 'src="http' not in html  # self-contained


def test_rerun_reuses_stored_results(report_dir: Path) -> None:
    before = (report_dir / "cfp2015" / "results.json").stat().st_mtime_ns
    result = runner.invoke(app, ["reproduce", "cfp2015", "--quick", "--out", str(report_dir)])
    assert result.exit_code == 0 and "reused stored results" in result.output
    assert (report_dir / "cfp2015" / "results.json").stat().st_mtime_ns == before


def test_unknown_paper_is_rejected(tmp_path: Path) -> None:
    result = runner.invoke(app, ["reproduce", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "`paper` must be one of cgp2020, wirth2025, cfp2015, all" in result.output


def _browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_report_loads_in_headless_chromium(report_dir: Path, tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium on this machine (.ci/run installs it with apt-get)")
    html = (report_dir / "report.html").read_text()
    probe = (
        "<script>window.addEventListener('load', () => {const loaded = [...document.images]"
        ".filter(i => i.complete && i.naturalWidth > 0).length;"
        "document.body.setAttribute('data-loaded', loaded + '/' + document.images.length);"
        "});</script></body>"
    )
    page = tmp_path / "probe.html"
    page.write_text(html.replace("</body>", probe))
    completed = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    match = re.search(r'data-loaded="(\d+)/(\d+)"', completed.stdout)
    assert match is not None, completed.stdout[-2000:]
    assert int(match.group(2)) > 0 and match.group(1) == match.group(2)
    console_errors = [
        line
        for line in completed.stderr.splitlines()
        if "CONSOLE" in line and ("error" in line.lower() or "Uncaught" in line)
    ]
    assert console_errors == []
