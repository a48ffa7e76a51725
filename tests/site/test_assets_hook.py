"""Tests for hooks/assets.py: vendored KaTeX and mermaid, and a missing npm ci."""

from __future__ import annotations

import shutil

import pytest
from mkdocs.exceptions import PluginError
from site_helpers import REPO, load_hook, run_build

assets = load_hook("assets")


def test_vendored_files_found_in_repo():
    found = dict(
        (site, path) for path, site in assets.vendored_files(REPO / "node_modules")
    )
    assert "vendor/katex/katex.min.js" in found
    assert "vendor/katex/contrib/auto-render.min.js" in found
    assert "vendor/mermaid/mermaid.min.js" in found
    fonts = [site for site in found if site.startswith("vendor/katex/fonts/")]
    assert any(site.endswith(".woff2") for site in fonts)


def test_missing_node_modules_names_npm_ci(tmp_path):
    with pytest.raises(PluginError, match="run `npm ci`"):
        assets.vendored_files(tmp_path / "node_modules")


def test_build_without_node_modules_fails(project):
    root = project({"index.md": "# Home\n"}, ["assets.py"])
    result = run_build(root)
    assert result.returncode != 0
    assert "npm ci" in result.stderr


def test_build_copies_assets(project):
    root = project({"index.md": "# Home\n"}, ["assets.py"])
    katex = root / "node_modules" / "katex" / "dist"
    shutil.copytree(REPO / "node_modules" / "katex" / "dist", katex)
    mermaid = root / "node_modules" / "mermaid" / "dist"
    mermaid.mkdir(parents=True)
    shutil.copy(REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js", mermaid)
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    vendor = root / "site" / "vendor"
    assert (vendor / "katex" / "katex.min.css").is_file()
    assert (vendor / "katex" / "fonts" / "KaTeX_Main-Regular.woff2").is_file()
    assert (vendor / "mermaid" / "mermaid.min.js").is_file()
