"""Boolean attention masks for the PyTorch tier.

Convention used everywhere in tinyformer: **True means "may attend"**. This is
the meaning of a boolean ``attn_mask`` in
``torch.nn.functional.scaled_dot_product_attention``, and the opposite of
``torch.nn.MultiheadAttention``, whose ``attn_mask`` and ``key_padding_mask``
mark with True the positions that are *not* allowed. Use
`to_torch_mha_mask` at that boundary.

Shapes:
    ``batch`` is the number of sequences, ``num_heads`` the number of heads,
    ``q_len`` the number of queries and ``k_len`` the number of keys. Masks
    broadcast against attention scores of shape
    ``(batch, num_heads, q_len, k_len)``.
"""

from __future__ import annotations

import torch

__all__ = [
    "causal_mask",
    "padding_mask",
    "key_padding_mask",
    "combine_masks",
    "to_torch_mha_mask",
]


# --8<-- [start:causal]
def causal_mask(
    q_len: int, k_len: int | None = None, device: torch.device | str | None = None
) -> torch.Tensor:
    """Return a causal mask aligned to the bottom-right corner.

    Query ``i`` sits at position ``k_len - q_len + i`` of the key sequence and
    may attend to every key up to and including that position. With
    ``q_len == k_len`` this is the usual lower-triangular mask; with fewer
    queries than keys (decoding with a key/value cache) the last query sees
    every key.

    Raises:
        TypeError: if a length is not an int.
        ValueError: if a length is not positive or ``q_len > k_len``.

    Shapes:
        output: ``(q_len, k_len)``, dtype ``torch.bool``.
    """
    k_len = q_len if k_len is None else k_len
    for name, value in (("q_len", q_len), ("k_len", k_len)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(
                f"{name} must be an int, got {value!r} ({type(value).__name__})"
            )
    if q_len < 1 or k_len < 1:
        raise ValueError(
            f"causal_mask needs positive lengths, got q_len={q_len}, k_len={k_len}"
        )
    if q_len > k_len:
        raise ValueError(
            f"causal_mask needs q_len <= k_len, got q_len={q_len} > k_len={k_len}; "
            "with a cache the keys include every query"
        )
    ones = torch.ones(q_len, k_len, dtype=torch.bool, device=device)
    return torch.tril(ones, diagonal=k_len - q_len)


# --8<-- [end:causal]


# --8<-- [start:padding]
def padding_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """Return True for real tokens and False for padding, from sequence lengths.

    Raises:
        ValueError: if ``lengths`` is not 1-D, holds a negative length, or a
            length exceeds ``max_len``.
        TypeError: if ``lengths`` is not an integer tensor.

    Shapes:
        lengths: ``(batch,)``; output: ``(batch, max_len)`` where ``max_len``
        defaults to the largest length.
    """
    if not isinstance(lengths, torch.Tensor) or lengths.is_floating_point():
        raise TypeError(
            f"lengths must be an integer tensor, got {type(lengths).__name__}"
            + (
                f" of dtype {lengths.dtype}"
                if isinstance(lengths, torch.Tensor)
                else ""
            )
        )
    if lengths.dim() != 1:
        raise ValueError(
            f"lengths must be 1-D (batch,), got shape {tuple(lengths.shape)}"
        )
    if lengths.numel() and int(lengths.min()) < 0:
        raise ValueError(f"lengths must be >= 0, got {lengths.tolist()}")
    longest = int(lengths.max()) if lengths.numel() else 0
    max_len = longest if max_len is None else max_len
    if longest > max_len:
        raise ValueError(
            f"a length of {longest} exceeds max_len={max_len}; raise max_len"
        )
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] < lengths[:, None]


def key_padding_mask(
    lengths_or_mask: torch.Tensor, max_len: int | None = None
) -> torch.Tensor:
    """Return a padding mask shaped to broadcast over heads and queries.

    Accepts either sequence lengths or a boolean ``(batch, k_len)`` tensor
    that is True for real tokens.

    Shapes:
        lengths_or_mask: ``(batch,)`` integer lengths or ``(batch, k_len)``
        booleans; output: ``(batch, 1, 1, k_len)``.
    """
    if lengths_or_mask.dtype == torch.bool:
        if lengths_or_mask.dim() != 2:
            raise ValueError(
                "a boolean key padding mask must be (batch, k_len), got shape "
                f"{tuple(lengths_or_mask.shape)}"
            )
        mask = lengths_or_mask
    else:
        mask = padding_mask(lengths_or_mask, max_len)
    return mask[:, None, None, :]


# --8<-- [end:padding]


def combine_masks(*masks: torch.Tensor | None) -> torch.Tensor | None:
    """Combine masks with logical AND; ``None`` entries are skipped.

    Returns ``None`` when every entry is ``None``.

    Shapes:
        each mask broadcastable to ``(batch, num_heads, q_len, k_len)``;
        output: their broadcast shape.
    """
    result = None
    for mask in masks:
        if mask is None:
            continue
        if mask.dtype != torch.bool:
            raise TypeError(f"masks must be torch.bool, got {mask.dtype}")
        result = mask if result is None else result & mask
    return result


def to_torch_mha_mask(mask: torch.Tensor) -> torch.Tensor:
    """Invert a tinyformer mask for ``torch.nn.MultiheadAttention``.

    ``nn.MultiheadAttention`` marks positions that may *not* be attended with
    True, in both ``attn_mask`` and ``key_padding_mask``.

    Shapes:
        mask: any shape; output: the same shape.
    """
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must be torch.bool, got {mask.dtype}")
    return ~mask
