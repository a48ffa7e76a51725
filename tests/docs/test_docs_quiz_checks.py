"""Evaluate the `check:` expression of every quiz question on the site.

A question about a value or a shape may carry `check: <python expression>`.
The expression runs with `tinyformer`, `numpy as np` and `torch` in scope,
and its result, or the result's str(), must equal the correct option's
`value`, or its `text` when it has no `value`. Quizzes are read with the
same parser that renders them (hooks/quiz.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys

import doccheck
import numpy as np
import pytest
import torch

import tinyformer

ROOT = doccheck.ROOT


def import_submodules() -> None:
    """Import every tinyformer module, so `tinyformer.masks` works in a check."""
    for module in pkgutil.iter_modules(tinyformer.__path__):
        if module.name != "__main__":
            importlib.import_module(f"tinyformer.{module.name}")


def load_quiz_hook():
    name = "tinyformer_docs_quiz_hook"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / "quiz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def collect_checks() -> list:
    quiz_hook = load_quiz_hook()
    cases = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        relative = page.relative_to(ROOT).as_posix()
        text = page.read_text(encoding="utf-8")
        for quiz in quiz_hook.find_quizzes(text, relative):
            for question in quiz.questions:
                if question.check is None:
                    continue
                case_id = f"{relative}::{quiz.id}/{question.id}"
                cases.append(pytest.param(relative, question, id=case_id))
    return cases


CHECKS = collect_checks()


def check_problem(page: str, question) -> str | None:
    """Evaluate one question's check; return a problem sentence, or None."""
    import_submodules()
    scope = {"tinyformer": tinyformer, "np": np, "torch": torch}
    correct = question.correct_option
    expected = correct.value if correct.value is not None else correct.text
    result = eval(question.check, scope)  # noqa: S307 - the expression is from our docs
    if result == expected or str(result) == expected:
        return None
    return (
        f"{page}: quiz question {question.id!r}: check {question.check!r} "
        f"gave {result!r}, but the correct option says {expected!r}."
    )


def test_quiz_pages_have_checks():
    assert CHECKS, "no quiz question on the site carries a check: expression"


@pytest.mark.parametrize(("page", "question"), CHECKS)
def test_quiz_check_matches_answer(page, question):
    problem = check_problem(page, question)
    assert problem is None, problem


def test_wrong_quiz_answer_found():
    quiz = load_quiz_hook().parse_quiz(
        "id: demo\n"
        "questions:\n"
        "  - id: shape\n"
        "    question: What is the shape?\n"
        "    check: str(tuple(torch.zeros(2, 3).shape))\n"
        "    options:\n"
        "      - text: (3, 2)\n"
        "        correct: true\n"
        "        why: Wrong on purpose.\n"
        "      - text: (2, 3)\n"
        "        why: Right, but not marked correct.\n",
        "docs/lessons/demo.md",
    )
    problem = check_problem("docs/lessons/demo.md", quiz.questions[0])
    assert problem == (
        "docs/lessons/demo.md: quiz question 'shape': check "
        "'str(tuple(torch.zeros(2, 3).shape))' gave '(2, 3)', but the correct "
        "option says '(3, 2)'."
    )
