"""Key/value caches for incremental decoding.

During generation a decoder sees one new token per step. Its keys and values
for earlier tokens do not change, so each attention layer stores them and only
projects the new token. Cross-attention keys and values come from the encoder
output, which is fixed, so they are computed once.

Shapes:
    ``batch`` is the number of sequences (or beams), ``num_heads`` the number
    of heads, ``seq_len`` the number of cached positions and ``head_dim`` the
    width of one head.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

__all__ = ["KVCache", "LayerCache", "DecoderCache"]


@dataclass
class KVCache:
    """Keys and values of one attention layer.

    A cache with ``static=True`` contains cross-attention keys and values, which
    are set once and reused; otherwise each call appends the new positions.

    Shapes:
        keys, values: ``(batch, num_heads, seq_len, head_dim)``.
    """

    keys: torch.Tensor | None = None
    values: torch.Tensor | None = None
    static: bool = False

    @property
    def length(self) -> int:
        """Number of cached positions."""
        return 0 if self.keys is None else self.keys.shape[-2]

    # --8<-- [start:kv-cache-update]
    def update(
        self, keys: torch.Tensor, values: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Store new keys and values and return everything cached so far.

        Shapes:
            keys, values: ``(batch, num_heads, new_len, head_dim)``; the
            returned tensors have ``seq_len + new_len`` positions.
        """
        if self.keys is None or self.static:
            self.keys, self.values = keys, values
        else:
            self.keys = torch.cat([self.keys, keys], dim=-2)
            self.values = torch.cat([self.values, values], dim=-2)
        return self.keys, self.values

    # --8<-- [end:kv-cache-update]

    def reorder(self, indices: torch.Tensor) -> None:
        """Keep the batch rows named by ``indices``, in that order (beam search).

        Shapes:
            indices: ``(new_batch,)`` integer positions into ``batch``.
        """
        if self.keys is not None:
            self.keys = self.keys.index_select(0, indices)
            self.values = self.values.index_select(0, indices)


@dataclass
class LayerCache:
    """The caches of one decoder layer: self-attention and cross-attention.

    Shapes:
        each cache contains ``(batch, num_heads, seq_len, head_dim)`` keys and
        values; ``seq_len`` grows in ``self_attn`` and is the source length in
        ``cross_attn``.
    """

    self_attn: KVCache = field(default_factory=KVCache)
    cross_attn: KVCache = field(default_factory=lambda: KVCache(static=True))

    def reorder(self, indices: torch.Tensor) -> None:
        """Reorder both caches along the batch dimension."""
        self.self_attn.reorder(indices)
        self.cross_attn.reorder(indices)


@dataclass
class DecoderCache:
    """The caches of every decoder layer, plus how many positions they hold.

    Shapes:
        every layer's keys and values are ``(batch, num_heads, seq_len,
        head_dim)``, with the same ``batch`` and ``seq_len`` in every layer.
    """

    layers: list[LayerCache]

    @classmethod
    def empty(cls, num_layers: int) -> DecoderCache:
        """Return a cache with one empty `LayerCache` per layer."""
        return cls([LayerCache() for _ in range(num_layers)])

    @property
    def length(self) -> int:
        """Number of positions already decoded, which is the next position."""
        return self.layers[0].self_attn.length if self.layers else 0

    def reorder(self, indices: torch.Tensor) -> None:
        """Reorder every layer's caches along the batch dimension."""
        for layer in self.layers:
            layer.reorder(indices)
