"""Time the number translator: training from scratch to held-out accuracy.

Trains ``TranslatorConfig()`` (the defaults of tinyformer.translation) from
scratch ``--runs`` times, with seeds 0, 1, and so on. For each run it reports
the wall-clock training time, the held-out exact match with greedy decoding
and with beam search, and the first evaluated step at which the held-out
accuracy reached the target. The targets: held-out exact match of at least
99% and training in at most 120 s. The time target is meant for a 2-core CPU;
on a GPU the script runs unchanged and the time is reported for comparison.

The device defaults to ``tinyformer.device.default_device()`` (CUDA, then
MPS, then CPU). Run ``python benchmarks/translator_time.py --help``.
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
from tinyformer.translation import Translator, TranslatorConfig  # noqa: E402

ACCURACY_TARGET = 0.99
TIME_TARGET_S = 120.0
BEAM_SIZE = 4


def run_once(seed: int, device: torch.device) -> dict:
    """Train one translator and return its time and accuracies."""
    config = TranslatorConfig(seed=seed)
    start = time.perf_counter()
    translator, history = Translator.train(config, device=device)
    common.synchronize(device)
    train_seconds = time.perf_counter() - start
    _, held_out = translator.data()
    beam_accuracy = translator.evaluate(held_out, beam_size=BEAM_SIZE)
    reached = [
        step
        for step, accuracy in zip(
            history.eval_steps, history.held_out_accuracy, strict=True
        )
        if accuracy >= ACCURACY_TARGET
    ]
    return {
        "seed": seed,
        "steps": config.steps,
        "train_seconds": train_seconds,
        "held_out_count": len(held_out),
        "greedy_accuracy": history.held_out_accuracy[-1],
        "beam_accuracy": beam_accuracy,
        "first_step_at_target": reached[0] if reached else None,
        "final_loss": history.loss[-1],
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--device", default=None, help="torch device (default: default_device())"
    )
    parser.add_argument("--runs", type=int, default=1, help="seeds 0 .. runs-1")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (torch.set_num_threads); a second thread made "
        "each step of this small model slower on a busy 2-core machine",
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON output path")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    device = common.parse_device(args.device) if args.device else default_device()
    torch.set_num_threads(args.threads)
    machine = common.describe_machine(device, torch.float32)
    results = [run_once(seed, device) for seed in range(args.runs)]
    print(
        common.format_table(
            results,
            [
                ("seed", "seed", "d"),
                ("train s", "train_seconds", ".1f"),
                ("greedy", "greedy_accuracy", ".3f"),
                (f"beam {BEAM_SIZE}", "beam_accuracy", ".3f"),
                ("step at target", "first_step_at_target", "d"),
            ],
        )
    )
    worst_accuracy = min(r["greedy_accuracy"] for r in results)
    slowest = max(r["train_seconds"] for r in results)
    targets = [
        common.target(
            "held_out_accuracy",
            worst_accuracy,
            ACCURACY_TARGET,
            True,
            "held-out exact match, greedy, worst run",
        ),
        common.target(
            "train_seconds",
            slowest if device.type == "cpu" else None,
            TIME_TARGET_S,
            False,
            "training wall time on the CPU, slowest run (s)",
        ),
    ]
    common.print_targets(targets)
    record = common.make_record(
        "translator_time",
        machine,
        {
            "config": TranslatorConfig().__dict__,
            "runs": args.runs,
            "beam_size": BEAM_SIZE,
        },
        results,
        targets,
    )
    common.write_record(
        record, args.out or common.default_out("translator_time", device)
    )
    return record


if __name__ == "__main__":
    main()
