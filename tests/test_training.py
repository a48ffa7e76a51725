"""Batches, the smoothed loss and the learning-rate schedules."""

import pytest
import torch

from tinyformer.training import (
    inverse_sqrt_schedule,
    label_smoothed_cross_entropy,
    make_seq2seq_batch,
    token_accuracy,
    warmup_cosine_schedule,
)


def test_batch_shifts_and_pads():
    batch = make_seq2seq_batch([[5, 6, 7], [8]], [[9, 10], [11, 12, 13]])
    assert batch.src.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch.tgt_in.tolist() == [[1, 9, 10, 0], [1, 11, 12, 13]]
    assert batch.tgt_out.tolist() == [[9, 10, 2, 0], [11, 12, 13, 2]]


def test_batch_rejects_mismatched_lists():
    with pytest.raises(ValueError, match="same length"):
        make_seq2seq_batch([[1]], [])


def test_loss_ignores_padding():
    logits = torch.randn(1, 3, 5)
    targets = torch.tensor([[1, 2, 0]])
    with_pad = label_smoothed_cross_entropy(logits, targets, smoothing=0.0)
    without = label_smoothed_cross_entropy(logits[:, :2], targets[:, :2], smoothing=0.0)
    torch.testing.assert_close(with_pad, without)


def test_smoothing_raises_loss_of_confident_prediction():
    logits = torch.tensor([[[10.0, -10.0, -10.0]]])
    targets = torch.tensor([[0]])
    sharp = label_smoothed_cross_entropy(logits, targets, 0.0, ignore_index=-100)
    smooth = label_smoothed_cross_entropy(logits, targets, 0.1, ignore_index=-100)
    assert smooth > sharp


def test_token_accuracy_skips_padding():
    logits = torch.tensor([[[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]])
    assert token_accuracy(logits, torch.tensor([[1, 1, 0]])) == 0.5


def test_inverse_sqrt_peaks_at_warmup():
    factor = inverse_sqrt_schedule(512, 4000)
    values = [factor(step) for step in (1000, 4000, 16000)]
    assert values[1] > values[0]
    assert values[1] > values[2]
    assert values[1] == pytest.approx(512**-0.5 * 4000**-0.5)


def test_warmup_cosine_shape():
    factor = warmup_cosine_schedule(10, 110)
    assert factor(0) == pytest.approx(0.1)
    assert factor(9) == pytest.approx(1.0)
    assert factor(60) == pytest.approx(0.5)
    assert factor(110) == pytest.approx(0.0)


def test_warmup_cosine_rejects_bad_steps():
    with pytest.raises(ValueError, match="warmup_steps < total_steps"):
        warmup_cosine_schedule(10, 5)
