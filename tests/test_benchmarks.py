"""Smoke tests of the benchmark scripts, their JSON and the performance page.

Each script runs with --quick (tiny sizes) into a temporary folder, so a
script that breaks fails here. The tests check the JSON's structure and the
values that do not depend on speed. No test asserts a time.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import attention  # noqa: E402
import common  # noqa: E402
import gpu  # noqa: E402
import report  # noqa: E402

MACHINE_KEYS = {
    "cpu_model",
    "cpu_count",
    "torch_version",
    "device",
    "device_name",
    "dtype",
    "date",
    "command",
    "load_average_start",
    "load_average_end",
}
TIME_KEYS = {"time_ms_median", "time_ms_q1", "time_ms_q3", "repeats"}


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def run_quick(name: str, out: Path, *args: str) -> dict:
    result = run_script(name, "--quick", "--out", str(out), *args)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def attention_record(tmp_path_factory) -> dict:
    return run_quick("attention.py", tmp_path_factory.mktemp("att") / "a.json")


@pytest.fixture(scope="module")
def model_record(tmp_path_factory) -> dict:
    return run_quick("model.py", tmp_path_factory.mktemp("model") / "m.json")


def check_common_schema(record: dict, benchmark: str) -> None:
    assert set(common.SCHEMA_KEYS) <= set(record)
    assert record["schema_version"] == common.SCHEMA_VERSION
    assert record["benchmark"] == benchmark
    assert MACHINE_KEYS <= set(record["machine"])
    assert record["results"]
    for item in record["targets"]:
        assert {"name", "value", "threshold", "passed"} <= set(item)


@pytest.mark.slow
def test_attention_quick_schema(attention_record):
    check_common_schema(attention_record, "attention")
    rows = attention_record["results"]
    for row in rows:
        assert TIME_KEYS <= set(row)
        assert row["time_ms_median"] > 0
        assert row["peak_memory_mb"] >= 0
    names = {row["implementation"] for row in rows}
    assert names == set(attention.FUNCTIONAL) | set(attention.MODULE)
    assert {row["mode"] for row in rows} == set(attention.MODES)
    assert {row["seq_len"] for row in rows} == {16, 32}


@pytest.mark.slow
def test_attention_baseline_ratio_is_one(attention_record):
    baselines = [
        row
        for row in attention_record["results"]
        if row["implementation"] == row["baseline"]
    ]
    assert len(baselines) == 2 * 2 * 2  # sections x modes x seq_lens
    for row in baselines:
        assert row["ratio_to_baseline"] == 1.0


@pytest.mark.slow
def test_attention_quick_target_and_growth(attention_record):
    (target,) = attention_record["targets"]
    assert target["name"] == "mha_forward_backward_ratio"
    assert target["passed"] in (True, False)
    assert attention_record["memory_method"].startswith("peak RSS")
    assert len(attention_record["memory_growth"]) == 12  # implementations x modes


@pytest.mark.slow
def test_model_quick_schema(model_record):
    check_common_schema(model_record, "model")
    training = [r for r in model_record["results"] if r["section"] == "training"]
    generation = [r for r in model_record["results"] if r["section"] == "generation"]
    assert len(training) == 1
    assert training[0]["tokens_per_s"] > 0
    assert {(r["variant"], r["new_tokens"]) for r in generation} == {
        (variant, n) for variant in ("cached", "uncached") for n in (4, 8)
    }
    assert model_record["settings"]["config"]["dropout"] == 0.0


@pytest.mark.slow
def test_model_cache_gives_same_tokens(model_record):
    for row in model_record["results"]:
        if row["section"] == "generation":
            assert row["outputs_match"], row


@pytest.mark.slow
def test_model_quick_target_not_measured(model_record):
    (target,) = model_record["targets"]
    assert target["name"] == "kv_cache_speedup"
    assert target["passed"] is None  # --quick stops before 256 new tokens


@pytest.mark.slow
def test_gpu_script_runs_on_cpu(tmp_path):
    result = run_script(
        "gpu.py", "--device", "cpu", "--quick", "--out-dir", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    for name in ("attention-cpu.json", "model-cpu.json"):
        record = json.loads((tmp_path / name).read_text())
        assert record["machine"]["dtype"] == "bfloat16"
        assert record["settings"]["peak_tflops"] is None
    assert "pass --peak-tflops" in result.stdout


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_gpu_script_without_cuda_exits():
    result = run_script("gpu.py")
    assert result.returncode != 0
    assert "no CUDA device is available" in result.stderr


@pytest.mark.parametrize("script", ["attention.py", "model.py", "gpu.py", "report.py"])
def test_script_help(script):
    result = run_script(script, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


@pytest.mark.parametrize(
    ("device_name", "peak"),
    [
        ("NVIDIA H200", 989.5),
        ("NVIDIA H100 80GB HBM3", 989.5),
        ("NVIDIA H100 PCIe", 756.5),
        ("NVIDIA A100-SXM4-80GB", 312.0),
        ("NVIDIA GeForce RTX 4090", None),
    ],
)
def test_lookup_peak(device_name, peak):
    assert gpu.lookup_peak(device_name) == peak


def test_attention_flops_formula():
    forward = attention.attention_flops(2, 3, 4, 5, causal=False, mode="forward")
    assert forward == 4 * 2 * 3 * 4**2 * 5
    causal = attention.attention_flops(2, 3, 4, 5, causal=True, mode="forward")
    assert causal == forward / 2
    both = attention.attention_flops(2, 3, 4, 5, causal=False, mode="forward_backward")
    assert both == 3.5 * forward


def test_fit_power_law_recovers_exponent():
    xs = [128, 256, 512, 1024]
    assert math.isclose(common.fit_power_law(xs, [3 * x**2 for x in xs]), 2.0)
    assert math.isclose(common.fit_power_law(xs, [7 * x for x in xs]), 1.0)


def test_committed_results_schema():
    paths = sorted(common.RESULTS_DIR.glob("*.json"))
    assert paths, f"no committed results in {common.RESULTS_DIR}"
    for path in paths:
        record = json.loads(path.read_text())
        assert set(common.SCHEMA_KEYS) <= set(record), path
        assert MACHINE_KEYS <= set(record["machine"]), path
        assert path.name == f"{record['benchmark']}-{record['machine']['device']}.json"


def test_performance_page_matches_results():
    page = (ROOT / "docs" / "performance.md").read_text()
    assert report.replace_section(page, report.render()) == page, (
        "docs/performance.md is out of date: run "
        "python benchmarks/report.py --write docs/performance.md"
    )


def test_figures_drawn_for_each_device(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "performance_figures", ROOT / "docs" / "figures" / "performance.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    for path in common.RESULTS_DIR.glob("*.json"):
        record = json.loads(path.read_text())
        device = record["machine"]["device"]
        kinds = {"attention": ["time", "memory"], "model": ["kv_cache"]}
        for kind in kinds.get(record["benchmark"], []):
            for theme in ("light", "dark"):
                name = f"performance_{kind}_{device}-{theme}.svg"
                assert (tmp_path / name).stat().st_size > 0, name
