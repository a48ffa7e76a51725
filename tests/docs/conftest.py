"""Fixtures for the built-site checks: one site build per test session."""

from __future__ import annotations

import os
from pathlib import Path

import doccheck
import pytest

ROOT = doccheck.ROOT


@pytest.fixture(scope="session")
def mkdocs_config() -> dict:
    return doccheck.load_mkdocs_config(ROOT / "mkdocs.yml")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """Return a built site: $TINYFORMER_SITE_DIR, or one built now with --strict.

    `make test` builds the site once with `mkdocs build --strict` and sets
    TINYFORMER_SITE_DIR, so the tests reuse that build.
    """
    given = os.environ.get("TINYFORMER_SITE_DIR")
    if given:
        path = Path(given)
        if not (path / "index.html").is_file():
            pytest.fail(
                f"TINYFORMER_SITE_DIR={given} has no index.html; run "
                "'mkdocs build --strict' first or unset the variable."
            )
        return path
    path = tmp_path_factory.mktemp("site") / "site"
    result = doccheck.build_site(ROOT, path)
    if result.returncode != 0:
        pytest.fail(
            "mkdocs build --strict failed:\n"
            + result.stdout[-4000:]
            + result.stderr[-4000:]
        )
    return path


@pytest.fixture(scope="session")
def snippet_expander() -> doccheck.SnippetExpander:
    return doccheck.SnippetExpander(ROOT / "mkdocs.yml")
