"""Benchmark a DecoderOnlyLM: training-step throughput and KV-cache generation.

* Training step: forward, cross-entropy loss, backward and an AdamW step on
  random token ids; reports tokens per second and achieved TFLOP/s.
* Generation: ``tinyformer.decoding.generate`` with greedy decoding, with the
  key/value cache (``use_cache=True``, one new token per step) and without it
  (``use_cache=False``, the whole prefix recomputed each step), for a growing
  number of new tokens. Both variants run in turn within each repeat.

Run ``python benchmarks/model.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

from tinyformer.decoding import generate  # noqa: E402
from tinyformer.models import DecoderOnlyConfig, DecoderOnlyLM  # noqa: E402

# The CPU target: the cache makes this many new tokens this much faster.
CACHE_TARGET_TOKENS = 256
CACHE_TARGET_SPEEDUP = 3.0


def autocast(
    device: torch.device, dtype: torch.dtype
) -> contextlib.AbstractContextManager:
    """Return an autocast context for half-precision dtypes, else a no-op."""
    if dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def training_flops_per_token(model: DecoderOnlyLM, seq_len: int) -> tuple[float, int]:
    """Return ``(FLOPs per token of one training step, N)``.

    Uses ``6 * N + 12 * num_layers * d_model * seq_len`` (Chowdhery et al.
    2022, PaLM, appendix B): 6 FLOPs per parameter per token for the forward
    and backward matmuls, plus the attention scores and weighted sums, counted
    without the causal half. ``N`` counts every parameter except the learned
    position table, which is a lookup; the tied embedding counts once, for the
    output projection.
    """
    config = model.config
    parameters = sum(p.numel() for p in model.parameters())
    if model.positional is not None:
        parameters -= sum(p.numel() for p in model.positional.parameters())
    attention = 12 * config.num_layers * config.d_model * seq_len
    return 6.0 * parameters + attention, parameters


def make_train_step(
    model: DecoderOnlyLM, args: argparse.Namespace, device: torch.device
) -> Callable[[], None]:
    """Return a function that runs one training step on fixed random tokens."""
    generator = torch.Generator(device="cpu").manual_seed(0)
    shape = (args.batch, args.seq_len + 1)
    tokens = torch.randint(0, args.vocab_size, shape, generator=generator).to(device)
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    dtype = common.DTYPES[args.dtype]

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, dtype):
            logits = model(inputs).logits
        loss = F.cross_entropy(logits.float().flatten(0, 1), targets.flatten())
        loss.backward()
        optimizer.step()

    return step


def bench_training(
    model: DecoderOnlyLM, args: argparse.Namespace, device: torch.device
) -> dict:
    """Time training steps and return one result row."""
    model.train()
    step = make_train_step(model, args, device)
    times = common.time_interleaved({"train": step}, device, args.warmup, args.repeats)
    row = {"section": "training", "batch": args.batch, "seq_len": args.seq_len}
    row.update(common.summarize_times(times["train"]))
    seconds = row["time_ms_median"] * 1e-3
    tokens = args.batch * args.seq_len
    flops_per_token, parameters = training_flops_per_token(model, args.seq_len)
    row["tokens_per_s"] = tokens / seconds
    row["tflops"] = flops_per_token * tokens / seconds / 1e12
    row["flop_parameters"] = parameters
    if args.peak_tflops:
        row["peak_fraction"] = row["tflops"] / args.peak_tflops
    if device.type == "cuda":
        row["peak_memory_mb"] = (
            common.measure_cuda_peak_memory(lambda: step, device) / 2**20
        )
    return row


def bench_generation(
    model: DecoderOnlyLM, args: argparse.Namespace, device: torch.device
) -> list[dict]:
    """Time cached and uncached greedy generation for each output length."""
    model.eval()
    generator = torch.Generator(device="cpu").manual_seed(1)
    prompt = torch.randint(
        0, args.vocab_size, (args.gen_batch, args.prompt_len), generator=generator
    ).to(device)
    dtype = common.DTYPES[args.dtype]

    def run(new_tokens: int, use_cache: bool) -> torch.Tensor:
        with autocast(device, dtype):
            return generate(
                model, prompt, new_tokens, temperature=0.0, use_cache=use_cache
            )

    # One short untimed round warms up both paths.
    for use_cache in (True, False):
        run(min(4, min(args.gen_lengths)), use_cache)

    rows = []
    for new_tokens in args.gen_lengths:
        outputs_match = torch.equal(run(new_tokens, True), run(new_tokens, False))
        calls = {
            "cached": lambda n=new_tokens: run(n, True),
            "uncached": lambda n=new_tokens: run(n, False),
        }
        times = common.time_interleaved(calls, device, 0, args.gen_repeats)
        for variant, use_cache in (("cached", True), ("uncached", False)):
            row = {
                "section": "generation",
                "variant": variant,
                "use_cache": use_cache,
                "batch": args.gen_batch,
                "prompt_len": args.prompt_len,
                "new_tokens": new_tokens,
                "outputs_match": outputs_match,
            }
            row.update(common.summarize_times(times[variant]))
            row["tokens_per_s"] = (
                args.gen_batch * new_tokens / (row["time_ms_median"] * 1e-3)
            )
            rows.append(row)
        cached, uncached = rows[-2], rows[-1]
        speedup = uncached["time_ms_median"] / cached["time_ms_median"]
        cached["speedup_vs_uncached"] = speedup
        uncached["speedup_vs_uncached"] = 1.0
        print(f"  generated {new_tokens} tokens: cache speed-up {speedup:.2f}x")
    return rows


def build_targets(device: torch.device, generation: list[dict]) -> list[dict]:
    """Return the PASS/MISS targets that apply to this device."""
    if device.type != "cpu":
        return []
    at_target = [
        r["speedup_vs_uncached"]
        for r in generation
        if r["variant"] == "cached" and r["new_tokens"] == CACHE_TARGET_TOKENS
    ]
    return [
        common.target(
            "kv_cache_speedup",
            at_target[0] if at_target else None,
            CACHE_TARGET_SPEEDUP,
            higher_is_better=True,
            text=(
                f"KV-cache speed-up generating {CACHE_TARGET_TOKENS} tokens on CPU "
                "(uncached time / cached time)"
            ),
        )
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--device", default="cpu", help="torch device: cpu or cuda")
    parser.add_argument(
        "--dtype",
        default="float32",
        choices=sorted(common.DTYPES),
        help="float32, or a half-precision dtype used through torch.autocast",
    )

    model = parser.add_argument_group("model (DecoderOnlyConfig)")
    model.add_argument("--vocab-size", type=int, default=512)
    model.add_argument("--d-model", type=int, default=256)
    model.add_argument("--num-heads", type=int, default=4)
    model.add_argument("--d-ff", type=int, default=1024)
    model.add_argument("--num-layers", type=int, default=4)
    model.add_argument(
        "--max-len", type=int, default=1024, help="learned position table size"
    )

    train = parser.add_argument_group("training step")
    train.add_argument("--batch", type=int, default=8, help="sequences per step")
    train.add_argument("--seq-len", type=int, default=128, help="tokens per sequence")
    train.add_argument("--warmup", type=int, default=2, help="untimed steps")
    train.add_argument("--repeats", type=int, default=10, help="timed steps")

    gen = parser.add_argument_group("generation")
    gen.add_argument("--gen-batch", type=int, default=1, help="prompts per call")
    gen.add_argument("--prompt-len", type=int, default=8, help="prompt tokens")
    gen.add_argument(
        "--gen-lengths",
        type=int,
        nargs="+",
        default=[16, 32, 64, 128, 256],
        help="numbers of new tokens",
    )
    gen.add_argument("--gen-repeats", type=int, default=3, help="timed rounds")

    parser.add_argument(
        "--peak-tflops",
        type=float,
        default=None,
        help="device peak TFLOP/s for the dtype; adds model FLOPs utilisation",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, for the smoke test"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON output path")

    args = parser.parse_args(argv)
    if args.quick:
        args.vocab_size, args.d_model, args.num_heads = 64, 32, 2
        args.d_ff, args.num_layers, args.max_len = 64, 2, 64
        args.batch, args.seq_len, args.warmup, args.repeats = 2, 16, 1, 2
        args.prompt_len, args.gen_lengths, args.gen_repeats = 4, [4, 8], 2

    for name in ("batch", "seq_len", "repeats", "gen_batch", "prompt_len"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if min(args.gen_lengths) < 1:
        parser.error(f"--gen-lengths must be positive, got {args.gen_lengths}")

    longest = max(args.seq_len, args.prompt_len + max(args.gen_lengths))
    if longest > args.max_len:
        parser.error(
            f"--max-len {args.max_len} is shorter than the longest sequence "
            f"({longest} tokens); raise --max-len"
        )
    return args


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print its tables and write its JSON; return the record."""
    args = parse_args(argv)
    device = common.parse_device(args.device)
    machine = common.describe_machine(device, common.DTYPES[args.dtype])
    print(f"{machine['device_name']}, torch {machine['torch_version']}, {args.dtype}")

    config = DecoderOnlyConfig(
        vocab_size=args.vocab_size,
        d_model=args.d_model,
        num_heads=args.num_heads,
        d_ff=args.d_ff,
        num_layers=args.num_layers,
        max_len=args.max_len,
        dropout=0.0,
    )
    torch.manual_seed(0)
    model = DecoderOnlyLM(config).to(device)

    training = bench_training(model, args, device)
    columns = [
        ("batch", "batch", "d"),
        ("seq_len", "seq_len", "d"),
        ("median ms", "time_ms_median", ".2f"),
        ("tokens/s", "tokens_per_s", ",.0f"),
        ("TFLOP/s", "tflops", ".3f"),
    ]
    if args.peak_tflops:
        columns.append(("MFU", "peak_fraction", ".1%"))
    print(common.format_table([training], columns))

    generation = bench_generation(model, args, device)
    print(
        common.format_table(
            generation,
            [
                ("variant", "variant", ""),
                ("new tokens", "new_tokens", "d"),
                ("median ms", "time_ms_median", ".1f"),
                ("tokens/s", "tokens_per_s", ",.1f"),
                ("speed-up", "speedup_vs_uncached", ".2f"),
                ("same output", "outputs_match", ""),
            ],
        )
    )
    targets = build_targets(device, generation)
    common.print_targets(targets)

    settings = {key: value for key, value in vars(args).items() if key != "out"}
    settings["config"] = config.to_dict()
    record = common.make_record(
        "model",
        machine,
        settings,
        [training, *generation],
        targets,
        flop_formula=(
            "training: (6*N + 12*num_layers*d_model*seq_len) FLOPs per token, N = "
            "parameters without the position table (PaLM, Chowdhery et al. 2022, "
            "appendix B)"
        ),
    )
    common.write_record(record, args.out or common.default_out("model", device))
    return record


if __name__ == "__main__":
    main()
