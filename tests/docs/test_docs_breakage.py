"""Show that the documentation checks catch breakage, one fault at a time.

Each test writes a small MkDocs project (one lesson, one library module, one
example program), breaks one thing, and runs the real checker on it: pytest
with the repository's conftest.py, `mkdocs build --strict`, or a function of
doccheck. Each asserts that the check fails and that its message names the
page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import doccheck
import pytest

ROOT = doccheck.ROOT

MKDOCS_YML = """\
site_name: fixture
use_directory_urls: false
theme:
  name: mkdocs
nav:
  - index.md
  - Lessons:
      - lessons/index.md
      - lessons/demo.md
  - glossary.md
markdown_extensions:
  - admonition
  - attr_list
  - pymdownx.details
  - pymdownx.highlight:
      pygments_lang_class: true
  - pymdownx.snippets:
      base_path: [src, snippets]
      check_paths: true
      dedent_subsections: true
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
"""

LIBRARY = """\
def double(x):
    # --8<-- [start:double-body]
    result = 2 * x
    return result
    # --8<-- [end:double-body]
"""

PROGRAM = """\
from demo_lib import double

print("double(21) =", double(21))
"""

LESSON = """\
---
title: Demo
description: A lesson used by the breakage tests.
---

# Demo

Uses the [token](../glossary.md#token) idea.

```python title="a file name with spaces.py"
values = [1, 2, 3]
```

```{.python continuation}
assert sum(values) == 6
```

=== "Tab one"

    ```python
    tab_value = 1
    assert tab_value == 1
    ```

!!! note

    ```python
    note_value = 2
    ```

1. A list item with code:

    ```python
    list_value = 3
    ```

The library's body is shown, not run:

```python
--8<-- "demo_lib.py:double-body"
```

<!-- notest: a fragment of double(), shown verbatim from src/ -->
```{.python notest}
result = 2 * x
```

```quiz
id: demo
questions: []
```

## What comes next

Nothing.
"""


def write_project(base: Path) -> Path:
    """Write the fixture project under base and return its folder."""
    project = base / "project"
    files = {
        "mkdocs.yml": MKDOCS_YML,
        "pytest.ini": (
            "[pytest]\n"
            "testpaths = docs\n"
            "addopts = --markdown-docs --markdown-docs-syntax=superfences "
            "-p no:cacheprovider\n"
        ),
        "src/demo_lib.py": LIBRARY,
        "snippets/program.py": PROGRAM,
        "docs/index.md": "# Home\n\nSee the [lessons](lessons/index.md).\n",
        "docs/lessons/index.md": "# Lessons\n\n- [Demo](demo.md)\n",
        "docs/lessons/demo.md": LESSON,
        "docs/glossary.md": "# Glossary\n\n## Token {#token}\n\nA piece of text.\n",
    }
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "conftest.py", project / "conftest.py")
    (project / "tests" / "docs").mkdir(parents=True)
    shutil.copy(ROOT / "tests/docs/doccheck.py", project / "tests/docs/doccheck.py")
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_pytest(project: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(project / "src"))
    env.pop("TINYFORMER_SITE_DIR", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rf",
            "--no-header",
            "-p",
            "no:randomly",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path)


@pytest.fixture(scope="module")
def baseline_site(tmp_path_factory) -> tuple[Path, Path]:
    """Build the unbroken fixture project once; return (project, site)."""
    project = write_project(tmp_path_factory.mktemp("baseline"))
    site = project / "site"
    result = doccheck.build_site(project, site)
    assert result.returncode == 0, result.stderr
    return project, site


def test_fixture_project_passes(project):
    result = run_pytest(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Five fences run: the second continues the first, then tab, admonition, list.
    assert "5 passed" in output, output


def test_fixture_site_checks_pass(baseline_site):
    project, site = baseline_site
    config = doccheck.load_mkdocs_config(project / "mkdocs.yml")
    expander = doccheck.SnippetExpander(project / "mkdocs.yml")
    assert doccheck.check_links(site) == []
    assert doccheck.check_lessons(project / "docs", site, config) == []
    assert doccheck.check_lesson_code(project / "docs", site, config, expander) == []


def test_fence_that_raises_fails(project):
    edit(project / "docs/lessons/demo.md", "values = [1, 2, 3]", "values = [1, 2]")
    result = run_pytest(project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "docs/lessons/demo.md: the fence at line 14 failed" in output
    assert "AssertionError" in output


def test_fence_in_tab_that_raises_fails(project):
    edit(
        project / "docs/lessons/demo.md",
        "assert tab_value == 1",
        "assert tab_value == 2",
    )
    result = run_pytest(project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "docs/lessons/demo.md: the fence at line 20 failed" in output


def test_fence_in_admonition_runs(project):
    edit(project / "docs/lessons/demo.md", "note_value = 2", "note_value = 1 / 0")
    result = run_pytest(project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ZeroDivisionError" in output


def test_renamed_section_fails_pytest(project):
    edit(project / "src/demo_lib.py", "[start:double-body]", "[start:twice]")
    edit(project / "src/demo_lib.py", "[end:double-body]", "[end:twice]")
    result = run_pytest(project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "docs/lessons/demo.md: expanding --8<-- snippets failed" in output
    assert "double-body" in output


def test_renamed_section_fails_build(project, tmp_path):
    edit(project / "src/demo_lib.py", "[start:double-body]", "[start:twice]")
    result = doccheck.build_site(project, tmp_path / "site")
    assert result.returncode != 0
    assert "lessons/demo.md" in result.stderr
    assert "double-body" in result.stderr


def test_missing_snippet_file_fails_both(project, tmp_path):
    edit(project / "docs/lessons/demo.md", '"demo_lib.py:double-body"', '"gone.py"')
    result = run_pytest(project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "docs/lessons/demo.md: expanding --8<-- snippets failed" in output
    assert "gone.py" in output
    build = doccheck.build_site(project, tmp_path / "site")
    assert build.returncode != 0
    assert "gone.py" in build.stderr


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("python notest", "break the fence in MkDocs"),
        ("{.python contination}", "contination are not read by pytest-markdown-docs"),
        ("Python", "is not run by pytest"),
        ("pyhton", "looks like a misspelling of 'python'"),
        ("{.python notest}", "needs the reason on the line directly above it"),
        ("{.python retry:twice}", "retry:twice is invalid"),
    ],
)
def test_ignored_fence_option_fails(project, info, expected):
    lesson = project / "docs/lessons/demo.md"
    edit(lesson, "## What comes next", f"```{info}\nx = 1\n```\n\n## What comes next")
    result = run_pytest(project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "docs/lessons/demo.md:" in output
    assert expected in output


def test_dead_internal_link_found(project, tmp_path):
    edit(
        project / "docs/lessons/demo.md",
        "Nothing.",
        'Nothing. <a href="missing.html">gone</a> [term](../glossary.md#no-term)',
    )
    site = tmp_path / "site"
    assert doccheck.build_site(project, site, strict=False).returncode == 0
    problems = doccheck.check_links(site)
    assert any(
        p.startswith("lessons/demo.html:") and "'missing.html' is broken" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("lessons/demo.html:") and "anchor #no-term" in p for p in problems
    ), problems
    config = doccheck.load_mkdocs_config(project / "mkdocs.yml")
    lesson_problems = doccheck.check_lessons(project / "docs", site, config)
    assert lesson_problems == [
        "docs/lessons/demo.md: glossary link #no-term names a term the "
        "glossary does not have."
    ]


def test_lesson_without_front_matter_found(baseline_site, tmp_path):
    project, site = baseline_site
    docs = tmp_path / "docs"
    shutil.copytree(project / "docs", docs)
    lesson = docs / "lessons/demo.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.split("---\n", 2)[2], encoding="utf-8")
    config = doccheck.load_mkdocs_config(project / "mkdocs.yml")
    problems = doccheck.check_lessons(docs, site, config)
    assert problems == [
        "docs/lessons/demo.md: front matter (a leading '---' YAML block) is missing.",
        "docs/lessons/demo.md: front matter has no 'title'.",
        "docs/lessons/demo.md: front matter has no 'description'.",
    ]


def test_lesson_missing_parts_found(baseline_site, tmp_path):
    project, site = baseline_site
    docs = tmp_path / "docs"
    shutil.copytree(project / "docs", docs)
    lesson = docs / "lessons/demo.md"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace("```quiz", "```yaml").replace("## What comes next", "## Next")
    lesson.write_text(text, encoding="utf-8")
    (docs / "lessons/extra.md").write_text(
        "---\ntitle: Extra\ndescription: Not in the nav.\n---\n", encoding="utf-8"
    )
    config = doccheck.load_mkdocs_config(project / "mkdocs.yml")
    problems = doccheck.check_lessons(docs, site, config)
    assert "docs/lessons/demo.md: the page has no ```quiz fence." in problems
    assert (
        "docs/lessons/demo.md: the page has no 'What comes next' section." in problems
    )
    assert (
        "docs/lessons/extra.md: the page is not in the nav of mkdocs.yml." in problems
    )


def test_untested_code_block_found(baseline_site, tmp_path):
    project, site = baseline_site
    built = tmp_path / "site"
    shutil.copytree(site, built)
    page = built / "lessons/demo.html"
    html = page.read_text(encoding="utf-8")
    marker = "<code>"
    assert marker in html
    page.write_text(
        html.replace(
            marker, "<code>import os\nos.system('true')\n</code></pre><pre>" + marker, 1
        ),
        encoding="utf-8",
    )
    config = doccheck.load_mkdocs_config(project / "mkdocs.yml")
    expander = doccheck.SnippetExpander(project / "mkdocs.yml")
    problems = doccheck.check_lesson_code(project / "docs", built, config, expander)
    assert (
        "docs/lessons/demo.md: code block starting 'import os' is neither in src/ "
        "or snippets/ nor a Python fence that pytest runs."
    ) in problems


NOTEBOOK_YML = """\
site_name: notebook fixture
use_directory_urls: false
theme:
  name: mkdocs
nav:
  - index.md
  - notebooks/demo.ipynb
plugins:
  - mkdocs-jupyter:
      include: ["notebooks/*.ipynb"]
      execute: true
      allow_errors: false
      cache: false
"""


def test_notebook_cell_that_raises_fails_build(tmp_path):
    import nbformat

    project = tmp_path / "notebook-project"
    (project / "docs/notebooks").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(NOTEBOOK_YML, encoding="utf-8")
    (project / "docs/index.md").write_text("# Home\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell('raise RuntimeError("cell failed")'),
    ]
    nbformat.write(notebook, project / "docs/notebooks/demo.ipynb")
    result = doccheck.build_site(project, tmp_path / "site")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "demo.ipynb" in output
    assert "cell failed" in output
