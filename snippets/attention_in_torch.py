"""The same three-token example in PyTorch, explicit and fast, against NumPy.

Run: python snippets/attention_in_torch.py
"""

import numpy as np
import torch

from tinyformer import reference
from tinyformer.attention import scaled_dot_product_attention

q = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
k = torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.5]], dtype=torch.float64)
v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=torch.float64)

# The PyTorch functions expect (batch, num_heads, seq_len, head_dim).
q4, k4, v4 = (t.reshape(1, 1, 3, 2) for t in (q, k, v))
explicit, weights = scaled_dot_product_attention(
    q4, k4, v4, implementation="explicit", return_weights=True
)
fast = scaled_dot_product_attention(q4, k4, v4, implementation="fast")
numpy_output, _ = reference.scaled_dot_product_attention(
    q.numpy(), k.numpy(), v.numpy()
)

torch.set_printoptions(precision=3)
print("weights:", weights[0, 0], sep="\n")
print("output:", explicit[0, 0], sep="\n")
print("explicit equals fast:", torch.allclose(explicit, fast))
print("torch equals NumPy:", np.allclose(explicit[0, 0].numpy(), numpy_output))
