"""Evaluate each quiz question's `check:` expression against the package.

A question about a value or a shape carries `check: <python expression>`. The
expression runs with `tinyformer` (every submodule imported), `numpy as np`
and `torch` in scope. Its result must equal the correct option's `value`, or
its `text` when it has no `value`. A result that is not a string is compared
through `str()`, so `4` matches "4" and a shape tuple matches "(2, 4, 5, 7)".
The quiz fences are parsed by hooks/quiz.py, the same code that renders them.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import tinyformer

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def load_quiz_hook():
    spec = importlib.util.spec_from_file_location(
        "quiz_hook", ROOT / "hooks" / "quiz.py"
    )
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up in sys.modules while the file executes.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


quiz_hook = load_quiz_hook()


def import_all_submodules() -> None:
    """Import every tinyformer submodule so `tinyformer.x.y` resolves in checks."""
    for info in pkgutil.walk_packages(tinyformer.__path__, prefix="tinyformer."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)


def collect_checks() -> list:
    cases = []
    for page in sorted(DOCS.rglob("*.md")):
        name = page.relative_to(DOCS).as_posix()
        text = page.read_text(encoding="utf-8")
        for quiz in quiz_hook.find_quizzes(text, name):
            for question in quiz.questions:
                if question.check is None:
                    continue
                case_id = f"{name}:{quiz.id}:{question.id}"
                cases.append(pytest.param(question, id=case_id))
    return cases


CHECKS = collect_checks()


def as_answer(result) -> str:
    return result if isinstance(result, str) else str(result)


def test_lessons_have_checked_questions():
    lesson_checks = [case for case in CHECKS if case.id.startswith("lessons/")]
    assert len(lesson_checks) >= 3, "expected quiz questions with check: on lessons"


@pytest.mark.parametrize("question", CHECKS)
def test_quiz_check_matches_answer(question):
    import_all_submodules()
    namespace = {"tinyformer": tinyformer, "np": np, "torch": torch}
    torch.manual_seed(0)
    result = eval(question.check, namespace)  # noqa: S307 - trusted repository text
    correct = question.correct_option
    expected = correct.value if correct.value is not None else correct.text
    assert as_answer(result) == expected.strip(), (
        f"check {question.check!r} gives {as_answer(result)!r}, but the correct "
        f"option says {expected!r}"
    )


def test_check_result_formatting():
    assert as_answer((2, 4, 5, 7)) == "(2, 4, 5, 7)"
    assert as_answer(4) == "4"
    assert as_answer(0.108) == "0.108"
    assert as_answer("(3, 8)") == "(3, 8)"
