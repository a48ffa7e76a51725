"""MultiHeadAttention against nn.MultiheadAttention, gradients and properties."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyformer.masks import causal_mask, key_padding_mask, to_torch_mha_mask
from tinyformer.multihead import MultiHeadAttention

D_MODEL, HEADS = 16, 4


def paired_modules(seed=0):
    """Return a tinyformer module and an nn.MultiheadAttention with the same weights."""
    torch.manual_seed(seed)
    ours = MultiHeadAttention(D_MODEL, HEADS).double().eval()
    theirs = (
        torch.nn.MultiheadAttention(D_MODEL, HEADS, batch_first=True).double().eval()
    )
    with torch.no_grad():
        theirs.in_proj_weight.copy_(
            torch.cat([ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight])
        )
        theirs.in_proj_bias.copy_(
            torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias])
        )
        theirs.out_proj.weight.copy_(ours.out_proj.weight)
        theirs.out_proj.bias.copy_(ours.out_proj.bias)
    return ours, theirs


@pytest.mark.parametrize("need_weights", [False, True])
def test_self_attention_matches_torch_with_padding(need_weights):
    ours, theirs = paired_modules()
    x = torch.randn(3, 6, D_MODEL, dtype=torch.float64)
    lengths = torch.tensor([6, 4, 1])
    output, weights = ours(
        x, mask=key_padding_mask(lengths, max_len=6), need_weights=need_weights
    )
    expected, expected_weights = theirs(
        x,
        x,
        x,
        key_padding_mask=to_torch_mha_mask(key_padding_mask(lengths, 6)[:, 0, 0]),
        average_attn_weights=False,
    )
    torch.testing.assert_close(output, expected)
    if need_weights:
        assert weights.shape == (3, HEADS, 6, 6)
        torch.testing.assert_close(weights, expected_weights)
    else:
        assert weights is None


def test_causal_self_attention_matches_torch():
    ours, theirs = paired_modules()
    x = torch.randn(2, 5, D_MODEL, dtype=torch.float64)
    output, _ = ours(x, is_causal=True)
    expected, _ = theirs(x, x, x, attn_mask=to_torch_mha_mask(causal_mask(5)))
    torch.testing.assert_close(output, expected)


def test_cross_attention_matches_torch():
    ours, theirs = paired_modules()
    query = torch.randn(2, 3, D_MODEL, dtype=torch.float64)
    memory = torch.randn(2, 7, D_MODEL, dtype=torch.float64)
    output, weights = ours(query, memory, need_weights=True)
    expected, expected_weights = theirs(
        query, memory, memory, average_attn_weights=False
    )
    torch.testing.assert_close(output, expected)
    torch.testing.assert_close(weights, expected_weights)


@pytest.mark.parametrize("implementation", ["explicit", "fast"])
def test_gradcheck(implementation):
    torch.manual_seed(0)
    module = MultiHeadAttention(8, 2, implementation=implementation).double()
    x = torch.randn(1, 3, 8, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: module(t, is_causal=True)[0], (x,))


def test_rejects_indivisible_heads():
    with pytest.raises(ValueError, match="d_model=10 is not divisible by num_heads=3"):
        MultiHeadAttention(10, 3)


def test_rejects_wrong_query_width():
    module = MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match="d_model=8"):
        module(torch.randn(1, 3, 6))


def test_dropout_inactive_in_eval_fast_path():
    torch.manual_seed(0)
    module = MultiHeadAttention(16, 4, dropout=0.5, implementation="fast").eval()
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(module(x)[0], module(x)[0])


def test_dropout_active_in_training():
    torch.manual_seed(0)
    module = MultiHeadAttention(16, 4, dropout=0.5).train()
    x = torch.randn(2, 5, 16)
    assert not torch.allclose(module(x)[0], module(x)[0])


@settings(max_examples=20, deadline=None)
@given(seq_len=st.integers(2, 8), seed=st.integers(0, 2**16))
def test_self_attention_is_permutation_equivariant(seq_len, seed):
    torch.manual_seed(seed)
    module = MultiHeadAttention(8, 2).double()
    x = torch.randn(1, seq_len, 8, dtype=torch.float64)
    permutation = torch.randperm(seq_len)
    output = module(x)[0]
    permuted_output = module(x[:, permutation])[0]
    torch.testing.assert_close(permuted_output, output[:, permutation])


@settings(max_examples=20, deadline=None)
@given(
    seq_len=st.integers(2, 8), position=st.integers(0, 7), seed=st.integers(0, 2**16)
)
def test_causal_outputs_ignore_later_tokens(seq_len, position, seed):
    position = min(position, seq_len - 1)
    torch.manual_seed(seed)
    module = MultiHeadAttention(8, 2).double()
    x = torch.randn(1, seq_len, 8, dtype=torch.float64)
    changed = x.clone()
    changed[:, position + 1 :] = torch.randn_like(changed[:, position + 1 :])
    before = module(x, is_causal=True)[0][:, : position + 1]
    after = module(changed, is_causal=True)[0][:, : position + 1]
    torch.testing.assert_close(before, after)


def test_rejects_float_d_model():
    with pytest.raises(TypeError, match="d_model must be an int, got 8.0"):
        MultiHeadAttention(8.0, 2)
