"""Parameters and length limits of sinusoidal, learned and rotary positions.

Run: python snippets/positions_compared.py
"""

import torch

from tinyformer import (
    LearnedPositionalEmbedding,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
)

d_model, num_heads, max_len = 64, 4, 128
encodings = {
    "sinusoidal": SinusoidalPositionalEncoding(d_model),
    "learned": LearnedPositionalEmbedding(max_len, d_model),
    "rotary": RotaryEmbedding(d_model // num_heads),
}
for name, module in encodings.items():
    count = sum(p.numel() for p in module.parameters())
    print(f"{name:10s} parameters: {count}")

# 200 positions: more than the learned table has rows for.
x = torch.zeros(1, 200, d_model)
print("sinusoidal, 200 positions:", tuple(encodings["sinusoidal"](x).shape))
try:
    encodings["learned"](x)
except ValueError as error:
    print("learned, 200 positions: ValueError:", error)
