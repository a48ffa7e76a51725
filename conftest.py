"""Run the Python fences of docs/ and README.md as pytest-markdown-docs tests.

pytest-markdown-docs 0.9.2 parses Markdown with CommonMark, so on its own it
misses what MkDocs renders: fences inside admonitions and content tabs, and
the code that `--8<--` snippet includes put into a fence. This file replaces
its Markdown collector with one that first expands the page the way MkDocs
does (tests/docs/doccheck.py), then hands the fences to the plugin's own test
items. It also turns fence info strings the runner would silently ignore into
failing tests, and drops the plugin's docstring collector for .py files.
"""

from __future__ import annotations

import linecache
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests" / "docs"))

import doccheck  # noqa: E402

try:
    from pytest_markdown_docs.definitions import FenceTestDefinition
    from pytest_markdown_docs.plugin import (
        MarkdownDocstringCodeModule,
        MarkdownInlinePythonItem,
        MarkdownTextFile,
    )
except ImportError:  # the plugin is missing: pytest reports --markdown-docs as unknown
    MarkdownTextFile = None


class FenceProblem(Exception):
    """A page or fence problem found while collecting a Markdown file."""


class FenceProblemItem(pytest.Item):
    """A test that fails with one collection problem of a Markdown page."""

    def __init__(self, *, message: str, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def runtest(self):
        raise FenceProblem(self.message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, FenceProblem):
            return self.message
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name


if MarkdownTextFile is not None:

    class PageFenceItem(MarkdownInlinePythonItem):
        """A fence test that runs in its own temporary directory."""

        def __init__(self, *, page_line: int, **kwargs):
            super().__init__(**kwargs)
            self.page_line = page_line

        def runtest(self):
            # The plugin's own runtest turns output capture off, so every
            # fence's output would flood the log. This one keeps pytest's
            # capture on, which shows the output only when a fence fails.
            namespace: dict = {}
            for global_set in self.config.hook.pytest_markdown_docs_globals():
                namespace.update(global_set)
            for fixture_name in self._fixtureinfo.names_closure:
                self.fixture_request.getfixturevalue(fixture_name)
            namespace.update(self.funcargs)

            work_dir = self.config._tmp_path_factory.mktemp("fence")
            previous = os.getcwd()
            os.chdir(work_dir)
            try:
                for attempt in range(self.test_definition.max_retries + 1):
                    try:
                        self.runner.runtest(self.test_definition, dict(namespace))
                        return
                    except Exception:
                        if attempt == self.test_definition.max_retries:
                            raise
            finally:
                os.chdir(previous)

        def repr_failure(self, excinfo, style=None):
            where = doccheck.display_path(self.path)
            header = f"{where}: the fence at line {self.page_line} failed."
            if self.page_line != self.start_line:
                header += (
                    " Line numbers below count the page after its --8<-- "
                    "snippets are expanded."
                )
            return header + "\n" + super().repr_failure(excinfo, style)

    class ExpandedMarkdownFile(MarkdownTextFile):
        """A Markdown page whose fences are read after MkDocs-style expansion."""

        def collect(self):
            try:
                page = doccheck.expand_page(self.path, _expander(self.config))
            except Exception as error:  # noqa: BLE001 - reported as a failing test
                where = doccheck.display_path(self.path)
                yield FenceProblemItem.from_parent(
                    self,
                    name="[snippets]",
                    message=f"{where}: expanding --8<-- snippets failed: {error}",
                )
                return
            fences, problems = doccheck.extract_fences(page)
            # Tracebacks then show the expanded lines that actually ran.
            source_name = f"{self.path} (expanded)"
            linecache.cache[source_name] = (
                len(page.text),
                None,
                page.text.splitlines(keepends=True),
                source_name,
            )
            for number, problem in enumerate(problems, start=1):
                yield FenceProblemItem.from_parent(
                    self, name=f"[fence-problem#{number}]", message=problem
                )
            for number, fence in enumerate(fences, start=1):
                if not fence.runs:
                    continue
                definition = FenceTestDefinition(
                    fence.source,
                    fence.fixtures,
                    fence.expanded_line,
                    source_path=source_name,
                    runner_name=fence.runner,
                    max_retries=fence.retries,
                )
                yield PageFenceItem.from_parent(
                    self,
                    name=f"[CodeFence#{number}][line:{fence.page_line}]",
                    test_definition=definition,
                    page_line=fence.page_line,
                )


def _expander(config) -> doccheck.SnippetExpander:
    expander = getattr(config, "_tinyformer_snippet_expander", None)
    if expander is None:
        expander = doccheck.SnippetExpander(config.rootpath / "mkdocs.yml")
        config._tinyformer_snippet_expander = expander
    return expander


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    if MarkdownTextFile is None:
        return collected
    nodes = []
    for node in collected or []:
        # Test modules are already collected by pytest, and figure scripts
        # under docs/ are build code, so .py docstrings are not collected.
        if isinstance(node, MarkdownDocstringCodeModule):
            continue
        if type(node) is MarkdownTextFile:
            node = ExpandedMarkdownFile.from_parent(parent, path=node.path)
        nodes.append(node)
    return nodes
