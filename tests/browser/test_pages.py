"""Every page of the built site loads cleanly in Chromium with no outside hosts."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from .conftest import attach_page_log

pytestmark = pytest.mark.browser

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def site_pages(site_dir: Path) -> list[str]:
    """Return each page's path relative to the site root, from sitemap.xml."""
    sitemap = site_dir / "sitemap.xml"
    assert sitemap.is_file(), f"{sitemap} is missing; MkDocs writes it on build"
    locations = [
        element.text.strip()
        for element in ElementTree.parse(sitemap).findall(".//sm:loc", SITEMAP_NS)
    ]
    assert locations, f"{sitemap} lists no pages"
    # The home page is the shortest entry: site_url itself, or site_url plus
    # index.html when the site does not use directory URLs.
    home = min(locations, key=len)
    root = home[: home.rindex("/") + 1]
    assert all(location.startswith(root) for location in locations), root
    return [location[len(root) :] for location in locations]


def test_sitemap_covers_site_files(site_dir: Path) -> None:
    pages = set(site_pages(site_dir))
    for path in pages:
        target = site_dir / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        assert target.is_file(), f"sitemap page {path!r} has no file {target}"
    for required in ["index.html", "progress.html", "glossary.html"]:
        assert required in pages, f"sitemap lacks {required!r}"


def test_every_page_loads_cleanly(context, base_url: str, site_dir: Path) -> None:
    page = context.new_page()
    log = attach_page_log(page, base_url)
    problems = {}
    for path in site_pages(site_dir):
        log.clear()
        response = page.goto(base_url + path, wait_until="networkidle")
        assert response is not None, path
        assert response.status == 200, f"{path}: HTTP {response.status}"
        found = {
            "blocked requests to other hosts": list(log.blocked_requests),
            "failed requests": list(log.failed_requests),
            "uncaught exceptions": list(log.page_errors),
            "console errors": list(log.console_errors),
        }
        found = {kind: items for kind, items in found.items() if items}
        if found:
            problems[path or "index.html"] = found
    assert problems == {}
