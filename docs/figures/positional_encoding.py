"""Build the sinusoidal positional-encoding heatmap for the positional lesson.

Plots the table from ``tinyformer.reference.sinusoidal_positional_encoding``
for 64 positions and d_model = 128. Writes ``positional_sinusoidal-light.svg``
and ``-dark.svg`` so each colour scheme of the site gets readable text.
"""

from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from tinyformer.reference import sinusoidal_positional_encoding  # noqa: E402

SEQ_LEN = 64
D_MODEL = 128
THEMES = {"light": "#1f1f1f", "dark": "#e6e6e6"}


def plot_table(path: pathlib.Path, text_color: str) -> None:
    """Write the (SEQ_LEN, D_MODEL) table as an SVG heatmap."""
    table = sinusoidal_positional_encoding(SEQ_LEN, D_MODEL)
    with plt.rc_context({"svg.fonttype": "none", "font.size": 11}):
        fig, ax = plt.subplots(figsize=(7.0, 3.8))
        fig.patch.set_alpha(0.0)
        image = ax.imshow(
            table,
            cmap="RdBu_r",
            vmin=-1.0,
            vmax=1.0,
            aspect="auto",
            interpolation="nearest",
        )
        ax.set_xlabel("encoding dimension (even: sin, odd: cos)", color=text_color)
        ax.set_ylabel("position", color=text_color)
        ax.tick_params(colors=text_color)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02)
        bar.ax.tick_params(colors=text_color)
        bar.outline.set_visible(False)
        bar.set_label("value", color=text_color)
        fig.tight_layout()
        fig.savefig(path, format="svg", transparent=True)
        plt.close(fig)


def build(out_dir: pathlib.Path) -> None:
    """Write the light and dark heatmaps of the sinusoidal table to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for theme, text_color in THEMES.items():
        plot_table(out_dir / f"positional_sinusoidal-{theme}.svg", text_color)
