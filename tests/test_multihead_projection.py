"""The fused self-attention projection of MultiHeadAttention matches the plain one.

Self-attention (``key`` and ``value`` omitted) projects q, k and v with one
stacked matmul. Passing a copy of the input as ``key`` and ``value`` takes the
three separate projections, which serve as the reference.
"""

from __future__ import annotations

import pytest
import torch

from tinyformer.cache import KVCache
from tinyformer.multihead import MultiHeadAttention
from tinyformer.positional import RotaryEmbedding

D_MODEL, NUM_HEADS = 16, 4


def make_module(bias: bool = True, implementation: str = "fast") -> MultiHeadAttention:
    torch.manual_seed(0)
    return MultiHeadAttention(
        D_MODEL, NUM_HEADS, bias=bias, implementation=implementation
    ).double()


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("implementation", ["fast", "explicit"])
def test_fused_output_matches_separate(bias, implementation):
    module = make_module(bias, implementation)
    x = torch.randn(2, 5, D_MODEL, dtype=torch.float64)
    fused, _ = module(x, is_causal=True)
    separate, _ = module(x, x.clone(), x.clone(), is_causal=True)
    torch.testing.assert_close(fused, separate)


def test_fused_gradients_match_separate():
    module = make_module()
    x = torch.randn(2, 5, D_MODEL, dtype=torch.float64)
    grad_output = torch.randn(2, 5, D_MODEL, dtype=torch.float64)

    module(x)[0].backward(grad_output)
    fused = {name: p.grad.clone() for name, p in module.named_parameters()}
    module.zero_grad()
    module(x, x.clone(), x.clone())[0].backward(grad_output)
    for name, param in module.named_parameters():
        torch.testing.assert_close(fused[name], param.grad, msg=name)


def test_fused_cache_and_rotary_match_separate():
    module = make_module()
    rotary = RotaryEmbedding(D_MODEL // NUM_HEADS)
    x = torch.randn(1, 6, D_MODEL, dtype=torch.float64)
    fused_cache, separate_cache = KVCache(), KVCache()
    for start in range(0, 6, 2):
        step = x[:, start : start + 2]
        fused, _ = module(step, is_causal=True, cache=fused_cache, rotary=rotary)
        separate, _ = module(
            step,
            step.clone(),
            step.clone(),
            is_causal=True,
            cache=separate_cache,
            rotary=rotary,
        )
        torch.testing.assert_close(fused, separate)
    torch.testing.assert_close(fused_cache.keys, separate_cache.keys)
    torch.testing.assert_close(fused_cache.values, separate_cache.values)


def test_state_dict_keys_unchanged():
    keys = set(make_module().state_dict())
    expected = {
        f"{name}.{kind}"
        for name in ("q_proj", "k_proj", "v_proj", "out_proj")
        for kind in ("weight", "bias")
    }
    assert keys == expected
