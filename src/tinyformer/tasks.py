"""Toy sequence-to-sequence tasks: copy and reverse a string of digits.

They train in well under a minute on a CPU and check that a model, its masks
and its decoding work end to end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch

from tinyformer.decoding import greedy_decode
from tinyformer.models import Transformer, TransformerConfig
from tinyformer.training import (
    Seq2SeqBatch,
    make_seq2seq_batch,
    train_step,
    warmup_cosine_schedule,
)

__all__ = ["TOY_TASKS", "ToyTask", "train_toy_task", "toy_config"]

logger = logging.getLogger(__name__)

TOY_TASKS = ("copy", "reverse")
SPECIALS = ("<pad>", "<bos>", "<eos>")
DIGITS = tuple("0123456789")


@dataclass
class ToyTask:
    """Random digit strings and their copy or reversal.

    Token ids 0, 1 and 2 are padding, begin and end; digits follow.
    """

    name: str = "copy"
    min_len: int = 1
    max_len: int = 10

    def __post_init__(self) -> None:
        if self.name not in TOY_TASKS:
            raise ValueError(f"task must be one of {TOY_TASKS}, got {self.name!r}")
        if not 1 <= self.min_len <= self.max_len:
            raise ValueError(
                f"need 1 <= min_len <= max_len, got {self.min_len} and {self.max_len}"
            )

    @property
    def vocab(self) -> list[str]:
        """Token strings, indexed by id."""
        return [*SPECIALS, *DIGITS]

    def target_of(self, ids: list[int]) -> list[int]:
        """Return the expected output ids for input ids."""
        return list(ids) if self.name == "copy" else list(reversed(ids))

    def sample(self, batch_size: int, generator: torch.Generator) -> Seq2SeqBatch:
        """Draw a batch of random digit strings with their targets."""
        lengths = torch.randint(
            self.min_len, self.max_len + 1, (batch_size,), generator=generator
        )
        first_digit = len(SPECIALS)
        sources = [
            torch.randint(
                first_digit, first_digit + 10, (int(n),), generator=generator
            ).tolist()
            for n in lengths
        ]
        return make_seq2seq_batch(sources, [self.target_of(s) for s in sources])

    def encode(self, text: str) -> list[int]:
        """Turn ``"3 1 4"`` (or ``"314"``) into ids; raise on anything but digits."""
        if not isinstance(text, str):
            raise TypeError(f"expected digits as a string, got {type(text).__name__}")
        symbols = text.split() if " " in text.strip() else list(text.strip())
        if not symbols:
            raise ValueError(
                f"the {self.name} task needs at least one digit, got {text!r}; "
                'pass digits separated by spaces, for example "3 1 4"'
            )
        invalid = sorted({s for s in symbols if s not in DIGITS})
        if invalid:
            raise ValueError(
                f"the {self.name} task reads digits 0-9 separated by spaces, got "
                f"{text!r} (invalid: {invalid})"
            )
        if len(symbols) > self.max_len:
            raise ValueError(
                f"{text!r} has {len(symbols)} digits, but this model was trained on "
                f"at most {self.max_len}; pass at most {self.max_len} digits or "
                "train with a larger --max-len"
            )
        return [DIGITS.index(s) + len(SPECIALS) for s in symbols]

    def decode(self, ids: list[int]) -> str:
        """Turn output ids into space-separated digits, stopping at end-of-sequence."""
        words = []
        for token in ids:
            if token == 2:
                break
            if token >= len(SPECIALS):
                words.append(self.vocab[token])
        return " ".join(words)


def toy_config() -> TransformerConfig:
    """Return a small configuration that learns the toy tasks on a CPU."""
    vocab_size = len(SPECIALS) + len(DIGITS)
    return TransformerConfig(
        src_vocab_size=vocab_size,
        tgt_vocab_size=vocab_size,
        d_model=64,
        num_heads=4,
        d_ff=256,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dropout=0.0,
        max_len=64,
    )


def evaluate_toy(model: Transformer, task: ToyTask, batch: Seq2SeqBatch) -> float:
    """Return the token accuracy of greedy decoding against the targets."""
    model.eval()
    output = greedy_decode(model, batch.src, max_len=batch.tgt_out.shape[1])
    width = min(output.shape[1], batch.tgt_out.shape[1])
    real = batch.tgt_out != 0
    correct = torch.zeros_like(real)
    correct[:, :width] = output[:, :width] == batch.tgt_out[:, :width]
    return (correct & real).sum().item() / real.sum().item()


def train_toy_task(
    task: ToyTask,
    steps: int = 1200,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
    device: torch.device | str = "cpu",
    progress=None,
) -> tuple[Transformer, float]:
    """Train a small Transformer on ``task`` and return it with its accuracy.

    The accuracy is greedy-decoding token accuracy on 512 fresh examples.
    ``progress`` is called as ``progress(step, loss, accuracy)`` after each
    step, for a progress bar.
    """
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = Transformer(toy_config()).to(device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.0
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, warmup_cosine_schedule(min(100, steps // 10), steps)
    )
    for step in range(steps):
        batch = task.sample(batch_size, generator).to(device)
        loss, accuracy = train_step(model, batch, optimizer, scheduler, smoothing=0.0)
        if progress is not None:
            progress(step, loss, accuracy)
        if step % 200 == 0:
            logger.info("step %d loss %.4f accuracy %.4f", step, loss, accuracy)
    held_out = task.sample(512, torch.Generator().manual_seed(seed + 1)).to(device)
    return model, evaluate_toy(model, task, held_out)
