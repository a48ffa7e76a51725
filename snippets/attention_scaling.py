"""Measure how dividing the scores by sqrt(head_dim) keeps the softmax unsaturated.

For query and key entries drawn independently with mean 0 and variance 1, the
dot product q·k has mean 0 and variance head_dim (Vaswani et al. 2017,
section 3.2.1). Large scores saturate the softmax: one weight goes to 1 and
the gradient of the softmax goes to 0. Dividing by sqrt(head_dim) brings the
variance back to 1.

Run: python snippets/attention_scaling.py
"""

import numpy as np

from tinyformer.reference import softmax

rng = np.random.default_rng(seed=0)
num_keys = 8
num_trials = 2000


def softmax_jacobian_norm(weights: np.ndarray) -> float:
    """Return the Frobenius norm of d softmax / d scores, diag(p) - p pᵀ."""
    jacobian = np.diag(weights) - np.outer(weights, weights)
    return float(np.linalg.norm(jacobian))


print("head_dim  var(q·k)  max weight       gradient norm")
print("                    raw    scaled    raw    scaled")
for head_dim in (4, 64, 512):
    q = rng.standard_normal((num_trials, head_dim))
    k = rng.standard_normal((num_trials, num_keys, head_dim))
    # (num_trials, num_keys): one query against num_keys keys per trial
    scores = np.einsum("td,tkd->tk", q, k)

    raw = softmax(scores)
    scaled = softmax(scores / np.sqrt(head_dim))
    raw_grad = np.mean([softmax_jacobian_norm(p) for p in raw])
    scaled_grad = np.mean([softmax_jacobian_norm(p) for p in scaled])
    print(
        f"{head_dim:8d}  {scores.var():8.1f}"
        f"  {raw.max(axis=-1).mean():5.2f}  {scaled.max(axis=-1).mean():6.2f}"
        f"  {raw_grad:6.3f}  {scaled_grad:6.3f}"
    )
