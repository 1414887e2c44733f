"""The documentation's commands actually run.

Fenced code blocks whose info string is ``bash test`` in README.md and docs/*.md are executed
(in a temporary directory, with this environment's ``hfsim`` first on PATH) and must exit 0.
Longer examples in the docs use ordinary ``bash`` blocks and are not run here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```bash test\n(.*?)^```", re.MULTILINE | re.DOTALL)


def doc_blocks() -> list[tuple[str, str]]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [
        (f"{path.relative_to(ROOT)}#{i}", block)
        for path in files
        for i, block in enumerate(BLOCK.findall(path.read_text(encoding="utf-8")))
    ]


def test_the_readme_has_tested_commands():
    assert any(name.startswith("README.md") for name, _ in doc_blocks())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "script"), doc_blocks(), ids=[n for n, _ in doc_blocks()])
def test_documented_commands_run(name, script, tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, f"{name} failed:\n{script}\n{result.stdout}\n{result.stderr}"
