"""Multi-head attention (Vaswani et al. 2017, section 3.2.2).

Shapes:
    ``batch`` is the number of sequences, ``num_heads`` the number of heads,
    ``q_len`` the number of queries, ``k_len`` the number of keys and values,
    ``d_model`` the model width and ``head_dim = d_model // num_heads``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tinyformer.attention import IMPLEMENTATIONS, scaled_dot_product_attention
from tinyformer.cache import KVCache
from tinyformer.positional import RotaryEmbedding

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(nn.Module):
    """Project queries, keys and values, attend in each head, then merge.

    Self-attention passes only ``query``; cross-attention also passes ``key``
    (and ``value``, which defaults to ``key``). The four projections are
    ``q_proj``, ``k_proj``, ``v_proj`` and ``out_proj``, each
    ``nn.Linear(d_model, d_model)``.

    Args:
        d_model: model width; must be divisible by ``num_heads``.
        num_heads: number of heads.
        dropout: dropout on the attention weights, active in training only.
        bias: whether the projections have biases.
        implementation: ``"fast"`` or ``"explicit"``, see
            `tinyformer.attention.scaled_dot_product_attention`. A call
            with ``need_weights=True`` always uses the explicit path.

    Shapes:
        query: ``(batch, q_len, d_model)``; key, value: ``(batch, k_len,
        d_model)``; mask: boolean, broadcastable to ``(batch, num_heads, q_len,
        k_len)``, True = may attend; output: ``(batch, q_len, d_model)``;
        weights: ``(batch, num_heads, q_len, k_len)``, one matrix per head.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        implementation: str = "fast",
    ) -> None:
        super().__init__()
        for name, value in (("d_model", d_model), ("num_heads", num_heads)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(
                    f"{name} must be an int, got {value!r} ({type(value).__name__})"
                )
        if d_model < 1 or num_heads < 1:
            raise ValueError(
                "d_model and num_heads must be positive, "
                f"got d_model={d_model}, num_heads={num_heads}"
            )
        if d_model % num_heads:
            raise ValueError(
                f"d_model={d_model} is not divisible by num_heads={num_heads}; "
                "choose num_heads that divides d_model"
            )
        if implementation not in IMPLEMENTATIONS:
            raise ValueError(
                f"implementation must be one of {IMPLEMENTATIONS}, got {implementation!r}"
            )
        self.d_model = d_model
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.dropout = dropout
        self.implementation = implementation
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq_len, _ = x.shape
        # (batch, seq_len, d_model) -> (batch, num_heads, seq_len, head_dim)
        return x.view(batch, seq_len, self.num_heads, self.head_dim).transpose(1, 2)

    def _can_fuse_projections(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        cache: KVCache | None,
    ) -> bool:
        biases = (self.q_proj.bias, self.k_proj.bias, self.v_proj.bias)
        same_bias = all(b is None for b in biases) or all(b is not None for b in biases)
        static = cache is not None and cache.static
        return key is query and value is query and not static and same_bias

    def _project_self_attention(
        self,
        query: torch.Tensor,
        cache: KVCache | None,
        rotary: RotaryEmbedding | None,
        offset: int,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Project queries, keys and values of self-attention with one matmul.

        Gives the same q, k and v as the mha-project steps in `forward`,
        but stacks the three weights into one ``(3 * d_model, d_model)``
        matrix, as ``nn.MultiheadAttention`` does: one larger matmul runs
        faster than three small ones. The parameters stay ``q_proj``,
        ``k_proj`` and ``v_proj``, so state dicts are unchanged.
        """
        weight = torch.cat([self.q_proj.weight, self.k_proj.weight, self.v_proj.weight])
        bias = None
        if self.q_proj.bias is not None:
            bias = torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias])
        # (batch, seq_len, 3 * d_model) -> 3 x (batch, seq_len, d_model)
        q, k, v = F.linear(query, weight, bias).chunk(3, dim=-1)
        q, k, v = self._split(q), self._split(k), self._split(v)
        if rotary is not None:
            q = rotary(q, offset=offset)
            k = rotary(k, offset=offset)
        if cache is not None:
            k, v = cache.update(k, v)
        return q, k, v

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor | None = None,
        value: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        is_causal: bool = False,
        need_weights: bool = False,
        cache: KVCache | None = None,
        rotary: RotaryEmbedding | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend from ``query`` to ``key``/``value`` and return ``(output, weights)``.

        Args:
            query: the sequence whose positions attend.
            key: the sequence attended to; defaults to ``query``.
            value: defaults to ``key``.
            mask: boolean mask, True = may attend.
            is_causal: add a causal mask, aligned to the bottom-right corner so
                that it stays right when ``cache`` holds earlier positions.
            need_weights: return per-head attention weights (else ``None``).
            cache: keys and values of earlier calls. A self-attention cache
                grows by ``q_len`` each call; a static cache (cross-attention)
                projects ``key`` once and reuses it.
            rotary: rotary embedding applied to queries and keys, with
                positions offset by the cache length.
        """
        if query.dim() != 3 or query.shape[-1] != self.d_model:
            raise ValueError(
                f"query must be (batch, q_len, d_model={self.d_model}), "
                f"got shape {tuple(query.shape)}"
            )
        key = query if key is None else key
        value = key if value is None else value
        offset = cache.length if cache is not None and not cache.static else 0

        if self._can_fuse_projections(query, key, value, cache):
            q, k, v = self._project_self_attention(query, cache, rotary, offset)
        else:
            # --8<-- [start:mha-project]
            q = self._split(self.q_proj(query))
            if cache is not None and cache.static and cache.keys is not None:
                k, v = cache.keys, cache.values
            else:
                k = self._split(self.k_proj(key))
                v = self._split(self.v_proj(value))
                if rotary is not None:
                    k = rotary(k, offset=offset)
                if cache is not None:
                    k, v = cache.update(k, v)
            if rotary is not None:
                q = rotary(q, offset=offset)
            # --8<-- [end:mha-project]

        # --8<-- [start:mha-attend]
        dropout_p = self.dropout if self.training else 0.0
        implementation = "explicit" if need_weights else self.implementation
        result = scaled_dot_product_attention(
            q,
            k,
            v,
            mask=mask,
            dropout_p=dropout_p,
            is_causal=is_causal,
            implementation=implementation,
            return_weights=need_weights,
        )
        heads, weights = result if need_weights else (result, None)
        # --8<-- [end:mha-attend]

        # --8<-- [start:mha-merge]
        batch, _, q_len, _ = heads.shape
        # (batch, num_heads, q_len, head_dim) -> (batch, q_len, d_model)
        merged = heads.transpose(1, 2).reshape(batch, q_len, self.d_model)
        return self.out_proj(merged), weights
        # --8<-- [end:mha-merge]
