"""tinyformer: a small, tested Transformer in NumPy and PyTorch.

The NumPy reference tier is `tinyformer.reference`; the PyTorch tier is
built up from `tinyformer.attention` to `tinyformer.models`.
"""

from tinyformer.attention import scaled_dot_product_attention
from tinyformer.cache import DecoderCache, KVCache, LayerCache
from tinyformer.checkpoint import load_model, save_model
from tinyformer.decoding import beam_search, generate, greedy_decode, sample_next
from tinyformer.device import autocast_context, default_device
from tinyformer.feedforward import PositionwiseFeedForward
from tinyformer.layers import DecoderLayer, EncoderLayer
from tinyformer.masks import (
    causal_mask,
    combine_masks,
    key_padding_mask,
    padding_mask,
    to_torch_mha_mask,
)
from tinyformer.models import (
    DecoderOnlyConfig,
    DecoderOnlyLM,
    ModelOutput,
    Transformer,
    TransformerConfig,
)
from tinyformer.multihead import MultiHeadAttention
from tinyformer.positional import (
    LearnedPositionalEmbedding,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
)
from tinyformer.translation import Translator, translator

__version__ = "0.1.0"

__all__ = [
    "DecoderOnlyConfig",
    "DecoderOnlyLM",
    "ModelOutput",
    "Transformer",
    "TransformerConfig",
    "autocast_context",
    "beam_search",
    "default_device",
    "generate",
    "greedy_decode",
    "load_model",
    "sample_next",
    "save_model",
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
    "Translator",
    "translator",
]
