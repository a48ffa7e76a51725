"""Headings under docs/ contain no math, because the page outline shows raw LaTeX.

The table of contents in the sidebar lists heading text as written, so a
heading such as "Why divide by $\\sqrt{d_k}$" appears there as
"Why divide by \\(\\sqrt{d_k}\\)". Write such headings in plain text or Unicode
(√d_k) instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
ATX_HEADING = re.compile(r"^\s*#{1,6}(\s|$)")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")


def headings_with_math(text: str) -> list[tuple[int, str]]:
    """Return (line number, line) of each Markdown heading in ``text`` with a $.

    Lines inside fenced code blocks are skipped, because a shell prompt or a
    Python comment there is no heading.
    """
    found = []
    fence = None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        match = FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None or "$" not in line:
            continue
        is_atx = ATX_HEADING.match(line) is not None
        next_line = lines[number] if number < len(lines) else ""
        is_setext = line.strip() != "" and SETEXT_UNDERLINE.match(next_line)
        if is_atx or is_setext:
            found.append((number, line))
    return found


def markdown_sources() -> list[tuple[str, str]]:
    """Return (location, Markdown text) for every page and notebook cell."""
    sources = []
    for path in sorted(DOCS.rglob("*.md")):
        sources.append((str(path.relative_to(DOCS.parent)), path.read_text()))
    for path in sorted(DOCS.rglob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                location = f"{path.relative_to(DOCS.parent)} cell {index}"
                sources.append((location, "".join(cell["source"])))
    return sources


def test_docs_has_markdown():
    locations = [location for location, _ in markdown_sources()]
    assert "docs/faq.md" in locations
    assert "docs/lessons/self-attention.md" in locations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Why divide by $\\sqrt{d_k}$\n", [1]),
        ("intro\n\n### Cost $O(n^2)$ {#cost}\n", [3]),
        ("Scores $QK^T$\n------\n", [1]),
        ("```bash\n# $ python -m tinyformer\n```\n", []),
        ("~~~~\n```\n# $x$\n~~~~\n## $y$\n", [5]),
        ("## Why divide by √d_k\ncost is $O(n^2)$\n", []),
    ],
)
def test_headings_with_math_finds(text, expected):
    assert [number for number, _ in headings_with_math(text)] == expected


def test_headings_have_no_math():
    problems = [
        f"{location}:{number}: {line.strip()}"
        for location, text in markdown_sources()
        for number, line in headings_with_math(text)
    ]
    assert not problems, (
        "headings with $ show as raw LaTeX in the page outline; write them in "
        "plain text or Unicode such as √d_k:\n" + "\n".join(problems)
    )
