"""The position-wise feed-forward network of a Transformer layer.

Shapes:
    ``batch`` is the number of sequences, ``seq_len`` the number of positions,
    ``d_model`` the model width and ``d_ff`` the hidden width.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["PositionwiseFeedForward", "ACTIVATIONS"]

ACTIVATIONS = ("relu", "gelu")


def make_activation(name: str) -> nn.Module:
    """Return the activation module for ``"relu"`` or ``"gelu"`` (exact erf form)."""
    if name == "relu":
        return nn.ReLU()
    if name == "gelu":
        return nn.GELU()
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")


class PositionwiseFeedForward(nn.Module):
    """Two linear maps with an activation between, applied at every position.

    Vaswani et al. 2017 (section 3.3) use ReLU and ``d_ff = 4 * d_model``;
    BERT-style encoders use GELU.

    Shapes:
        x: ``(batch, seq_len, d_model)``; output: the same.
    """

    def __init__(
        self, d_model: int, d_ff: int, dropout: float = 0.0, activation: str = "relu"
    ) -> None:
        super().__init__()
        if d_model < 1 or d_ff < 1:
            raise ValueError(
                f"d_model and d_ff must be positive, got d_model={d_model}, d_ff={d_ff}"
            )
        self.linear1 = nn.Linear(d_model, d_ff)
        self.activation = make_activation(activation)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(d_ff, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply linear2(dropout(activation(linear1(x))))."""
        return self.linear2(self.dropout(self.activation(self.linear1(x))))
