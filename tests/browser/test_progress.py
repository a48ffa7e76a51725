"""Interactive quizzes, XP, the skill map and stored progress in Chromium."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LESSON = "lessons/self-attention.html"
LESSON_ID = "self-attention"
NEXT_LESSON_ID = "positional-encodings"
TOPIC_ID = "query-key-value"
STORAGE_KEY = "tinyformer.progress"
XP_PER_LESSON = 100
XP_PER_QUESTION = 10
XP_PER_TOPIC = 10


def first_question(page):
    return page.locator("form.quiz fieldset.quiz-question").first


def answer(question, correct: bool) -> None:
    """Choose the first right or wrong option of a question and press Check."""
    flag = "true" if correct else "false"
    question.locator(f".quiz-option[data-correct='{flag}'] label").first.click()
    question.get_by_role("button", name="Check").click()


def explanation_text(question, correct: bool) -> str:
    """Return the hook's explanation of the option answer() chooses."""
    flag = "true" if correct else "false"
    option_id = question.locator(
        f".quiz-option[data-correct='{flag}'] input"
    ).first.get_attribute("id")
    item = question.locator(f"li[id='{option_id}-why']")
    text = item.evaluate("node => node.textContent")
    # Drop the leading "Correct:" or "Not quite:" label.
    return text.split(":", 1)[1].strip()


def skill_state(page, skill: str) -> str:
    """Return the state written on the skill map's list item for one skill."""
    link = page.locator(f".tf-skill-map a[data-skill='{skill}']")
    expect(link).to_have_count(1)
    return link.evaluate("node => node.closest('li').dataset.state")


def stored_progress(page) -> dict | None:
    raw = page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')")
    return None if raw is None else json.loads(raw)


def test_quiz_wrong_then_right(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    question = first_question(page)
    feedback = question.locator("[data-quiz-feedback]")
    expect(question.locator("details.quiz-answer")).to_be_hidden()
    expect(page.locator(".tf-xp")).to_have_text("0 XP")

    question.get_by_role("button", name="Check").click()
    expect(feedback).to_have_text("Choose an option first.")

    answer(question, correct=False)
    expect(feedback).to_contain_text("Not quite.")
    expect(feedback).to_contain_text(explanation_text(question, correct=False))
    expect(feedback).to_have_attribute("data-state", "wrong")
    expect(question.get_by_role("button", name="Try again")).to_be_visible()
    expect(page.locator(".tf-xp")).to_have_text("0 XP")

    answer(question, correct=True)
    expect(feedback).to_contain_text("Right.")
    expect(feedback).to_contain_text(explanation_text(question, correct=True))
    expect(feedback).to_have_attribute("data-state", "right")
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_QUESTION} XP")

    question.get_by_role("button", name="Try again").click()
    expect(feedback).to_be_empty()
    assert question.locator("input:checked").count() == 0

    # A wrong retry keeps the XP already earned for this question.
    answer(question, correct=False)
    expect(feedback).to_contain_text("Not quite.")
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_QUESTION} XP")


def test_quiz_keyboard_only(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    question = first_question(page)
    radios = question.locator("input[type='radio']")
    radios.first.focus()
    page.keyboard.press("Space")
    expect(radios.first).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(radios.nth(1)).to_be_checked()
    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Check")).to_be_focused()
    page.keyboard.press("Enter")
    expected = (
        "Right."
        if radios.nth(1).evaluate(
            "node => node.closest('.quiz-option').dataset.correct === 'true'"
        )
        else "Not quite."
    )
    expect(question.get_by_role("status")).to_contain_text(expected)


def test_quiz_markup_is_accessible(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    question = first_question(page)
    expect(question.locator("legend")).not_to_be_empty()
    feedback = question.locator("[data-quiz-feedback]")
    expect(feedback).to_have_attribute("aria-live", "polite")
    for radio in question.locator("input[type='radio']").all():
        label = page.locator(f"label[for='{radio.get_attribute('id')}']")
        expect(label).to_have_count(1)
        expect(label).not_to_be_empty()


def test_all_right_marks_lesson_done(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    questions = page.locator("form.quiz fieldset.quiz-question")
    count = questions.count()
    assert count >= 2
    for index in range(count):
        answer(questions.nth(index), correct=True)
    last_feedback = questions.nth(count - 1).locator("[data-quiz-feedback]")
    expect(last_feedback).to_contain_text("lesson is marked as done")
    expect(page.locator(".quiz-score")).to_have_text(
        f"Your score: {count} of {count} questions answered right."
    )
    expected_xp = XP_PER_LESSON + count * XP_PER_QUESTION
    expect(page.locator(".tf-xp")).to_have_text(f"{expected_xp} XP")
    expect(page.get_by_role("button", name="Mark lesson as not done")).to_be_visible()


def test_progress_survives_reload_and_navigation(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    answer(first_question(page), correct=True)
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_QUESTION} XP")

    page.reload()
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_QUESTION} XP")
    total = page.locator("form.quiz fieldset.quiz-question").count()
    expect(page.locator(".quiz-score")).to_have_text(
        f"Your score: 1 of {total} questions answered right."
    )

    # Instant navigation swaps the page without a reload: the marker survives.
    page.evaluate("() => { window.notReloaded = true; }")
    page.locator(".md-tabs a", has_text="Progress").click()
    expect(page).to_have_url(re.compile(r"/progress\.html(#.*)?$"))
    assert page.evaluate("() => window.notReloaded") is True
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_QUESTION} XP")
    expect(page.locator(".tf-progress-summary")).to_contain_text(
        f"1 of {total} questions right"
    )
    expect(page.locator(".tf-skill-graph")).to_be_visible()
    assert skill_state(page, LESSON_ID) == "unlocked"
    assert skill_state(page, NEXT_LESSON_ID) == "locked"

    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(LESSON) + "(#.*)?$"))
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_QUESTION} XP")
    expect(first_question(page).get_by_role("button", name="Check")).to_have_count(1)


def test_mark_done_unlocks_skill_map(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    page.get_by_role("button", name="Mark lesson as done").click()
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_LESSON} XP")
    assert stored_progress(page)["lessons"] == {LESSON_ID: {"done": True}}

    page.goto(base_url + "progress.html")
    assert skill_state(page, LESSON_ID) == "done"
    assert skill_state(page, NEXT_LESSON_ID) == "unlocked"
    assert skill_state(page, TOPIC_ID) == "unlocked"
    expect(
        page.locator(f".tf-skill-graph [data-skill='{LESSON_ID}']")
    ).to_have_attribute("data-state", "done")
    expect(page.locator(".tf-skill-graph title")).to_contain_text("1 of")

    page.get_by_role("button", name="Mark as reviewed: Query, key and value").click()
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_LESSON + XP_PER_TOPIC} XP")
    assert skill_state(page, TOPIC_ID) == "done"

    # Locked topics offer no button until their lesson is done.
    locked_topic = page.locator(
        ".tf-skill-map li[data-state='locked'] .tf-topic-toggle"
    )
    assert locked_topic.count() > 0
    for button in locked_topic.all():
        expect(button).to_be_hidden()


def test_reset_clears_progress(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    page.get_by_role("button", name="Mark lesson as done").click()
    page.goto(base_url + "progress.html")
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_LESSON} XP")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Reset progress").click()
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_LESSON} XP")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset progress").click()
    expect(page.locator(".tf-xp")).to_have_text("0 XP")
    expect(page.locator(".tf-reset-status")).to_have_text("Progress reset.")
    assert stored_progress(page) is None
    assert skill_state(page, LESSON_ID) == "unlocked"
    assert skill_state(page, NEXT_LESSON_ID) == "locked"

    page.goto(base_url + LESSON)
    expect(page.locator(".tf-xp")).to_have_text("0 XP")
    expect(page.get_by_role("button", name="Mark lesson as done")).to_be_visible()


CORRUPT_VALUES = {
    "not-json": "{oops",
    "json-null": "null",
    "array": "[1, 2]",
    "old-version": json.dumps({"version": 0, "lessons": {LESSON_ID: {"done": True}}}),
    "future-version": json.dumps({"version": 99, "lessons": {}}),
    "wrong-types": json.dumps(
        {
            "version": 1,
            "lessons": "all",
            "quizzes": {LESSON_ID: {"questions": 5}, "x": None},
            "topics": [TOPIC_ID],
        }
    ),
}


# Writes the stored progress once, before the first page's scripts run.
SEED_STORAGE_ONCE = """
([key, value]) => {
  if (!sessionStorage.getItem("seeded")) {
    localStorage.setItem(key, value);
    sessionStorage.setItem("seeded", "yes");
  }
}
"""


def seed_storage(page, value: str) -> None:
    page.add_init_script(f"({SEED_STORAGE_ONCE})({json.dumps([STORAGE_KEY, value])});")


@pytest.mark.parametrize("value", CORRUPT_VALUES.values(), ids=CORRUPT_VALUES.keys())
def test_corrupt_storage_starts_empty(page, base_url: str, value: str) -> None:
    seed_storage(page, value)
    page.goto(base_url + LESSON)
    assert page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')") == value
    expect(page.locator(".tf-xp")).to_have_text("0 XP")
    expect(page.locator(".quiz-score")).to_contain_text("Your score: 0 of")

    page.get_by_role("button", name="Mark lesson as done").click()
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_LESSON} XP")
    stored = stored_progress(page)
    assert stored["version"] == 1
    assert stored["lessons"] == {LESSON_ID: {"done": True}}


def test_partly_valid_storage_keeps_valid_parts(page, base_url: str) -> None:
    value = {
        "version": 1,
        "lessons": {LESSON_ID: {"done": True}, "bogus": "yes"},
        "quizzes": {LESSON_ID: "broken"},
        "topics": {TOPIC_ID: True, "other": 3},
    }
    seed_storage(page, json.dumps(value))
    page.goto(base_url + "progress.html")
    expect(page.locator(".tf-xp")).to_have_text(f"{XP_PER_LESSON + XP_PER_TOPIC} XP")
    assert skill_state(page, LESSON_ID) == "done"
    assert skill_state(page, TOPIC_ID) == "done"
    assert skill_state(page, NEXT_LESSON_ID) == "unlocked"


def test_quiz_readable_without_javascript(browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + LESSON)
        question = first_question(page)
        expect(question.locator("legend")).to_be_visible()
        expect(question.locator("input[type='radio']").first).to_be_visible()
        assert question.get_by_role("button", name="Check").count() == 0
        question.locator("details.quiz-answer summary").click()
        expect(question.locator(".quiz-correct")).to_be_visible()
        expect(page.locator(".tf-xp")).to_have_count(0)
    finally:
        context.close()
