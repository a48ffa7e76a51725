"""Show that with rotary embeddings a query-key score depends only on the offset.

Run: python snippets/rope_relative.py
"""

import torch

from tinyformer import RotaryEmbedding

torch.manual_seed(0)
head_dim = 8
rotary = RotaryEmbedding(head_dim)
# One query vector and one key vector, in the layout (batch, num_heads, 1, head_dim).
q = torch.randn(1, 1, 1, head_dim, dtype=torch.float64)
k = torch.randn(1, 1, 1, head_dim, dtype=torch.float64)


def score(query_pos: int, key_pos: int) -> float:
    """Return the dot product of q placed at query_pos and k placed at key_pos."""
    rotated_q = rotary(q, offset=query_pos)
    rotated_k = rotary(k, offset=key_pos)
    return float((rotated_q * rotated_k).sum())


for query_pos, key_pos in [(3, 0), (10, 7), (40, 37), (3, 1), (10, 8)]:
    offset = query_pos - key_pos
    print(
        f"query at {query_pos:2d}, key at {key_pos:2d} (offset {offset}):"
        f" score {score(query_pos, key_pos):+.4f}"
    )

# Rotation keeps lengths: the norm of q is the same at every position.
norms = [float(rotary(q, offset=pos).norm()) for pos in (0, 7, 40)]
print("norm of q at positions 0, 7, 40:", [f"{n:.4f}" for n in norms])
