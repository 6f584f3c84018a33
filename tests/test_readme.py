"""The README's Python example runs and prints certified numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README.md must contain a Python example"
    assert len(blocks[0].strip().splitlines()) <= 12
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    output = capsys.readouterr().out
    assert "status='optimal'" in output
    lines = output.splitlines()
    assert any(line.endswith("True") for line in lines)  # the MK_ħ example certifies C_q < C_c


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text()
    assert "make demo" in text and "make test" in text
