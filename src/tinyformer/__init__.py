"""tinyformer: a small, tested Transformer in NumPy and PyTorch.

The NumPy reference tier is :mod:`tinyformer.reference`; the PyTorch tier is
built up from :mod:`tinyformer.attention` to :mod:`tinyformer.models`.
"""

from tinyformer.attention import scaled_dot_product_attention
from tinyformer.cache import DecoderCache, KVCache, LayerCache
from tinyformer.feedforward import PositionwiseFeedForward
from tinyformer.layers import DecoderLayer, EncoderLayer
from tinyformer.masks import (
    causal_mask,
    combine_masks,
    key_padding_mask,
    padding_mask,
    to_torch_mha_mask,
)
from tinyformer.multihead import MultiHeadAttention
from tinyformer.positional import (
    LearnedPositionalEmbedding,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
)

__version__ = "0.1.0"

__all__ = [
    "DecoderCache",
    "DecoderLayer",
    "EncoderLayer",
    "KVCache",
    "LayerCache",
    "LearnedPositionalEmbedding",
    "MultiHeadAttention",
    "PositionwiseFeedForward",
    "RotaryEmbedding",
    "SinusoidalPositionalEncoding",
    "causal_mask",
    "combine_masks",
    "key_padding_mask",
    "padding_mask",
    "scaled_dot_product_attention",
    "to_torch_mha_mask",
]
