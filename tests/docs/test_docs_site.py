"""Checks on the built site: tested code, links, and the shape of each lesson."""

from __future__ import annotations

import doccheck

ROOT = doccheck.ROOT


def test_site_internal_links_resolve(site_dir, mkdocs_config):
    problems = doccheck.check_links(site_dir, mkdocs_config.get("site_url"))
    assert not problems, "broken internal links:\n" + "\n".join(problems)


def test_lesson_pages_complete(site_dir, mkdocs_config):
    problems = doccheck.check_lessons(ROOT / "docs", site_dir, mkdocs_config)
    assert not problems, "incomplete lesson pages:\n" + "\n".join(problems)


def test_lesson_code_is_tested(site_dir, mkdocs_config, snippet_expander):
    problems = doccheck.check_lesson_code(
        ROOT / "docs", site_dir, mkdocs_config, snippet_expander
    )
    assert not problems, "untested code on lesson pages:\n" + "\n".join(problems)


def test_lesson_template_not_a_lesson():
    lessons = doccheck.lesson_pages(ROOT / "docs")
    names = [page.name for page in lessons]
    assert "lesson-template.md" not in names
    assert "index.md" not in names
