"""Scaled dot-product attention in PyTorch, written out and fast.

Two implementations compute the same values:

* ``"explicit"`` writes every step (scores, scale, mask, softmax, weighted
  sum) and can return the attention weights.
* ``"fast"`` calls ``torch.nn.functional.scaled_dot_product_attention``, which
  picks a fused kernel (FlashAttention or memory-efficient attention on GPUs)
  and never stores the weights.

Both follow tinyformer's mask convention (True = may attend, see
`tinyformer.masks`) and both return a zero output row, with finite
gradients, for a query whose keys are all masked.

Shapes:
    ``batch`` is the number of sequences, ``num_heads`` the number of heads,
    ``q_len`` the number of queries, ``k_len`` the number of keys and values,
    and ``head_dim`` the width of one head. Inputs may have any leading batch
    dimensions; the usual layout is ``(batch, num_heads, seq_len, head_dim)``.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F

from tinyformer.masks import causal_mask

__all__ = ["scaled_dot_product_attention", "IMPLEMENTATIONS"]

Implementation = Literal["fast", "explicit"]
IMPLEMENTATIONS: tuple[str, ...] = ("fast", "explicit")


def _check_inputs(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None,
    dropout_p: float,
    implementation: str,
) -> None:
    for name, tensor in (("q", q), ("k", k), ("v", v)):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(
                f"{name} must be a torch.Tensor, got {type(tensor).__name__}"
            )
        if not tensor.is_floating_point():
            raise TypeError(
                f"{name} must be a floating-point tensor, got {tensor.dtype}"
            )
        if tensor.dim() < 2:
            raise ValueError(
                f"{name} must have shape (..., seq_len, head_dim), "
                f"got shape {tuple(tensor.shape)}"
            )
    if not (q.dtype == k.dtype == v.dtype):
        raise TypeError(
            f"q, k and v must share a dtype, got {q.dtype}, {k.dtype} and {v.dtype}"
        )
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same head_dim, got {q.shape[-1]} and {k.shape[-1]}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            "k and v must have the same number of positions, "
            f"got k_len={k.shape[-2]} and {v.shape[-2]}"
        )
    if mask is not None:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            got = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
            raise TypeError(
                f"mask must be a torch.bool tensor (True = may attend), got {got}"
            )
        expected = (q.shape[-2], k.shape[-2])
        try:
            torch.broadcast_shapes(mask.shape[-2:], expected)
        except RuntimeError:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to scores of "
                f"shape (..., q_len={expected[0]}, k_len={expected[1]})"
            ) from None
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"dropout_p must be in [0, 1), got {dropout_p}")
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(
            f"implementation must be one of {IMPLEMENTATIONS}, got {implementation!r}"
        )


def _explicit(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None,
    dropout_p: float,
    scale: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    # --8<-- [start:explicit-scores]
    # (..., q_len, head_dim) @ (..., head_dim, k_len) -> (..., q_len, k_len)
    scores = q @ k.transpose(-2, -1) * scale
    # --8<-- [end:explicit-scores]

    # --8<-- [start:explicit-mask]
    if mask is not None:
        # The most negative finite value of the dtype, not -inf and not -1e9:
        # -1e9 overflows float16, and a row of -inf would give NaN.
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    # --8<-- [end:explicit-mask]

    # --8<-- [start:explicit-softmax]
    # Half-precision scores go through softmax in float32 for accuracy.
    softmax_dtype = torch.promote_types(scores.dtype, torch.float32)
    weights = torch.softmax(scores, dim=-1, dtype=softmax_dtype).to(q.dtype)
    if mask is not None:
        # A query with no allowed key got a uniform row above; zero it.
        weights = weights * mask.any(dim=-1, keepdim=True)
    # --8<-- [end:explicit-softmax]

    # --8<-- [start:explicit-output]
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    # (..., q_len, k_len) @ (..., k_len, head_dim) -> (..., q_len, head_dim)
    output = weights @ v
    # --8<-- [end:explicit-output]
    return output, weights


def _fast(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None,
    dropout_p: float,
    scale: float,
) -> torch.Tensor:
    # --8<-- [start:fast]
    if mask is None:
        return F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, scale=scale)
    # Rows with no allowed key would come out as NaN. Let them attend
    # everywhere, then zero their output; their gradients are then zero too.
    has_key = mask.any(dim=-1, keepdim=True)
    safe_mask = mask | ~has_key
    output = F.scaled_dot_product_attention(
        q, k, v, attn_mask=safe_mask, dropout_p=dropout_p, scale=scale
    )
    return output * has_key
    # --8<-- [end:fast]


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    *,
    implementation: Implementation = "fast",
    return_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Compute softmax(q kᵀ · scale + mask) v.

    Args:
        q: queries.
        k: keys.
        v: values.
        mask: optional boolean mask, True where a query may attend to a key.
        dropout_p: dropout probability on the attention weights. Callers pass
            0.0 outside training; modules do this for you in eval mode.
        is_causal: also apply `tinyformer.masks.causal_mask`, aligned to
            the bottom-right corner when ``q_len < k_len``. Unlike
            ``torch.nn.functional.scaled_dot_product_attention``, whose causal
            mask is aligned to the top-left corner.
        scale: factor on the scores; defaults to ``1 / sqrt(head_dim)``.
        implementation: ``"fast"`` (PyTorch's fused kernels) or
            ``"explicit"`` (every step written out).
        return_weights: also return the attention weights. Needs
            ``implementation="explicit"``, because fused kernels never store
            the weights.

    Returns:
        The output, or ``(output, weights)`` when ``return_weights`` is True.

    Raises:
        TypeError: for non-tensor or non-floating inputs, mismatched dtypes or
            a non-boolean mask.
        ValueError: for mismatched shapes, a bad ``dropout_p`` or
            ``implementation``, or ``return_weights`` with the fast path.

    Shapes:
        q: ``(batch, num_heads, q_len, head_dim)``;
        k, v: ``(batch, num_heads, k_len, head_dim)``;
        mask: broadcastable to ``(batch, num_heads, q_len, k_len)``;
        output: ``(batch, num_heads, q_len, head_dim)``;
        weights: ``(batch, num_heads, q_len, k_len)``.
    """
    _check_inputs(q, k, v, mask, dropout_p, implementation)
    if return_weights and implementation != "explicit":
        raise ValueError(
            "return_weights=True needs implementation='explicit', because the "
            "fast kernels never store the attention weights"
        )
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])

    q_len, k_len = q.shape[-2], k.shape[-2]
    if is_causal and q_len == 1 <= k_len and mask is None:
        # One query aligned to the last key may attend to every key, so the
        # causal mask is all True (each step of cached decoding).
        is_causal = False
    if is_causal:
        if implementation == "fast" and mask is None and q_len == k_len:
            # The fused kernels' own causal flag is exact when q_len == k_len.
            return F.scaled_dot_product_attention(
                q, k, v, dropout_p=dropout_p, is_causal=True, scale=scale
            )
        causal = causal_mask(q_len, k_len, device=q.device)
        if implementation == "fast" and mask is None:
            # Bottom-right alignment (q_len <= k_len) leaves every query at
            # least one key, so the fast path's fully masked rows cannot occur.
            return F.scaled_dot_product_attention(
                q, k, v, attn_mask=causal, dropout_p=dropout_p, scale=scale
            )
        mask = causal if mask is None else mask & causal

    if implementation == "explicit":
        output, weights = _explicit(q, k, v, mask, dropout_p, scale)
        return (output, weights) if return_weights else output
    return _fast(q, k, v, mask, dropout_p, scale)
