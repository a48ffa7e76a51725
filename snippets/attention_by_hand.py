"""Scaled dot-product attention on three tokens, small enough to check by hand.

Run: python snippets/attention_by_hand.py
"""

import numpy as np

from tinyformer.reference import scaled_dot_product_attention, softmax

np.set_printoptions(precision=3, suppress=True)

# Three tokens, head_dim = 2. Query 0 points along the first axis, like keys 0
# and 2, so it should split its weight between them and give token 1 little.
q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
k = np.array([[2.0, 0.0], [0.0, 2.0], [2.0, 0.5]])
v = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])

# Step by step, as in the formula softmax(q kᵀ / sqrt(head_dim)) v.
scores = q @ k.T / np.sqrt(q.shape[-1])
weights = softmax(scores)
output = weights @ v
print("scores:", scores, sep="\n")
print("weights (each row sums to 1):", weights, sep="\n")
print("output:", output, sep="\n")

# The package function gives the same result.
package_output, package_weights = scaled_dot_product_attention(q, k, v)
print("matches the package:", np.allclose(package_output, output))
