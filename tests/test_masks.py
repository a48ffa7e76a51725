"""Mask builders and the boundary with nn.MultiheadAttention."""

import pytest
import torch

from tinyformer.masks import (
    causal_mask,
    combine_masks,
    key_padding_mask,
    padding_mask,
    to_torch_mha_mask,
)


def test_causal_square_is_lower_triangular():
    assert torch.equal(causal_mask(4), torch.ones(4, 4, dtype=torch.bool).tril())


def test_causal_fewer_queries_aligns_bottom_right():
    mask = causal_mask(2, 5)
    expected = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    assert torch.equal(mask, expected)


def test_causal_single_query_sees_all_keys():
    assert bool(causal_mask(1, 7).all())


def test_causal_rejects_more_queries_than_keys():
    with pytest.raises(ValueError, match="q_len=5 > k_len=3"):
        causal_mask(5, 3)


def test_causal_rejects_zero_length():
    with pytest.raises(ValueError, match="q_len=0"):
        causal_mask(0)


def test_padding_from_lengths():
    mask = padding_mask(torch.tensor([2, 0, 3]))
    expected = torch.tensor([[1, 1, 0], [0, 0, 0], [1, 1, 1]], dtype=torch.bool)
    assert torch.equal(mask, expected)


def test_padding_rejects_length_over_max():
    with pytest.raises(ValueError, match="a length of 4 exceeds max_len=3"):
        padding_mask(torch.tensor([1, 4]), max_len=3)


def test_padding_rejects_float_lengths():
    with pytest.raises(TypeError, match="integer tensor"):
        padding_mask(torch.tensor([1.0, 2.0]))


def test_padding_rejects_negative_length():
    with pytest.raises(ValueError, match=">= 0"):
        padding_mask(torch.tensor([1, -1]))


def test_key_padding_from_lengths_and_bool_agree():
    from_lengths = key_padding_mask(torch.tensor([1, 3]), max_len=3)
    from_bool = key_padding_mask(
        torch.tensor([[True, False, False], [True, True, True]])
    )
    assert from_lengths.shape == (2, 1, 1, 3)
    assert torch.equal(from_lengths, from_bool)


def test_combine_broadcasts_and_skips_none():
    combined = combine_masks(
        None, causal_mask(3), key_padding_mask(torch.tensor([2, 3]))
    )
    assert combined.shape == (2, 1, 3, 3)
    assert not bool(combined[0, 0, 2, 2])
    assert bool(combined[1, 0, 2, 2])
    assert combine_masks(None, None) is None


def test_combine_rejects_float_mask():
    with pytest.raises(TypeError, match="torch.bool"):
        combine_masks(torch.ones(2, 2))


def test_torch_mha_mask_inverts():
    mask = causal_mask(3)
    assert torch.equal(to_torch_mha_mask(mask), ~mask)


def test_causal_rejects_float_length():
    with pytest.raises(TypeError, match="q_len must be an int, got 3.5"):
        causal_mask(3.5)
