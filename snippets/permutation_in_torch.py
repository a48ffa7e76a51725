"""Show that MultiHeadAttention ignores order until positions are added.

Run: python snippets/permutation_in_torch.py
"""

import torch

from tinyformer import MultiHeadAttention, SinusoidalPositionalEncoding

torch.manual_seed(0)
d_model, num_heads, seq_len = 16, 4, 5
attention = MultiHeadAttention(d_model, num_heads).eval()
positions = SinusoidalPositionalEncoding(d_model)

x = torch.randn(1, seq_len, d_model)
order = torch.tensor([3, 0, 4, 1, 2])  # a shuffle of the 5 positions

with torch.no_grad():
    output, _ = attention(x)
    shuffled_output, _ = attention(x[:, order])
    same = torch.allclose(shuffled_output, output[:, order], atol=1e-6)
    print(f"no positions:   output is the shuffled original output: {same}")

    encoded = positions(x)
    encoded_shuffled = positions(x[:, order])
    output, _ = attention(encoded)
    shuffled_output, _ = attention(encoded_shuffled)
    same = torch.allclose(shuffled_output, output[:, order], atol=1e-6)
    print(f"with positions: output is the shuffled original output: {same}")
