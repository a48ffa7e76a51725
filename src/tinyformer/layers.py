"""Encoder and decoder layers, in post-LN and pre-LN arrangements.

Post-LN (``norm_first=False``) is the arrangement of Vaswani et al. 2017 and
BERT: ``x = norm(x + sublayer(x))``. Pre-LN (``norm_first=True``) normalises
the sublayer's input instead, ``x = x + sublayer(norm(x))``, which trains
more stably without learning-rate warmup (Xiong et al. 2020,
arXiv:2002.04745) and is what GPT-2 and most later decoders use.

Shapes:
    ``batch`` is the number of sequences, ``num_heads`` the number of heads,
    ``seq_len`` the number of positions (``tgt_len`` in the decoder,
    ``src_len`` in the encoder output it reads) and ``d_model`` the width.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from tinyformer.cache import LayerCache
from tinyformer.feedforward import PositionwiseFeedForward
from tinyformer.multihead import MultiHeadAttention
from tinyformer.positional import RotaryEmbedding

__all__ = ["EncoderLayer", "DecoderLayer"]


def _residual(
    x: torch.Tensor,
    sublayer: Callable[[torch.Tensor], torch.Tensor],
    norm: nn.LayerNorm,
    dropout: nn.Dropout,
    norm_first: bool,
) -> torch.Tensor:
    if norm_first:
        return x + dropout(sublayer(norm(x)))
    return norm(x + dropout(sublayer(x)))


class EncoderLayer(nn.Module):
    """Self-attention then a feed-forward network, each with a residual connection.

    Submodules: ``self_attn``, ``norm1``, ``feed_forward``, ``norm2``.

    Shapes:
        x: ``(batch, seq_len, d_model)``; mask: boolean, broadcastable to
        ``(batch, num_heads, seq_len, seq_len)``, True = may attend; output:
        ``(batch, seq_len, d_model)``; weights: ``(batch, num_heads, seq_len,
        seq_len)``.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        d_ff: int,
        dropout: float = 0.1,
        activation: str = "relu",
        norm_first: bool = False,
        layer_norm_eps: float = 1e-5,
        implementation: str = "fast",
    ) -> None:
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(
            d_model, num_heads, dropout=dropout, implementation=implementation
        )
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout, activation)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout = nn.Dropout(dropout)

    # --8<-- [start:encoder-layer-forward]
    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        need_weights: bool = False,
        rotary: RotaryEmbedding | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return the layer's output and, if asked, its attention weights."""
        weights = None

        def attend(h: torch.Tensor) -> torch.Tensor:
            nonlocal weights
            out, weights = self.self_attn(
                h, mask=mask, need_weights=need_weights, rotary=rotary
            )
            return out

        x = _residual(x, attend, self.norm1, self.dropout, self.norm_first)
        x = _residual(x, self.feed_forward, self.norm2, self.dropout, self.norm_first)
        return x, weights

    # --8<-- [end:encoder-layer-forward]


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder, then a feed-forward network.

    Submodules: ``self_attn``, ``norm1``, ``cross_attn``, ``norm2``,
    ``feed_forward``, ``norm3``. With ``cross_attention=False`` (a
    decoder-only model) ``cross_attn`` and ``norm2`` are ``None``.

    Shapes:
        x: ``(batch, tgt_len, d_model)``; memory: ``(batch, src_len,
        d_model)``; self_mask: broadcastable to ``(batch, num_heads, tgt_len,
        tgt_len)``; memory_mask: broadcastable to ``(batch, num_heads,
        tgt_len, src_len)``; output: ``(batch, tgt_len, d_model)``. With a
        cache, ``tgt_len`` is the number of new positions and the self-attention
        keys cover every position so far.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        d_ff: int,
        dropout: float = 0.1,
        activation: str = "relu",
        norm_first: bool = False,
        layer_norm_eps: float = 1e-5,
        cross_attention: bool = True,
        implementation: str = "fast",
    ) -> None:
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(
            d_model, num_heads, dropout=dropout, implementation=implementation
        )
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.cross_attn: MultiHeadAttention | None = None
        self.norm2: nn.LayerNorm | None = None
        if cross_attention:
            self.cross_attn = MultiHeadAttention(
                d_model, num_heads, dropout=dropout, implementation=implementation
            )
            self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout, activation)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout = nn.Dropout(dropout)

    # --8<-- [start:decoder-layer-forward]
    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor | None = None,
        self_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
        is_causal: bool = True,
        need_weights: bool = False,
        cache: LayerCache | None = None,
        rotary: RotaryEmbedding | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """Return ``(output, self-attention weights, cross-attention weights)``.

        The weights are ``None`` unless ``need_weights`` is True.
        """
        self_weights = cross_weights = None

        def attend_self(h: torch.Tensor) -> torch.Tensor:
            nonlocal self_weights
            out, self_weights = self.self_attn(
                h,
                mask=self_mask,
                is_causal=is_causal,
                need_weights=need_weights,
                cache=cache.self_attn if cache is not None else None,
                rotary=rotary,
            )
            return out

        def attend_memory(h: torch.Tensor) -> torch.Tensor:
            nonlocal cross_weights
            out, cross_weights = self.cross_attn(
                h,
                memory,
                mask=memory_mask,
                need_weights=need_weights,
                cache=cache.cross_attn if cache is not None else None,
            )
            return out

        x = _residual(x, attend_self, self.norm1, self.dropout, self.norm_first)
        if self.cross_attn is not None:
            if memory is None:
                raise ValueError(
                    "this DecoderLayer has cross-attention, so memory (the encoder "
                    "output) is required"
                )
            x = _residual(x, attend_memory, self.norm2, self.dropout, self.norm_first)
        x = _residual(x, self.feed_forward, self.norm3, self.dropout, self.norm_first)
        return x, self_weights, cross_weights

    # --8<-- [end:decoder-layer-forward]
