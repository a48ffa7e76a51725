"""The NumPy reference tier against known values and against the PyTorch tier."""

import numpy as np
import pytest
import torch

from tinyformer import reference as R
from tinyformer.attention import scaled_dot_product_attention
from tinyformer.feedforward import PositionwiseFeedForward
from tinyformer.multihead import MultiHeadAttention
from tinyformer.positional import sinusoidal_table

RNG = np.random.default_rng(0)


def test_softmax_rows_sum_to_one():
    x = RNG.normal(size=(3, 7))
    np.testing.assert_allclose(R.softmax(x).sum(axis=-1), np.ones(3))


def test_softmax_finite_for_large_scores():
    x = np.array([[1e4, 1e4 - 1.0, -1e4]])
    result = R.softmax(x)
    assert np.all(np.isfinite(result))
    np.testing.assert_allclose(
        result[0, :2], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1))]
    )


def test_sinusoidal_odd_d_model_values():
    table = R.sinusoidal_positional_encoding(2, 5)
    expected = [0.841471, 0.540302, 0.025116, 0.999685, 0.000631]
    np.testing.assert_allclose(table[1], expected, atol=1e-6)


def test_sinusoidal_position_zero_alternates():
    table = R.sinusoidal_positional_encoding(1, 6)
    np.testing.assert_array_equal(table[0], [0, 1, 0, 1, 0, 1])


def test_attention_fully_masked_row_is_zero():
    q, k, v = (RNG.normal(size=(3, 4)) for _ in range(3))
    mask = np.array([[True, False, True], [False, False, False], [True, True, True]])
    output, weights = R.scaled_dot_product_attention(q, k, v, mask)
    np.testing.assert_array_equal(output[1], np.zeros(4))
    np.testing.assert_array_equal(weights[1], np.zeros(3))
    np.testing.assert_allclose(weights[[0, 2]].sum(axis=-1), [1.0, 1.0])


def test_causal_mask_is_lower_triangular():
    mask = R.causal_mask(3)
    assert mask.tolist() == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]


def test_split_merge_round_trip():
    x = RNG.normal(size=(2, 5, 12))
    heads = R.split_heads(x, 3)
    assert heads.shape == (2, 3, 5, 4)
    np.testing.assert_array_equal(R.merge_heads(heads), x)


@pytest.mark.parametrize("masked", [False, True])
def test_attention_matches_torch(masked):
    q, k, v = (RNG.normal(size=(2, 3, 5, 4)) for _ in range(3))
    mask = RNG.random((2, 1, 5, 5)) > 0.3 if masked else None
    expected, expected_weights = R.scaled_dot_product_attention(q, k, v, mask)
    torch_mask = torch.from_numpy(mask) if masked else None
    output, weights = scaled_dot_product_attention(
        *(torch.from_numpy(a) for a in (q, k, v)),
        mask=torch_mask,
        implementation="explicit",
        return_weights=True,
    )
    np.testing.assert_allclose(output.numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(weights.numpy(), expected_weights, atol=1e-6)


def test_multi_head_matches_module():
    torch.manual_seed(0)
    module = MultiHeadAttention(12, 3, bias=False).double()
    x = RNG.normal(size=(2, 5, 12))
    mask = R.causal_mask(5)
    # nn.Linear computes x @ weight.T, so the reference takes weight.T.
    w_q, w_k, w_v, w_o = (
        p.weight.detach().numpy().T
        for p in (module.q_proj, module.k_proj, module.v_proj, module.out_proj)
    )
    expected, expected_weights = R.multi_head_attention(
        x, x, w_q, w_k, w_v, w_o, 3, mask
    )
    output, weights = module(
        torch.from_numpy(x), mask=torch.from_numpy(mask), need_weights=True
    )
    np.testing.assert_allclose(output.detach().numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(weights.detach().numpy(), expected_weights, atol=1e-6)


def test_layer_norm_matches_torch():
    x = RNG.normal(size=(2, 5, 8))
    gamma, beta = RNG.normal(size=8), RNG.normal(size=8)
    norm = torch.nn.LayerNorm(8).double()
    with torch.no_grad():
        norm.weight.copy_(torch.from_numpy(gamma))
        norm.bias.copy_(torch.from_numpy(beta))
    expected = norm(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(R.layer_norm(x, gamma, beta), expected, atol=1e-6)


def test_feed_forward_matches_module():
    torch.manual_seed(0)
    module = PositionwiseFeedForward(8, 32).double()
    x = RNG.normal(size=(2, 5, 8))
    expected = module(torch.from_numpy(x)).detach().numpy()
    result = R.feed_forward(
        x,
        module.linear1.weight.detach().numpy().T,
        module.linear1.bias.detach().numpy(),
        module.linear2.weight.detach().numpy().T,
        module.linear2.bias.detach().numpy(),
    )
    np.testing.assert_allclose(result, expected, atol=1e-6)


@pytest.mark.parametrize("d_model", [4, 5, 16])
def test_sinusoidal_matches_torch(d_model):
    expected = R.sinusoidal_positional_encoding(50, d_model)
    result = sinusoidal_table(50, d_model, dtype=torch.float64).numpy()
    np.testing.assert_allclose(result, expected, atol=1e-6)
