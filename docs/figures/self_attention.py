"""Build the attention-weight heatmap for the self-attention lesson.

The sentence uses hand-made 4-dimensional word vectors (no training) with
queries, keys and values all equal to the vectors, so the weights show one
thing only: a token attends most to tokens whose vectors point the same way.
Writes ``self_attention_weights-light.svg`` and ``-dark.svg`` so each colour
scheme of the site gets readable text.
"""

from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tinyformer.reference import scaled_dot_product_attention  # noqa: E402

TOKENS = ["the", "cat", "sat", "on", "the", "mat"]

# Features: (determiner, noun, verb, preposition). "cat" and "mat" share the
# noun feature; the two "the" tokens are identical vectors.
WORD_VECTORS = {
    "the": [2.0, 0.0, 0.0, 0.0],
    "cat": [0.0, 2.0, 0.5, 0.0],
    "sat": [0.0, 0.5, 2.0, 0.0],
    "on": [0.0, 0.0, 0.5, 2.0],
    "mat": [0.0, 2.0, 0.0, 0.5],
}

THEMES = {
    "light": {"text": "#1f1f1f", "grid": "#ffffff"},
    "dark": {"text": "#e6e6e6", "grid": "#1e2129"},
}


def attention_weights() -> np.ndarray:
    """Return the (seq_len, seq_len) self-attention weights for TOKENS."""
    x = np.array([WORD_VECTORS[token] for token in TOKENS])
    _, weights = scaled_dot_product_attention(x, x, x)
    return weights


def plot_weights(weights: np.ndarray, path: pathlib.Path, theme: str) -> None:
    """Write one heatmap of ``weights`` as SVG in the given colour theme."""
    colors = THEMES[theme]
    with plt.rc_context({"svg.fonttype": "none", "font.size": 11}):
        fig, ax = plt.subplots(figsize=(5.2, 4.4))
        fig.patch.set_alpha(0.0)
        ax.set_facecolor("none")
        image = ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0)
        labels = [f"{token} ({i})" for i, token in enumerate(TOKENS)]
        ax.set_xticks(range(len(TOKENS)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(TOKENS)), labels)
        ax.set_xlabel("key (attended to)", color=colors["text"])
        ax.set_ylabel("query (attending)", color=colors["text"])
        ax.tick_params(colors=colors["text"])
        for spine in ax.spines.values():
            spine.set_visible(False)
        for row in range(weights.shape[0]):
            for col in range(weights.shape[1]):
                value = weights[row, col]
                # Dark text on the bright (yellow) end of viridis, light elsewhere.
                cell_text = "#000000" if value > 0.6 else "#ffffff"
                ax.text(
                    col,
                    row,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    color=cell_text,
                    fontsize=9,
                )
        bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        bar.ax.tick_params(colors=colors["text"])
        bar.outline.set_visible(False)
        bar.set_label("attention weight", color=colors["text"])
        fig.tight_layout()
        fig.savefig(path, format="svg", transparent=True)
        plt.close(fig)


def build(out_dir: pathlib.Path) -> None:
    """Write the light and dark heatmaps of the worked example to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = attention_weights()
    for theme in THEMES:
        plot_weights(weights, out_dir / f"self_attention_weights-{theme}.svg", theme)
