"""Build the attention figures of the real-heads lesson from all-MiniLM-L6-v2.

Every head shown is chosen by measurement with
:func:`tinyformer.pretrained.score_heads`, never by name, so the figures follow
the weights. Each figure is written as ``-light.svg`` and ``-dark.svg``:

- ``real_heads_it``: where "it" attends in the two heads with the largest
  weight from "it" to "animal", for "... too tired." and "... too wide.".
- ``real_heads_determiner``: the full attention matrices of the head that
  gives the most weight to the token after a determiner and of the head that
  gives the most weight to the determiner's noun, on a sentence with
  adjectives between them.
- ``real_heads_object``: the head whose objects attend most to their verbs.
"""

from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tinyformer.pretrained import (  # noqa: E402
    MiniLM,
    load_minilm,
    score_heads,
    token_position,
)

TIRED = "The animal didn't cross the street because it was too tired."
WIDE = "The animal didn't cross the street because it was too wide."
ADJECTIVES = "The old man saw a big red ball in the small garden."
STUDENT = "A tired young student read the long book."
DOG = "The little brown dog ate the huge bone."
# Determiners with adjectives before their noun: the same pairs as
# snippets/find_heads.py, scored against the noun and against the next token.
NOUN_PAIRS = [
    (ADJECTIVES, "the", "man"),
    (ADJECTIVES, "a", "ball"),
    (ADJECTIVES, "the#2", "garden"),
    (STUDENT, "a", "student"),
    (STUDENT, "the", "book"),
    (DOG, "the", "dog"),
    (DOG, "the#2", "bone"),
]
NEXT_PAIRS = [
    (ADJECTIVES, "the", "old"),
    (ADJECTIVES, "a", "big"),
    (ADJECTIVES, "the#2", "small"),
    (STUDENT, "a", "tired"),
    (STUDENT, "the", "long"),
    (DOG, "the", "little"),
    (DOG, "the#2", "huge"),
]
OBJECT_SENTENCE = "The chef cooked a meal for the guests."
OBJECT_PAIRS = [
    ("The cat chased a mouse under the table.", "mouse", "chased"),
    ("A child found the key near the door.", "key", "found"),
    (OBJECT_SENTENCE, "meal", "cooked"),
    ("My sister wrote a letter to the mayor.", "letter", "wrote"),
    ("The dog ate the bone in the garden.", "bone", "ate"),
    ("A student read the book on the train.", "book", "read"),
    ("The farmer sold the cow at the market.", "cow", "sold"),
    ("The animal didn't cross the street because it was too tired.", "street", "cross"),
]

THEMES = {
    "light": {"text": "#1f1f1f", "tired": "#3f51b5", "wide": "#e64a19"},
    "dark": {"text": "#e6e6e6", "tired": "#8c9eff", "wide": "#ff8a65"},
}


def best_head(model: MiniLM, pairs: list[tuple[str, str, str]]) -> tuple[int, int]:
    """Return (layer, head) with the largest mean weight over ``pairs``."""
    layer, head, _, _ = score_heads(model, pairs).ranked(1)[0]
    return layer, head


def style_axes(ax: plt.Axes, colors: dict[str, str]) -> None:
    ax.set_facecolor("none")
    ax.tick_params(colors=colors["text"])
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_it(model: MiniLM, path: pathlib.Path, theme: str) -> None:
    """Bar charts of the "it" row in the two heads that link "it" to "animal"."""
    colors = THEMES[theme]
    heads = [row[:2] for row in score_heads(model, [(TIRED, "it", "animal")]).ranked(2)]
    rows = {}
    for name, sentence in (("tired", TIRED), ("wide", WIDE)):
        tokens, weights = model.attention(sentence)
        position = token_position(tokens, "it")
        rows[name] = (
            tokens,
            [weights[layer, head, position].numpy() for layer, head in heads],
        )
    tokens = rows["tired"][0]
    labels = [t if t != "tired" else "tired/wide" for t in tokens]
    x = np.arange(len(tokens))
    with plt.rc_context({"svg.fonttype": "none", "font.size": 10}):
        fig, axes = plt.subplots(2, 1, figsize=(7.5, 5.6), sharex=True)
        fig.patch.set_alpha(0.0)
        for index, (ax, (layer, head)) in enumerate(zip(axes, heads, strict=True)):
            style_axes(ax, colors)
            for offset, name in ((-0.2, "tired"), (0.2, "wide")):
                values = rows[name][1][index]
                ax.bar(x + offset, values, width=0.4, color=colors[name], label=name)
            ax.set_ylim(0, 1)
            ax.set_ylabel("weight from “it”", color=colors["text"])
            ax.set_title(f"layer {layer}, head {head}", color=colors["text"])
            legend = ax.legend(frameon=False, labelcolor=colors["text"])
            legend.set_title("sentence ends", prop={"size": 9})
            legend.get_title().set_color(colors["text"])
        axes[-1].set_xticks(x, labels, rotation=45, ha="right")
        fig.tight_layout()
        fig.savefig(path, format="svg", transparent=True)
        plt.close(fig)


def heatmap(
    ax: plt.Axes, weights: np.ndarray, tokens: list[str], colors: dict[str, str]
) -> plt.cm.ScalarMappable:
    """Draw one (seq_len, seq_len) attention matrix; label cells of 0.3 or more."""
    style_axes(ax, colors)
    image = ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(tokens)), tokens, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(tokens)), tokens, fontsize=8)
    ax.set_xlabel("key (attended to)", color=colors["text"])
    ax.set_ylabel("query (attending)", color=colors["text"])
    for row, col in zip(*np.nonzero(weights >= 0.3), strict=True):
        value = weights[row, col]
        ax.text(
            col,
            row,
            f"{value:.1f}",
            ha="center",
            va="center",
            fontsize=6,
            color="#000000" if value > 0.6 else "#ffffff",
        )
    return image


def plot_matrices(
    model: MiniLM,
    sentence: str,
    heads: list[tuple[int, int]],
    path: pathlib.Path,
    theme: str,
) -> None:
    """Side-by-side attention matrices of ``heads`` on ``sentence``."""
    colors = THEMES[theme]
    tokens, weights = model.attention(sentence)
    with plt.rc_context({"svg.fonttype": "none", "font.size": 10}):
        fig, axes = plt.subplots(
            1,
            len(heads),
            figsize=(4.6 * len(heads) + 0.8, 4.8),
            squeeze=False,
            gridspec_kw={"wspace": 0.45},
        )
        fig.patch.set_alpha(0.0)
        for ax, (layer, head) in zip(axes[0], heads, strict=True):
            image = heatmap(ax, weights[layer, head].numpy(), tokens, colors)
            ax.set_title(f"layer {layer}, head {head}", color=colors["text"])
        bar = fig.colorbar(image, ax=axes[0].tolist(), fraction=0.03, pad=0.03)
        bar.ax.tick_params(colors=colors["text"])
        bar.outline.set_visible(False)
        bar.set_label("attention weight", color=colors["text"])
        fig.savefig(path, format="svg", transparent=True, bbox_inches="tight")
        plt.close(fig)


def build(out_dir: pathlib.Path) -> None:
    """Write the three figures, light and dark, to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model = load_minilm()
    next_head = best_head(model, NEXT_PAIRS)
    noun_head = best_head(model, NOUN_PAIRS)
    object_head = best_head(model, OBJECT_PAIRS)
    for theme in THEMES:
        plot_it(model, out_dir / f"real_heads_it-{theme}.svg", theme)
        plot_matrices(
            model,
            ADJECTIVES,
            [next_head, noun_head],
            out_dir / f"real_heads_determiner-{theme}.svg",
            theme,
        )
        plot_matrices(
            model,
            OBJECT_SENTENCE,
            [object_head],
            out_dir / f"real_heads_object-{theme}.svg",
            theme,
        )
