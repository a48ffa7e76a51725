"""Check the CI entry point and the GitHub workflows by parsing them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import doccheck
import pytest
import yaml

ROOT = doccheck.ROOT
WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")


def load_workflow(name: str) -> dict:
    with open(WORKFLOWS / name, encoding="utf-8") as handle:
        workflow = yaml.safe_load(handle)
    assert isinstance(workflow, dict), f"{name} is not a YAML mapping"
    return workflow


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    return value if isinstance(value, dict) else {key: None for key in value}


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def step_using(workflow: dict, job: str, action: str) -> dict:
    for step in steps(workflow, job):
        if step.get("uses", "").split("@")[0] == action:
            return step
    raise AssertionError(f"job {job!r} has no step that uses {action}")


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml"])
def test_workflow_actions_pinned(name):
    lines = (WORKFLOWS / name).read_text(encoding="utf-8").splitlines()
    uses = [USES_LINE.match(line) for line in lines]
    uses = [match for match in uses if match]
    assert uses, f"{name} uses no actions"
    for match in uses:
        ref = match.group("ref")
        assert PINNED.match(ref), f"{name}: {ref} is not pinned to a full commit SHA"
        assert re.search(r"#\s*v\d+\.\d+\.\d+", match.group("rest")), (
            f"{name}: {ref} has no '# vX.Y.Z' comment naming its release"
        )


def test_ci_workflow_triggers():
    workflow = load_workflow("ci.yml")
    on = triggers(workflow)
    assert "pull_request" in on
    assert "push" in on
    assert workflow["permissions"] == {"contents": "read"}


def test_ci_workflow_runs_ci_script():
    workflow = load_workflow("ci.yml")
    runs = [step.get("run", "") for step in steps(workflow, "test")]
    assert ".ci/run" in [run.strip() for run in runs]
    run_step = next(
        step
        for step in steps(workflow, "test")
        if step.get("run", "").strip() == ".ci/run"
    )
    assert run_step["env"]["TINYFORMER_CHROMIUM"] == "/usr/bin/google-chrome"
    assert "whl/cpu" in run_step["env"]["PIP_EXTRA_INDEX_URL"]
    assert workflow["jobs"]["test"]["runs-on"] == "ubuntu-latest"


def test_ci_workflow_caches_and_uploads():
    workflow = load_workflow("ci.yml")
    python = step_using(workflow, "test", "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    node = step_using(workflow, "test", "actions/setup-node")
    assert node["with"]["cache"] == "npm"
    upload = step_using(workflow, "test", "actions/upload-artifact")
    assert upload["with"]["path"].rstrip("/") == "site"
    order = steps(workflow, "test")
    run_ci = next(i for i, step in enumerate(order) if step.get("run") == ".ci/run")
    assert order.index(upload) > run_ci, "the site is uploaded before it is built"
    assert upload.get("if") == "${{ !cancelled() }}", "a failed run uploads no site"


def test_pages_workflow_structure():
    workflow = load_workflow("pages.yml")
    on = triggers(workflow)
    assert on["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {
        "contents": "read",
        "pages": "write",
        "id-token": "write",
    }
    assert workflow["concurrency"]["group"]
    build = [step.get("uses", "").split("@")[0] for step in steps(workflow, "build")]
    assert "actions/configure-pages" in build
    assert "actions/upload-pages-artifact" in build
    upload = step_using(workflow, "build", "actions/upload-pages-artifact")
    assert upload["with"]["path"].rstrip("/") == "site"
    runs = [step.get("run", "") for step in steps(workflow, "build")]
    assert "make build" in [run.strip() for run in runs]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    step_using(workflow, "deploy", "actions/deploy-pages")


def test_ci_script_runs_make_test():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run is not executable"
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert re.search(r"^make test$", text, re.M)


def test_readme_names_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme, "README.md does not give the test command 'make test'"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_order():
    result = subprocess.run(
        ["make", "-n", "-B", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    plan = result.stdout
    lint = plan.index("ruff check")
    build = plan.index("mkdocs build --strict")
    pytest_run = plan.index("TINYFORMER_SITE_DIR=")
    assert lint < build < pytest_run, plan
    assert "-m pytest" in plan[pytest_run:]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ci_script_fails_when_no_tests(tmp_path):
    """An empty pytest run (exit status 5) fails .ci/run."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "empty").mkdir()
    (tmp_path / "Makefile").write_text(
        f"test:\n\t{sys.executable} -m pytest -p no:cacheprovider empty\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "run")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "no tests ran" in result.stdout, result.stdout + result.stderr
    assert result.returncode != 0


def test_pytest_collects_docs_and_readme():
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as handle:
        options = tomllib.load(handle)["tool"]["pytest"]["ini_options"]
    assert "docs" in options["testpaths"]
    assert "README.md" in options["testpaths"]
    assert "tests" in options["testpaths"]
    addopts = options["addopts"].split()
    assert "--markdown-docs" in addopts
    assert "--markdown-docs-syntax=superfences" in addopts
