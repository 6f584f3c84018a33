"""The documentation site opens in headless Chromium: no console errors, every image loaded,
formulas typeset by the bundled MathJax (no network needed).

``make test`` builds the site first (``make docs-strict``: warnings are errors) and points
``QMOT_DOCS_HTML`` at it; without that variable the test uses ``docs/_build/html`` when a
``make docs`` left one there, and is skipped otherwise.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "index.html": {"images": 0, "formulas": 1},
    "papers/cgp2020.html": {"images": 0, "formulas": 5},
    "auto_examples/golse_paul_mk2.html": {"images": 1, "formulas": 0},
}
"""Pages opened, with the least number of images and typeset formulas each must show."""

PROBE = """<script>
window.addEventListener('load', async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = [...document.images];
  const loaded = images.filter(i => i.complete && i.naturalWidth > 0).length;
  const formulas = document.querySelectorAll('mjx-container').length;
  document.body.setAttribute('data-probe', loaded + '/' + images.length + '/' + formulas);
});
</script></body>"""


def _site() -> Path:
    configured = os.environ.get("QMOT_DOCS_HTML")
    site = ROOT / (configured or "docs/_build/html")
    if not (site / "index.html").is_file():
        if configured:
            pytest.fail(f"QMOT_DOCS_HTML={configured} holds no built site (index.html missing)")
        pytest.skip("the documentation site is not built (make docs)")
    return site


def _text(page: Path) -> str:
    """A page's text: tags removed, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page.read_text())).split())


def _browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _open(browser: str, page: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_loads_in_headless_chromium(name: str, tmp_path: Path) -> None:
    site = _site()
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium on this machine (.ci/run installs it with apt-get)")
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / name
    assert page.is_file(), f"{name} is missing from the built site"
    page.write_text(page.read_text().replace("</body>", PROBE))
    completed = _open(browser, page, tmp_path / "profile")
    assert completed.returncode == 0, completed.stderr[-2000:]
    match = re.search(r'data-probe="(\d+)/(\d+)/(\d+)"', completed.stdout)
    assert match is not None, completed.stdout[-2000:]
    loaded, images, formulas = (int(group) for group in match.groups())
    assert loaded == images >= PAGES[name]["images"]
    assert formulas >= PAGES[name]["formulas"]
    console_errors = [
        line
        for line in completed.stderr.splitlines()
        if "CONSOLE" in line and ("error" in line.lower() or "Uncaught" in line)
    ]
    assert console_errors == []


def test_site_names_the_papers_and_the_commands() -> None:
    site = _site()
    text = " ".join(
        (site / name).read_text()
        for name in ("papers/cgp2020.html", "papers/wirth2025.html", "papers/cfp2015.html")
    )
    for citation in (
        "arXiv:1908.01829",
        "Triangle inequality for a quantum Wasserstein",
        "1307.6540",
    ):
        assert citation in text
    cli = _text(site / "cli.html")
    assert all(f"qmot {job}" in cli for job in ("mk2", "dpt", "sce", "nbody"))
    installation = _text(site / "installation.html")
    assert "make demo" in installation and "make test" in installation
