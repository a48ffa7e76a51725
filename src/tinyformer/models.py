"""Whole models: an encoder-decoder Transformer and a decoder-only language model.

Shapes:
    ``batch`` is the number of sequences, ``src_len`` and ``tgt_len`` the
    source and target lengths, ``seq_len`` a decoder-only model's input
    length, ``d_model`` the width, ``num_heads`` the number of heads,
    ``vocab_size`` the number of token ids.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from tinyformer.cache import DecoderCache
from tinyformer.feedforward import ACTIVATIONS
from tinyformer.layers import DecoderLayer, EncoderLayer
from tinyformer.masks import key_padding_mask
from tinyformer.positional import (
    LearnedPositionalEmbedding,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
)

__all__ = [
    "TransformerConfig",
    "Transformer",
    "DecoderOnlyConfig",
    "DecoderOnlyLM",
    "ModelOutput",
]

POSITIONAL_KINDS = ("sinusoidal", "learned", "rotary")


def _check_common(config: TransformerConfig | DecoderOnlyConfig) -> None:
    name = type(config).__name__
    for field_name in ("d_model", "num_heads", "d_ff", "max_len"):
        value = getattr(config, field_name)
        if not isinstance(value, int) or value < 1:
            raise ValueError(
                f"{name}.{field_name} must be a positive int, got {value!r}"
            )
    if config.d_model % config.num_heads:
        raise ValueError(
            f"{name}.d_model={config.d_model} is not divisible by "
            f"num_heads={config.num_heads}; choose num_heads that divides d_model"
        )
    if not 0.0 <= config.dropout < 1.0:
        raise ValueError(f"{name}.dropout must be in [0, 1), got {config.dropout}")
    if config.activation not in ACTIVATIONS:
        raise ValueError(
            f"{name}.activation must be one of {ACTIVATIONS}, got {config.activation!r}"
        )
    if config.positional not in POSITIONAL_KINDS:
        raise ValueError(
            f"{name}.positional must be one of {POSITIONAL_KINDS}, "
            f"got {config.positional!r}"
        )
    if config.positional == "rotary" and (config.d_model // config.num_heads) % 2:
        raise ValueError(
            f"{name}: rotary positions need an even head_dim, got "
            f"d_model // num_heads = {config.d_model // config.num_heads}"
        )


class ConfigMixin:
    """Conversion of a dataclass configuration to and from a JSON-ready dict."""

    def to_dict(self) -> dict:
        """Return the configuration as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict):
        """Build a configuration from `to_dict` output, rejecting unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown {cls.__name__} keys {unknown}; expected {sorted(known)}"
            )
        return cls(**values)


@dataclass
class TransformerConfig(ConfigMixin):
    """Hyperparameters of the encoder-decoder `Transformer`.

    The defaults are the base model of Vaswani et al. 2017 (table 3); see
    `base`. Token ids ``pad_id``, ``bos_id`` and ``eos_id`` are shared by
    the source and target vocabularies.
    """

    src_vocab_size: int
    tgt_vocab_size: int
    d_model: int = 512
    num_heads: int = 8
    d_ff: int = 2048
    num_encoder_layers: int = 6
    num_decoder_layers: int = 6
    dropout: float = 0.1
    activation: str = "relu"
    norm_first: bool = False
    layer_norm_eps: float = 1e-5
    positional: str = "sinusoidal"
    max_len: int = 512
    tie_embeddings: bool = True
    pad_id: int = 0
    bos_id: int = 1
    eos_id: int = 2

    def __post_init__(self) -> None:
        _check_common(self)
        for field_name in ("src_vocab_size", "tgt_vocab_size"):
            value = getattr(self, field_name)
            if not isinstance(value, int) or value < 3:
                raise ValueError(
                    f"TransformerConfig.{field_name} must be an int >= 3 (pad, bos "
                    f"and eos need ids), got {value!r}"
                )
        special = {"pad_id": self.pad_id, "bos_id": self.bos_id, "eos_id": self.eos_id}
        smallest_vocab = min(self.src_vocab_size, self.tgt_vocab_size)
        for field_name, value in special.items():
            if not isinstance(value, int) or not 0 <= value < smallest_vocab:
                raise ValueError(
                    f"TransformerConfig.{field_name}={value!r} must be an int in "
                    f"[0, {smallest_vocab}), the smaller vocabulary size"
                )
        if len(set(special.values())) != 3:
            raise ValueError(
                f"TransformerConfig needs distinct pad, bos and eos ids, got {special}"
            )
        if self.positional == "rotary":
            raise ValueError(
                "TransformerConfig.positional='rotary' is not supported in the "
                "encoder-decoder model; use 'sinusoidal' or 'learned'"
            )

    @classmethod
    def base(cls, src_vocab_size: int, tgt_vocab_size: int) -> TransformerConfig:
        """Return the base configuration of Vaswani et al. 2017.

        d_model 512, 8 heads, d_ff 2048, 6 encoder and 6 decoder layers,
        dropout 0.1, post-LN, sinusoidal positions.
        """
        return cls(src_vocab_size=src_vocab_size, tgt_vocab_size=tgt_vocab_size)


@dataclass
class ModelOutput:
    """Logits and, when asked for, every layer's attention weights.

    Shapes:
        logits: ``(batch, tgt_len, vocab_size)``; each entry of the weight
        lists: ``(batch, num_heads, q_len, k_len)``, one per layer.
    """

    logits: torch.Tensor
    encoder_weights: list[torch.Tensor] | None = None
    self_weights: list[torch.Tensor] | None = None
    cross_weights: list[torch.Tensor] | None = None


def _make_positional(config: TransformerConfig | DecoderOnlyConfig) -> nn.Module | None:
    if config.positional == "sinusoidal":
        return SinusoidalPositionalEncoding(config.d_model)
    if config.positional == "learned":
        return LearnedPositionalEmbedding(config.max_len, config.d_model)
    return None


def _check_tokens(tokens: torch.Tensor, name: str, vocab_size: int) -> None:
    if not isinstance(tokens, torch.Tensor) or tokens.dtype not in (
        torch.int64,
        torch.int32,
    ):
        got = (
            tokens.dtype if isinstance(tokens, torch.Tensor) else type(tokens).__name__
        )
        raise TypeError(f"{name} must be an int64 tensor of token ids, got {got}")
    if tokens.dim() != 2:
        raise ValueError(
            f"{name} must be (batch, seq_len), got shape {tuple(tokens.shape)}"
        )
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= vocab_size):
        raise ValueError(
            f"{name} contains ids outside [0, {vocab_size}): min {int(tokens.min())}, "
            f"max {int(tokens.max())}"
        )


class Transformer(nn.Module):
    """The encoder-decoder Transformer of Vaswani et al. 2017.

    Embeddings are scaled by ``sqrt(d_model)`` (section 3.4) before positions
    are added. With ``tie_embeddings`` the output projection shares its
    weight with the target embedding. Padding masks come from ``pad_id``.

    Shapes:
        src: ``(batch, src_len)`` token ids; tgt: ``(batch, tgt_len)`` token
        ids (the decoder input, starting with ``bos_id``); logits:
        ``(batch, tgt_len, tgt_vocab_size)``.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.src_embed = nn.Embedding(c.src_vocab_size, c.d_model)
        self.tgt_embed = nn.Embedding(c.tgt_vocab_size, c.d_model)
        self.src_positional = _make_positional(c)
        self.tgt_positional = _make_positional(c)
        self.dropout = nn.Dropout(c.dropout)
        layer_args = dict(
            d_model=c.d_model,
            num_heads=c.num_heads,
            d_ff=c.d_ff,
            dropout=c.dropout,
            activation=c.activation,
            norm_first=c.norm_first,
            layer_norm_eps=c.layer_norm_eps,
        )
        self.encoder_layers = nn.ModuleList(
            EncoderLayer(**layer_args) for _ in range(c.num_encoder_layers)
        )
        self.decoder_layers = nn.ModuleList(
            DecoderLayer(**layer_args) for _ in range(c.num_decoder_layers)
        )
        # Pre-LN stacks end with a LayerNorm; post-LN layers already end in one.
        self.encoder_norm = (
            nn.LayerNorm(c.d_model, eps=c.layer_norm_eps)
            if c.norm_first
            else nn.Identity()
        )
        self.decoder_norm = (
            nn.LayerNorm(c.d_model, eps=c.layer_norm_eps)
            if c.norm_first
            else nn.Identity()
        )
        self.output = nn.Linear(c.d_model, c.tgt_vocab_size, bias=False)
        if c.tie_embeddings:
            self.output.weight = self.tgt_embed.weight
        self._init_weights()

    def _init_weights(self) -> None:
        for name, param in self.named_parameters():
            if param.dim() > 1:
                nn.init.xavier_uniform_(param)
            elif name.endswith("bias"):
                nn.init.zeros_(param)

    def _embed(
        self,
        tokens: torch.Tensor,
        embed: nn.Embedding,
        positional: nn.Module,
        offset: int,
    ) -> torch.Tensor:
        x = embed(tokens) * math.sqrt(self.config.d_model)
        return self.dropout(positional(x, offset=offset))

    def source_mask(self, src: torch.Tensor) -> torch.Tensor:
        """Return the key padding mask of ``src``, True for real tokens.

        Shapes:
            src: ``(batch, src_len)``; output: ``(batch, 1, 1, src_len)``.
        """
        return key_padding_mask(src != self.config.pad_id)

    def encode(
        self, src: torch.Tensor, need_weights: bool = False
    ) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
        """Run the encoder and return ``(memory, per-layer weights or None)``.

        Shapes:
            src: ``(batch, src_len)``; memory: ``(batch, src_len, d_model)``.
        """
        _check_tokens(src, "src", self.config.src_vocab_size)
        if src.shape[1] == 0:
            raise ValueError(
                "src has no tokens (shape (batch, 0)); pass at least one token per sequence"
            )
        mask = self.source_mask(src)
        x = self._embed(src, self.src_embed, self.src_positional, 0)
        weights = [] if need_weights else None
        for layer in self.encoder_layers:
            x, layer_weights = layer(x, mask=mask, need_weights=need_weights)
            if need_weights:
                weights.append(layer_weights)
        return self.encoder_norm(x), weights

    def decode(
        self,
        tgt: torch.Tensor,
        memory: torch.Tensor,
        src_mask: torch.Tensor,
        cache: DecoderCache | None = None,
        need_weights: bool = False,
    ) -> ModelOutput:
        """Run the decoder over ``tgt`` and return its logits.

        With ``cache``, ``tgt`` holds only the new positions and earlier
        positions come from the cache.

        Shapes:
            tgt: ``(batch, tgt_len)``; memory: ``(batch, src_len, d_model)``;
            src_mask: ``(batch, 1, 1, src_len)``; logits: ``(batch, tgt_len,
            tgt_vocab_size)``.
        """
        _check_tokens(tgt, "tgt", self.config.tgt_vocab_size)
        # A filled cross-attention cache replaces memory, which is then unused.
        memory_used = (
            cache is None or not cache.layers or cache.layers[0].cross_attn.keys is None
        )
        if memory_used and memory.shape[0] != tgt.shape[0]:
            raise ValueError(
                f"tgt has batch size {tgt.shape[0]} but memory has {memory.shape[0]}; "
                "pass one target sequence per source sequence"
            )
        offset = cache.length if cache is not None else 0
        x = self._embed(tgt, self.tgt_embed, self.tgt_positional, offset)
        self_weights = [] if need_weights else None
        cross_weights = [] if need_weights else None
        for i, layer in enumerate(self.decoder_layers):
            x, sw, cw = layer(
                x,
                memory,
                memory_mask=src_mask,
                is_causal=True,
                need_weights=need_weights,
                cache=cache.layers[i] if cache is not None else None,
            )
            if need_weights:
                self_weights.append(sw)
                cross_weights.append(cw)
        logits = self.output(self.decoder_norm(x))
        return ModelOutput(logits, None, self_weights, cross_weights)

    def new_cache(self) -> DecoderCache:
        """Return an empty cache for incremental decoding with `decode`."""
        return DecoderCache.empty(len(self.decoder_layers))

    def forward(
        self, src: torch.Tensor, tgt: torch.Tensor, need_weights: bool = False
    ) -> ModelOutput:
        """Encode ``src`` and decode ``tgt`` with teacher forcing."""
        memory, encoder_weights = self.encode(src, need_weights=need_weights)
        output = self.decode(
            tgt, memory, self.source_mask(src), need_weights=need_weights
        )
        output.encoder_weights = encoder_weights
        return output


@dataclass
class DecoderOnlyConfig(ConfigMixin):
    """Hyperparameters of `DecoderOnlyLM`, a GPT-style language model.

    The defaults are pre-LN with GELU and learned positions, as in GPT-2
    (Radford et al. 2019), at a size that trains on a CPU.
    """

    vocab_size: int
    d_model: int = 256
    num_heads: int = 4
    d_ff: int = 1024
    num_layers: int = 4
    dropout: float = 0.1
    activation: str = "gelu"
    norm_first: bool = True
    layer_norm_eps: float = 1e-5
    positional: str = "learned"
    max_len: int = 1024

    def __post_init__(self) -> None:
        _check_common(self)
        if not isinstance(self.vocab_size, int) or self.vocab_size < 1:
            raise ValueError(
                f"DecoderOnlyConfig.vocab_size must be a positive int, got {self.vocab_size!r}"
            )


class DecoderOnlyLM(nn.Module):
    """A decoder-only language model with tied input and output embeddings.

    Each position predicts the next token. ``positional`` chooses learned,
    sinusoidal or rotary positions; rotary positions are applied inside each
    attention layer instead of being added to the embeddings.

    Shapes:
        tokens: ``(batch, seq_len)``; logits: ``(batch, seq_len, vocab_size)``.
        With a cache, ``seq_len`` counts only the new tokens.
    """

    def __init__(self, config: DecoderOnlyConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.embed = nn.Embedding(c.vocab_size, c.d_model)
        self.positional = _make_positional(c)
        self.rotary = (
            RotaryEmbedding(c.d_model // c.num_heads)
            if c.positional == "rotary"
            else None
        )
        self.dropout = nn.Dropout(c.dropout)
        self.layers = nn.ModuleList(
            DecoderLayer(
                c.d_model,
                c.num_heads,
                c.d_ff,
                dropout=c.dropout,
                activation=c.activation,
                norm_first=c.norm_first,
                layer_norm_eps=c.layer_norm_eps,
                cross_attention=False,
            )
            for _ in range(c.num_layers)
        )
        self.final_norm = (
            nn.LayerNorm(c.d_model, eps=c.layer_norm_eps)
            if c.norm_first
            else nn.Identity()
        )
        self.lm_head = nn.Linear(c.d_model, c.vocab_size, bias=False)
        self.lm_head.weight = self.embed.weight
        self._init_weights()

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def new_cache(self) -> DecoderCache:
        """Return an empty cache for incremental decoding."""
        return DecoderCache.empty(len(self.layers))

    def forward(
        self,
        tokens: torch.Tensor,
        cache: DecoderCache | None = None,
        need_weights: bool = False,
    ) -> ModelOutput:
        """Return next-token logits for every position of ``tokens``."""
        _check_tokens(tokens, "tokens", self.config.vocab_size)
        offset = cache.length if cache is not None else 0
        if offset + tokens.shape[1] > self.config.max_len:
            raise ValueError(
                f"sequence of {offset + tokens.shape[1]} tokens exceeds "
                f"max_len={self.config.max_len}; shorten it or raise max_len"
            )
        x = self.embed(tokens)
        if self.positional is not None:
            x = self.positional(x, offset=offset)
        x = self.dropout(x)
        weights = [] if need_weights else None
        for i, layer in enumerate(self.layers):
            x, layer_weights, _ = layer(
                x,
                is_causal=True,
                need_weights=need_weights,
                cache=cache.layers[i] if cache is not None else None,
                rotary=self.rotary,
            )
            if need_weights:
                weights.append(layer_weights)
        logits = self.lm_head(self.final_norm(x))
        return ModelOutput(logits, None, weights, None)
