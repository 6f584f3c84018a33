"""``python -m build`` makes an sdist and a wheel that install in a fresh virtual environment.

The fresh environment gets qmot from the built file only (``--no-deps``); its dependencies are
borrowed from the running environment through a ``.pth`` line (a path line does not run the
running environment's own ``.pth`` files, so its editable qmot stays invisible), so the test
downloads nothing but the build backend. ``make test`` runs it (it is marked slow: about a
minute).
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from qmot._version import __version__

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, **options
    )
    assert completed.returncode == 0, (command, completed.stdout[-2000:], completed.stderr[-2000:])
    return completed


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    return out


def test_wheel_holds_the_package_its_type_marker_and_its_licence(dist: Path) -> None:
    (wheel,) = dist.glob("qmot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "qmot/py.typed" in names and "qmot/cli_jobs.py" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)


@pytest.mark.parametrize("pattern", ["qmot-*.whl", "qmot-*.tar.gz"])
def test_built_file_installs_in_a_fresh_venv_and_runs(
    dist: Path, tmp_path: Path, pattern: str
) -> None:
    (built,) = dist.glob(pattern)
    venv = tmp_path / "fresh"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()
    (Path(purelib) / "borrowed-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(built)])
    version = _run([str(venv / "bin" / "qmot"), "--version"], cwd=tmp_path)
    assert version.stdout.strip() == f"qmot {__version__}"
    location = _run([str(python), "-c", "import qmot; print(qmot.__file__)"], cwd=tmp_path)
    assert location.stdout.strip().startswith(str(venv))
