"""Check that the program output shown on lesson pages is what the programs print.

A lesson shows a program from snippets/ and its output in a fence titled
``<program>.py output``, for example::

    ```text title="attention_by_hand.py output"
    ...
    ```

Each test runs one such program with the project's Python and compares its
stdout, line by line with trailing spaces removed, to the text on the page.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "docs" / "lessons"
SNIPPETS = ROOT / "snippets"

OUTPUT_FENCE = re.compile(
    r'^(?P<indent>[ \t]*)(?P<fence>`{3,})text[ \t]+title="(?P<program>[\w.-]+\.py) output"[ \t]*$'
)

# Lessons that must show at least one program with its output.
LESSONS_WITH_OUTPUT = (
    "self-attention.md",
    "positional-encodings.md",
    "multi-head-attention.md",
)


def find_output_blocks(text: str, page_name: str) -> list[tuple[str, str, int]]:
    """Return (program, expected output, line number) for each output fence."""
    lines = text.split("\n")
    blocks = []
    index = 0
    while index < len(lines):
        opening = OUTPUT_FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        closing = re.compile(rf"^[ \t]*{opening['fence']}[ \t]*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if end == len(lines):
            raise ValueError(f"{page_name}:{index + 1}: output fence is never closed")
        body = textwrap.dedent("\n".join(lines[index + 1 : end]))
        blocks.append((opening["program"], body, index + 1))
        index = end + 1
    return blocks


def normalise(text: str) -> list[str]:
    """Split into lines without trailing spaces or trailing blank lines."""
    rows = [line.rstrip() for line in text.split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def collect_cases() -> list:
    cases = []
    for page in sorted(LESSONS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for program, expected, line in find_output_blocks(text, page.name):
            case_id = f"{page.name}:{line}:{program}"
            cases.append(pytest.param(page, program, expected, id=case_id))
    return cases


@pytest.mark.parametrize("page_name", LESSONS_WITH_OUTPUT)
def test_lesson_shows_program_output(page_name):
    page = LESSONS / page_name
    assert page.is_file(), f"{page} is missing"
    blocks = find_output_blocks(page.read_text(encoding="utf-8"), page_name)
    assert blocks, f'{page_name} has no ```text title="<program>.py output" fence'


@pytest.mark.parametrize(("page", "program", "expected"), collect_cases())
def test_shown_output_matches_program(page, program, expected):
    script = SNIPPETS / program
    assert script.is_file(), f"{page.name} shows output of {script}, which is missing"
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{program} failed:\n{result.stderr}"
    assert normalise(result.stdout) == normalise(expected), (
        f"{page.name} shows output that {program} no longer prints; "
        f"paste its current output into the page:\n{result.stdout}"
    )


def test_output_fence_parser_reads_indented_tab():
    text = (
        '=== "NumPy"\n\n    ```text title="demo.py output"\n    a\n      b\n    ```\n'
    )
    assert find_output_blocks(text, "demo.md") == [("demo.py", "a\n  b", 3)]


def test_output_fence_parser_rejects_unclosed():
    with pytest.raises(ValueError, match="never closed"):
        find_output_blocks('```text title="demo.py output"\na\n', "demo.md")
