"""Benchmark tinyformer's attention against PyTorch's built-ins.

Two comparisons, each timed for the forward pass alone (no autograd, modules in
eval mode) and for forward plus backward:

* functional: ``tinyformer.attention.scaled_dot_product_attention`` with
  ``implementation="explicit"`` and ``"fast"``, against
  ``torch.nn.functional.scaled_dot_product_attention``;
* module: ``tinyformer.multihead.MultiHeadAttention`` (self-attention, fast and
  explicit) against ``torch.nn.MultiheadAttention(batch_first=True)``.

Ratios divide each time by the PyTorch built-in's time in the same run. Peak
memory is the extra memory one call needs: on CPU the rise of the peak resident
set size in a separate process (see benchmarks/common.py), on CUDA
``torch.cuda.max_memory_allocated``.

Run ``python benchmarks/attention.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

from tinyformer.attention import scaled_dot_product_attention  # noqa: E402
from tinyformer.multihead import MultiHeadAttention  # noqa: E402

FUNCTIONAL = {
    "tinyformer-explicit": "explicit",
    "tinyformer-fast": "fast",
    "torch-sdpa": None,
}
MODULE = {
    "tinyformer-mha-explicit": "explicit",
    "tinyformer-mha-fast": "fast",
    "torch-mha": None,
}
BASELINES = {"functional": "torch-sdpa", "module": "torch-mha"}
MODES = ("forward", "forward_backward")

# The CPU target: tinyformer's fast MultiHeadAttention forward+backward is no
# slower than nn.MultiheadAttention at this size.
TARGET_CASE = {"batch": 8, "seq_len": 256, "d_model": 256, "num_heads": 8}
QUICK_TARGET_CASE = {"batch": 2, "seq_len": 16, "d_model": 16, "num_heads": 2}
# The GPU target: the fast path reaches this fraction of peak from this length.
GPU_TARGET_FRACTION = 0.5
GPU_TARGET_MIN_SEQ_LEN = 4096


def attention_flops(
    batch: int, num_heads: int, seq_len: int, head_dim: int, causal: bool, mode: str
) -> float:
    """Return the model FLOPs of one attention call (FlashAttention's convention).

    Forward: two matmuls of ``2 * seq_len**2 * head_dim`` each per head, so
    ``4 * batch * num_heads * seq_len**2 * head_dim``, halved when causal.
    Backward counts 2.5 times the forward, as in the FlashAttention
    repository's benchmarks/benchmark_flash_attention.py (Dao-AILab), so
    forward+backward is 3.5 times the forward.
    """
    forward = 4.0 * batch * num_heads * seq_len**2 * head_dim
    if causal:
        forward /= 2
    return forward if mode == "forward" else 3.5 * forward


def projection_flops(batch: int, seq_len: int, d_model: int, mode: str) -> float:
    """Return the FLOPs of the four ``d_model x d_model`` projections.

    Forward is ``4 * 2 * batch * seq_len * d_model**2``; backward is twice
    the forward (gradients of inputs and weights).
    """
    forward = 8.0 * batch * seq_len * d_model**2
    return forward if mode == "forward" else 3.0 * forward


def make_call(case: dict, device: torch.device) -> Callable[[], None]:
    """Build the inputs of one case and return a function that runs it once."""
    generator = torch.Generator(device="cpu").manual_seed(0)
    dtype = common.DTYPES[case["dtype"]]
    batch, num_heads, seq_len = case["batch"], case["num_heads"], case["seq_len"]
    head_dim, causal = case["head_dim"], case["causal"]
    backward = case["mode"] == "forward_backward"

    def randn(*shape: int) -> torch.Tensor:
        tensor = torch.randn(*shape, generator=generator).to(device, dtype)
        return tensor.requires_grad_(backward)

    if case["section"] == "functional":
        q, k, v = (randn(batch, num_heads, seq_len, head_dim) for _ in range(3))
        implementation = FUNCTIONAL[case["implementation"]]
        if implementation is None:

            def attend() -> torch.Tensor:
                return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

        else:

            def attend() -> torch.Tensor:
                return scaled_dot_product_attention(
                    q, k, v, is_causal=causal, implementation=implementation
                )

        inputs: tuple[torch.Tensor, ...] = (q, k, v)
        module: nn.Module | None = None
    else:
        d_model = num_heads * head_dim
        x = randn(batch, seq_len, d_model)
        implementation = MODULE[case["implementation"]]
        torch.manual_seed(0)
        if implementation is None:
            module = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
            mask = (
                nn.Transformer.generate_square_subsequent_mask(
                    seq_len, device=device, dtype=dtype
                )
                if causal
                else None
            )

            def attend() -> torch.Tensor:
                return module(
                    x, x, x, attn_mask=mask, is_causal=causal, need_weights=False
                )[0]

        else:
            module = MultiHeadAttention(
                d_model, num_heads, implementation=implementation
            )

            def attend() -> torch.Tensor:
                return module(x, is_causal=causal)[0]

        module.to(device, dtype).train(backward)
        inputs = (x,)

    if not backward:

        def forward() -> None:
            with torch.no_grad():
                attend()

        return forward

    # Queries and the module input have the output's shape.
    grad_output = torch.randn(inputs[0].shape, generator=generator).to(device, dtype)

    def forward_backward() -> None:
        for tensor in inputs:
            tensor.grad = None
        if module is not None:
            module.zero_grad(set_to_none=True)
        attend().backward(grad_output)

    return forward_backward


def case_flops(case: dict) -> float:
    """Return the model FLOPs of one call of ``case``."""
    flops = attention_flops(
        case["batch"],
        case["num_heads"],
        case["seq_len"],
        case["head_dim"],
        case["causal"],
        case["mode"],
    )
    if case["section"] == "module":
        d_model = case["num_heads"] * case["head_dim"]
        flops += projection_flops(case["batch"], case["seq_len"], d_model, case["mode"])
    return flops


def run_group(
    cases: list[dict], device: torch.device, warmup: int, repeats: int
) -> list[dict]:
    """Time cases that differ only in implementation, interleaved, and add ratios."""
    calls = {case["implementation"]: make_call(case, device) for case in cases}
    times = common.time_interleaved(calls, device, warmup, repeats)
    rows = []
    for case in cases:
        row = dict(case, **common.summarize_times(times[case["implementation"]]))
        row["tflops"] = case_flops(case) / (row["time_ms_median"] * 1e-3) / 1e12
        rows.append(row)
    baseline = BASELINES[cases[0]["section"]]
    base_ms = next(r["time_ms_median"] for r in rows if r["implementation"] == baseline)
    for row in rows:
        row["baseline"] = baseline
        row["ratio_to_baseline"] = row["time_ms_median"] / base_ms
    del calls
    return rows


def add_memory(rows: list[dict], device: torch.device) -> str:
    """Fill ``peak_memory_mb`` of every row and return how it was measured."""
    if device.type == "cuda":
        for row in rows:
            case = {key: row[key] for key in CASE_KEYS}
            try:
                peak = common.measure_cuda_peak_memory(
                    lambda case=case: make_call(case, device), device
                )
                row["peak_memory_mb"] = peak / 2**20
            except torch.cuda.OutOfMemoryError:
                row["peak_memory_mb"] = None
                row["error"] = "out of memory"
            torch.cuda.empty_cache()
        return "torch.cuda.max_memory_allocated minus memory_allocated before the call"
    if not common.cpu_peak_memory_supported():
        for row in rows:
            row["peak_memory_mb"] = None
        return "not measured: resetting the peak RSS needs Linux /proc/self/clear_refs"
    cases = [{key: row[key] for key in CASE_KEYS} for row in rows]
    peaks = common.measure_cpu_peak_memory(Path(__file__), cases)
    for row, peak in zip(rows, peaks, strict=True):
        row["peak_memory_mb"] = peak / 2**20
    return (
        "peak RSS (VmHWM) minus RSS before the call, in a separate process, "
        "after one warm-up call"
    )


CASE_KEYS = (
    "section",
    "implementation",
    "mode",
    "batch",
    "num_heads",
    "seq_len",
    "head_dim",
    "causal",
    "dtype",
)


def sweep_cases(args: argparse.Namespace) -> list[list[dict]]:
    """Return the sweep as groups of cases that are timed together."""
    groups = []
    explicit_limit = args.skip_explicit_above or math.inf
    for section, implementations in (("functional", FUNCTIONAL), ("module", MODULE)):
        for mode in MODES:
            for seq_len in args.seq_lens:
                groups.append(
                    [
                        {
                            "section": section,
                            "implementation": name,
                            "mode": mode,
                            "batch": args.batch,
                            "num_heads": args.num_heads,
                            "seq_len": seq_len,
                            "head_dim": args.head_dim,
                            "causal": args.causal,
                            "dtype": args.dtype,
                        }
                        for name in implementations
                        if "explicit" not in name or seq_len <= explicit_limit
                    ]
                )
    return groups


def target_group(args: argparse.Namespace) -> list[dict]:
    """Return the module forward+backward cases at the target size."""
    size = QUICK_TARGET_CASE if args.quick else TARGET_CASE
    return [
        {
            "section": "module",
            "implementation": name,
            "mode": "forward_backward",
            "batch": size["batch"],
            "num_heads": size["num_heads"],
            "seq_len": size["seq_len"],
            "head_dim": size["d_model"] // size["num_heads"],
            "causal": False,
            "dtype": args.dtype,
        }
        for name in ("tinyformer-mha-fast", "torch-mha")
    ]


def memory_growth(rows: list[dict]) -> list[dict]:
    """Fit peak memory ∝ seq_len^p per implementation over the longest lengths.

    Only the upper half of the sweep is used (at least three lengths), where
    the T² or T term dominates fixed costs.
    """
    growth = []
    keys = sorted({(r["section"], r["implementation"], r["mode"]) for r in rows})
    for section, implementation, mode in keys:
        points = sorted(
            (r["seq_len"], r["peak_memory_mb"])
            for r in rows
            if (r["section"], r["implementation"], r["mode"])
            == (section, implementation, mode)
            and r.get("peak_memory_mb")
        )
        points = points[-max(3, len(points) // 2) :]
        exponent = common.fit_power_law([p[0] for p in points], [p[1] for p in points])
        growth.append(
            {
                "section": section,
                "implementation": implementation,
                "mode": mode,
                "seq_lens": [p[0] for p in points],
                "exponent": exponent,
            }
        )
    return growth


def build_targets(
    args: argparse.Namespace, device: torch.device, rows: list[dict], target_rows
) -> list[dict]:
    """Return the PASS/MISS targets that apply to this device."""
    targets = []
    if device.type == "cpu":
        ours = next(
            r for r in target_rows if r["implementation"] == "tinyformer-mha-fast"
        )
        size = QUICK_TARGET_CASE if args.quick else TARGET_CASE
        targets.append(
            common.target(
                "mha_forward_backward_ratio",
                ours["ratio_to_baseline"],
                1.0,
                higher_is_better=False,
                text=(
                    "tinyformer fast MultiHeadAttention forward+backward time / "
                    "nn.MultiheadAttention's (batch {batch}, seq_len {seq_len}, "
                    "d_model {d_model}, {num_heads} heads, CPU)".format(**size)
                ),
            )
        )
    if device.type == "cuda":
        fractions = [
            r["peak_fraction"]
            for r in rows
            if r["implementation"] == "tinyformer-fast"
            and r["mode"] == "forward"
            and r["seq_len"] >= GPU_TARGET_MIN_SEQ_LEN
            and r.get("peak_fraction") is not None
        ]
        targets.append(
            common.target(
                "fast_attention_peak_fraction",
                min(fractions) if fractions else None,
                GPU_TARGET_FRACTION,
                higher_is_better=True,
                text=(
                    "tinyformer fast attention forward, lowest fraction of "
                    f"{args.dtype} peak at seq_len >= {GPU_TARGET_MIN_SEQ_LEN}"
                ),
            )
        )
    return targets


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--device", default="cpu", help="torch device: cpu or cuda")
    parser.add_argument("--dtype", default="float32", choices=sorted(common.DTYPES))
    parser.add_argument("--batch", type=int, default=1, help="sequences per call")
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument(
        "--seq-lens",
        type=int,
        nargs="+",
        default=[128, 256, 512, 1024, 2048, 4096],
        help="sequence lengths of the sweep",
    )
    parser.add_argument("--causal", action="store_true", help="use a causal mask")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds")
    parser.add_argument(
        "--target-repeats",
        type=int,
        default=30,
        help="timed rounds of the MultiHeadAttention target case",
    )
    parser.add_argument(
        "--skip-explicit-above",
        type=int,
        default=None,
        metavar="SEQ_LEN",
        help="leave out explicit attention above this length (its memory is O(T^2))",
    )
    parser.add_argument(
        "--peak-tflops",
        type=float,
        default=None,
        help="device peak TFLOP/s for the dtype; adds the fraction of peak",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip peak memory")
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, for the smoke test"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON output path")
    parser.add_argument("--memory-cases", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.batch, args.num_heads, args.head_dim = 1, 2, 8
        args.seq_lens = [16, 32]
        args.warmup, args.repeats, args.target_repeats = 1, 2, 2
    for name in ("batch", "num_heads", "head_dim", "repeats", "target_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if min(args.seq_lens) < 1:
        parser.error(f"--seq-lens must be positive, got {args.seq_lens}")
    return args


TABLE_COLUMNS = [
    ("section", "section", ""),
    ("implementation", "implementation", ""),
    ("mode", "mode", ""),
    ("seq_len", "seq_len", "d"),
    ("median ms", "time_ms_median", ".3f"),
    ("ratio", "ratio_to_baseline", ".2f"),
    ("peak MB", "peak_memory_mb", ".1f"),
    ("TFLOP/s", "tflops", ".3f"),
]


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print its tables and write its JSON; return the record."""
    args = parse_args(argv)
    device = common.parse_device(args.device)
    if args.memory_cases:
        common.run_memory_cases(lambda case: make_call(case, device))
        return {}
    machine = common.describe_machine(device, common.DTYPES[args.dtype])
    print(f"{machine['device_name']}, torch {machine['torch_version']}, {args.dtype}")

    rows = []
    for group in sweep_cases(args):
        first = group[0]
        where = f"{first['section']} {first['mode']} seq_len={first['seq_len']}"
        try:
            rows.extend(run_group(group, device, args.warmup, args.repeats))
        except torch.cuda.OutOfMemoryError:
            # Only CUDA raises this; the group is left out of the results.
            print(f"  out of memory: {where} skipped")
            torch.cuda.empty_cache()
            continue
        print(f"  timed {where}")
    target_rows = run_group(
        target_group(args), device, args.warmup, args.target_repeats
    )

    memory_method = None
    if not args.no_memory:
        memory_method = add_memory(rows, device)
    columns = list(TABLE_COLUMNS)
    if args.peak_tflops:
        for row in rows:
            row["peak_fraction"] = row["tflops"] / args.peak_tflops
        columns.append(("of peak", "peak_fraction", ".1%"))
    print(common.format_table(rows, columns))

    growth = memory_growth(rows) if memory_method else []
    for item in growth:
        if item["exponent"] is not None:
            print(
                f"peak memory of {item['implementation']} {item['mode']} grows as "
                f"seq_len^{item['exponent']:.2f} over seq_len {item['seq_lens']}"
            )
    print(common.format_table(target_rows, TABLE_COLUMNS[:6]))
    targets = build_targets(args, device, rows, target_rows)
    common.print_targets(targets)

    record = common.make_record(
        "attention",
        machine,
        {
            key: value
            for key, value in vars(args).items()
            if key not in ("out", "memory_cases")
        },
        rows,
        targets,
        target_results=target_rows,
        memory_method=memory_method,
        memory_growth=growth,
        flop_formula=(
            "attention forward 4*batch*num_heads*seq_len^2*head_dim (halved if "
            "causal), forward+backward 3.5x forward; module rows add "
            "8*batch*seq_len*d_model^2 forward, 3x for forward+backward"
        ),
    )
    common.write_record(record, args.out or common.default_out("attention", device))
    return record


if __name__ == "__main__":
    main()
