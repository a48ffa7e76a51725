"""The held-out table of the Transformer lesson has text as large as the body text."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from tinyformer.translation import number_pairs

FIGURE = Path(__file__).resolve().parents[2] / "docs" / "figures" / "translator.py"

# Material for MkDocs at a 1280 px viewport: a 688 px content column with
# 16 px body text, which grows to 17.6 px from a 1600 px viewport on.
CONTENT_WIDTH_PX = 688
BODY_TEXT_PX = 17.6
PX_PER_PT = 96 / 72


def load_figure_module():
    spec = importlib.util.spec_from_file_location("translator_figure", FIGURE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def held_out_svg(tmp_path: Path) -> str:
    module = load_figure_module()
    # Some of the longest English and French words of 0..999, and one wrong
    # output.
    rows = [
        {"number": p.number, "english": p.english, "french": p.french}
        for p in number_pairs([6, 71, 97, 377, 797, 997])
    ]
    for row in rows:
        row["greedy"] = row["beam"] = row["french"]
    rows[-1]["greedy"] = "neuf cent quatre-vingt-dix-sept cent"
    path = tmp_path / "held_out.svg"
    accuracy = {"count": 100, "greedy": 0.99, "beam": 1.0}
    module.plot_held_out(rows, accuracy, path, "light")
    return path.read_text()


def test_held_out_fits_content_width(tmp_path):
    svg = held_out_svg(tmp_path)
    width_pt = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
    assert width_pt * PX_PER_PT <= CONTENT_WIDTH_PX


def test_held_out_text_as_large_as_body(tmp_path):
    svg = held_out_svg(tmp_path)
    # With svg.fonttype "none" matplotlib writes font sizes in points, the
    # unit of the viewBox.
    sizes_pt = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes_pt, "the SVG has no text elements"
    assert min(sizes_pt) * PX_PER_PT >= BODY_TEXT_PX


def test_held_out_marks_wrong_output(tmp_path):
    assert "✗" in held_out_svg(tmp_path)
