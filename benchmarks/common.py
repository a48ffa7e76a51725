"""Helpers shared by the benchmark scripts: timing, peak memory, machine info, JSON.

Every script in benchmarks/ writes one JSON file with the same top-level keys
(see :func:`make_record` and ``SCHEMA_KEYS``) so that docs/figures/performance.py
and benchmarks/report.py can read any of them.

Timing runs the functions being compared in turn within each repeat
(interleaved), so a burst of load from other processes slows all of them
alike and the ratios stay meaningful on a shared machine.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

SCHEMA_VERSION = 1
SCHEMA_KEYS = (
    "schema_version",
    "benchmark",
    "machine",
    "settings",
    "results",
    "targets",
)
RESULTS_DIR = Path(__file__).resolve().parent / "results"

DTYPES = {
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}


def parse_device(name: str) -> torch.device:
    """Return the torch device for ``name``, or exit with a message if it is absent."""
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit(
            f"--device {name}: no CUDA device is available (torch "
            f"{torch.__version__}, CUDA build: {torch.version.cuda}). "
            "Run on a machine with an NVIDIA GPU and a CUDA build of torch, "
            "or pass --device cpu."
        )
    if device.type not in ("cpu", "cuda"):
        sys.exit(f"--device {name}: only cpu and cuda are supported")
    return device


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work so that wall-clock times cover it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_interleaved(
    functions: dict[str, Callable[[], object]],
    device: torch.device,
    warmup: int,
    repeats: int,
) -> dict[str, list[float]]:
    """Time each function ``repeats`` times, in turn, after ``warmup`` untimed rounds.

    Returns the wall-clock seconds of every timed call, keyed like ``functions``.
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    synchronize(device)
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            synchronize(device)
            start = time.perf_counter()
            function()
            synchronize(device)
            times[name].append(time.perf_counter() - start)
    return times


def summarize_times(seconds: list[float]) -> dict[str, float]:
    """Return the median and quartiles of ``seconds`` in milliseconds."""
    ms = sorted(1e3 * s for s in seconds)
    if len(ms) >= 2:
        q1, _, q3 = statistics.quantiles(ms, n=4, method="inclusive")
    else:
        q1 = q3 = ms[0]
    return {
        "time_ms_median": statistics.median(ms),
        "time_ms_q1": q1,
        "time_ms_q3": q3,
        "repeats": len(ms),
    }


def _read_status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024  # the file states kB
    raise RuntimeError(f"{field} not found in /proc/self/status")


def reset_peak_rss() -> None:
    """Return freed heap pages to the OS and reset the peak RSS (VmHWM) to now."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    # Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later, proc(5)).
    Path("/proc/self/clear_refs").write_text("5")


def cpu_peak_memory_supported() -> bool:
    """Return whether this OS lets a process reset and read its peak RSS."""
    return sys.platform.startswith("linux") and Path("/proc/self/clear_refs").exists()


def measure_cpu_peak_memory(script: Path, cases: list[dict]) -> list[int]:
    """Return the extra peak RSS, in bytes, of one call of each case.

    All cases run in one fresh child process (``script --memory-cases``, JSON
    on stdin), separate from the timing runs. Before each measured call the
    child makes one warm-up call, then returns freed memory to the OS and
    resets its peak RSS; the result is peak RSS during the call minus RSS
    before it. ``MALLOC_MMAP_THRESHOLD_`` makes glibc serve every block of
    64 KiB or more with mmap, so freed tensors leave RSS at once and cannot
    hide a later case's allocations.
    """
    env = dict(
        os.environ,
        MALLOC_MMAP_THRESHOLD_="65536",
        OMP_NUM_THREADS=str(torch.get_num_threads()),
    )
    result = subprocess.run(
        [sys.executable, str(script), "--memory-cases"],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"memory measurement in {script.name} failed with exit code "
            f"{result.returncode}:\n{result.stderr.strip()}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_memory_cases(setup: Callable[[dict], Callable[[], object]]) -> None:
    """Child side of :func:`measure_cpu_peak_memory`: read cases, print bytes as JSON."""
    peaks = []
    for case in json.loads(sys.stdin.read()):
        function = setup(case)
        function()
        gc.collect()
        reset_peak_rss()
        before = _read_status_bytes("VmRSS")
        function()
        peaks.append(max(0, _read_status_bytes("VmHWM") - before))
        del function
        gc.collect()
    print(json.dumps(peaks))


def measure_cuda_peak_memory(
    setup: Callable[[], Callable[[], object]], device: torch.device
) -> int:
    """Return the bytes that one call allocates above what was allocated before it.

    Uses ``torch.cuda.max_memory_allocated``, which counts tensors held by
    PyTorch's caching allocator (not the cache itself or the CUDA context).
    """
    function = setup()
    synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    baseline = torch.cuda.memory_allocated(device)
    function()
    synchronize(device)
    return torch.cuda.max_memory_allocated(device) - baseline


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or platform's best guess."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def load_average() -> list[float] | None:
    """Return the 1, 5 and 15 minute load averages, or None where unsupported."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git_commit() -> str | None:
    """Return the checked-out commit, with ``-dirty`` if tracked files changed."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}-dirty" if changed else commit


def describe_machine(device: torch.device, dtype: torch.dtype) -> dict:
    """Describe the hardware and software a result came from."""
    machine = {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_num_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "device": device.type,
        "device_name": cpu_model(),
        "dtype": str(dtype).removeprefix("torch."),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "git_commit": git_commit(),
        "load_average_start": load_average(),
    }
    if device.type == "cuda":
        properties = torch.cuda.get_device_properties(device)
        machine["device_name"] = properties.name
        machine["device_memory_gb"] = round(properties.total_memory / 2**30, 1)
        machine["cuda_version"] = torch.version.cuda
    return machine


def target(
    name: str, value: float | None, threshold: float, higher_is_better: bool, text: str
) -> dict:
    """Return one target record; ``passed`` is None when ``value`` was not measured."""
    if value is None or math.isnan(value):
        passed = None
    elif higher_is_better:
        passed = value >= threshold
    else:
        passed = value <= threshold
    return {
        "name": name,
        "description": text,
        "value": value,
        "threshold": threshold,
        "higher_is_better": higher_is_better,
        "passed": passed,
    }


def print_targets(targets: list[dict]) -> None:
    """Print each target as PASS, MISS or NOT MEASURED."""
    for item in targets:
        if item["passed"] is None:
            verdict, value = "NOT MEASURED", "-"
        else:
            verdict = "PASS" if item["passed"] else "MISS"
            value = f"{item['value']:.3g}"
        sign = ">=" if item["higher_is_better"] else "<="
        print(
            f"{verdict:>12}  {item['description']}: {value} "
            f"(target {sign} {item['threshold']:g})"
        )


def make_record(
    benchmark: str,
    machine: dict,
    settings: dict,
    results: list[dict],
    targets: list[dict],
    **extra: object,
) -> dict:
    """Assemble the JSON record that every benchmark script writes."""
    machine = dict(machine, load_average_end=load_average())
    return {
        "schema_version": SCHEMA_VERSION,
        "benchmark": benchmark,
        "machine": machine,
        "settings": settings,
        "results": results,
        "targets": targets,
        **extra,
    }


def default_out(benchmark: str, device: torch.device) -> Path:
    """Return benchmarks/results/<benchmark>-<device type>.json."""
    return RESULTS_DIR / f"{benchmark}-{device.type}.json"


def write_record(record: dict, out: Path) -> None:
    """Write ``record`` as indented JSON and say where it went."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {out}")


def format_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """Format ``rows`` as a fixed-width text table.

    ``columns`` holds ``(header, key, format spec)``; a missing or None value
    prints as ``-``.
    """
    cells = [[header for header, _, _ in columns]]
    for row in rows:
        line = []
        for _, key, spec in columns:
            value = row.get(key)
            line.append("-" if value is None else format(value, spec))
        cells.append(line)
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    text = [
        "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
        for line in cells
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def fit_power_law(xs: list[float], ys: list[float]) -> float | None:
    """Return the slope of log(y) against log(x), the exponent p in y ∝ x^p."""
    points = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
    if len(points) < 2:
        return None
    mean_x = statistics.fmean(p[0] for p in points)
    mean_y = statistics.fmean(p[1] for p in points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    variance = sum((x - mean_x) ** 2 for x, _ in points)
    return covariance / variance if variance else None
