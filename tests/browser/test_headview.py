"""The head view on the real-heads lesson shows MiniLM's attention and works by keyboard."""

from __future__ import annotations

import pytest

from tinyformer.pretrained import load_minilm

pytestmark = pytest.mark.browser

PAGE = "lessons/real-heads.html"
SENTENCE = "The animal didn't cross the street because it was too tired."
# The page opens the head view on this layer, head and query token.
LAYER, HEAD, QUERY = 3, 1, "it"


def shown_percentages(view) -> list[int]:
    texts = view.locator(".headview-weight").all_text_contents()
    return [int(text.rstrip("%")) for text in texts]


def expected_percentages(weights, layer: int, head: int, query: int) -> list[int]:
    return [round(value * 100) for value in weights[layer, head, query].tolist()]


def assert_close(shown: list[int], expected: list[int]) -> None:
    # The page rounds twice (to 0.001 in the JSON, then to whole percent), so
    # a value may differ by one percentage point.
    assert len(shown) == len(expected)
    for position, (got, want) in enumerate(zip(shown, expected, strict=True)):
        assert abs(got - want) <= 1, f"token {position}: shown {got}%, model {want}%"


@pytest.fixture(scope="module")
def minilm():
    return load_minilm()


def test_headview_real_attention_keyboard(page, base_url, minilm):
    tokens, weights = minilm.attention(SENTENCE)
    query = tokens.index(QUERY)

    page.goto(base_url + PAGE)
    view = page.locator(".headview[data-ready='true']")
    view.wait_for()
    buttons = view.locator("button.headview-token")
    assert view.locator(".headview-token-text").all_text_contents() == tokens

    # Opens on layer 3, head 1 with "it" as the query, showing the model's row.
    pressed = view.locator("button.headview-token[aria-pressed='true']")
    assert pressed.locator(".headview-token-text").text_content() == QUERY
    assert_close(shown_percentages(view), expected_percentages(weights, 3, 1, query))
    summary = view.locator(".headview-summary")
    assert "“it” attends most to “animal”" in summary.text_content()

    # Tab from the head select reaches the query token: the only tab stop.
    view.locator("select").nth(2).focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.index")
    assert focused == str(query)

    # ArrowRight moves focus to the next token, which becomes the query.
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.dataset.index")
    assert focused == str(query + 1)
    assert pressed.locator(".headview-token-text").text_content() == tokens[query + 1]
    assert_close(
        shown_percentages(view), expected_percentages(weights, 3, 1, query + 1)
    )
    assert f"“{tokens[query + 1]}” attends most to" in summary.text_content()

    # Another layer and head: layer 1, head 8.
    view.locator("select").nth(1).select_option("1")
    view.locator("select").nth(2).select_option("8")
    buttons.nth(query + 1).focus()
    assert_close(
        shown_percentages(view), expected_percentages(weights, 1, 8, query + 1)
    )
    assert "Layer 1, head 8" in summary.text_content()

    # Home jumps to the first token.
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.dataset.index") == "0"
    assert "“[CLS]” attends most to" in summary.text_content()


def test_headview_sentence_select(page, base_url, minilm):
    page.goto(base_url + PAGE)
    view = page.locator(".headview[data-ready='true']")
    view.wait_for()
    sentence_select = view.locator("select").first
    options = sentence_select.locator("option").all_text_contents()
    assert SENTENCE in options
    assert len(options) >= 3

    sentence_select.select_option(index=2)
    tokens, _ = minilm.attention(options[2])
    assert view.locator(".headview-token-text").all_text_contents() == tokens
    labels = view.locator("button.headview-token").first.get_attribute("aria-label")
    assert labels == f"[CLS], token 1 of {len(tokens)}"
