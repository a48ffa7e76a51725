"""Copy KaTeX and mermaid from node_modules into the site at build time.

The site loads nothing from a CDN, and no npm file is committed. `npm ci`
installs the versions pinned in package-lock.json into node_modules/, and this
hook adds the files below to the build as generated files under `vendor/`, so
both `mkdocs build` and `mkdocs serve` ship them. mkdocs.yml lists them in
`extra_css` and `extra_javascript`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.assets")

# Material 9.8.1 starts none of its page components (code copy, tabs, mermaid,
# document$) on a file:// page when navigation.instant is on, so a build meant
# to be opened from disk sets this variable to 1 to leave instant navigation out.
FILE_URLS_VARIABLE = "TINYFORMER_FILE_URLS"

# (path under node_modules, path under the site's vendor/ folder). A directory
# is copied with everything below it.
VENDORED = (
    ("katex/dist/katex.min.js", "katex/katex.min.js"),
    ("katex/dist/katex.min.css", "katex/katex.min.css"),
    ("katex/dist/fonts", "katex/fonts"),
    ("katex/dist/contrib/auto-render.min.js", "katex/contrib/auto-render.min.js"),
    ("mermaid/dist/mermaid.min.js", "mermaid/mermaid.min.js"),
)


def node_modules_dir(config: MkDocsConfig) -> Path:
    """Return the node_modules folder next to mkdocs.yml."""
    return Path(config.config_file_path).resolve().parent / "node_modules"


def vendored_files(node_modules: Path) -> list[tuple[Path, str]]:
    """List each vendored file as (absolute source path, site path).

    Raises:
        PluginError: if node_modules or one of the expected files is missing.
    """
    if not node_modules.is_dir():
        raise PluginError(
            f"node_modules not found at {node_modules}: run `npm ci` in "
            f"{node_modules.parent} to install KaTeX and mermaid."
        )
    found: list[tuple[Path, str]] = []
    for source_name, site_name in VENDORED:
        source = node_modules / source_name
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file():
                    relative = path.relative_to(source).as_posix()
                    found.append((path, f"vendor/{site_name}/{relative}"))
        elif source.is_file():
            found.append((source, f"vendor/{site_name}"))
        else:
            raise PluginError(
                f"{source} is missing from node_modules: run `npm ci` to "
                "reinstall the versions pinned in package-lock.json."
            )
    return found


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Leave out instant navigation when building for file:// reading."""
    if os.environ.get(FILE_URLS_VARIABLE) == "1":
        features = config.theme["features"]
        config.theme["features"] = [
            name for name in features if not name.startswith("navigation.instant")
        ]
        log.info(
            "%s=1: instant navigation is off for file:// reading", FILE_URLS_VARIABLE
        )
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the vendored KaTeX and mermaid files to the site."""
    vendored = vendored_files(node_modules_dir(config))
    for source, site_path in vendored:
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
    log.debug("Added %d vendored asset files", len(vendored))
    return files
