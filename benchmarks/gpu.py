"""Run the attention and model benchmarks on a CUDA GPU in bfloat16, in one command.

Writes benchmarks/results/attention-cuda.json and model-cuda.json (or into
--out-dir) and prints achieved TFLOP/s and the fraction of the device's
dense bfloat16 peak for attention and for a training step (model FLOPs
utilisation, MFU). The FLOP formulas are in benchmarks/attention.py
(``attention_flops``) and benchmarks/model.py (``training_flops_per_token``).

The sizes below are meant to finish within 8 minutes on an H100-class GPU
(an estimate from the FLOP counts: the script has not yet run on one). On a
smaller GPU, lower the sizes by running the two scripts directly. Exits with a
message when no CUDA device is available.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attention  # noqa: E402
import common  # noqa: E402
import model  # noqa: E402

# Dense (no 2:4 sparsity) bfloat16 tensor-core peaks in TFLOP/s, matched in order
# against torch.cuda.get_device_name(). NVIDIA's datasheets state the sparse
# figure; the dense one is half of it: H100 SXM 1,979 -> 989.5, H100 PCIe
# 1,513 -> 756.5 (NVIDIA H100 Tensor Core GPU datasheet); the H200 has the
# H100 SXM's compute (NVIDIA H200 datasheet, 1,979 with sparsity); A100 312
# dense (NVIDIA A100 Tensor Core GPU datasheet, 624 with sparsity).
PEAK_BF16_TFLOPS = (
    (("H200",), 989.5),
    (("H100", "PCIe"), 756.5),
    (("H100",), 989.5),
    (("A100",), 312.0),
)

ATTENTION_ARGS = [
    "--batch", "4",
    "--num-heads", "16",
    "--head-dim", "128",
    "--seq-lens", "512", "1024", "2048", "4096", "8192", "16384",
    "--skip-explicit-above", "4096",
    "--warmup", "3",
    "--repeats", "10",
    "--target-repeats", "10",
]  # fmt: skip
MODEL_ARGS = [
    "--vocab-size", "32768",
    "--d-model", "1024",
    "--num-heads", "16",
    "--d-ff", "4096",
    "--num-layers", "8",
    "--max-len", "2048",
    "--batch", "8",
    "--seq-len", "2048",
    "--warmup", "3",
    "--repeats", "10",
]  # fmt: skip


def lookup_peak(device_name: str) -> float | None:
    """Return the dense bf16 peak TFLOP/s of a known device, else None."""
    for words, peak in PEAK_BF16_TFLOPS:
        if all(word in device_name for word in words):
            return peak
    return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--device",
        default="cuda",
        help="torch device; cpu runs the same code, for testing the script only",
    )
    parser.add_argument(
        "--peak-tflops",
        type=float,
        default=None,
        help="dense bf16 peak TFLOP/s of the device; default: from the known "
        "devices table (H200, H100 SXM and PCIe, A100)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, for the smoke test"
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=common.RESULTS_DIR,
        help="folder for attention-<device>.json and model-<device>.json",
    )
    return parser.parse_args(argv)


def summarize(attention_record: dict, model_record: dict) -> None:
    """Print the achieved TFLOP/s and peak fractions of both benchmarks."""
    print("\nfast attention (tinyformer-fast), achieved TFLOP/s:")
    for row in attention_record["results"]:
        if row["implementation"] == "tinyformer-fast":
            fraction = row.get("peak_fraction")
            share = f" ({fraction:.1%} of peak)" if fraction is not None else ""
            print(
                f"  {row['mode']:>16} seq_len {row['seq_len']:>6}: "
                f"{row['tflops']:.1f}{share}"
            )
    training = next(r for r in model_record["results"] if r["section"] == "training")
    fraction = training.get("peak_fraction")
    share = f", MFU {fraction:.1%}" if fraction is not None else ""
    print(
        f"training step: {training['tokens_per_s']:,.0f} tokens/s, "
        f"{training['tflops']:.1f} TFLOP/s{share}"
    )
    common.print_targets(attention_record["targets"] + model_record["targets"])


def main(argv: list[str] | None = None) -> None:
    """Run both benchmarks on the device and print the summary."""
    args = parse_args(argv)
    device = common.parse_device(args.device)
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = common.cpu_model()
    peak = args.peak_tflops or lookup_peak(name)
    if peak is None:
        print(
            f"{name} is not in the table of known peaks; pass --peak-tflops to "
            "report the fraction of peak"
        )
    else:
        print(f"{name}: dense bf16 peak {peak:g} TFLOP/s")

    shared = ["--device", args.device, "--dtype", "bfloat16"]
    if peak is not None:
        shared += ["--peak-tflops", str(peak)]
    if args.quick:
        shared.append("--quick")
    start = time.perf_counter()
    attention_record = attention.main(
        [
            *shared,
            *([] if args.quick else ATTENTION_ARGS),
            "--out",
            str(args.out_dir / f"attention-{device.type}.json"),
        ]
    )
    model_record = model.main(
        [
            *shared,
            *([] if args.quick else MODEL_ARGS),
            "--out",
            str(args.out_dir / f"model-{device.type}.json"),
        ]
    )
    summarize(attention_record, model_record)
    print(f"finished in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
