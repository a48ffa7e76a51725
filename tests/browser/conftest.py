"""Fixtures for the browser tests: the built site, a local server and Chromium.

The site comes from ``$TINYFORMER_SITE_DIR`` when it is set, because ``make
test`` builds it once before pytest runs. Otherwise it is built here with
``mkdocs build --strict`` into a temporary folder. A threaded ``http.server`` serves it on 127.0.0.1 at
an ephemeral port. Debian's Chromium runs headless through Playwright, and
every request to any other host is aborted and recorded so a test can fail on
it.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "screenshots"
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("TINYFORMER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Material renders each mermaid diagram into a closed shadow root. Opening it
# lets the tests look at the SVG inside, and the drawing itself is unchanged.
OPEN_SHADOW_ROOTS = """
(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, Object.assign({}, init, { mode: "open" }));
  };
})();
"""


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the built site, building it once per session when needed."""
    configured = os.environ.get("TINYFORMER_SITE_DIR")
    if configured:
        path = Path(configured).resolve()
        if not (path / "index.html").is_file():
            pytest.fail(
                f"TINYFORMER_SITE_DIR={configured!r} contains no index.html: "
                "build the site with `make build` or unset the variable"
            )
        return path

    path = tmp_path_factory.mktemp("site")
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        str(path),
    ]
    result = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"`mkdocs build --strict` failed with exit code {result.returncode}:\n"
            f"{result.stderr[-4000:]}"
        )
    return path


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the site's files, with sitemap.xml moved to this server's origin.

    MkDocs writes absolute site_url addresses into sitemap.xml. Material's
    instant navigation (9.8.1) only intercepts links listed there, and it
    adopts the page's protocol and hostname for them but keeps site_url's
    port. On an ephemeral port no link would match, so every click would be a
    full page load. Rewriting the origin serves the sitemap as it reads when
    the site is deployed at site_url.
    """

    def do_GET(self) -> None:
        if urlsplit(self.path).path.endswith("/sitemap.xml"):
            self._send_sitemap()
        else:
            super().do_GET()

    def _send_sitemap(self) -> None:
        path = Path(self.translate_path(urlsplit(self.path).path))
        if not path.is_file():
            self.send_error(404, f"{path} not found")
            return
        host, port = self.server.server_address[:2]
        text = re.sub(
            r"<loc>[a-z]+://[^/<]+",
            f"<loc>http://{host}:{port}",
            path.read_text(encoding="utf-8"),
        )
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Skip the per-request log lines; failures show up in the browser."""


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """Serve the site on 127.0.0.1 at an ephemeral port for the session."""
    handler = functools.partial(_SiteHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium once for the session."""
    if not Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make chromium` "
            "(or `apt-get install -y chromium`), or set TINYFORMER_CHROMIUM "
            "to its path"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class PageLog:
    """Problems a page reported: console errors, failed and blocked requests."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()
        self.failed_requests.clear()
        self.blocked_requests.clear()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def attach_page_log(page: object, base_url: str) -> PageLog:
    """Record console errors and failed requests; abort requests to other hosts."""
    log = PageLog(origin=_origin(base_url))

    def route(route: object) -> None:
        url = route.request.url
        if _origin(url) == log.origin or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            log.blocked_requests.append(url)
            route.abort()

    def on_request_failed(request: object) -> None:
        # net::ERR_ABORTED is a request the page cancelled by navigating away,
        # for example the favicon during an instant navigation. A missing file
        # shows up as an HTTP error status in on_response instead.
        if _origin(request.url) != log.origin or request.failure == "net::ERR_ABORTED":
            return
        log.failed_requests.append(f"{request.url} ({request.failure})")

    def on_response(response: object) -> None:
        if response.status >= 400:
            log.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def on_console(message: object) -> None:
        if message.type == "error":
            log.console_errors.append(f"{message.text} at {message.location}")

    page.route("**/*", route)
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    return log


@pytest.fixture
def context(browser: object) -> Iterator[object]:
    """Return a fresh browser context: empty localStorage, light colour scheme."""
    instance = browser.new_context(
        viewport={"width": 1280, "height": 800}, color_scheme="light"
    )
    instance.add_init_script(OPEN_SHADOW_ROOTS)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def page_and_log(context: object, base_url: str) -> tuple[object, PageLog]:
    """Return a page in a fresh context and the log of its problems."""
    page = context.new_page()
    log = attach_page_log(page, base_url)
    return page, log


@pytest.fixture
def page(page_and_log: tuple[object, PageLog]) -> Iterator[object]:
    """Return a page that fails the test on console errors or bad requests."""
    page, log = page_and_log
    yield page
    assert log.blocked_requests == [], "requests to other hosts"
    assert log.failed_requests == [], "failed requests"
    assert log.page_errors == [], "uncaught exceptions"
    assert log.console_errors == [], "console errors"
