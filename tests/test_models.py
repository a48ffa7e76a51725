"""Encoder-decoder and decoder-only models: configs, caches and tied weights."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyformer.models import (
    DecoderOnlyConfig,
    DecoderOnlyLM,
    Transformer,
    TransformerConfig,
)


def small_transformer(**overrides):
    torch.manual_seed(0)
    values = dict(
        src_vocab_size=20,
        tgt_vocab_size=24,
        d_model=32,
        num_heads=4,
        d_ff=64,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dropout=0.0,
    )
    values.update(overrides)
    return Transformer(TransformerConfig(**values)).eval()


def small_lm(positional="learned", norm_first=True):
    torch.manual_seed(0)
    config = DecoderOnlyConfig(
        vocab_size=40,
        d_model=32,
        num_heads=4,
        d_ff=64,
        num_layers=2,
        dropout=0.0,
        positional=positional,
        norm_first=norm_first,
        max_len=64,
    )
    return DecoderOnlyLM(config).eval()


def test_base_config_is_vaswani_base():
    config = TransformerConfig.base(100, 100)
    assert (config.d_model, config.num_heads, config.d_ff) == (512, 8, 2048)
    assert (config.num_encoder_layers, config.num_decoder_layers) == (6, 6)
    assert config.dropout == 0.1
    assert not config.norm_first


def test_config_rejects_indivisible_heads():
    with pytest.raises(ValueError, match="d_model=30 is not divisible by num_heads=4"):
        TransformerConfig(10, 10, d_model=30, num_heads=4)


def test_config_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        DecoderOnlyConfig(10, activation="tanh")


def test_config_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown TransformerConfig keys"):
        TransformerConfig.from_dict(
            {"src_vocab_size": 5, "tgt_vocab_size": 5, "n_embd": 3}
        )


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_logits_shape(norm_first):
    model = small_transformer(norm_first=norm_first)
    output = model(
        torch.randint(3, 20, (2, 7)), torch.randint(3, 24, (2, 5)), need_weights=True
    )
    assert output.logits.shape == (2, 5, 24)
    assert len(output.encoder_weights) == 2
    assert output.cross_weights[0].shape == (2, 4, 5, 7)


def test_transformer_ties_output_to_target_embedding():
    model = small_transformer()
    assert model.output.weight is model.tgt_embed.weight


def test_transformer_rejects_out_of_vocab_ids():
    model = small_transformer()
    with pytest.raises(ValueError, match=r"ids outside \[0, 20\)"):
        model(torch.tensor([[3, 25]]), torch.tensor([[1]]))


def test_transformer_rejects_float_tokens():
    with pytest.raises(TypeError, match="int64 tensor"):
        small_transformer()(torch.zeros(1, 3), torch.ones(1, 1, dtype=torch.long))


def test_source_padding_does_not_change_outputs():
    model = small_transformer()
    src = torch.tensor([[5, 6, 7]])
    padded = torch.tensor([[5, 6, 7, 0, 0]])
    tgt = torch.tensor([[1, 4, 9]])
    torch.testing.assert_close(
        model(src, tgt).logits, model(padded, tgt).logits, atol=1e-5, rtol=1e-5
    )


@settings(max_examples=8, deadline=None)
@given(prompt_len=st.integers(1, 6), steps=st.integers(1, 5))
def test_transformer_cached_decoding_matches_full_pass(prompt_len, steps):
    model = small_transformer()
    src = torch.randint(
        3, 20, (2, 6), generator=torch.Generator().manual_seed(prompt_len)
    )
    tgt = torch.randint(
        3, 24, (2, prompt_len + steps), generator=torch.Generator().manual_seed(steps)
    )
    full = model(src, tgt).logits
    memory, _ = model.encode(src)
    cache = model.new_cache()
    pieces = [
        model.decode(
            tgt[:, :prompt_len], memory, model.source_mask(src), cache=cache
        ).logits
    ]
    for i in range(prompt_len, prompt_len + steps):
        pieces.append(
            model.decode(
                tgt[:, i : i + 1], memory, model.source_mask(src), cache=cache
            ).logits
        )
    torch.testing.assert_close(torch.cat(pieces, dim=1), full, atol=1e-5, rtol=1e-5)


@settings(max_examples=12, deadline=None)
@given(
    prompt_len=st.integers(1, 8),
    steps=st.integers(1, 6),
    positional=st.sampled_from(["learned", "sinusoidal", "rotary"]),
)
def test_lm_cached_decoding_matches_full_pass(prompt_len, steps, positional):
    model = small_lm(positional)
    tokens = torch.randint(
        0,
        40,
        (2, prompt_len + steps),
        generator=torch.Generator().manual_seed(prompt_len),
    )
    full = model(tokens).logits
    cache = model.new_cache()
    pieces = [model(tokens[:, :prompt_len], cache=cache).logits]
    for i in range(prompt_len, prompt_len + steps):
        pieces.append(model(tokens[:, i : i + 1], cache=cache).logits)
    torch.testing.assert_close(torch.cat(pieces, dim=1), full, atol=1e-5, rtol=1e-5)


def test_lm_ties_embeddings():
    model = small_lm()
    assert model.lm_head.weight is model.embed.weight


def test_lm_rejects_sequence_past_max_len():
    with pytest.raises(ValueError, match="max_len=64"):
        small_lm()(torch.zeros(1, 65, dtype=torch.long))


def test_lm_is_causal():
    model = small_lm()
    tokens = torch.randint(0, 40, (1, 8))
    changed = tokens.clone()
    changed[0, 5:] = (changed[0, 5:] + 1) % 40
    torch.testing.assert_close(
        model(tokens).logits[:, :5], model(changed).logits[:, :5]
    )


def test_transformer_rejects_batch_mismatch():
    model = small_transformer()
    with pytest.raises(ValueError, match="batch size 1 but memory has 2"):
        model(torch.randint(3, 20, (2, 4)), torch.ones(1, 3, dtype=torch.long))


def test_transformer_rejects_empty_source():
    with pytest.raises(ValueError, match="src has no tokens"):
        small_transformer().encode(torch.zeros(2, 0, dtype=torch.long))


def test_config_rejects_special_id_outside_vocab():
    with pytest.raises(ValueError, match=r"pad_id=20 must be an int in \[0, 10\)"):
        TransformerConfig(10, 12, pad_id=20)


def test_config_rejects_repeated_special_ids():
    with pytest.raises(ValueError, match="distinct pad, bos and eos"):
        TransformerConfig(10, 10, bos_id=0)
