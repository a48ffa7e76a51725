"""Command line: ``python -m tinyformer {train,run,...}``.

This is the only module that prints and shows progress bars; the library
logs through `logging`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from tinyformer import __version__
from tinyformer.checkpoint import load_model, read_config, save_model
from tinyformer.decoding import greedy_decode
from tinyformer.device import resolve_device
from tinyformer.tasks import TOY_TASKS, ToyTask, train_toy_task

__all__ = ["main", "build_parser"]

DEFAULT_TOY_DIR = Path("runs") / "copy"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive number, got {text!r}"
        ) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _train(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    task = ToyTask(args.task, max_len=args.max_len)
    device = resolve_device(args.device)
    with tqdm(total=args.steps, desc=f"train {args.task}", unit="step") as bar:

        def progress(step: int, loss: float, accuracy: float) -> None:
            bar.update(1)
            if step % 10 == 0:
                bar.set_postfix(loss=f"{loss:.3f}", acc=f"{accuracy:.3f}")

        model, accuracy = train_toy_task(
            task,
            steps=args.steps,
            batch_size=args.batch_size,
            lr=args.lr,
            seed=args.seed,
            device=device,
            progress=progress,
        )
    extra = {"task": args.task, "vocab": task.vocab, "max_len": args.max_len}
    save_model(model.cpu(), args.out, extra=extra)
    print(f"held-out token accuracy (greedy decoding): {accuracy:.4f}")
    print(f"checkpoint written to {args.out}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if not (Path(args.checkpoint) / "config.json").is_file():
        raise FileNotFoundError(
            f"no checkpoint in {args.checkpoint}; train one with: "
            f"python -m tinyformer train --out {args.checkpoint}"
        )
    config = read_config(args.checkpoint)
    extra = config.get("extra", {})
    if extra.get("task") not in TOY_TASKS:
        raise ValueError(
            f"{args.checkpoint} is not a toy-task checkpoint (task={extra.get('task')!r}); "
            "train one with: python -m tinyformer train"
        )
    task = ToyTask(extra["task"], max_len=extra.get("max_len", 10))
    model = load_model(args.checkpoint)
    for text in args.text:
        ids = task.encode(text)
        output = greedy_decode(model, torch.tensor([ids]), max_len=len(ids) + 2)
        print(task.decode(output[0].tolist()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="python -m tinyformer",
        description="Train and run the small Transformers of the tinyformer site.",
    )
    parser.add_argument(
        "--version", action="version", version=f"tinyformer {__version__}"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log progress messages to stderr"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = subparsers.add_parser(
        "train",
        help="train an encoder-decoder on a toy task and save a checkpoint",
        description="Train a small encoder-decoder on the copy or reverse task of "
        "random digit strings, then save it as model.safetensors and config.json.",
    )
    train.add_argument(
        "--task",
        choices=TOY_TASKS,
        default="copy",
        help="task to learn (default: copy)",
    )
    train.add_argument(
        "--steps",
        type=_positive_int,
        default=1200,
        help="optimisation steps (default: 1200)",
    )
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        default=64,
        help="sequences per step (default: 64)",
    )
    train.add_argument(
        "--lr",
        type=_positive_float,
        default=1e-3,
        help="peak learning rate (default: 1e-3)",
    )
    train.add_argument(
        "--max-len",
        type=_positive_int,
        default=10,
        help="maximum number of digits per string (default: 10)",
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument(
        "--device",
        default="auto",
        help="torch device, or 'auto' for CUDA, then MPS, then CPU",
    )
    train.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_TOY_DIR,
        help=f"checkpoint directory (default: {DEFAULT_TOY_DIR})",
    )
    train.set_defaults(handler=_train)

    run = subparsers.add_parser(
        "run",
        help="run a saved toy-task model on digit strings",
        description="Load a checkpoint written by 'train' and print its output for each input.",
    )
    run.add_argument(
        "text", nargs="+", help='digits separated by spaces, for example "3 1 4 1 5"'
    )
    run.add_argument(
        "--checkpoint",
        type=Path,
        default=DEFAULT_TOY_DIR,
        help=f"checkpoint directory (default: {DEFAULT_TOY_DIR})",
    )
    run.set_defaults(handler=_run)

    try:
        from tinyformer import translation_cli
    except ImportError:
        translation_cli = None
    if translation_cli is not None:
        translation_cli.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; return the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.handler(args)
    except (FileNotFoundError, TypeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
