"""Render ```quiz fences into accessible HTML forms at build time.

A lesson ends with a fenced block whose language is `quiz` and whose body is
YAML::

    id: self-attention              # quiz id: lowercase letters, digits, '-'
    questions:
      - id: scale                   # question id, unique within the quiz
        question: Why are the scores divided by $\\sqrt{d_k}$?
        check: "..."                # optional Python expression (see below)
        options:                    # two or more, exactly one correct
          - text: To keep the softmax out of its saturated region.
            correct: true
            why: Explanation shown in the answer block.
            value: "..."            # optional; compared with `check`
          - text: To make the weights sum to one.
            why: The softmax already does that.

Question, option and explanation text is Markdown: inline code, emphasis and
`$...$` math work (math is emitted as pymdownx.arithmatex generic spans, which
docs/javascripts/katex-init.js renders). `check` and `value` are not rendered:
a test evaluates `check` with `tinyformer`, `numpy as np` and `torch` in scope
and asserts it equals the correct option's `value`, or its `text` when it has
no `value`. Invalid YAML or an invalid field fails the build with a message
naming the page, the quiz and the question. A quiz fence must start at the
left margin (not inside an admonition or a list), and a quiz fence inside
another fence is left alone, so pages can show the markup itself.

HTML produced (the contract with docs/javascripts/quiz.js)::

    <form class="quiz" data-quiz-id="QUIZ" aria-label="Quiz">
      <fieldset class="quiz-question" data-quiz-id="QUIZ" data-question-id="Q"
                data-question-index="0">
        <legend class="quiz-question-text">question HTML</legend>
        <div class="quiz-options">
          <div class="quiz-option" data-option-index="0" data-correct="true">
            <input type="radio" id="quiz-QUIZ-Q-0" name="quiz-QUIZ-Q" value="0">
            <label for="quiz-QUIZ-Q-0">option HTML</label>
          </div>
          ... one per option; data-correct="false" on the others
        </div>
        <p class="quiz-feedback" id="quiz-QUIZ-Q-feedback" role="status"
           aria-live="polite" data-quiz-feedback></p>
        <details class="quiz-answer">
          <summary>Answer</summary>
          <p class="quiz-correct">Correct answer: <strong>HTML</strong></p>
          <ul class="quiz-explanations">
            <li id="quiz-QUIZ-Q-0-why" data-option-index="0"
                data-correct="true">option HTML: why HTML</li>
            ...
          </ul>
        </details>
      </fieldset>
      ... one fieldset per question
    </form>

Without JavaScript the page stays usable: the radio buttons work and each
`<details>` block reveals the answer and every option's explanation. quiz.js
may fill `[data-quiz-feedback]`, and may show the `#quiz-QUIZ-Q-N-why` item of
the option chosen.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import markdown
import yaml
from mkdocs.exceptions import PluginError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
QUIZ_KEYS = {"id", "questions"}
QUESTION_KEYS = {"id", "question", "options", "check"}
OPTION_KEYS = {"text", "correct", "why", "value"}


class QuizError(PluginError):
    """An invalid quiz block; the message names the page, quiz and question."""


@dataclass
class Option:
    """One answer choice of a question."""

    text: str
    why: str
    correct: bool = False
    value: str | None = None


@dataclass
class Question:
    """One multiple-choice question, with exactly one correct option."""

    id: str
    question: str
    options: list[Option]
    check: str | None = None

    @property
    def correct_option(self) -> Option:
        """The option marked `correct: true`."""
        return next(option for option in self.options if option.correct)


@dataclass
class Quiz:
    """A parsed quiz block."""

    id: str
    questions: list[Question] = field(default_factory=list)


def _fail(where: str, message: str) -> QuizError:
    return QuizError(f"Invalid quiz in {where}: {message}")


def _require_mapping(value: Any, where: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(where, f"{what} must be a mapping, got {type(value).__name__}.")
    return value


def _require_text(mapping: dict, key: str, where: str, what: str) -> str:
    value = mapping.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{what} needs a non-empty text field '{key}'.")
    return value


def _check_keys(mapping: dict, allowed: set[str], where: str, what: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise _fail(
            where,
            f"{what} has unknown field(s) {unknown}; allowed: {sorted(allowed)}.",
        )


def _check_id(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise _fail(
            where,
            f"{what} id {value!r} is invalid: use lowercase letters, digits and "
            "'-', starting with a letter or digit.",
        )
    return value


def _parse_option(raw: Any, where: str, what: str) -> Option:
    data = _require_mapping(raw, where, what)
    _check_keys(data, OPTION_KEYS, where, what)
    correct = data.get("correct", False)
    if not isinstance(correct, bool):
        raise _fail(where, f"{what} has correct: {correct!r}; use true or false.")
    value = data.get("value")
    return Option(
        text=_require_text(data, "text", where, what),
        why=_require_text(data, "why", where, what),
        correct=correct,
        value=None if value is None else str(value),
    )


def _parse_question(raw: Any, where: str, index: int) -> Question:
    data = _require_mapping(raw, where, f"question {index + 1}")
    question_id = _check_id(data.get("id"), where, f"question {index + 1}")
    what = f"question '{question_id}'"
    _check_keys(data, QUESTION_KEYS, where, what)
    text = _require_text(data, "question", where, what)
    raw_options = data.get("options")
    if not isinstance(raw_options, list) or len(raw_options) < 2:
        raise _fail(where, f"{what} needs a list of at least two options.")
    options = [
        _parse_option(raw_option, where, f"{what}, option {number + 1}")
        for number, raw_option in enumerate(raw_options)
    ]
    correct_count = sum(option.correct for option in options)
    if correct_count != 1:
        raise _fail(
            where,
            f"{what} has {correct_count} options marked correct: true; "
            "mark exactly one.",
        )
    check = data.get("check")
    if check is not None and (not isinstance(check, str) or not check.strip()):
        raise _fail(where, f"{what} has an empty or non-text 'check'.")
    return Question(id=question_id, question=text, options=options, check=check)


def parse_quiz(source: str, page: str) -> Quiz:
    """Parse the YAML body of a quiz fence.

    Args:
        source: the text between the fence lines.
        page: the page's path, used in error messages.

    Raises:
        QuizError: naming the page, quiz and question, if the YAML or a field
            is invalid.
    """
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        raise _fail(page, f"the YAML does not parse: {error}") from error
    data = _require_mapping(data, page, "the quiz")
    quiz_id = _check_id(data.get("id"), page, "the quiz")
    where = f"{page}, quiz '{quiz_id}'"
    _check_keys(data, QUIZ_KEYS, where, "the quiz")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise _fail(where, "'questions' must be a non-empty list.")
    questions = [_parse_question(raw, where, i) for i, raw in enumerate(raw_questions)]
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise _fail(where, f"question id '{question.id}' is used twice.")
        seen.add(question.id)
    return Quiz(id=quiz_id, questions=questions)


@dataclass
class QuizFence:
    """A quiz fence found in a page: its line span and YAML body."""

    start: int
    end: int
    source: str


def find_quiz_fences(text: str, page: str) -> list[QuizFence]:
    """Find the top-level ```quiz fences in Markdown text.

    Fences nested in another fence are skipped. `start` and `end` are line
    indexes of the opening and closing fence lines.

    Raises:
        QuizError: if a quiz fence is indented or never closed.
    """
    lines = text.split("\n")
    found: list[QuizFence] = []
    index = 0
    while index < len(lines):
        opening = FENCE_OPEN.match(lines[index])
        if not opening:
            index += 1
            continue
        fence = opening["fence"]
        language = opening["info"].strip().split(" ")[0].lstrip(".").lower()
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if language == "quiz":
            if opening["indent"]:
                raise _fail(
                    page,
                    f"the quiz fence on line {index + 1} is indented; start it "
                    "at the left margin, outside admonitions and lists.",
                )
            if end >= len(lines):
                raise _fail(
                    page, f"the quiz fence on line {index + 1} is never closed."
                )
            body = "\n".join(lines[index + 1 : end])
            found.append(QuizFence(start=index, end=end, source=body))
        index = end + 1
    return found


def find_quizzes(text: str, page: str) -> list[Quiz]:
    """Parse every top-level quiz fence in a page's Markdown."""
    return [parse_quiz(fence.source, page) for fence in find_quiz_fences(text, page)]


class _InlineMarkdown:
    """Markdown to HTML for quiz text, with math kept for KaTeX."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["pymdownx.arithmatex", "pymdownx.betterem"],
            extension_configs={"pymdownx.arithmatex": {"generic": True}},
        )

    def block(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text.strip())

    def inline(self, text: str) -> str:
        rendered = self.block(text)
        match = re.fullmatch(r"<p>(.*)</p>", rendered, flags=re.DOTALL)
        return match.group(1) if match else rendered


def render_quiz(quiz: Quiz) -> str:
    """Render a parsed quiz as the HTML described in this module's docstring."""
    md = _InlineMarkdown()
    quiz_id = html.escape(quiz.id)
    lines = [f'<form class="quiz" data-quiz-id="{quiz_id}" aria-label="Quiz">']
    for question_index, question in enumerate(quiz.questions):
        base = f"quiz-{quiz_id}-{html.escape(question.id)}"
        lines.append(
            f'<fieldset class="quiz-question" data-quiz-id="{quiz_id}" '
            f'data-question-id="{html.escape(question.id)}" '
            f'data-question-index="{question_index}">'
        )
        lines.append(
            f'<legend class="quiz-question-text">{md.inline(question.question)}</legend>'
        )
        lines.append('<div class="quiz-options">')
        for index, option in enumerate(question.options):
            correct = "true" if option.correct else "false"
            lines.append(
                f'<div class="quiz-option" data-option-index="{index}" '
                f'data-correct="{correct}">'
            )
            lines.append(
                f'<input type="radio" id="{base}-{index}" name="{base}" '
                f'value="{index}">'
            )
            lines.append(
                f'<label for="{base}-{index}">{md.inline(option.text)}</label>'
            )
            lines.append("</div>")
        lines.append("</div>")
        lines.append(
            f'<p class="quiz-feedback" id="{base}-feedback" role="status" '
            'aria-live="polite" data-quiz-feedback></p>'
        )
        lines.append('<details class="quiz-answer">')
        lines.append("<summary>Answer</summary>")
        lines.append(
            '<p class="quiz-correct">Correct answer: '
            f"<strong>{md.inline(question.correct_option.text)}</strong></p>"
        )
        lines.append('<ul class="quiz-explanations">')
        for index, option in enumerate(question.options):
            correct = "true" if option.correct else "false"
            label = "Correct" if option.correct else "Not quite"
            lines.append(
                f'<li id="{base}-{index}-why" data-option-index="{index}" '
                f'data-correct="{correct}"><strong>{label}:</strong> '
                f"{md.inline(option.text)} {md.inline(option.why)}</li>"
            )
        lines.append("</ul>")
        lines.append("</details>")
        lines.append("</fieldset>")
    lines.append("</form>")
    return "\n".join(lines)


def replace_quizzes(text: str, page: str) -> str:
    """Replace every top-level quiz fence in Markdown with its HTML form."""
    fences = find_quiz_fences(text, page)
    if not fences:
        return text
    lines = text.split("\n")
    for fence in reversed(fences):
        rendered = render_quiz(parse_quiz(fence.source, page))
        lines[fence.start : fence.end + 1] = ["", rendered, ""]
    return "\n".join(lines)


def on_page_markdown(markdown_text: str, page, config, files) -> str:
    """Turn the page's quiz fences into HTML before Markdown conversion."""
    return replace_quizzes(markdown_text, page.file.src_uri)
