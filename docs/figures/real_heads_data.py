"""Write the attention data behind the head view of the real-heads lesson.

Runs all-MiniLM-L6-v2 through tinyformer on a few sentences and writes
``real_heads_attention.json``, which docs/javascripts/headview.js reads::

    {
      "model": "all-MiniLM-L6-v2",
      "num_layers": 6,
      "num_heads": 12,
      "scale": 1000,
      "sentences": [
        {"text": "...", "tokens": ["[CLS]", ...],
         "weights": [[[[int, ...], ...], ...], ...]}
      ]
    }

``weights[layer][head][query][key]`` is the attention weight times ``scale``,
rounded to an integer to keep the file small (an error of at most 0.0005 per
weight).
"""

from __future__ import annotations

import json
import pathlib

from tinyformer.pretrained import load_minilm

SENTENCES = [
    "The animal didn't cross the street because it was too tired.",
    "The animal didn't cross the street because it was too wide.",
    "The old man saw a big red ball in the small garden.",
    "The chef cooked a meal for the guests.",
    "Attention is all you need.",
]
SCALE = 1000
OUTPUT = "real_heads_attention.json"


def attention_data() -> dict:
    """Return the head-view data for SENTENCES as a JSON-ready dict."""
    model = load_minilm()
    sentences = []
    for text in SENTENCES:
        tokens, weights = model.attention(text)
        scaled = (weights * SCALE).round().int()
        sentences.append({"text": text, "tokens": tokens, "weights": scaled.tolist()})
    return {
        "model": "all-MiniLM-L6-v2",
        "num_layers": model.config.num_layers,
        "num_heads": model.config.num_heads,
        "scale": SCALE,
        "sentences": sentences,
    }


def build(out_dir: pathlib.Path) -> None:
    """Write ``real_heads_attention.json`` to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(attention_data(), separators=(",", ":"))
    (out_dir / OUTPUT).write_text(text, encoding="utf-8")
