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


@pytest.mark.parametrize(("file_urls", "expected"), [("0", True), ("1", False)])
def test_file_urls_variable_drops_instant(tmp_path, monkeypatch, file_urls, expected):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "node_modules").symlink_to(REPO / "node_modules")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\n"
        "theme:\n  name: material\n  features: [navigation.instant, content.code.copy]\n"
        f"hooks:\n  - {REPO / 'hooks' / 'assets.py'}\n"
    )
    monkeypatch.setenv("TINYFORMER_FILE_URLS", file_urls)
    result = run_build(tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "index.html").read_text()
    assert '"content.code.copy"' in page
    assert ('"navigation.instant"' in page) is expected
