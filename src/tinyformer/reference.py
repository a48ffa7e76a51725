"""NumPy reference implementations of the Transformer's building blocks.

Each function is written as plainly as the maths in Vaswani et al. 2017,
"Attention Is All You Need" (arXiv:1706.03762), forward pass only. The PyTorch
modules in this package are tested against these functions in float64.

Shapes:
    Letters used in this module: ``batch`` is the number of sequences,
    ``num_heads`` the number of attention heads, ``seq_len`` the number of
    positions (``q_len`` for queries and ``k_len`` for keys and values when
    they differ), ``d_model`` the model width and ``head_dim`` the width of one
    head (``d_model // num_heads``). Leading ``...`` means any number of batch
    dimensions.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "softmax",
    "scaled_dot_product_attention",
    "causal_mask",
    "sinusoidal_positional_encoding",
    "split_heads",
    "merge_heads",
    "multi_head_attention",
    "layer_norm",
    "feed_forward",
]


# --8<-- [start:softmax]
def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Return the softmax of ``x`` along ``axis``.

    Subtracting the maximum first leaves the result unchanged and keeps
    ``exp`` from overflowing, so scores around 1e4 stay finite.

    Shapes:
        x: any shape; the output has the same shape.
    """
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)


# --8<-- [end:softmax]


# --8<-- [start:attention]
def scaled_dot_product_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute softmax(q kᵀ / sqrt(head_dim)) v and return it with the weights.

    Args:
        q: queries.
        k: keys.
        v: values.
        mask: optional boolean array, True where a query may attend to a key.
            A query whose keys are all masked gets a zero output row.

    Returns:
        ``(output, weights)``.

    Shapes:
        q: ``(..., q_len, head_dim)``; k: ``(..., k_len, head_dim)``;
        v: ``(..., k_len, head_dim)``; mask: broadcastable to
        ``(..., q_len, k_len)``; output: ``(..., q_len, head_dim)``;
        weights: ``(..., q_len, k_len)``. ``...`` is any batch dimensions,
        for example ``(batch, num_heads)``.
    """
    head_dim = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(head_dim)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
        # A row with no allowed key would be all -inf; give it zeros instead.
        any_allowed = np.any(mask, axis=-1, keepdims=True)
        scores = np.where(any_allowed, scores, 0.0)
        weights = softmax(scores, axis=-1) * any_allowed
    else:
        weights = softmax(scores, axis=-1)
    return weights @ v, weights


# --8<-- [end:attention]


# --8<-- [start:causal-mask]
def causal_mask(seq_len: int) -> np.ndarray:
    """Return a boolean mask that lets position i attend to positions 0..i.

    Shapes:
        output: ``(seq_len, seq_len)``, True on and below the diagonal.
    """
    return np.tril(np.ones((seq_len, seq_len), dtype=bool))


# --8<-- [end:causal-mask]


# --8<-- [start:sinusoidal]
def sinusoidal_positional_encoding(seq_len: int, d_model: int) -> np.ndarray:
    """Return the sinusoidal position table of Vaswani et al. 2017, section 3.5.

    Column ``2i`` holds sin(pos / 10000^(2i/d_model)) and column ``2i + 1``
    holds cos of the same angle, so sine and cosine columns interleave. An
    odd ``d_model`` ends with a sine column.

    Shapes:
        output: ``(seq_len, d_model)``.
    """
    positions = np.arange(seq_len)[:, np.newaxis]
    even_dims = np.arange(0, d_model, 2)
    angles = positions / np.power(10000.0, even_dims / d_model)
    table = np.zeros((seq_len, d_model))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return table


# --8<-- [end:sinusoidal]


# --8<-- [start:split-heads]
def split_heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    """Split the last axis into heads and move the head axis before seq_len.

    Shapes:
        x: ``(batch, seq_len, d_model)``;
        output: ``(batch, num_heads, seq_len, head_dim)``.
    """
    batch, seq_len, d_model = x.shape
    head_dim = d_model // num_heads
    # (batch, seq_len, d_model) -> (batch, seq_len, num_heads, head_dim)
    x = x.reshape(batch, seq_len, num_heads, head_dim)
    # -> (batch, num_heads, seq_len, head_dim)
    return x.transpose(0, 2, 1, 3)


# --8<-- [end:split-heads]


# --8<-- [start:merge-heads]
def merge_heads(x: np.ndarray) -> np.ndarray:
    """Undo ``split_heads``: concatenate the heads along the last axis.

    Shapes:
        x: ``(batch, num_heads, seq_len, head_dim)``;
        output: ``(batch, seq_len, num_heads * head_dim)``.
    """
    batch, num_heads, seq_len, head_dim = x.shape
    # (batch, num_heads, seq_len, head_dim) -> (batch, seq_len, num_heads, head_dim)
    x = x.transpose(0, 2, 1, 3)
    return x.reshape(batch, seq_len, num_heads * head_dim)


# --8<-- [end:merge-heads]


# --8<-- [start:multi-head]
def multi_head_attention(
    x_q: np.ndarray,
    x_kv: np.ndarray,
    w_q: np.ndarray,
    w_k: np.ndarray,
    w_v: np.ndarray,
    w_o: np.ndarray,
    num_heads: int,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Project, split into heads, attend per head, merge and project back.

    Weights multiply on the right (``x @ w_q``), without biases. Pass the same
    array as ``x_q`` and ``x_kv`` for self-attention.

    Returns:
        ``(output, weights)`` with one weight matrix per head.

    Shapes:
        x_q: ``(batch, q_len, d_model)``; x_kv: ``(batch, k_len, d_model)``;
        w_q, w_k, w_v, w_o: ``(d_model, d_model)``; mask: broadcastable to
        ``(batch, num_heads, q_len, k_len)``; output: ``(batch, q_len,
        d_model)``; weights: ``(batch, num_heads, q_len, k_len)``.
    """
    q = split_heads(x_q @ w_q, num_heads)
    k = split_heads(x_kv @ w_k, num_heads)
    v = split_heads(x_kv @ w_v, num_heads)
    heads, weights = scaled_dot_product_attention(q, k, v, mask)
    return merge_heads(heads) @ w_o, weights


# --8<-- [end:multi-head]


# --8<-- [start:layer-norm]
def layer_norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5
) -> np.ndarray:
    """Normalise each position to zero mean and unit variance, then scale and shift.

    Shapes:
        x: ``(..., d_model)``; gamma, beta: ``(d_model,)``; output: like x.
    """
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(variance + eps) + beta


# --8<-- [end:layer-norm]


# --8<-- [start:feed-forward]
def feed_forward(
    x: np.ndarray,
    w1: np.ndarray,
    b1: np.ndarray,
    w2: np.ndarray,
    b2: np.ndarray,
) -> np.ndarray:
    """Apply max(0, x w1 + b1) w2 + b2 at every position independently.

    Shapes:
        x: ``(..., d_model)``; w1: ``(d_model, d_ff)``; b1: ``(d_ff,)``;
        w2: ``(d_ff, d_model)``; b2: ``(d_model,)``; output: like x.
    """
    hidden = np.maximum(0.0, x @ w1 + b1)
    return hidden @ w2 + b2


# --8<-- [end:feed-forward]
