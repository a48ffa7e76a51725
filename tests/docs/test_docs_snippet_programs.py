"""Run every example program in snippets/ the way a reader would."""

from __future__ import annotations

import os
import subprocess
import sys

import doccheck
import pytest

SNIPPETS = sorted((doccheck.ROOT / "snippets").glob("*.py"))


def test_snippets_folder_has_programs():
    assert SNIPPETS, f"no example programs found in {doccheck.ROOT / 'snippets'}"


@pytest.mark.parametrize("program", SNIPPETS, ids=[p.name for p in SNIPPETS])
def test_snippet_program_runs(program, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    result = subprocess.run(
        [sys.executable, str(program)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"snippets/{program.name} exited with status {result.returncode}; "
        f"stderr:\n{result.stderr[-4000:]}"
    )
    assert result.stdout.strip(), f"snippets/{program.name} printed nothing"
