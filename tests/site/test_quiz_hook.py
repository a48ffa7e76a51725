"""Tests for hooks/quiz.py: parsing, errors and the HTML of a real build."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from site_helpers import load_hook, run_build

quiz = load_hook("quiz")

VALID = """\
id: demo
questions:
  - id: scale
    question: Why divide by $\\sqrt{d_k}$?
    check: "1 + 1"
    options:
      - text: To keep the softmax out of saturation.
        correct: true
        why: Dot products grow with $d_k$.
        value: "2"
      - text: To make the weights sum to one.
        why: The softmax already does that.
  - id: shape
    question: What shape do the weights have?
    options:
      - text: "`(q_len, k_len)`"
        correct: true
        why: One row per query.
      - text: "`(k_len, q_len)`"
        why: Rows are queries, not keys.
"""

PAGE = f"""\
# Demo

Text before.

```quiz
{VALID}```

````markdown
```quiz
id: not-rendered
```
````
"""


class Elements(HTMLParser):
    """Collect (tag, attributes) of every start tag in a document."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def with_tag(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.found if name == tag]


def test_parse_valid_quiz():
    parsed = quiz.parse_quiz(VALID, "demo.md")
    assert parsed.id == "demo"
    assert [q.id for q in parsed.questions] == ["scale", "shape"]
    assert parsed.questions[0].correct_option.value == "2"
    assert parsed.questions[0].check == "1 + 1"
    assert parsed.questions[1].correct_option.text == "`(q_len, k_len)`"


def test_find_skips_nested_fence():
    fences = quiz.find_quiz_fences(PAGE, "demo.md")
    assert len(fences) == 1
    assert fences[0].source.startswith("id: demo")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("id: [unclosed", "does not parse"),
        ("id: Bad_Id\nquestions: []", "'Bad_Id' is invalid"),
        ("id: q\nquestions: []", "non-empty list"),
        (
            "id: q\nquestions:\n  - id: a\n    question: Q?\n    options:\n"
            "      - {text: A, why: x}\n      - {text: B, why: y}",
            "question 'a' has 0 options marked correct",
        ),
        (
            "id: q\nquestions:\n  - id: a\n    question: Q?\n    options:\n"
            "      - {text: A, why: x, correct: true}\n      - {text: B}",
            "question 'a', option 2 needs a non-empty text field 'why'",
        ),
        (
            "id: q\nquestions:\n  - id: a\n    question: Q?\n    hint: no\n"
            "    options:\n      - {text: A, why: x, correct: true}\n"
            "      - {text: B, why: y}",
            "unknown field(s) ['hint']",
        ),
        (
            "id: q\nquestions:\n  - id: a\n    question: Q?\n    options:\n"
            "      - {text: A, why: x, correct: true}",
            "at least two options",
        ),
    ],
)
def test_parse_rejects_invalid(source, expected):
    with pytest.raises(quiz.QuizError) as error:
        quiz.parse_quiz(source, "lessons/demo.md")
    assert "lessons/demo.md" in str(error.value)
    assert expected in str(error.value)


def test_duplicate_question_ids_rejected():
    doubled = VALID.replace("id: shape", "id: scale")
    with pytest.raises(quiz.QuizError, match="'scale' is used twice"):
        quiz.parse_quiz(doubled, "demo.md")


def test_indented_quiz_fence_rejected():
    text = "!!! note\n\n    ```quiz\n    id: a\n    ```\n"
    with pytest.raises(quiz.QuizError, match="line 3 is indented"):
        quiz.find_quiz_fences(text, "demo.md")


def test_build_renders_accessible_form(project):
    root = project({"index.md": PAGE}, ["quiz.py"])
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "index.html").read_text()
    elements = Elements()
    elements.feed(page)

    forms = [a for a in elements.with_tag("form") if a.get("class") == "quiz"]
    assert [form["data-quiz-id"] for form in forms] == ["demo"]
    fieldsets = elements.with_tag("fieldset")
    assert [f["data-question-id"] for f in fieldsets] == ["scale", "shape"]
    assert len(elements.with_tag("legend")) == 2

    radios = [a for a in elements.with_tag("input") if a.get("type") == "radio"]
    assert len(radios) == 4
    labels = {a["for"] for a in elements.with_tag("label")}
    assert labels == {radio["id"] for radio in radios}
    assert {radio["name"] for radio in radios} == {
        "quiz-demo-scale",
        "quiz-demo-shape",
    }

    wrappers = [a for a in elements.with_tag("div") if a.get("class") == "quiz-option"]
    assert [w["data-correct"] for w in wrappers] == ["true", "false", "true", "false"]
    assert len(elements.with_tag("details")) == 2
    assert "The softmax already does that." in page
    assert "not-rendered" in page
    assert 'data-quiz-id="not-rendered"' not in page


def test_build_keeps_math_for_katex(project):
    root = project({"index.md": PAGE}, ["quiz.py"])
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "index.html").read_text()
    assert '<span class="arithmatex">\\(\\sqrt{d_k}\\)</span>' in page
    assert "<code>(q_len, k_len)</code>" in page


def test_build_fails_naming_page_and_question(project):
    broken = PAGE.replace("        correct: true\n        why: One", "        why: One")
    root = project({"lessons/demo.md": broken}, ["quiz.py"])
    result = run_build(root)
    assert result.returncode != 0
    assert "lessons/demo.md" in result.stderr
    assert "question 'shape'" in result.stderr
