"""Positional encodings: sinusoidal, learned and rotary.

Attention alone is permutation-equivariant: it cannot tell token order. Each
class here gives the model positions in a different way.

Shapes:
    ``batch`` is the number of sequences, ``num_heads`` the number of heads,
    ``seq_len`` the number of positions, ``d_model`` the model width and
    ``head_dim`` the width of one head.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "sinusoidal_table",
    "SinusoidalPositionalEncoding",
    "LearnedPositionalEmbedding",
    "RotaryEmbedding",
]


# --8<-- [start:sinusoidal-table]
def sinusoidal_table(
    seq_len: int,
    d_model: int,
    offset: int = 0,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Return rows ``offset .. offset + seq_len - 1`` of the sinusoidal table.

    Even columns hold sines and odd columns cosines of
    ``pos / 10000^(2i / d_model)`` (Vaswani et al. 2017, section 3.5). Angles
    are computed in float64, so any position works, including positions far
    beyond the lengths seen in training.

    Shapes:
        output: ``(seq_len, d_model)``.
    """
    positions = torch.arange(
        offset, offset + seq_len, dtype=torch.float64, device=device
    )
    even_dims = torch.arange(0, d_model, 2, dtype=torch.float64, device=device)
    # (seq_len, 1) / (ceil(d_model / 2),) -> (seq_len, ceil(d_model / 2))
    angles = positions[:, None] / torch.pow(10000.0, even_dims / d_model)
    table = torch.zeros(seq_len, d_model, dtype=torch.float64, device=device)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return table.to(dtype)


# --8<-- [end:sinusoidal-table]


class SinusoidalPositionalEncoding(nn.Module):
    """Add the fixed sinusoidal table to token embeddings.

    It has no parameters and no maximum length.

    Shapes:
        x: ``(batch, seq_len, d_model)``; output: the same.
    """

    def __init__(self, d_model: int) -> None:
        super().__init__()
        if d_model < 1:
            raise ValueError(f"d_model must be positive, got {d_model}")
        self.d_model = d_model

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Add the encodings of positions ``offset .. offset + seq_len - 1``."""
        if x.shape[-1] != self.d_model:
            raise ValueError(
                f"x must end in d_model={self.d_model}, got shape {tuple(x.shape)}"
            )
        table = sinusoidal_table(x.shape[-2], self.d_model, offset, x.device, x.dtype)
        return x + table


class LearnedPositionalEmbedding(nn.Module):
    """Add a trained vector per position (as in BERT and GPT-2).

    Positions at or beyond ``max_len`` have no vector and raise ``ValueError``.

    Shapes:
        x: ``(batch, seq_len, d_model)``; output: the same.
    """

    def __init__(self, max_len: int, d_model: int) -> None:
        super().__init__()
        if max_len < 1 or d_model < 1:
            raise ValueError(
                f"max_len and d_model must be positive, got {max_len} and {d_model}"
            )
        self.max_len = max_len
        self.embedding = nn.Embedding(max_len, d_model)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Add the embeddings of positions ``offset .. offset + seq_len - 1``."""
        end = offset + x.shape[-2]
        if end > self.max_len:
            raise ValueError(
                f"positions up to {end - 1} need max_len > {end - 1}, but this "
                f"embedding has max_len={self.max_len}; build the model with a "
                "larger max_len or use sinusoidal or rotary positions"
            )
        positions = torch.arange(offset, end, device=x.device)
        return x + self.embedding(positions)


class RotaryEmbedding(nn.Module):
    """Rotary position embedding (RoPE), Su et al. 2021, arXiv:2104.09864.

    Rotates each pair of features ``(2i, 2i + 1)`` of queries and keys by the
    angle ``pos * base^(-2i / head_dim)``. The dot product of a rotated query
    and key then depends only on their relative offset.

    Shapes:
        x: ``(batch, num_heads, seq_len, head_dim)``; output: the same.
    """

    def __init__(self, head_dim: int, base: float = 10000.0) -> None:
        super().__init__()
        if head_dim < 2 or head_dim % 2:
            raise ValueError(f"head_dim must be even and >= 2, got {head_dim}")
        self.head_dim = head_dim
        self.base = base

    # --8<-- [start:rotary-apply]
    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Rotate positions ``offset .. offset + seq_len - 1`` of ``x``."""
        if x.shape[-1] != self.head_dim:
            raise ValueError(
                f"x must end in head_dim={self.head_dim}, got shape {tuple(x.shape)}"
            )
        seq_len = x.shape[-2]
        # Angles in at least float32, and in float64 for float64 inputs.
        angle_dtype = torch.promote_types(x.dtype, torch.float32)
        pairs = torch.arange(0, self.head_dim, 2, dtype=angle_dtype, device=x.device)
        inv_freq = self.base ** (-pairs / self.head_dim)
        positions = torch.arange(
            offset, offset + seq_len, dtype=angle_dtype, device=x.device
        )
        # (seq_len, 1) * (head_dim / 2,) -> (seq_len, head_dim / 2)
        angles = positions[:, None] * inv_freq
        cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
        even, odd = x[..., 0::2], x[..., 1::2]
        rotated = torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1)
        # (..., head_dim / 2, 2) -> (..., head_dim), pairs back in place
        return rotated.flatten(-2)

    # --8<-- [end:rotary-apply]
