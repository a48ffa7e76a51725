"""Tests for hooks/generated.py against real MkDocs builds."""

from __future__ import annotations

from pathlib import Path

from site_helpers import run_build

PAGE = """\
# Lesson

![A figure](../generated/figure.txt)
"""


def figure_script(counter: Path, body: str = "'figure'") -> str:
    """Return a figure script that records each run in `counter`."""
    return (
        "import pathlib\n\n\n"
        "def build(out_dir):\n"
        f"    counter = pathlib.Path({str(counter)!r})\n"
        "    counter.write_text(counter.read_text() + 'x' if counter.exists() else 'x')\n"
        f"    (out_dir / 'figure.txt').write_text({body})\n"
    )


def runs(counter: Path) -> int:
    return len(counter.read_text()) if counter.exists() else 0


def test_outputs_added_under_generated(project, tmp_path):
    counter = tmp_path / "runs.txt"
    root = project(
        {
            "index.md": "# Home\n",
            "lessons/one.md": PAGE,
            "figures/plot.py": figure_script(counter),
        },
        ["generated.py"],
    )
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "generated" / "figure.txt").read_text() == "figure"
    assert not (root / "site" / "figures").exists()
    assert runs(counter) == 1


def test_cache_reused_until_source_changes(project, tmp_path):
    counter = tmp_path / "runs.txt"
    root = project(
        {
            "index.md": "# Home\n",
            "lessons/one.md": PAGE,
            "figures/plot.py": figure_script(counter),
        },
        ["generated.py"],
    )
    assert run_build(root).returncode == 0
    assert run_build(root).returncode == 0
    assert runs(counter) == 1

    script = root / "docs" / "figures" / "plot.py"
    script.write_text(figure_script(counter, "'changed'"))
    assert run_build(root).returncode == 0
    assert runs(counter) == 2
    assert (root / "site" / "generated" / "figure.txt").read_text() == "changed"

    package = root / "src" / "tinyformer"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VERSION = 2\n")
    assert run_build(root).returncode == 0
    assert runs(counter) == 3


def test_failing_script_fails_build(project):
    root = project(
        {
            "index.md": "# Home\n",
            "figures/broken.py": "def build(out_dir):\n    raise ValueError('no data')\n",
        },
        ["generated.py"],
    )
    result = run_build(root)
    assert result.returncode != 0
    assert "docs/figures/broken.py failed" in result.stderr
    assert "ValueError: no data" in result.stderr


def test_script_without_build_fails(project):
    root = project(
        {"index.md": "# Home\n", "figures/empty.py": "X = 1\n"},
        ["generated.py"],
    )
    result = run_build(root)
    assert result.returncode != 0
    assert "does not define build(out_dir)" in result.stderr


def test_missing_generated_link_fails(project, tmp_path):
    root = project(
        {
            "index.md": "# Home\n\n![Missing](generated/other.txt)\n",
            "figures/plot.py": figure_script(tmp_path / "runs.txt"),
        },
        ["generated.py"],
    )
    result = run_build(root)
    assert result.returncode != 0
    assert "generated/other.txt" in result.stderr
