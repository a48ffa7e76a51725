"""Fixtures for the site hook tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import write_project


@pytest.fixture
def project(tmp_path: Path):
    """Return a function that writes a project under tmp_path."""

    def make(pages: dict[str, str], hooks: list[str]) -> Path:
        return write_project(tmp_path, pages, hooks)

    return make
