"""Encoder and decoder layers against PyTorch's own Transformer layers."""

import pytest
import torch

from tinyformer.cache import LayerCache
from tinyformer.layers import DecoderLayer, EncoderLayer
from tinyformer.masks import causal_mask, key_padding_mask, to_torch_mha_mask

D_MODEL, HEADS, D_FF = 16, 4, 32


def copy_attention(ours, theirs):
    with torch.no_grad():
        theirs.in_proj_weight.copy_(
            torch.cat([ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight])
        )
        theirs.in_proj_bias.copy_(
            torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias])
        )
        theirs.out_proj.weight.copy_(ours.out_proj.weight)
        theirs.out_proj.bias.copy_(ours.out_proj.bias)


def copy_common(ours, theirs):
    copy_attention(ours.self_attn, theirs.self_attn)
    theirs.linear1.load_state_dict(ours.feed_forward.linear1.state_dict())
    theirs.linear2.load_state_dict(ours.feed_forward.linear2.state_dict())
    theirs.norm1.load_state_dict(ours.norm1.state_dict())
    theirs.norm2.load_state_dict(ours.norm2.state_dict())


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_torch(norm_first, activation):
    torch.manual_seed(0)
    ours = (
        EncoderLayer(D_MODEL, HEADS, D_FF, activation=activation, norm_first=norm_first)
        .double()
        .eval()
    )
    theirs = (
        torch.nn.TransformerEncoderLayer(
            D_MODEL,
            HEADS,
            D_FF,
            activation=activation,
            norm_first=norm_first,
            batch_first=True,
        )
        .double()
        .eval()
    )
    copy_common(ours, theirs)
    x = torch.randn(2, 5, D_MODEL, dtype=torch.float64)
    lengths = torch.tensor([5, 3])
    output, _ = ours(x, mask=key_padding_mask(lengths, 5))
    expected = theirs(
        x, src_key_padding_mask=to_torch_mha_mask(key_padding_mask(lengths, 5)[:, 0, 0])
    )
    torch.testing.assert_close(output, expected)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_torch(norm_first):
    torch.manual_seed(0)
    ours = DecoderLayer(D_MODEL, HEADS, D_FF, norm_first=norm_first).double().eval()
    theirs = (
        torch.nn.TransformerDecoderLayer(
            D_MODEL, HEADS, D_FF, norm_first=norm_first, batch_first=True
        )
        .double()
        .eval()
    )
    copy_common(ours, theirs)
    copy_attention(ours.cross_attn, theirs.multihead_attn)
    theirs.norm3.load_state_dict(ours.norm3.state_dict())
    x = torch.randn(2, 4, D_MODEL, dtype=torch.float64)
    memory = torch.randn(2, 6, D_MODEL, dtype=torch.float64)
    memory_mask = key_padding_mask(torch.tensor([6, 2]), 6)
    output, _, _ = ours(x, memory, memory_mask=memory_mask)
    expected = theirs(
        x,
        memory,
        tgt_mask=to_torch_mha_mask(causal_mask(4)),
        memory_key_padding_mask=to_torch_mha_mask(memory_mask[:, 0, 0]),
    )
    torch.testing.assert_close(output, expected)


def test_decoder_layer_cache_matches_full_pass():
    torch.manual_seed(0)
    layer = DecoderLayer(D_MODEL, HEADS, D_FF).double().eval()
    x = torch.randn(2, 5, D_MODEL, dtype=torch.float64)
    memory = torch.randn(2, 3, D_MODEL, dtype=torch.float64)
    full, _, _ = layer(x, memory)
    cache = LayerCache()
    steps = [layer(x[:, i : i + 1], memory, cache=cache)[0] for i in range(5)]
    torch.testing.assert_close(torch.cat(steps, dim=1), full)


def test_decoder_layer_returns_both_weights():
    layer = DecoderLayer(D_MODEL, HEADS, D_FF).eval()
    _, self_weights, cross_weights = layer(
        torch.randn(1, 4, D_MODEL), torch.randn(1, 6, D_MODEL), need_weights=True
    )
    assert self_weights.shape == (1, HEADS, 4, 4)
    assert cross_weights.shape == (1, HEADS, 4, 6)
    assert torch.count_nonzero(self_weights[0, :, 0, 1:]) == 0


def test_decoder_layer_needs_memory_for_cross_attention():
    layer = DecoderLayer(D_MODEL, HEADS, D_FF)
    with pytest.raises(ValueError, match="memory"):
        layer(torch.randn(1, 4, D_MODEL))


def test_decoder_only_layer_has_no_cross_attention():
    layer = DecoderLayer(D_MODEL, HEADS, D_FF, cross_attention=False).eval()
    output, _, cross_weights = layer(torch.randn(1, 4, D_MODEL), need_weights=True)
    assert layer.cross_attn is None
    assert cross_weights is None
    assert output.shape == (1, 4, D_MODEL)
