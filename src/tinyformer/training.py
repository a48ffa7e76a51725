"""Training helpers: label-smoothed loss, learning-rate schedules, a train step.

Shapes:
    ``batch`` is the number of sequences, ``src_len`` and ``tgt_len`` the
    source and target lengths, ``vocab_size`` the number of token ids.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "Seq2SeqBatch",
    "make_seq2seq_batch",
    "label_smoothed_cross_entropy",
    "token_accuracy",
    "inverse_sqrt_schedule",
    "warmup_cosine_schedule",
    "train_step",
]

logger = logging.getLogger(__name__)


@dataclass
class Seq2SeqBatch:
    """A padded batch for teacher forcing.

    ``tgt_in`` starts with ``bos_id`` and ``tgt_out`` is the same sequence
    shifted left, ending with ``eos_id``, so position t of the decoder input
    predicts position t of ``tgt_out``.

    Shapes:
        src: ``(batch, src_len)``; tgt_in, tgt_out: ``(batch, tgt_len)``.
    """

    src: torch.Tensor
    tgt_in: torch.Tensor
    tgt_out: torch.Tensor

    def to(self, device: torch.device | str) -> Seq2SeqBatch:
        """Return the batch on ``device``."""
        return Seq2SeqBatch(
            self.src.to(device), self.tgt_in.to(device), self.tgt_out.to(device)
        )


def make_seq2seq_batch(
    sources: list[list[int]],
    targets: list[list[int]],
    pad_id: int = 0,
    bos_id: int = 1,
    eos_id: int = 2,
) -> Seq2SeqBatch:
    """Pad id lists into a `Seq2SeqBatch`, adding ``bos_id`` and ``eos_id``.

    ``sources`` and ``targets`` hold token ids without special tokens.
    """
    if len(sources) != len(targets):
        raise ValueError(
            f"sources and targets must have the same length, got {len(sources)} and {len(targets)}"
        )
    if not sources:
        raise ValueError("a batch needs at least one example, got none")
    src_len = max(len(s) for s in sources)
    tgt_len = max(len(t) for t in targets) + 1
    src = torch.full((len(sources), src_len), pad_id, dtype=torch.long)
    tgt_in = torch.full((len(targets), tgt_len), pad_id, dtype=torch.long)
    tgt_out = torch.full((len(targets), tgt_len), pad_id, dtype=torch.long)
    for i, (source, target) in enumerate(zip(sources, targets, strict=True)):
        src[i, : len(source)] = torch.tensor(source, dtype=torch.long)
        tgt_in[i, : len(target) + 1] = torch.tensor([bos_id, *target], dtype=torch.long)
        tgt_out[i, : len(target) + 1] = torch.tensor(
            [*target, eos_id], dtype=torch.long
        )
    return Seq2SeqBatch(src, tgt_in, tgt_out)


def label_smoothed_cross_entropy(
    logits: torch.Tensor,
    targets: torch.Tensor,
    smoothing: float = 0.1,
    ignore_index: int = 0,
) -> torch.Tensor:
    """Return the mean cross-entropy with label smoothing, skipping padding.

    Vaswani et al. 2017 (section 5.4) use smoothing 0.1: the target
    distribution puts ``1 - smoothing`` on the right token and spreads
    ``smoothing`` over the vocabulary.

    Shapes:
        logits: ``(batch, tgt_len, vocab_size)``; targets: ``(batch, tgt_len)``;
        output: a scalar.
    """
    if logits.shape[:-1] != targets.shape:
        raise ValueError(
            f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} must "
            "agree on (batch, tgt_len)"
        )
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]).float(),
        targets.reshape(-1),
        ignore_index=ignore_index,
        label_smoothing=smoothing,
    )


def token_accuracy(
    logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = 0
) -> float:
    """Return the fraction of non-padding positions whose argmax is the target.

    Shapes:
        logits: ``(batch, tgt_len, vocab_size)``; targets: ``(batch, tgt_len)``.
    """
    real = targets != ignore_index
    correct = (logits.argmax(dim=-1) == targets) & real
    return correct.sum().item() / max(real.sum().item(), 1)


def inverse_sqrt_schedule(d_model: int, warmup_steps: int) -> Callable[[int], float]:
    """Return the learning-rate factor of Vaswani et al. 2017, section 5.3.

    ``lr = d_model^-0.5 * min(step^-0.5, step * warmup_steps^-1.5)``, for
    ``torch.optim.lr_scheduler.LambdaLR`` with a base learning rate of 1.
    """
    if warmup_steps < 1:
        raise ValueError(f"warmup_steps must be >= 1, got {warmup_steps}")

    def factor(step: int) -> float:
        step = max(step, 1)
        return d_model**-0.5 * min(step**-0.5, step * warmup_steps**-1.5)

    return factor


def warmup_cosine_schedule(
    warmup_steps: int, total_steps: int
) -> Callable[[int], float]:
    """Return a factor that rises linearly to 1, then follows a cosine to 0.

    Short runs (a few thousand steps) reach a good loss faster with this
    schedule than with the inverse square root one.
    """
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(
            f"need 0 <= warmup_steps < total_steps, got {warmup_steps} and {total_steps}"
        )

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(total_steps - warmup_steps, 1)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def train_step(
    model: nn.Module,
    batch: Seq2SeqBatch,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    smoothing: float = 0.1,
    max_grad_norm: float | None = 1.0,
) -> tuple[float, float]:
    """Run one optimisation step of a `tinyformer.models.Transformer`.

    Returns ``(loss, token accuracy)`` on the batch.
    """
    model.train()
    pad_id = model.config.pad_id
    logits = model(batch.src, batch.tgt_in).logits
    loss = label_smoothed_cross_entropy(logits, batch.tgt_out, smoothing, pad_id)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if max_grad_norm is not None:
        nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    return loss.item(), token_accuracy(logits.detach(), batch.tgt_out, pad_id)
