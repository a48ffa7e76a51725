"""Walk through multi-head attention one step at a time, printing each shape.

The steps reuse the projections of a tinyformer MultiHeadAttention, and the
result is compared with the module's own forward pass and with the NumPy
reference.

Run: python snippets/multi_head_shapes.py
"""

import numpy as np
import torch

from tinyformer import MultiHeadAttention
from tinyformer.reference import multi_head_attention

torch.manual_seed(0)
batch, seq_len, d_model, num_heads = 2, 5, 12, 3
head_dim = d_model // num_heads
attention = MultiHeadAttention(d_model, num_heads, bias=False).double().eval()
x = torch.randn(batch, seq_len, d_model, dtype=torch.float64)


def show(name: str, tensor: torch.Tensor) -> None:
    print(f"{name:34s} {tuple(tensor.shape)}")


with torch.no_grad():
    show("x (batch, seq_len, d_model)", x)
    q = attention.q_proj(x)
    k = attention.k_proj(x)
    v = attention.v_proj(x)
    show("q = q_proj(x)", q)

    # (batch, seq_len, d_model) -> (batch, seq_len, num_heads, head_dim)
    q = q.view(batch, seq_len, num_heads, head_dim)
    show("q split into heads", q)
    # -> (batch, num_heads, seq_len, head_dim): heads become a batch axis
    q = q.transpose(1, 2)
    k = k.view(batch, seq_len, num_heads, head_dim).transpose(1, 2)
    v = v.view(batch, seq_len, num_heads, head_dim).transpose(1, 2)
    show("q with the head axis moved", q)

    scores = q @ k.transpose(-2, -1) / head_dim**0.5
    show("scores, one matrix per head", scores)
    heads = torch.softmax(scores, dim=-1) @ v
    show("heads = softmax(scores) @ v", heads)

    # (batch, num_heads, seq_len, head_dim) -> (batch, seq_len, d_model)
    merged = heads.transpose(1, 2).reshape(batch, seq_len, d_model)
    show("heads concatenated", merged)
    output = attention.out_proj(merged)
    show("output = out_proj(concatenated)", output)

    module_output, _ = attention(x)
    print("equals MultiHeadAttention:", torch.allclose(output, module_output))

    # nn.Linear computes x @ weight.T, so the NumPy weights are the transposes.
    w_q, w_k, w_v, w_o = (
        layer.weight.T.numpy()
        for layer in (
            attention.q_proj,
            attention.k_proj,
            attention.v_proj,
            attention.out_proj,
        )
    )
    numpy_output, _ = multi_head_attention(
        x.numpy(), x.numpy(), w_q, w_k, w_v, w_o, num_heads
    )
    print("equals the NumPy reference:", np.allclose(output.numpy(), numpy_output))
