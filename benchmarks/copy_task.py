"""Time the copy task that `python -m tinyformer train` learns.

Trains the toy encoder-decoder of tinyformer.tasks from scratch with the
command line's defaults and reports the wall-clock time and the held-out token
accuracy of greedy decoding. The targets: at least 99% token accuracy within
60 s on a 2-core CPU. Run ``python benchmarks/copy_task.py --help``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

from tinyformer.device import default_device  # noqa: E402
from tinyformer.tasks import ToyTask, train_toy_task  # noqa: E402

ACCURACY_TARGET = 0.99
TIME_TARGET_S = 60.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--device", default=None, help="torch device (default: default_device())"
    )
    parser.add_argument(
        "--task", choices=["copy", "reverse"], default="copy", help="toy task"
    )
    parser.add_argument("--steps", type=int, default=1200, help="optimisation steps")
    parser.add_argument("--runs", type=int, default=1, help="seeds 0 .. runs-1")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument(
        "--quick", action="store_true", help="a few steps, for the smoke test"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON output path")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    device = common.parse_device(args.device) if args.device else default_device()
    torch.set_num_threads(args.threads)
    steps = 20 if args.quick else args.steps
    machine = common.describe_machine(device, torch.float32)
    results = []
    for seed in range(args.runs):
        start = time.perf_counter()
        _, accuracy = train_toy_task(
            ToyTask(args.task), steps=steps, seed=seed, device=device
        )
        common.synchronize(device)
        results.append(
            {
                "seed": seed,
                "steps": steps,
                "train_seconds": time.perf_counter() - start,
                "token_accuracy": accuracy,
            }
        )
    print(
        common.format_table(
            results,
            [
                ("seed", "seed", "d"),
                ("train s", "train_seconds", ".1f"),
                ("token acc", "token_accuracy", ".4f"),
            ],
        )
    )
    slowest = max(r["train_seconds"] for r in results)
    targets = [
        common.target(
            "token_accuracy",
            min(r["token_accuracy"] for r in results),
            ACCURACY_TARGET,
            True,
            "held-out token accuracy, greedy, worst run",
        ),
        common.target(
            "train_seconds",
            slowest if device.type == "cpu" else None,
            TIME_TARGET_S,
            False,
            "training and evaluation wall time on the CPU, slowest run (s)",
        ),
    ]
    common.print_targets(targets)
    record = common.make_record(
        "copy_task",
        machine,
        {"task": args.task, "steps": steps, "runs": args.runs},
        results,
        targets,
    )
    common.write_record(
        record,
        args.out
        or common.default_out(f"copy_task{'-quick' if args.quick else ''}", device),
    )
    return record


if __name__ == "__main__":
    main()
