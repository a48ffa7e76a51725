"""Run the figure scripts in docs/figures/ and add their outputs to the site.

Each `docs/figures/<name>.py` defines `build(out_dir: pathlib.Path) -> None`
that writes one or more files into `out_dir`. This hook runs every script in a
fresh Python process (so an edit to src/tinyformer is picked up under
`mkdocs serve`, and matplotlib state never leaks between scripts), then adds
each output as a generated file at `generated/<file>`. A page in docs/lessons/
links it as `../generated/<file>`, and MkDocs' link validation sees it.

Outputs are cached in `.cache/generated/<name>/`. The cache key is a SHA-256
over the script's bytes and the path and bytes of every file under
src/tinyformer/ and of the committed data in DATA_GLOBS, so a change to any of
them reruns the script. A script that raises, writes nothing, or writes a file
name that another script also writes fails the build with a message naming the
script.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.generated")

SITE_FOLDER = "generated"
KEY_FILE = ".cache-key"
# Committed data that figure scripts read (the benchmark results).
DATA_GLOBS = ("benchmarks/results/*.json",)

# Runs inside the child process: load the script by path and call build().
RUNNER = """
import importlib.util, pathlib, sys
script, out_dir = sys.argv[1], pathlib.Path(sys.argv[2])
spec = importlib.util.spec_from_file_location("figure_script", script)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
if not callable(getattr(module, "build", None)):
    sys.exit(f"{script} does not define build(out_dir)")
module.build(out_dir)
"""


def project_root(config: MkDocsConfig) -> Path:
    """Return the folder that contains mkdocs.yml."""
    return Path(config.config_file_path).resolve().parent


def package_files(root: Path) -> list[Path]:
    """List the files under src/tinyformer/ that a figure may depend on."""
    package = root / "src" / "tinyformer"
    if not package.is_dir():
        return []
    return sorted(
        path
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def data_files(root: Path) -> list[Path]:
    """List the committed data files that a figure may read."""
    return sorted(path for pattern in DATA_GLOBS for path in root.glob(pattern))


def cache_key(script: Path, root: Path) -> str:
    """Hash the script and the package source and data that it runs against."""
    digest = hashlib.sha256()
    digest.update(script.read_bytes())
    for path in package_files(root) + data_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_script(script: Path, out_dir: Path, root: Path) -> None:
    """Run `build(out_dir)` from `script` in a child Python process.

    Raises:
        PluginError: naming the script, with its stderr, if it fails.
    """
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(script), str(out_dir)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PluginError(
            f"Figure script {script.relative_to(root)} failed with exit code "
            f"{result.returncode}:\n{result.stderr.strip()}"
        )


def build_outputs(script: Path, root: Path, cache_root: Path) -> Path:
    """Return the folder holding the script's outputs, running it if stale."""
    key = cache_key(script, root)
    cached = cache_root / script.stem
    key_path = cached / KEY_FILE
    if key_path.is_file() and key_path.read_text() == key:
        log.debug("Figure cache hit: %s", script.name)
        return cached

    log.info("Running figure script %s", script.relative_to(root))
    cache_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_root) as scratch:
        out_dir = Path(scratch) / "out"
        out_dir.mkdir()
        run_script(script, out_dir, root)
        if not any(path.is_file() for path in out_dir.rglob("*")):
            raise PluginError(
                f"Figure script {script.relative_to(root)} wrote no files into "
                "out_dir: build(out_dir) must write its outputs there."
            )
        (out_dir / KEY_FILE).write_text(key)
        shutil.rmtree(cached, ignore_errors=True)
        out_dir.rename(cached)
    return cached


def collect_outputs(figures: Path, root: Path, cache_root: Path) -> dict[str, Path]:
    """Run every figure script and map each site path to its output file."""
    outputs: dict[str, Path] = {}
    owners: dict[str, Path] = {}
    for script in sorted(figures.glob("*.py")):
        if script.name.startswith("_"):
            continue
        folder = build_outputs(script, root, cache_root)
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name == KEY_FILE:
                continue
            site_path = f"{SITE_FOLDER}/{path.relative_to(folder).as_posix()}"
            if site_path in owners:
                raise PluginError(
                    f"Figure scripts {owners[site_path].relative_to(root)} and "
                    f"{script.relative_to(root)} both write {site_path}: rename "
                    "one of the outputs."
                )
            owners[site_path] = script
            outputs[site_path] = path
    return outputs


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add every figure script's outputs to the site under generated/."""
    root = project_root(config)
    figures = Path(config.docs_dir) / "figures"
    if not figures.is_dir():
        return files
    outputs = collect_outputs(figures, root, root / ".cache" / "generated")
    for site_path, path in outputs.items():
        files.append(File.generated(config, site_path, abs_src_path=str(path)))
    log.info("Added %d generated files", len(outputs))
    return files
