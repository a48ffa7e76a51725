"""The same checks on a CUDA device; skipped where none exists."""

import pytest
import torch

from tinyformer.attention import scaled_dot_product_attention
from tinyformer.decoding import generate
from tinyformer.device import autocast_context
from tinyformer.masks import key_padding_mask
from tinyformer.models import DecoderOnlyConfig, DecoderOnlyLM

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_fast_and_explicit_agree_on_cuda(dtype):
    q, k, v = (torch.randn(2, 4, 64, 32, device="cuda", dtype=dtype) for _ in range(3))
    mask = key_padding_mask(torch.tensor([64, 10], device="cuda"), max_len=64)
    fast = scaled_dot_product_attention(q, k, v, mask, implementation="fast")
    explicit = scaled_dot_product_attention(q, k, v, mask, implementation="explicit")
    torch.testing.assert_close(fast.float(), explicit.float(), atol=2e-2, rtol=2e-2)


def test_cached_generation_on_cuda_with_autocast():
    torch.manual_seed(0)
    model = (
        DecoderOnlyLM(
            DecoderOnlyConfig(50, d_model=64, num_heads=4, d_ff=128, num_layers=2)
        )
        .cuda()
        .eval()
    )
    prompt = torch.randint(0, 50, (2, 5), device="cuda")
    with autocast_context("cuda"):
        cached = generate(model, prompt, 16, temperature=0)
        uncached = generate(model, prompt, 16, temperature=0, use_cache=False)
    assert cached.shape == (2, 21)
    assert (cached == uncached).float().mean() > 0.9
