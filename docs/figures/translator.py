"""Train the number translator at build time and draw the Transformer lesson's figures.

Nothing here is committed output: the hook in hooks/generated.py runs this
script when it or src/tinyformer changes, and caches what it writes. Training
uses ``TranslatorConfig()`` (the defaults), on the CPU, seeded, so two builds
of the same source give the same figures.

Writes, each figure in a light and a dark version:

* ``translator_training-*.svg``: training loss per step and held-out exact
  match at each evaluation;
* ``translator_attention-*.svg``: head-averaged cross-attention of every
  decoder layer for held-out numbers in the 70s, 80s and 90s, where French
  word order does not follow English word order;
* ``translator_held_out-*.svg``: greedy and beam translations of held-out
  numbers, with the accuracy of each on the whole held-out set;
* ``translator_results.json``: every held-out translation and the
  accuracies, for readers who want the raw numbers.
"""

from __future__ import annotations

import json
import pathlib
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from tinyformer.translation import Translator, TranslatorConfig  # noqa: E402

THEMES = {
    "light": {"text": "#1f1f1f", "line": "#3f51b5", "accent": "#e64a19"},
    "dark": {"text": "#e6e6e6", "line": "#8c9eff", "accent": "#ff8a65"},
}
BEAM_SIZE = 4


def pick_reordered(numbers: list[int], count: int = 3) -> list[int]:
    """Pick held-out numbers whose last two digits are 71 to 99, one per decade.

    French writes 71 as "soixante et onze" (sixty and eleven) and 97 as
    "quatre-vingt-dix-sept" (four twenty ten seven), so the output words do
    not line up one to one with "seventy-one" or "ninety-seven".
    """
    chosen: list[int] = []
    decades: set[int] = set()
    for n in numbers:
        decade = n % 100 // 10
        if n % 100 > 70 and n % 10 and decade not in decades:
            chosen.append(n)
            decades.add(decade)
        if len(chosen) == count:
            break
    return chosen


def _style_axes(ax: plt.Axes, colors: dict) -> None:
    ax.set_facecolor("none")
    ax.tick_params(colors=colors["text"])
    for spine in ax.spines.values():
        spine.set_color(colors["text"])


def plot_training(history, path: pathlib.Path, theme: str) -> None:
    """Draw the loss curve and the held-out accuracy on a second axis."""
    colors = THEMES[theme]
    with plt.rc_context({"svg.fonttype": "none", "font.size": 11}):
        fig, ax = plt.subplots(figsize=(7.0, 3.8))
        fig.patch.set_alpha(0.0)
        _style_axes(ax, colors)
        ax.plot(history.steps, history.loss, color=colors["line"], linewidth=1.2)
        ax.set_xlabel("training step", color=colors["text"])
        ax.set_ylabel("label-smoothed loss", color=colors["line"])
        right = ax.twinx()
        _style_axes(right, colors)
        right.plot(
            history.eval_steps,
            history.held_out_accuracy,
            color=colors["accent"],
            marker="o",
        )
        right.set_ylim(-0.02, 1.02)
        right.set_ylabel("held-out exact match", color=colors["accent"])
        final = history.held_out_accuracy[-1]
        ax.set_title(
            f"{history.steps[-1]} steps in {history.seconds:.0f} s of wall time "
            f"on the build machine's CPU; final held-out exact match {final:.1%}",
            color=colors["text"],
            fontsize=11,
        )
        fig.tight_layout()
        fig.savefig(path, format="svg", transparent=True)
        plt.close(fig)


def plot_attention(examples: list[tuple], path: pathlib.Path, theme: str) -> None:
    """Draw one heatmap per (example, decoder layer), heads averaged."""
    colors = THEMES[theme]
    num_layers = len(examples[0][2])
    with plt.rc_context({"svg.fonttype": "none", "font.size": 10}):
        fig, axes = plt.subplots(
            len(examples),
            num_layers,
            figsize=(3.6 * num_layers, 3.0 * len(examples)),
            squeeze=False,
        )
        fig.patch.set_alpha(0.0)
        for row, (source, output, weights) in enumerate(examples):
            for layer, layer_weights in enumerate(weights):
                ax = axes[row][layer]
                _style_axes(ax, colors)
                # (num_heads, tgt_len, src_len) -> (tgt_len, src_len)
                mean = layer_weights.mean(dim=0).numpy()
                ax.imshow(mean, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
                ax.set_xticks(range(len(source)), source, rotation=35, ha="right")
                ax.set_yticks(range(len(output)), output)
                ax.set_title(f"decoder layer {layer + 1}", color=colors["text"])
                for i in range(mean.shape[0]):
                    for j in range(mean.shape[1]):
                        ax.text(
                            j,
                            i,
                            f"{mean[i, j]:.2f}",
                            ha="center",
                            va="center",
                            fontsize=8,
                            color="#000000" if mean[i, j] > 0.6 else "#ffffff",
                        )
        fig.supxlabel("English source token (key)", color=colors["text"])
        fig.supylabel("French output token (query)", color=colors["text"])
        fig.tight_layout()
        fig.savefig(path, format="svg", transparent=True)
        plt.close(fig)


# Measured in headless Chromium on the built site: the content column is 688 px
# wide at a 1280 px viewport (Material for MkDocs, both sidebars shown) and the
# body text is 16 px, or 17.6 px from a 1600 px viewport on. A figure no wider
# than the column is shown at its own size, so 13.5 pt (18 px) text stays at
# least as large as the body text. Cell text wraps to fit that width.
HELD_OUT_WIDTH_IN = 7.1
HELD_OUT_FONT_PT = 13.5
HELD_OUT_WRAP_CHARS = 18


def _wrap_cell(text: str) -> str:
    # Never break at a hyphen, because a French hyphen is part of the output
    # under test ("quatre-vingt-dix-sept").
    return textwrap.fill(
        text,
        width=HELD_OUT_WRAP_CHARS,
        break_on_hyphens=False,
        break_long_words=False,
    )


def plot_held_out(rows: list[dict], accuracy: dict, path: pathlib.Path, theme: str):
    """Draw greedy and beam translations of held-out numbers as a table."""
    colors = THEMES[theme]
    header = ["n", "English", "greedy", f"beam\n(width {BEAM_SIZE})"]
    cells = [
        [
            str(r["number"]),
            _wrap_cell(r["english"]),
            _wrap_cell(r["greedy"] + ("" if r["greedy"] == r["french"] else " ✗")),
            _wrap_cell(r["beam"] + ("" if r["beam"] == r["french"] else " ✗")),
        ]
        for r in rows
    ]
    # Each row is as tall as its cell with the most lines.
    row_lines = [max(c.count("\n") + 1 for c in row) for row in [header, *cells]]
    line_in = 1.3 * HELD_OUT_FONT_PT / 72
    row_pad_in = 0.12
    table_in = sum(row_lines) * line_in + len(row_lines) * row_pad_in
    title_in = 3 * line_in + 0.2
    with plt.rc_context({"svg.fonttype": "none", "font.size": HELD_OUT_FONT_PT}):
        fig = plt.figure(figsize=(HELD_OUT_WIDTH_IN, table_in + title_in + 0.1))
        fig.patch.set_alpha(0.0)
        height = fig.get_figheight()
        # The table fills an axes below the title, in figure fractions.
        ax = fig.add_axes((0.005, 0.05 / height, 0.99, table_in / height))
        ax.axis("off")
        table = ax.table(
            cellText=cells,
            colLabels=header,
            cellLoc="left",
            colWidths=[0.08, 0.28, 0.32, 0.32],
            bbox=(0.0, 0.0, 1.0, 1.0),
        )
        table.auto_set_font_size(False)
        table.set_fontsize(HELD_OUT_FONT_PT)
        for (row, _), cell in table.get_celld().items():
            cell.set_height((row_lines[row] * line_in + row_pad_in) / table_in)
            # Matplotlib's default padding is a tenth of the cell width.
            cell.PAD = 0.04
            cell.set_facecolor("none")
            cell.set_edgecolor(colors["text"])
            cell.get_text().set_color(colors["text"])
            cell.get_text().set_verticalalignment("center")
        fig.text(
            0.005,
            1.0 - 0.1 / height,
            f"Held-out exact match on {accuracy['count']} numbers never seen in\n"
            f"training: greedy {accuracy['greedy']:.1%}, beam {accuracy['beam']:.1%}.\n"
            "✗ marks a wrong translation.",
            color=colors["text"],
            fontsize=HELD_OUT_FONT_PT,
            verticalalignment="top",
        )
        fig.savefig(path, format="svg", transparent=True)
        plt.close(fig)


def build(out_dir: pathlib.Path) -> None:
    """Train the translator and write the figures and the JSON results."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # For a model this small, a second intra-op thread made each step slower
    # (measured on a busy 2-core machine: 61 ms of CPU per step with one
    # thread, 1.8 s with two).
    torch.set_num_threads(1)
    config = TranslatorConfig()
    translator, history = Translator.train(config, device="cpu")
    _, held_out = translator.data()

    english = [p.english for p in held_out]
    greedy = translator.translate(english)
    beam = translator.translate(english, beam_size=BEAM_SIZE)
    rows = [
        {
            "number": p.number,
            "english": p.english,
            "french": p.french,
            "greedy": g,
            "beam": b,
        }
        for p, g, b in zip(held_out, greedy, beam, strict=True)
    ]
    accuracy = {
        "count": len(rows),
        "greedy": sum(r["greedy"] == r["french"] for r in rows) / len(rows),
        "beam": sum(r["beam"] == r["french"] for r in rows) / len(rows),
    }
    reordered = pick_reordered([p.number for p in held_out])
    examples = [
        translator.cross_attention(
            held_out[[p.number for p in held_out].index(n)].english
        )
        for n in reordered
    ]
    # Wrong translations first, then the reordered numbers, then the rest.
    wrong = [r for r in rows if r["greedy"] != r["french"] or r["beam"] != r["french"]]
    shown = wrong + [r for r in rows if r["number"] in reordered and r not in wrong]
    shown += [r for r in rows if r not in shown][: max(0, 16 - len(shown))]
    shown.sort(key=lambda r: r["number"])

    for theme in THEMES:
        plot_training(history, out_dir / f"translator_training-{theme}.svg", theme)
        plot_attention(examples, out_dir / f"translator_attention-{theme}.svg", theme)
        plot_held_out(
            shown, accuracy, out_dir / f"translator_held_out-{theme}.svg", theme
        )
    results = {
        "config": config.__dict__,
        "train_seconds": history.seconds,
        "beam_size": BEAM_SIZE,
        "accuracy": accuracy,
        "held_out": rows,
    }
    (out_dir / "translator_results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    )
