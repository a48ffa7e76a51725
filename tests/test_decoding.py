"""Greedy, sampling and beam decoding, with and without the cache."""

import pytest
import torch

from tinyformer.decoding import beam_search, generate, greedy_decode, sample_next
from tinyformer.models import (
    DecoderOnlyConfig,
    DecoderOnlyLM,
    Transformer,
    TransformerConfig,
)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    config = TransformerConfig(
        20,
        20,
        d_model=32,
        num_heads=4,
        d_ff=64,
        num_encoder_layers=1,
        num_decoder_layers=2,
    )
    return Transformer(config).eval()


@pytest.fixture(scope="module")
def lm():
    torch.manual_seed(0)
    return DecoderOnlyLM(
        DecoderOnlyConfig(30, d_model=32, num_heads=4, d_ff=64, num_layers=2)
    ).eval()


def test_greedy_cached_equals_uncached(model):
    src = torch.randint(3, 20, (4, 6), generator=torch.Generator().manual_seed(0))
    assert torch.equal(
        greedy_decode(model, src, max_len=9),
        greedy_decode(model, src, max_len=9, use_cache=False),
    )


def test_greedy_pads_after_eos(model):
    output = greedy_decode(model, torch.randint(3, 20, (8, 5)), max_len=12)
    for row in output.tolist():
        if 2 in row:
            assert all(token == 0 for token in row[row.index(2) + 1 :])


def test_beam_of_one_equals_greedy(model):
    src = torch.randint(3, 20, (3, 6), generator=torch.Generator().manual_seed(1))
    greedy = greedy_decode(model, src, max_len=8)
    beam = beam_search(model, src, beam_size=1, max_len=8, length_alpha=0.0)
    width = min(greedy.shape[1], beam.shape[1])
    assert torch.equal(greedy[:, :width], beam[:, :width])


def test_beam_scores_at_least_greedy(model):
    src = torch.randint(3, 20, (1, 6), generator=torch.Generator().manual_seed(2))

    def log_prob(tokens):
        tgt_in = torch.cat([torch.tensor([[1]]), tokens[:, :-1]], dim=1)
        logits = model(src, tgt_in).logits.log_softmax(-1)
        return logits.gather(-1, tokens[..., None]).sum().item()

    greedy = greedy_decode(model, src, max_len=6)
    beam = beam_search(model, src, beam_size=4, max_len=6, length_alpha=0.0)
    assert log_prob(beam) >= log_prob(greedy) - 1e-5


def test_beam_rejects_zero_beams(model):
    with pytest.raises(ValueError, match="beam_size"):
        beam_search(model, torch.randint(3, 20, (1, 3)), beam_size=0)


def test_sample_temperature_zero_is_argmax():
    logits = torch.tensor([[0.1, 3.0, 0.2], [2.0, 0.0, 1.0]])
    assert sample_next(logits, temperature=0).tolist() == [1, 0]


def test_sample_top_k_stays_in_top_k():
    logits = torch.tensor([[5.0, 4.0, 0.0, -1.0]]).repeat(200, 1)
    tokens = sample_next(
        logits, temperature=1.0, top_k=2, generator=torch.Generator().manual_seed(0)
    )
    assert set(tokens.tolist()) == {0, 1}


def test_sample_rejects_bad_top_k():
    with pytest.raises(ValueError, match="top_k"):
        sample_next(torch.zeros(1, 4), top_k=5)


def test_generate_cached_equals_uncached(lm):
    prompt = torch.randint(0, 30, (2, 4))
    assert torch.equal(
        generate(lm, prompt, 12, temperature=0),
        generate(lm, prompt, 12, temperature=0, use_cache=False),
    )


def test_generate_seeded_sampling_is_reproducible(lm):
    prompt = torch.randint(0, 30, (2, 3))
    first = generate(lm, prompt, 8, top_k=5, generator=torch.Generator().manual_seed(3))
    second = generate(
        lm, prompt, 8, top_k=5, generator=torch.Generator().manual_seed(3)
    )
    assert torch.equal(first, second)
    assert first.shape == (2, 11)


def test_generate_rejects_empty_prompt(lm):
    with pytest.raises(ValueError, match="prompt_len >= 1"):
        generate(lm, torch.zeros(1, 0, dtype=torch.long), 3)
