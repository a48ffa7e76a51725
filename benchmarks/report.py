"""Write the results section of docs/performance.md from the committed JSON.

The text between the ``RESULTS_START`` and ``RESULTS_END`` comments of the
page is generated. It names the machine each result came from and holds the
ratio, memory and KV-cache tables, the PASS/MISS targets and the links to the
figures that docs/figures/performance.py draws from the same files. A test
fails when the page and the JSON disagree.

    python benchmarks/report.py --write docs/performance.md   # update the page
    python benchmarks/report.py --check docs/performance.md   # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

RESULTS_START = "<!-- benchmark-results:start (written by benchmarks/report.py) -->"
RESULTS_END = "<!-- benchmark-results:end -->"
DEVICE_ORDER = ("cpu", "cuda")
DEVICE_TITLES = {"cpu": "CPU", "cuda": "GPU"}

FUNCTIONAL_NAMES = {
    "tinyformer-explicit": "tinyformer explicit",
    "tinyformer-fast": "tinyformer fast",
    "torch-sdpa": "torch SDPA",
}
MODULE_NAMES = {
    "tinyformer-mha-explicit": "tinyformer MHA, explicit",
    "tinyformer-mha-fast": "tinyformer MHA, fast",
    "torch-mha": "nn.MultiheadAttention",
}
MISSING_HINTS = {
    "cpu": "Run `python benchmarks/attention.py` and `python benchmarks/model.py`.",
    "cuda": "It has not been measured here yet: run `python benchmarks/gpu.py` on "
    "a CUDA machine and commit its JSON files.",
}
MODE_NAMES = {"forward": "forward", "forward_backward": "forward + backward"}


def load_records(results_dir: Path) -> dict[str, dict[str, dict]]:
    """Return ``{device type: {benchmark: record}}`` for every JSON file found."""
    records: dict[str, dict[str, dict]] = {}
    for path in sorted(results_dir.glob("*.json")):
        record = json.loads(path.read_text())
        missing = [key for key in common.SCHEMA_KEYS if key not in record]
        if missing:
            raise ValueError(f"{path} is missing the keys {missing}")
        device = record["machine"]["device"]
        records.setdefault(device, {})[record["benchmark"]] = record
    return records


def figure_link(name: str, alt: str) -> str:
    """Return light and dark image links to a generated figure."""
    return (
        f"![{alt}](generated/{name}-light.svg#only-light)\n"
        f"![{alt}](generated/{name}-dark.svg#only-dark)"
    )


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """Return a Markdown table with right-aligned columns after the first."""
    align = [":--"] + ["--:"] * (len(header) - 1)
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def describe(record: dict) -> str:
    """Return one paragraph naming the machine, software and command of a record."""
    machine = record["machine"]
    load = machine.get("load_average_start")
    load_text = (
        f" The 1-minute load average was {load[0]:g} at the start"
        f" and {machine['load_average_end'][0]:g} at the end."
        if load and machine.get("load_average_end")
        else ""
    )
    cores = f" ({machine['cpu_count']} cores)" if machine["device"] == "cpu" else ""
    return (
        f"Measured on {machine['device_name']}{cores} with torch "
        f"{machine['torch_version']} in {machine['dtype']}, on "
        f"{machine['date'][:10]}, by `{machine['command']}`.{load_text}"
    )


def format_ms(value: float) -> str:
    """Format milliseconds with three significant digits below 1000, else whole."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def cell(row: dict | None, with_tflops: bool) -> str:
    """Format one timing cell: median ms, ratio, and TFLOP/s on GPUs."""
    if row is None:
        return "–"
    text = f"{format_ms(row['time_ms_median'])} ms ({row['ratio_to_baseline']:.2f}×)"
    if with_tflops:
        text += f", {row['tflops']:.0f} TFLOP/s"
        if row.get("peak_fraction") is not None:
            text += f" ({row['peak_fraction']:.0%})"
    return text


def timing_table(record: dict, section: str, names: dict[str, str]) -> str:
    """Return median times and ratios by sequence length for one section."""
    rows = [r for r in record["results"] if r["section"] == section]
    on_gpu = record["machine"]["device"] == "cuda"
    table_rows = []
    for mode in MODE_NAMES:
        for seq_len in sorted({r["seq_len"] for r in rows}):
            by_name = {
                r["implementation"]: r
                for r in rows
                if r["mode"] == mode and r["seq_len"] == seq_len
            }
            table_rows.append(
                [MODE_NAMES[mode], str(seq_len)]
                + [cell(by_name.get(name), on_gpu) for name in names]
            )
    return markdown_table(["pass", "seq_len", *names.values()], table_rows)


def memory_table(record: dict) -> str:
    """Return the peak memory of the functional implementations."""
    rows = [
        r
        for r in record["results"]
        if r["section"] == "functional" and r.get("peak_memory_mb") is not None
    ]
    if not rows:
        return "Peak memory was not measured in this run."
    table_rows = []
    for mode in MODE_NAMES:
        for seq_len in sorted({r["seq_len"] for r in rows}):
            by_name = {
                r["implementation"]: r["peak_memory_mb"]
                for r in rows
                if r["mode"] == mode and r["seq_len"] == seq_len
            }
            table_rows.append(
                [MODE_NAMES[mode], str(seq_len)]
                + [
                    f"{by_name[name]:.1f}" if name in by_name else "–"
                    for name in FUNCTIONAL_NAMES
                ]
            )
    header = ["pass", "seq_len", *(f"{n} (MB)" for n in FUNCTIONAL_NAMES.values())]
    return markdown_table(header, table_rows)


def growth_lines(record: dict) -> str:
    """Return the fitted memory growth exponent of every implementation."""
    names = FUNCTIONAL_NAMES | MODULE_NAMES
    lines = []
    for item in record.get("memory_growth", []):
        if item["exponent"] is None:
            continue
        lines.append(
            f"- {names[item['implementation']]}, "
            f"{MODE_NAMES[item['mode']]}: memory ∝ seq_len^{item['exponent']:.2f} "
            f"(fitted over seq_len {', '.join(map(str, item['seq_lens']))})"
        )
    return "\n".join(lines)


# How each script's targets are labelled on the page.
BENCHMARK_NAMES = {
    "attention": "attention",
    "model": "decoder-only model",
    "translator_time": "translator",
    "copy_task": "copy task",
}


def target_lines(records: list[dict]) -> str:
    """Return the targets of the records as a list with PASS or MISS."""
    lines = []
    for record in records:
        for item in record["targets"]:
            if item["passed"] is None:
                verdict, value = "not measured", "–"
            else:
                verdict = "PASS" if item["passed"] else "MISS"
                value = f"{item['value']:.3g}"
            sign = "≥" if item["higher_is_better"] else "≤"
            lines.append(
                f"- **{verdict}** ({BENCHMARK_NAMES.get(record['benchmark'], record['benchmark'])}): "
                f"{item['description']}: {value} (target {sign} {item['threshold']:g})"
            )
    return "\n".join(lines)


def noise_line(record: dict) -> str:
    """Return the spread of tinyformer fast's ratio to torch SDPA.

    Without a mask the fast path calls torch SDPA itself, so its ratios
    differ from 1.00 by Python overhead and by timing noise.
    """
    ratios = [
        r["ratio_to_baseline"]
        for r in record["results"]
        if r["implementation"] == "tinyformer-fast"
    ]
    if not ratios:
        return ""
    return (
        "Without a mask tinyformer fast calls torch SDPA itself, so the spread "
        f"of its ratios, {min(ratios):.2f}× to {max(ratios):.2f}× in this run, "
        "shows how far noise moves a single ratio."
    )


def attention_section(record: dict, device: str) -> str:
    """Return the Markdown of one attention record."""
    settings = record["settings"]
    title = DEVICE_TITLES[device]
    return "\n\n".join(
        [
            f"#### Attention ({title})",
            describe(record),
            f"Sizes: batch {settings['batch']}, {settings['num_heads']} heads, "
            f"head_dim {settings['head_dim']}, "
            f"{'causal' if settings['causal'] else 'no mask'}; "
            f"{settings['warmup']} warm-up and {settings['repeats']} timed rounds. "
            "Each cell is the median time and, in brackets, the ratio to the "
            "PyTorch built-in in the same row.",
            figure_link(
                f"performance_time_{device}",
                f"Median time of the attention implementations against seq_len "
                f"on {record['machine']['device_name']}, log-log axes",
            ),
            timing_table(record, "functional", FUNCTIONAL_NAMES),
            noise_line(record),
            f"MultiHeadAttention modules (d_model "
            f"{settings['num_heads'] * settings['head_dim']}, self-attention):",
            timing_table(record, "module", MODULE_NAMES),
            figure_link(
                f"performance_memory_{device}",
                f"Peak memory of one attention call against seq_len on "
                f"{record['machine']['device_name']}, log-log axes",
            ),
            f"Peak memory ({record.get('memory_method') or 'not measured'}):",
            memory_table(record),
            "Fitted growth of peak memory, modules included:",
            growth_lines(record),
        ]
    )


def model_section(record: dict, device: str) -> str:
    """Return the Markdown of one model record."""
    config = record["settings"]["config"]
    training = next(r for r in record["results"] if r["section"] == "training")
    generation = [r for r in record["results"] if r["section"] == "generation"]
    mfu = (
        f", model FLOPs utilisation {training['peak_fraction']:.1%}"
        if training.get("peak_fraction") is not None
        else ""
    )
    rows = []
    for new_tokens in sorted({r["new_tokens"] for r in generation}):
        pair = {r["variant"]: r for r in generation if r["new_tokens"] == new_tokens}
        cached, uncached = pair["cached"], pair["uncached"]
        rows.append(
            [
                str(new_tokens),
                format_ms(uncached["time_ms_median"]),
                format_ms(cached["time_ms_median"]),
                f"{cached['speedup_vs_uncached']:.2f}×",
                "yes" if cached["outputs_match"] else "no",
            ]
        )
    first = generation[0]
    return "\n\n".join(
        [
            f"#### DecoderOnlyLM ({DEVICE_TITLES[device]})",
            describe(record),
            f"Model: d_model {config['d_model']}, {config['num_heads']} heads, "
            f"d_ff {config['d_ff']}, {config['num_layers']} layers, vocabulary "
            f"{config['vocab_size']}, dropout {config['dropout']}.",
            f"Training step (forward, loss, backward, AdamW), batch "
            f"{training['batch']} × seq_len {training['seq_len']}: median "
            f"{format_ms(training['time_ms_median'])} ms, "
            f"{training['tokens_per_s']:,.0f} tokens/s, "
            f"{training['tflops']:.3g} TFLOP/s{mfu}.",
            f"Greedy generation from a prompt of {first['prompt_len']} tokens, "
            f"batch {first['batch']}:",
            figure_link(
                f"performance_kv_cache_{device}",
                f"Generation time with and without the KV cache against the "
                f"number of new tokens on {record['machine']['device_name']}",
            ),
            markdown_table(
                [
                    "new tokens",
                    "without cache (ms)",
                    "with cache (ms)",
                    "speed-up",
                    "same tokens",
                ],
                rows,
            ),
        ]
    )


def render(results_dir: Path = common.RESULTS_DIR) -> str:
    """Return the generated results section, markers included."""
    records = load_records(results_dir)
    parts = [RESULTS_START]
    for device in DEVICE_ORDER:
        by_benchmark = records.get(device, {})
        title = DEVICE_TITLES[device]
        parts.append(f"### {title}")
        if not by_benchmark:
            parts.append(f"No {title} result is committed yet. {MISSING_HINTS[device]}")
            continue
        parts.append("Targets:\n\n" + target_lines(list(by_benchmark.values())))
        if "attention" in by_benchmark:
            parts.append(attention_section(by_benchmark["attention"], device))
        if "model" in by_benchmark:
            parts.append(model_section(by_benchmark["model"], device))
    parts.append(RESULTS_END)
    return "\n\n".join(part for part in parts if part) + "\n"


def replace_section(page: str, section: str) -> str:
    """Return ``page`` with the text between the markers replaced by ``section``."""
    start, end = page.find(RESULTS_START), page.find(RESULTS_END)
    if start < 0 or end < start:
        raise ValueError(
            f"the page has no results section: add the lines {RESULTS_START!r} "
            f"and {RESULTS_END!r} where the results belong"
        )
    return page[:start] + section.rstrip("\n") + page[end + len(RESULTS_END) :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, metavar="PAGE", help="update PAGE")
    action.add_argument(
        "--check", type=Path, metavar="PAGE", help="exit 1 if PAGE is out of date"
    )
    parser.add_argument("--results", type=Path, default=common.RESULTS_DIR)
    args = parser.parse_args(argv)
    page_path = args.write or args.check
    page = page_path.read_text()
    updated = replace_section(page, render(args.results))
    if args.write:
        page_path.write_text(updated)
        print(f"wrote the results section of {page_path}")
        return 0
    if updated != page:
        print(
            f"{page_path} does not match {args.results}: run "
            f"python benchmarks/report.py --write {page_path}"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
