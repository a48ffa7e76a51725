"""The ``translate`` subcommand: train or run the English-to-French number translator.

``python -m tinyformer translate --train`` trains from scratch with a tqdm bar
and saves a checkpoint (default ``runs/translator``);
``python -m tinyformer translate "three hundred and twenty-one"`` prints the
French. `tinyformer.cli` registers this module.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from tinyformer.device import resolve_device
from tinyformer.translation import DEFAULT_CHECKPOINT, Translator, TranslatorConfig

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``translate`` subcommand and return its parser."""
    defaults = TranslatorConfig()
    parser = subparsers.add_parser(
        "translate",
        help="translate English number words into French, or train the translator",
        description="Translate English number words (0 to 999) into French with a "
        "small encoder-decoder Transformer. Train it first with --train.",
    )
    parser.add_argument(
        "text",
        nargs="*",
        help='English number words, for example "seventy-one"; one translation each',
    )
    parser.add_argument(
        "--train",
        action="store_true",
        help="train a translator from scratch and save it to --out",
    )
    parser.add_argument(
        "--out",
        "--checkpoint",
        dest="checkpoint",
        metavar="DIR",
        type=Path,
        default=DEFAULT_CHECKPOINT,
        help=f"checkpoint directory to write or read (default: {DEFAULT_CHECKPOINT})",
    )
    parser.add_argument(
        "--beam-size",
        type=int,
        default=1,
        help="beam width for decoding; 1 is greedy (default: 1)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=defaults.steps,
        help=f"training steps (default: {defaults.steps})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help=f"seed of the data split and the weights (default: {defaults.seed})",
    )
    parser.add_argument(
        "--device",
        default="auto",
        help="torch device to train on or to load the model onto: 'cpu', 'cuda', "
        "'cuda:N', 'mps', or 'auto' for CUDA, then MPS, then CPU (default: auto)",
    )
    parser.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="also translate known words that are not a number as num2words "
        "writes it, such as 'three hundred twenty-one', to probe the model; "
        "its output for them is unreliable",
    )
    parser.set_defaults(handler=run)
    return parser


def _train(args: argparse.Namespace, device: torch.device) -> int:
    from tqdm.auto import tqdm

    config = TranslatorConfig(steps=args.steps, seed=args.seed)
    if device.type == "cpu":
        # A second intra-op thread makes each step of this small model slower,
        # many times so on a busy machine.
        torch.set_num_threads(1)
    with tqdm(total=config.steps, desc="train translator", unit="step") as bar:

        def progress(step: int, loss: float, accuracy: float, held_out) -> None:
            bar.update(1)
            if step % 10 == 0 or held_out is not None and step % config.eval_every == 0:
                postfix = {"loss": f"{loss:.3f}", "token_acc": f"{accuracy:.3f}"}
                if held_out is not None:
                    postfix["held_out_acc"] = f"{held_out:.3f}"
                bar.set_postfix(postfix)

        translator, history = Translator.train(config, device=device, callback=progress)
    translator.model.cpu()
    translator.save(args.checkpoint)
    _, held_out = translator.data()
    print(
        f"held-out exact match (greedy, {len(held_out)} numbers never seen in "
        f"training): {history.held_out_accuracy[-1]:.4f}"
    )
    print(f"trained in {history.seconds:.1f} s on {device}")
    print(f"checkpoint written to {args.checkpoint}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the subcommand: train with ``--train``, else translate ``text``."""
    if args.beam_size < 1:
        raise ValueError(f"--beam-size must be >= 1, got {args.beam_size}")
    # Checked before any checkpoint is read, so a wrong --device fails first.
    device = resolve_device(args.device)
    if args.train:
        if args.text:
            raise ValueError(
                "pass either --train or text to translate, not both; got "
                f"--train and {args.text}"
            )
        return _train(args, device)
    if not args.text:
        raise ValueError(
            'nothing to translate; pass English number words, for example "seventy-one"'
        )
    if not (args.checkpoint / "config.json").is_file():
        raise FileNotFoundError(
            f"no translator checkpoint in {args.checkpoint}; train one first with: "
            f"python -m tinyformer translate --train --out {args.checkpoint}"
        )
    translator = Translator.load(args.checkpoint, device=device)
    for text in args.text:
        print(translator(text, beam_size=args.beam_size, strict=args.strict))
    return 0
