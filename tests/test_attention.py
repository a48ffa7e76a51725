"""Explicit and fast attention: agreement, masks, numerics and input checks."""

import pytest
import torch
import torch.nn.functional as F

from tinyformer.attention import scaled_dot_product_attention
from tinyformer.masks import causal_mask, combine_masks, key_padding_mask

BATCH, HEADS, Q_LEN, K_LEN, HEAD_DIM = 2, 3, 5, 7, 8


def qkv(q_len=Q_LEN, k_len=K_LEN, dtype=torch.float64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    q = torch.randn(BATCH, HEADS, q_len, HEAD_DIM, dtype=dtype, generator=generator)
    k = torch.randn(BATCH, HEADS, k_len, HEAD_DIM, dtype=dtype, generator=generator)
    v = torch.randn(BATCH, HEADS, k_len, HEAD_DIM, dtype=dtype, generator=generator)
    return q, k, v


def masks():
    padding = key_padding_mask(torch.tensor([K_LEN, 4]), max_len=K_LEN)
    causal = causal_mask(Q_LEN, K_LEN)
    return {
        "none": None,
        "padding": padding,
        "causal": causal,
        "causal+padding": combine_masks(causal, padding),
        "random": torch.rand(
            BATCH, HEADS, Q_LEN, K_LEN, generator=torch.Generator().manual_seed(1)
        )
        > 0.3,
    }


@pytest.mark.parametrize("kind", list(masks()))
def test_explicit_fast_and_torch_agree(kind):
    q, k, v = qkv()
    mask = masks()[kind]
    explicit = scaled_dot_product_attention(q, k, v, mask, implementation="explicit")
    fast = scaled_dot_product_attention(q, k, v, mask, implementation="fast")
    if mask is not None:
        # Drop rows with no allowed key: torch gives NaN there by design.
        keep = mask.expand(BATCH, HEADS, Q_LEN, K_LEN).any(-1, keepdim=True)
    else:
        keep = torch.ones(1, dtype=torch.bool)
    reference = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(explicit, fast, atol=1e-12, rtol=0)
    torch.testing.assert_close(
        explicit * keep, torch.nan_to_num(reference) * keep, atol=1e-12, rtol=0
    )


@pytest.mark.parametrize("implementation", ["explicit", "fast"])
def test_is_causal_equals_explicit_mask(implementation):
    q, k, v = qkv(q_len=K_LEN)
    with_flag = scaled_dot_product_attention(
        q, k, v, is_causal=True, implementation=implementation
    )
    with_mask = scaled_dot_product_attention(
        q, k, v, causal_mask(K_LEN), implementation=implementation
    )
    torch.testing.assert_close(with_flag, with_mask)


@pytest.mark.parametrize("implementation", ["explicit", "fast"])
def test_is_causal_bottom_right_with_fewer_queries(implementation):
    q, k, v = qkv(q_len=2)
    output = scaled_dot_product_attention(
        q, k, v, is_causal=True, implementation=implementation
    )
    # The last query sees every key: same as no mask at all.
    unmasked = scaled_dot_product_attention(q, k, v, implementation=implementation)
    torch.testing.assert_close(output[..., -1, :], unmasked[..., -1, :])
    first_row = scaled_dot_product_attention(
        q[..., :1, :], k[..., :-1, :], v[..., :-1, :], implementation=implementation
    )
    torch.testing.assert_close(output[..., :1, :], first_row)


@pytest.mark.parametrize("implementation", ["explicit", "fast"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_fully_masked_row_zero_with_finite_grads(implementation, dtype):
    q, k, v = (t.to(dtype).requires_grad_() for t in qkv(dtype=torch.float32))
    mask = torch.ones(Q_LEN, K_LEN, dtype=torch.bool)
    mask[2] = False
    output = scaled_dot_product_attention(q, k, v, mask, implementation=implementation)
    output.float().sum().backward()
    assert torch.count_nonzero(output[..., 2, :]) == 0
    assert torch.isfinite(output).all()
    for tensor in (q, k, v):
        assert torch.isfinite(tensor.grad).all()
    assert torch.count_nonzero(q.grad[..., 2, :]) == 0


@pytest.mark.parametrize("implementation", ["explicit", "fast"])
def test_half_precision_mask_does_not_overflow(implementation):
    q, k, v = (t.half() for t in qkv(dtype=torch.float32))
    mask = key_padding_mask(torch.tensor([3, K_LEN]), max_len=K_LEN)
    output = scaled_dot_product_attention(q, k, v, mask, implementation=implementation)
    expected = scaled_dot_product_attention(
        *(t.float() for t in (q, k, v)), mask, implementation=implementation
    )
    assert torch.isfinite(output).all()
    torch.testing.assert_close(output.float(), expected, atol=2e-3, rtol=2e-3)


@pytest.mark.parametrize("implementation", ["explicit", "fast"])
def test_large_scores_stay_finite(implementation):
    q, k, v = qkv(dtype=torch.float32)
    output = scaled_dot_product_attention(
        q * 100, k * 100, v, implementation=implementation
    )
    assert torch.isfinite(output).all()


def test_weights_rows_sum_to_one():
    q, k, v = qkv()
    _, weights = scaled_dot_product_attention(
        q, k, v, implementation="explicit", return_weights=True
    )
    torch.testing.assert_close(
        weights.sum(-1), torch.ones(BATCH, HEADS, Q_LEN, dtype=torch.float64)
    )


@pytest.mark.parametrize("implementation", ["explicit", "fast"])
def test_gradcheck(implementation):
    q, k, v = (t[:1, :1, :3, :4].clone().requires_grad_() for t in qkv())
    mask = torch.tensor(
        [[True, False, True], [False, False, False], [True, True, True]]
    )

    def attend(q, k, v):
        return scaled_dot_product_attention(
            q, k, v, mask, implementation=implementation
        )

    assert torch.autograd.gradcheck(attend, (q, k, v))


def test_custom_scale_matches_prescaled_query():
    q, k, v = qkv()
    scaled = scaled_dot_product_attention(q, k, v, scale=0.5, implementation="explicit")
    manual = scaled_dot_product_attention(
        q * 0.5 * HEAD_DIM**0.5, k, v, implementation="explicit"
    )
    torch.testing.assert_close(scaled, manual)


def test_return_weights_needs_explicit():
    with pytest.raises(ValueError, match="implementation='explicit'"):
        scaled_dot_product_attention(*qkv(), return_weights=True)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda q, k, v, m: (q, k[..., :3], v, m), ValueError, "same head_dim"),
        (
            lambda q, k, v, m: (q, k, v[..., :3, :], m),
            ValueError,
            "same number of positions",
        ),
        (lambda q, k, v, m: (q.float(), k, v, m), TypeError, "share a dtype"),
        (lambda q, k, v, m: (q.long(), k, v, m), TypeError, "floating-point"),
        (
            lambda q, k, v, m: (q, k, v, torch.ones(Q_LEN, K_LEN)),
            TypeError,
            "torch.bool",
        ),
        (
            lambda q, k, v, m: (q, k, v, torch.ones(3, 3, dtype=torch.bool)),
            ValueError,
            "does not broadcast",
        ),
        (lambda q, k, v, m: (q[0, 0, 0], k, v, m), ValueError, "must have shape"),
    ],
)
def test_invalid_inputs_raise(change, error, message):
    q, k, v = qkv()
    args = change(q, k, v, None)
    with pytest.raises(error, match=message):
        scaled_dot_product_attention(*args)


def test_invalid_implementation_raises():
    with pytest.raises(ValueError, match="implementation must be one of"):
        scaled_dot_product_attention(*qkv(), implementation="flash")


def test_invalid_dropout_raises():
    with pytest.raises(ValueError, match="dropout_p"):
        scaled_dot_product_attention(*qkv(), dropout_p=1.5)
