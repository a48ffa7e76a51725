"""Search, math, diagrams, dark mode, accessibility and screenshots in Chromium."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_SCRIPT, SCREENSHOT_DIR

pytestmark = pytest.mark.browser

LESSON = "lessons/self-attention.html"

# Collects the visible text of the article, leaving out code and rendered math,
# so any raw TeX that KaTeX failed to render is left in the result.
ARTICLE_TEXT_WITHOUT_MATH = """
() => {
  const article = document.querySelector("article").cloneNode(true);
  article.querySelectorAll("pre, code, .katex").forEach((node) => node.remove());
  return article.textContent;
}
"""


def test_search_finds_glossary_term(page, base_url: str) -> None:
    page.goto(base_url)
    search = page.locator("input.md-search__input")
    search.click()
    # Material runs the query on key events, so type it key by key.
    search.press_sequentially("softmax")
    result_links = page.locator("a.md-search-result__link")
    expect(result_links.first).to_be_visible()
    hrefs = result_links.evaluate_all("links => links.map((link) => link.href)")
    assert any("glossary.html" in href for href in hrefs), hrefs


def test_math_renders_on_lesson(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    expect(page.locator("article .katex").first).to_be_attached()
    assert page.locator("article .katex").count() >= 3
    assert page.locator("article .katex-error").count() == 0
    text = page.evaluate(ARTICLE_TEXT_WITHOUT_MATH)
    assert "\\(" not in text
    assert "\\[" not in text
    assert "$$" not in text
    assert "\\sqrt" not in text
    assert re.search(r"\$[^$\s][^$]*\$", text) is None


def test_math_renders_in_notebook_markdown(page, base_url: str) -> None:
    page.goto(base_url + "notebooks/translator.html")
    cells = page.locator(".jp-RenderedMarkdown")
    expect(cells.locator(".katex").first).to_be_attached()
    assert cells.locator(".katex-error").count() == 0
    text = page.evaluate(
        """() => Array.from(document.querySelectorAll(".jp-RenderedMarkdown"))
        .map((cell) => { const copy = cell.cloneNode(true);
          copy.querySelectorAll("pre, code, .katex").forEach((n) => n.remove());
          return copy.textContent; }).join(" ")"""
    )
    assert "\\sqrt" not in text
    assert re.search(r"\$[^$\s][^$]*\$", text) is None


def test_mermaid_renders_svg(page, base_url: str) -> None:
    page.goto(base_url + LESSON)
    diagrams = page.locator("article div.mermaid")
    expect(diagrams.first).to_be_attached()
    for diagram in diagrams.all():
        svg = diagram.locator("svg").first
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 50
        assert box["height"] > 50
        assert svg.locator("text, foreignObject").count() > 0
    assert page.locator("article pre.mermaid").count() == 0


def test_dark_mode_toggle(page, base_url: str) -> None:
    page.goto(base_url)
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    light_background = body.evaluate("node => getComputedStyle(node).backgroundColor")

    page.get_by_title("Switch to dark mode").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    dark_background = body.evaluate("node => getComputedStyle(node).backgroundColor")
    assert dark_background != light_background

    page.reload()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    page.get_by_title("Switch to light mode").click()
    expect(body).to_have_attribute("data-md-color-scheme", "default")


@pytest.mark.parametrize("path", ["", LESSON, "progress.html"])
def test_axe_no_serious_violations(page, base_url: str, path: str) -> None:
    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run `npm ci`"
    page.goto(base_url + path)
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate(
        """async () => {
          const results = await axe.run(document, { resultTypes: ["violations"] });
          return results.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              targets: v.nodes.slice(0, 5).map((node) => node.target.join(" ")),
            }));
        }"""
    )
    assert violations == [], json.dumps(violations, indent=2)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, path", [("home", ""), ("lesson", LESSON)])
def test_screenshots(page, base_url: str, name: str, path: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url + path, wait_until="networkidle")
    expected = "slate" if scheme == "dark" else "default"
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", expected)
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    target = SCREENSHOT_DIR / f"{name}-{scheme}.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
