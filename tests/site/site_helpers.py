"""Helpers that build small temporary MkDocs projects with the site's hooks."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
HOOKS = REPO / "hooks"


def write_project(root: Path, pages: dict[str, str], hooks: list[str]) -> Path:
    """Write a minimal MkDocs project using the given hooks of this repository."""
    docs = root / "docs"
    for name, text in pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    hook_lines = "\n".join(f"  - {HOOKS / name}" for name in hooks)
    (root / "mkdocs.yml").write_text(
        textwrap.dedent(
            """\
            site_name: hook test
            use_directory_urls: false
            exclude_docs: |
              figures/
            markdown_extensions:
              - pymdownx.arithmatex:
                  generic: true
            hooks:
            """
        )
        + hook_lines
        + "\n"
    )
    return root


def run_build(root: Path) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict` in a child process and return its result."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )


def load_hook(name: str) -> ModuleType:
    """Import hooks/<name>.py as a module, the way MkDocs loads a hook."""
    module_name = f"site_hook_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
