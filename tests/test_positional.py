"""Sinusoidal, learned and rotary positions."""

import math

import pytest
import torch

from tinyformer.positional import (
    LearnedPositionalEmbedding,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
    sinusoidal_table,
)


def test_sinusoidal_odd_d_model_position_one():
    expected = torch.tensor(
        [0.841471, 0.540302, 0.025116, 0.999685, 0.000631], dtype=torch.float64
    )
    torch.testing.assert_close(
        sinusoidal_table(2, 5, dtype=torch.float64)[1], expected, atol=1e-6, rtol=0
    )


def test_sinusoidal_beyond_training_length():
    table = sinusoidal_table(3, 8, offset=100_000, dtype=torch.float64)
    full = sinusoidal_table(100_003, 8, dtype=torch.float64)[-3:]
    assert torch.isfinite(table).all()
    torch.testing.assert_close(table, full)


def test_sinusoidal_module_adds_table_with_offset():
    module = SinusoidalPositionalEncoding(6)
    x = torch.zeros(2, 3, 6)
    torch.testing.assert_close(module(x, offset=4)[0], sinusoidal_table(7, 6)[4:])


def test_sinusoidal_offset_is_linear_in_position():
    # PE(pos + k) is a fixed rotation of PE(pos) in each (sin, cos) pair.
    table = sinusoidal_table(20, 8, dtype=torch.float64)
    k = 3
    for pair in range(4):
        frequency = 1.0 / 10000 ** (2 * pair / 8)
        c, s = math.cos(k * frequency), math.sin(k * frequency)
        # Row vector [sin a, cos a] times this matrix gives [sin(a + b), cos(a + b)].
        rotation = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
        pairs = table[:, 2 * pair : 2 * pair + 2]
        torch.testing.assert_close(pairs[:-k] @ rotation, pairs[k:])


def test_learned_rejects_positions_past_max_len():
    module = LearnedPositionalEmbedding(4, 8)
    with pytest.raises(ValueError, match="max_len=4"):
        module(torch.zeros(1, 3, 8), offset=2)


def test_rotary_preserves_norm():
    rotary = RotaryEmbedding(8)
    x = torch.randn(2, 3, 5, 8, dtype=torch.float64)
    torch.testing.assert_close(rotary(x).norm(dim=-1), x.norm(dim=-1))


def test_rotary_scores_depend_on_offset_only():
    rotary = RotaryEmbedding(8)
    q = torch.randn(1, 1, 1, 8, dtype=torch.float64)
    k = torch.randn(1, 1, 1, 8, dtype=torch.float64)
    score_near = (rotary(q, offset=5) * rotary(k, offset=2)).sum()
    score_far = (rotary(q, offset=105) * rotary(k, offset=102)).sum()
    torch.testing.assert_close(score_near, score_far)


def test_rotary_rejects_odd_head_dim():
    with pytest.raises(ValueError, match="head_dim must be even"):
        RotaryEmbedding(7)
