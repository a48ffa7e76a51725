"""Causal attention's shortcuts give the same result as the full masked path.

With ``is_causal=True`` and no other mask, a single query skips the causal
mask because it may attend to every key, and the fast path passes the causal
mask straight to torch. The reference is the same call with the causal mask
passed explicitly as ``mask``.
"""

from __future__ import annotations

import pytest
import torch

from tinyformer.attention import scaled_dot_product_attention
from tinyformer.masks import causal_mask


def qkv(q_len: int, k_len: int) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(0)

    def randn(length: int) -> torch.Tensor:
        shape = (2, 3, length, 4)
        tensor = torch.randn(shape, generator=generator, dtype=torch.float64)
        return tensor.requires_grad_()

    return randn(q_len), randn(k_len), randn(k_len)


@pytest.mark.parametrize("implementation", ["fast", "explicit"])
@pytest.mark.parametrize(("q_len", "k_len"), [(1, 1), (1, 6), (2, 6), (6, 6)])
def test_causal_matches_explicit_mask(implementation, q_len, k_len):
    q, k, v = qkv(q_len, k_len)
    shortcut = scaled_dot_product_attention(
        q, k, v, is_causal=True, implementation=implementation
    )
    masked = scaled_dot_product_attention(
        q, k, v, mask=causal_mask(q_len, k_len), implementation=implementation
    )
    torch.testing.assert_close(shortcut, masked)


@pytest.mark.parametrize(("q_len", "k_len"), [(1, 6), (2, 6)])
def test_causal_shortcut_gradients_match(q_len, k_len):
    q, k, v = qkv(q_len, k_len)
    grad_output = torch.randn(2, 3, q_len, 4, dtype=torch.float64)
    scaled_dot_product_attention(q, k, v, is_causal=True).backward(grad_output)
    shortcut = [t.grad.clone() for t in (q, k, v)]
    for tensor in (q, k, v):
        tensor.grad = None
    scaled_dot_product_attention(q, k, v, mask=causal_mask(q_len, k_len)).backward(
        grad_output
    )
    for fast, masked in zip(shortcut, (q.grad, k.grad, v.grad), strict=True):
        torch.testing.assert_close(fast, masked)


@pytest.mark.parametrize("implementation", ["fast", "explicit"])
def test_causal_more_queries_than_keys_raises(implementation):
    q, k, v = qkv(5, 3)
    with pytest.raises(ValueError, match="q_len <= k_len"):
        scaled_dot_product_attention(
            q, k, v, is_causal=True, implementation=implementation
        )
