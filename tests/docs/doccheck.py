"""Read the site's Markdown the way MkDocs does, and check the built site.

The root conftest.py uses this module to collect the Python fences of every
page, and the tests in tests/docs/ use it to check a built site. Each check
returns a list of problems, one readable sentence each, naming the page and
what is wrong, so a test can assert that the list is empty and the breakage
tests can assert that a given problem is found.
"""

from __future__ import annotations

import dataclasses
import difflib
import html.parser
import os
import posixpath
import re
import subprocess
import sys
import textwrap
import urllib.parse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# Fence languages that pytest-markdown-docs 0.9.2 runs (plugin.py).
PYTHON_LANGUAGES = ("py", "python", "python3")

# Bare words that pytest-markdown-docs 0.9.2 reads from a fence's info string.
# Any other bare word is ignored by the runner, so it is reported here instead.
KNOWN_FLAGS = ("continuation", "notest")
KNOWN_PREFIXES = ("fixture:", "runner:", "retry:")

# `<!-- notest: reason -->` on the line directly above a skipped fence.
NOTEST_REASON = re.compile(r"^\s*<!--\s*notest:\s*(?P<reason>\S.*?)\s*-->\s*$")

# Opening lines of admonitions (`!!! note`), collapsible blocks (`??? note`,
# `???+ note`) and content tabs (`=== "NumPy"`). Their bodies are indented
# by four spaces, which CommonMark would read as an indented code block.
CONTAINER_START = re.compile(r"^(?P<indent> *)(?:!!!|\?\?\?\+?|===\+?)[ \t]")
FENCE_OPEN = re.compile(r"^(?P<indent> *)(?P<marker>`{3,}|~{3,})")

# Brace-form tokens: `.class`, `#id`, `key="value"`, `key=value`, bare words.
BRACE_TOKEN = re.compile(
    r"""\.[^\s}]+|\#[^\s}]+|[\w:-]+=(?:"[^"]*"|'[^']*'|[^\s}]+)|[^\s}]+"""
)


class _TolerantLoader(yaml.SafeLoader):
    """A YAML loader that reads mkdocs.yml and turns its `!!python/...` tags into None."""


def _ignore_tag(loader, tag_suffix, node):
    return None


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def load_mkdocs_config(config_file: Path) -> dict:
    """Read mkdocs.yml without importing the objects its tags name."""
    with open(config_file, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_TolerantLoader) or {}


def markdown_extension_config(config: dict, name: str) -> dict | None:
    """Return the options of one entry of `markdown_extensions`, or None if absent."""
    for entry in config.get("markdown_extensions") or []:
        if entry == name:
            return {}
        if isinstance(entry, dict) and name in entry:
            return dict(entry[name] or {})
    return None


def nav_pages(nav) -> list[str]:
    """Return every Markdown path named in a MkDocs `nav` tree."""
    pages: list[str] = []
    if isinstance(nav, str):
        if not urllib.parse.urlsplit(nav).scheme:
            pages.append(nav)
    elif isinstance(nav, list):
        for item in nav:
            pages.extend(nav_pages(item))
    elif isinstance(nav, dict):
        for value in nav.values():
            pages.extend(nav_pages(value))
    return pages


# --- Markdown, expanded as MkDocs expands it -------------------------------


@dataclasses.dataclass
class ExpandedPage:
    """A page after snippet expansion and container unwrapping.

    `lines[i]` came from line `origin[i]` (1-based) of the page file; every
    line of an included snippet maps to the line of its `--8<--` include.
    """

    path: Path
    lines: list[str]
    origin: list[int]
    page_lines: list[str] = dataclasses.field(default_factory=list)
    expander: SnippetExpander | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class SnippetExpander:
    """Expand `--8<--` includes with pymdownx.snippets' own SnippetPreprocessor.

    The options are the `pymdownx.snippets` entry of mkdocs.yml, and relative
    base paths resolve against the folder of mkdocs.yml, as `mkdocs build`
    resolves them when run from there.
    """

    def __init__(self, config_file: Path):
        import markdown

        config_file = Path(config_file).resolve()
        config = load_mkdocs_config(config_file)
        options = markdown_extension_config(config, "pymdownx.snippets")
        if options is None:
            options = {}
        base = options.get("base_path", ["."])
        if isinstance(base, str):
            base = [base]
        options["base_path"] = [str(config_file.parent / b) for b in base]
        self.base_paths = [Path(b) for b in options["base_path"]]
        self.library_dir = config_file.parent / "src"
        self.auto_append = list(options.get("auto_append") or [])
        md = markdown.Markdown(
            extensions=["pymdownx.snippets"],
            extension_configs={"pymdownx.snippets": options},
        )
        self.preprocessor = md.preprocessors["snippet"]

    def is_library_include(self, line: str) -> bool:
        """True if the line includes a file of src/ (whole or a section)."""
        match = SINGLE_INCLUDE.match(line)
        if not match:
            return False
        target = match.group("path").strip()
        if ":" in target:
            target = target.split(":", 1)[0]
        for base in self.base_paths:
            candidate = base / target
            if candidate.is_file():
                return candidate.resolve().is_relative_to(self.library_dir.resolve())
        return False

    def expand(self, path: Path, text: str) -> tuple[list[str], list[int]]:
        """Return the expanded lines and, for each, its 1-based page line."""
        lines = blank_front_matter(text.split("\n"))
        preprocessor = self.preprocessor
        saved_append = preprocessor.auto_append
        preprocessor.auto_append = []
        out: list[str] = []
        origin: list[int] = []
        try:
            # One include line at a time, so each output line maps to one page
            # line. A block-form include (a bare `--8<--` line, paths, a bare
            # `--8<--` line) is passed in one piece.
            index = 0
            while index < len(lines):
                end = index + 1
                if _is_block_marker(lines[index]):
                    while end < len(lines) and not _is_block_marker(lines[end]):
                        end += 1
                    end = min(end + 1, len(lines))
                expanded = preprocessor.run(list(lines[index:end]))
                out.extend(expanded)
                origin.extend([index + 1] * len(expanded))
                index = end
            preprocessor.auto_append = saved_append
            if saved_append:
                appended = preprocessor.run([])
                out.extend(appended)
                origin.extend([len(lines)] * len(appended))
        finally:
            preprocessor.auto_append = saved_append
        return out, origin


SINGLE_INCLUDE = re.compile(
    r"""^[ \t]*-{1,}8<-{1,}[ \t]+(["'])(?P<path>.+?)\1[ \t]*$"""
)


def _is_block_marker(line: str) -> bool:
    return re.fullmatch(r"[ \t]*-{1,}8<-{1,}[ \t]*", line) is not None


def blank_front_matter(lines: list[str]) -> list[str]:
    """Replace a leading YAML front matter block with blank lines (MkDocs drops it)."""
    if not lines or lines[0].rstrip() != "---":
        return list(lines)
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return [""] * (end + 1) + list(lines[end + 1 :])
    return list(lines)


def read_front_matter(text: str) -> dict | None:
    """Return a page's YAML front matter as a dict, or None when there is none."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            data = yaml.safe_load("\n".join(lines[1:end]))
            return data if isinstance(data, dict) else None
    return None


def unwrap_containers(lines: list[str]) -> list[str]:
    """Dedent the bodies of admonitions, details and content tabs by one level.

    Python-Markdown parses such a body as Markdown of its own, so a fence in
    it is a fence. CommonMark (markdown-it, which pytest-markdown-docs uses)
    would see four-space-indented code instead. The opening line becomes a
    blank line so that line numbers stay the same.
    """
    containers: list[int] = []
    fence: tuple[str, int] | None = None
    out: list[str] = []
    for line in lines:
        if line.strip():
            indent = len(line) - len(line.lstrip(" "))
            while containers and indent <= containers[-1]:
                containers.pop()
        new = line
        for start in reversed(containers):
            if new[start : start + 4] == "    ":
                new = new[:start] + new[start + 4 :]
        if fence is None:
            if CONTAINER_START.match(line):
                containers.append(len(line) - len(line.lstrip(" ")))
                out.append("")
                continue
            opened = FENCE_OPEN.match(new)
            if opened:
                marker = opened.group("marker")
                fence = (marker[0], len(marker))
        else:
            closing = re.fullmatch(r" *(`{3,}|~{3,})[ \t]*", new)
            if closing and closing.group(1)[0] == fence[0]:
                if len(closing.group(1)) >= fence[1]:
                    fence = None
        out.append(new)
    return out


def expand_page(path: Path, expander: SnippetExpander) -> ExpandedPage:
    """Read a page and return it as Python-Markdown would see its fences."""
    text = Path(path).read_text(encoding="utf-8")
    lines, origin = expander.expand(Path(path), text)
    return ExpandedPage(
        Path(path), unwrap_containers(lines), origin, text.split("\n"), expander
    )


def is_library_fence(page: ExpandedPage, token) -> bool:
    """True if a fence's body is only `--8<--` includes of src/ files.

    Such a fence shows library code verbatim, often a fragment of a function
    that cannot run alone. The unit tests in tests/ cover that code, so the
    fence is shown but not run.
    """
    if page.expander is None:
        return False
    first, last = token.map[0] + 1, token.map[1] - 1
    page_numbers = sorted(set(page.origin[first:last]))
    included = [page.page_lines[n - 1] for n in page_numbers]
    lines = [line for line in included if line.strip()]
    return bool(lines) and all(page.expander.is_library_include(x) for x in lines)


# --- Fences ----------------------------------------------------------------


@dataclasses.dataclass
class Fence:
    """One fenced code block of an expanded page."""

    language: str
    flags: tuple[str, ...]
    content: str
    expanded_line: int  # 1-based line of the opening fence in the expanded page
    page_line: int  # 1-based line of the opening fence in the page file
    runs: bool = False  # pytest runs this fence
    library: bool = False  # the body only includes src/ code, which tests/ covers
    fixtures: tuple[str, ...] = ()  # from `fixture:NAME` options
    runner: str | None = None  # from a `runner:NAME` option
    retries: int = 0  # from a `retry:N` option
    source: str = ""  # code pytest runs: earlier continuation fences, then this


def _parse_info(info: str) -> tuple[str, list[str], bool]:
    """Split a fence info string into (language, bare words, brace form)."""
    info = info.strip()
    if info.startswith("{"):
        tokens = BRACE_TOKEN.findall(info.strip("{}"))
        language = ""
        words = []
        for token in tokens:
            if token.startswith(".") and not language:
                language = token[1:]
            elif token.startswith((".", "#")) or "=" in token:
                continue
            else:
                words.append(token)
        return language, words, True
    parts = BRACE_TOKEN.findall(info)
    if not parts:
        return "", [], False
    words = [part for part in parts[1:] if "=" not in part]
    return parts[0], words, False


def _is_known_language(name: str) -> bool:
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound

    if name in ("quiz", "mermaid", "math"):
        return True
    try:
        find_lexer_class_by_name(name)
    except ClassNotFound:
        return False
    return True


def extract_fences(page: ExpandedPage) -> tuple[list[Fence], list[str]]:
    """Return the page's fences and the problems with their info strings.

    Which fences run, and how `continuation` joins them, follows
    pytest_markdown_docs.plugin.extract_fence_tests in version 0.9.2, with
    `--markdown-docs-syntax=superfences`.
    """
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(page.text)
    name = display_path(page.path)
    fences: list[Fence] = []
    problems: list[str] = []
    previous = ""
    for token in tokens:
        if token.type != "fence" or not token.map:
            continue
        language, words, brace = _parse_info(token.info)
        expanded_line = token.map[0] + 1
        page_line = page.origin[token.map[0]]
        where = f"{name}:{page_line}"
        fence = Fence(language, tuple(words), token.content, expanded_line, page_line)
        fences.append(fence)

        lowered = language.lower()
        if lowered in PYTHON_LANGUAGES and language not in PYTHON_LANGUAGES:
            problems.append(
                f"{where}: fence language {language!r} is not run by pytest; "
                f"write it in lowercase ({lowered!r})."
            )
            continue
        if language not in PYTHON_LANGUAGES:
            close = difflib.get_close_matches(lowered, ["python"], n=1, cutoff=0.75)
            if language and close and not _is_known_language(lowered):
                problems.append(
                    f"{where}: fence language {language!r} looks like a "
                    "misspelling of 'python'; such a fence is shown but never run."
                )
            continue

        if words and not brace:
            problems.append(
                f"{where}: option(s) {' '.join(words)!r} in '```{token.info.strip()}' "
                "break the fence in MkDocs (superfences renders it as inline "
                f"text); write '```{{.python {' '.join(words)}}}' instead."
            )
            continue
        unknown = [
            word
            for word in words
            if word not in KNOWN_FLAGS and not word.startswith(KNOWN_PREFIXES)
        ]
        if unknown:
            problems.append(
                f"{where}: fence option(s) {', '.join(unknown)} are not read by "
                "pytest-markdown-docs, which would run the fence as if they were "
                "absent; known options: continuation, notest, fixture:NAME, "
                "runner:NAME, retry:N."
            )
            continue
        option_problem = _read_prefixed_options(fence, words)
        if option_problem:
            problems.append(f"{where}: {option_problem}")
            continue
        if "notest" in words:
            above = page.lines[token.map[0] - 1] if token.map[0] > 0 else ""
            if not NOTEST_REASON.match(above):
                problems.append(
                    f"{where}: a notest fence needs the reason on the line "
                    "directly above it, as '<!-- notest: why it cannot run -->'."
                )
            continue
        if is_library_fence(page, token):
            fence.library = True
            continue
        if "continuation" in words and not previous:
            problems.append(
                f"{where}: a continuation fence needs an earlier Python fence "
                "on the same page to continue."
            )
            continue
        if "continuation" not in words:
            previous = ""
        padding = "\n" * max(expanded_line - previous.count("\n"), 0)
        fence.source = previous + padding + token.content
        fence.runs = True
        previous = fence.source
    return fences, problems


def _read_prefixed_options(fence: Fence, words) -> str | None:
    """Store `fixture:`, `runner:` and `retry:` options on the fence.

    Returns a problem sentence for an option pytest-markdown-docs would
    reject, or None.
    """
    fence.fixtures = tuple(
        w[len("fixture:") :] for w in words if w.startswith("fixture:")
    )
    runners = [w[len("runner:") :] for w in words if w.startswith("runner:")]
    retries = [w[len("retry:") :] for w in words if w.startswith("retry:")]
    if len(runners) > 1 or len(retries) > 1:
        return "a fence takes at most one runner: and one retry: option."
    fence.runner = runners[0] if runners else None
    if retries:
        if not retries[0].isdigit():
            return f"retry:{retries[0]} is invalid; use a non-negative integer."
        fence.retries = int(retries[0])
    return None


def display_path(path: Path) -> str:
    """Return a path relative to the repository root when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --- Built HTML ------------------------------------------------------------


class _PageParser(html.parser.HTMLParser):
    """Collect ids, links and the text of `<pre><code>` blocks of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self.code_blocks: list[str] = []
        self._pre_depth = 0
        self._code: list[str] | None = None
        self._code_depth = 0
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        for key in ("href", "src"):
            if values.get(key) and tag in ("a", "link", "img", "script", "source"):
                self.links.append((tag, values[key]))
        classes = (values.get("class") or "").split()
        if tag == "pre":
            self._pre_depth += 1
        if self._code is not None:
            self._code_depth += 1
            if self._skip_depth or "linenos" in classes or "linenodiv" in classes:
                self._skip_depth += 1
        elif tag == "code" and self._pre_depth:
            self._code = []
            self._code_depth = 1

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        if self._code is not None:
            self._code_depth -= 1
            if self._skip_depth:
                self._skip_depth -= 1
            if self._code_depth == 0:
                self.code_blocks.append("".join(self._code))
                self._code = None

    def handle_data(self, data):
        if self._code is not None and not self._skip_depth:
            self._code.append(data)


def parse_html(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(Path(path).read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def check_links(site_dir: Path, site_url: str | None = None) -> list[str]:
    """Return every internal link or #anchor of the built HTML that does not resolve.

    External links (any scheme, or `//host`) are not checked: the check runs
    without network access.
    """
    site_dir = Path(site_dir).resolve()
    prefix = urllib.parse.urlsplit(site_url or "/").path or "/"
    pages = {p: parse_html(p) for p in sorted(site_dir.rglob("*.html"))}
    problems = []
    for page, parsed in pages.items():
        page_url = page.relative_to(site_dir).as_posix()
        for tag, link in parsed.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:")):
                continue
            target_path = urllib.parse.unquote(parts.path)
            if not target_path:
                target = page
            else:
                if target_path.startswith("/"):
                    if not target_path.startswith(prefix):
                        problems.append(
                            f"{page_url}: <{tag}> link {link!r} is outside the "
                            f"site's path {prefix!r}."
                        )
                        continue
                    resolved = target_path[len(prefix) :]
                else:
                    base = posixpath.dirname(page_url)
                    resolved = posixpath.normpath(posixpath.join(base, target_path))
                if resolved.startswith(".."):
                    problems.append(
                        f"{page_url}: <{tag}> link {link!r} points outside the site."
                    )
                    continue
                target = site_dir / resolved
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    problems.append(
                        f"{page_url}: <{tag}> link {link!r} is broken: "
                        f"{display_site_path(target, site_dir)} does not exist."
                    )
                    continue
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                target_ids = pages.get(target.resolve())
                if target_ids is None:
                    target_ids = parse_html(target)
                if fragment not in target_ids.ids:
                    problems.append(
                        f"{page_url}: link {link!r} names the anchor #{fragment}, "
                        f"which {display_site_path(target, site_dir)} does not have."
                    )
    # A page repeats a link in its nav, header and body; report it once.
    return list(dict.fromkeys(problems))


def display_site_path(path: Path, site_dir: Path) -> str:
    try:
        return Path(path).resolve().relative_to(site_dir).as_posix()
    except ValueError:
        return str(path)


def html_path_for(page: str, config: dict) -> str:
    """Map a docs-relative Markdown path to the built HTML path MkDocs writes."""
    stem = page[: -len(".md")]
    directory_urls = config.get("use_directory_urls", True)
    if posixpath.basename(stem) in ("index", "README"):
        return posixpath.join(posixpath.dirname(stem), "index.html")
    return f"{stem}/index.html" if directory_urls else f"{stem}.html"


# --- Lesson pages ----------------------------------------------------------

WHAT_COMES_NEXT = re.compile(r"^#{2,3}\s+What comes next\s*(\{.*\})?\s*$", re.M)
QUIZ_FENCE = re.compile(r"^(`{3,}|~{3,})\s*quiz\s*$", re.M)
GLOSSARY_LINK = re.compile(
    r"\]\((?P<target>[^)\s]*glossary\.md)(?:#(?P<anchor>[^)\s]*))?"
)


def lesson_pages(docs_dir: Path) -> list[Path]:
    """Return docs/lessons/*.md except the learning-path index."""
    return sorted(
        p for p in (Path(docs_dir) / "lessons").glob("*.md") if p.name != "index.md"
    )


def check_lessons(docs_dir: Path, site_dir: Path, config: dict) -> list[str]:
    """Check front matter, nav entry, quiz, closing section and glossary links."""
    docs_dir = Path(docs_dir)
    site_dir = Path(site_dir)
    in_nav = set(nav_pages(config.get("nav")))
    glossary_html = site_dir / html_path_for("glossary.md", config)
    glossary_ids = parse_html(glossary_html).ids if glossary_html.is_file() else None
    problems = []
    lessons = lesson_pages(docs_dir)
    if not lessons:
        problems.append(f"{docs_dir}/lessons: no lesson pages found.")
    for page in lessons:
        relative = page.relative_to(docs_dir).as_posix()
        name = f"docs/{relative}"
        text = page.read_text(encoding="utf-8")
        front = read_front_matter(text)
        if front is None:
            problems.append(
                f"{name}: front matter (a leading '---' YAML block) is missing."
            )
            front = {}
        for key in ("title", "description"):
            value = front.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{name}: front matter has no {key!r}.")
        if config.get("nav") is not None and relative not in in_nav:
            problems.append(f"{name}: the page is not in the nav of mkdocs.yml.")
        if not QUIZ_FENCE.search(text):
            problems.append(f"{name}: the page has no ```quiz fence.")
        if not WHAT_COMES_NEXT.search(text):
            problems.append(f"{name}: the page has no 'What comes next' section.")
        for match in GLOSSARY_LINK.finditer(text):
            anchor = match.group("anchor")
            if not anchor:
                continue
            if glossary_ids is None:
                problems.append(
                    f"{name}: links to glossary.md#{anchor}, but the built site "
                    "has no glossary page."
                )
            elif anchor not in glossary_ids:
                problems.append(
                    f"{name}: glossary link #{anchor} names a term the "
                    "glossary does not have."
                )
    return problems


# --- Code shown on lesson pages ---------------------------------------------

SECTION_MARKER = re.compile(r"-{1,}8<-{1,}[ \t]+\[[ \t]*(start|end)[ \t]*:[^\]]*\]")


def _normalise_block(text: str) -> list[str]:
    lines = [line.rstrip() for line in textwrap.dedent(text).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _source_lines(paths) -> list[list[str]]:
    files = []
    for path in paths:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        files.append(
            [line.rstrip() for line in lines if not SECTION_MARKER.search(line)]
        )
    return files


def _appears_in(block: list[str], files: list[list[str]]) -> bool:
    """True if the block equals a run of lines of a file, under one common indent."""
    first = block[0]
    for lines in files:
        for start, line in enumerate(lines):
            if not line.endswith(first):
                continue
            indent = line[: len(line) - len(first)]
            if indent.strip() or start + len(block) > len(lines):
                continue
            if all(
                lines[start + j] == (indent + row if row else "")
                or (not row and not lines[start + j].strip())
                for j, row in enumerate(block)
            ):
                return True
    return False


def check_lesson_code(
    docs_dir: Path, site_dir: Path, config: dict, expander: SnippetExpander
) -> list[str]:
    """Check that each code block of a built lesson page is tested code.

    A block passes in three cases. Its text is a run of lines of a file in
    src/ or snippets/, up to a common indent. Or it is a Python fence that
    pytest runs. Or it is not Python, such as program output or a shell
    command.
    """
    docs_dir = Path(docs_dir)
    root = docs_dir.parent
    sources = sorted((root / "src").rglob("*.py")) + sorted(
        (root / "snippets").glob("*.py")
    )
    files = _source_lines(sources)
    problems = []
    for page in lesson_pages(docs_dir):
        relative = page.relative_to(docs_dir).as_posix()
        built = Path(site_dir) / html_path_for(relative, config)
        if not built.is_file():
            problems.append(f"docs/{relative}: the built page {built} is missing.")
            continue
        fences, _ = extract_fences(expand_page(page, expander))
        tested = [_normalise_block(f.content) for f in fences if f.runs]
        other = [
            _normalise_block(f.content)
            for f in fences
            if f.language not in PYTHON_LANGUAGES
        ]
        for block_text in parse_html(built).code_blocks:
            block = _normalise_block(block_text)
            if not block or block in tested or block in other:
                continue
            if _appears_in(block, files):
                continue
            problems.append(
                f"docs/{relative}: code block starting {block[0]!r} is neither "
                "in src/ or snippets/ nor a Python fence that pytest runs."
            )
    return problems


# --- Building ----------------------------------------------------------------


def build_site(project_dir: Path, site_dir: Path, strict: bool = True):
    """Run `mkdocs build` for a project into site_dir; return the finished process."""
    command = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir)]
    if strict:
        command.append("--strict")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        command, cwd=project_dir, env=env, capture_output=True, text=True, check=False
    )
