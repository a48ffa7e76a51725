"""Count the parameters of multi-head attention for several numbers of heads.

Splitting d_model into heads changes how the projections are used, not their
size: every MultiHeadAttention has four d_model x d_model projections.

Run: python snippets/multi_head_parameters.py
"""

from tinyformer import MultiHeadAttention


def count_parameters(module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


d_model = 512
print(
    f"d_model = {d_model}; 4 * d_model**2 + 4 * d_model = {4 * d_model**2 + 4 * d_model}"
)
for num_heads in (1, 8, 16):
    attention = MultiHeadAttention(d_model, num_heads)
    head_dim = d_model // num_heads
    print(
        f"num_heads {num_heads:2d}, head_dim {head_dim:3d}:"
        f" {count_parameters(attention)} parameters"
    )

without_bias = MultiHeadAttention(d_model, 8, bias=False)
print(f"num_heads  8 without biases: {count_parameters(without_bias)} parameters")
