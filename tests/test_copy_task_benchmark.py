"""Smoke test of benchmarks/copy_task.py: it runs and writes its JSON."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_copy_task_quick_run_writes_record(tmp_path):
    out = tmp_path / "copy.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "copy_task.py"),
            "--quick",
            "--device",
            "cpu",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert record["benchmark"] == "copy_task"
    assert record["results"][0]["steps"] == 20
    assert 0.0 <= record["results"][0]["token_accuracy"] <= 1.0
    assert {t["name"] for t in record["targets"]} == {"token_accuracy", "train_seconds"}
