"""Translate English number words into French with an encoder-decoder Transformer.

The data are the numbers 0 to ``max_number`` written out by ``num2words``
(0.5.14): 71 is "seventy-one" in English and "soixante et onze" in French,
97 is "ninety-seven" and "quatre-vingt-dix-sept". A fixed, seeded fraction of
the numbers is held out and never used for training, so the exact-match
accuracy on them measures whether the model learnt the rules of French
numbers rather than a table of pairs.

Tokens are words. English input is split on spaces and hyphens, because
"seventy-one" and "seventy one" mean the same. French output keeps each
hyphen as a token of its own, so that the model writes where hyphens go and
"quatre-vingt-dix-sept" comes back intact.

Shapes:
    ``batch`` is the number of sentences, ``src_len`` the number of English
    tokens, ``tgt_len`` the number of French tokens plus one (for ``<bos>``
    or ``<eos>``), ``num_heads`` the number of attention heads.
"""

from __future__ import annotations

import functools
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from num2words import num2words

from tinyformer.checkpoint import load_model, read_config, save_model
from tinyformer.decoding import beam_search, greedy_decode
from tinyformer.device import default_device
from tinyformer.models import ConfigMixin, Transformer, TransformerConfig
from tinyformer.training import (
    Seq2SeqBatch,
    make_seq2seq_batch,
    train_step,
    warmup_cosine_schedule,
)

__all__ = [
    "PAD",
    "BOS",
    "EOS",
    "UNK",
    "DEFAULT_CHECKPOINT",
    "NumberPair",
    "Vocabulary",
    "TranslatorConfig",
    "TrainingHistory",
    "Translator",
    "number_pairs",
    "split_numbers",
    "tokenize_english",
    "tokenize_french",
    "detokenize_french",
    "translator",
]

logger = logging.getLogger(__name__)

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
# Ids 0, 1 and 2 match TransformerConfig's pad_id, bos_id and eos_id.
SPECIAL_TOKENS = (PAD, BOS, EOS, UNK)

DEFAULT_CHECKPOINT = Path("runs") / "translator"
"""Checkpoint directory that ``python -m tinyformer translate`` uses by default."""


# --8<-- [start:tokenize]
def tokenize_english(text: str) -> list[str]:
    """Split English number words on spaces, hyphens and commas, lower-cased."""
    return text.lower().replace("-", " ").replace(",", " ").split()


def tokenize_french(text: str) -> list[str]:
    """Split French number words into words, keeping each hyphen as a token."""
    return re.findall(r"[^\s-]+|-", text.lower())


def detokenize_french(tokens: Iterable[str]) -> str:
    """Join French tokens, gluing hyphens to their neighbours."""
    return " ".join(tokens).replace(" - ", "-")


# --8<-- [end:tokenize]


@dataclass(frozen=True)
class NumberPair:
    """One number with its English and French words."""

    number: int
    english: str
    french: str


def number_pairs(numbers: Iterable[int]) -> list[NumberPair]:
    """Write each number out in English and French with ``num2words``."""
    return [
        NumberPair(n, num2words(n, lang="en"), num2words(n, lang="fr")) for n in numbers
    ]


@functools.cache
def english_number_forms(max_number: int) -> dict[tuple[str, ...], int]:
    """Map the English tokens of each number 0..max_number to that number.

    The tokens are those of the number as num2words writes it. Every number in the range is included, held out or not, because this set
    describes which inputs a translator can be asked about, not what it saw.
    """
    return {
        tuple(tokenize_english(num2words(n, lang="en"))): n
        for n in range(max_number + 1)
    }


# --8<-- [start:split]
def split_numbers(
    max_number: int = 999, held_out_fraction: float = 0.1, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Split 0..max_number into disjoint, sorted training and held-out numbers.

    A shuffled ``held_out_fraction`` of the numbers is held out. A held-out
    number with an English or French word that no training number uses goes
    back to training, because the model cannot produce a word it never saw
    ("zero" is used by 0 alone). So slightly fewer numbers than the fraction
    may be held out. The same seed gives the same split on
    every machine, because it uses its own ``random.Random``.
    """
    if not isinstance(max_number, int) or max_number < 1:
        raise ValueError(f"max_number must be an int >= 1, got {max_number!r}")
    if not 0.0 < held_out_fraction < 1.0:
        raise ValueError(
            f"held_out_fraction must be in (0, 1), got {held_out_fraction!r}"
        )
    numbers = list(range(max_number + 1))
    random.Random(seed).shuffle(numbers)
    num_held_out = max(1, round(held_out_fraction * len(numbers)))
    held_out, train = numbers[:num_held_out], numbers[num_held_out:]

    def words(n: int) -> set[str]:
        pair = number_pairs([n])[0]
        english = {f"en:{w}" for w in tokenize_english(pair.english)}
        return english | {f"fr:{w}" for w in tokenize_french(pair.french)}

    seen = set().union(*(words(n) for n in train))
    kept = []
    for n in held_out:
        if words(n) <= seen:
            kept.append(n)
        else:
            train.append(n)
            seen |= words(n)
    return sorted(train), sorted(kept)


# --8<-- [end:split]


class Vocabulary:
    """A map between tokens and ids, with ``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``.

    The special tokens take ids 0 to 3 in that order; the other tokens follow
    in the order given.
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        if tuple(tokens[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
            tokens = [*SPECIAL_TOKENS, *(t for t in tokens if t not in SPECIAL_TOKENS)]
        if len(set(tokens)) != len(tokens):
            raise ValueError(f"vocabulary tokens must be unique, got {tokens}")
        self.tokens = tokens
        self.ids = {token: i for i, token in enumerate(tokens)}

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]]) -> Vocabulary:
        """Collect every token of the tokenised sentences, sorted."""
        return cls(sorted({token for sentence in sentences for token in sentence}))

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.ids

    def unknown(self, tokens: Iterable[str]) -> list[str]:
        """Return the tokens that are not in the vocabulary, in order, once each."""
        return list(dict.fromkeys(t for t in tokens if t not in self.ids))

    def encode(self, tokens: Sequence[str], strict: bool = True) -> list[int]:
        """Map tokens to ids.

        Raises:
            ValueError: with ``strict`` (the default), naming every token
                outside the vocabulary. Without ``strict`` they map to
                ``<unk>``.
        """
        missing = self.unknown(tokens)
        if missing and strict:
            raise ValueError(
                f"unknown tokens {missing}; the vocabulary has {len(self)} tokens"
            )
        unk = self.ids[UNK]
        return [self.ids.get(token, unk) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Map ids to tokens, stopping at ``<eos>`` and skipping ``<pad>``/``<bos>``."""
        out = []
        for i in ids:
            token = self.tokens[int(i)]
            if token == EOS:
                break
            if token not in (PAD, BOS):
                out.append(token)
        return out


@dataclass
class TranslatorConfig(ConfigMixin):
    """Data split, model size and training settings of the number translator.

    The defaults reach at least 99% exact match on the held-out numbers; the
    measurement, with its hardware and time, is in
    ``benchmarks/translator_time.py`` and its results.
    """

    max_number: int = 999
    held_out_fraction: float = 0.1
    seed: int = 0
    d_model: int = 64
    num_heads: int = 4
    d_ff: int = 128
    num_encoder_layers: int = 2
    num_decoder_layers: int = 2
    dropout: float = 0.1
    steps: int = 600
    batch_size: int = 128
    learning_rate: float = 3e-3
    warmup_steps: int = 100
    smoothing: float = 0.1
    eval_every: int = 100


@dataclass
class TrainingHistory:
    """Measurements taken while training.

    ``steps``, ``loss`` and ``token_accuracy`` have one entry per training
    step, measured on that step's batch. ``eval_steps`` and
    ``held_out_accuracy`` have one entry per evaluation, which is greedy
    exact match on the held-out numbers.
    """

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    token_accuracy: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    held_out_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0


StepCallback = Callable[[int, float, float, float | None], None]
"""Called after each training step with (step, loss, token accuracy, latest
held-out accuracy or None)."""


# --8<-- [start:batch]
def encode_pairs(
    pairs: Sequence[NumberPair], source: Vocabulary, target: Vocabulary
) -> Seq2SeqBatch:
    """Tokenise and pad pairs into one batch for teacher forcing.

    ``tgt_in`` is ``<bos>`` followed by the French tokens and ``tgt_out`` the
    same tokens followed by ``<eos>``: position t of the decoder input
    predicts position t of ``tgt_out``.

    Shapes:
        src: ``(batch, src_len)``; tgt_in, tgt_out: ``(batch, tgt_len)``.
    """
    sources = [source.encode(tokenize_english(p.english)) for p in pairs]
    targets = [target.encode(tokenize_french(p.french)) for p in pairs]
    return make_seq2seq_batch(sources, targets)


# --8<-- [end:batch]


class Translator:
    """An English-to-French number translator: a model and its two vocabularies.

    ``translator("seventy-one")`` returns ``"soixante et onze"``. Words
    outside the English vocabulary raise a ValueError that names them, and so
    does, by default, any phrase that is not a number as num2words writes it
    (see `encode_source`).
    """

    def __init__(
        self,
        model: Transformer,
        source_vocab: Vocabulary,
        target_vocab: Vocabulary,
        config: TranslatorConfig | None = None,
    ) -> None:
        self.model = model.eval()
        self.source_vocab = source_vocab
        self.target_vocab = target_vocab
        self.config = config or TranslatorConfig()

    @property
    def device(self) -> torch.device:
        """Device that holds the model's weights."""
        return next(self.model.parameters()).device

    def __call__(self, english: str, beam_size: int = 1, *, strict: bool = True) -> str:
        """Translate one English number phrase into French.

        Raises:
            TypeError: if ``english`` is not a string.
            ValueError: if ``english`` is empty or has words outside the
                vocabulary, or, with ``strict``, if it is not a number
                written as num2words writes it; see `encode_source`.
        """
        _check_sentence_type(english)
        return self.translate([english], beam_size=beam_size, strict=strict)[0]

    def encode_source(
        self, sentences: Sequence[str], *, strict: bool = True
    ) -> torch.Tensor:
        """Tokenise and pad English sentences into source ids.

        With ``strict`` (the default) each sentence must be a number from 0
        to ``config.max_number`` as num2words writes it, such as "three
        hundred and twenty-one". Case, commas and hyphens versus spaces do not
        matter, because the tokenizer removes them. Any other phrase of known
        words ("three hundred twenty-one", "and") raises, since the model
        never saw such input and would return a confident wrong answer.
        ``strict=False`` skips that check to probe the model.

        Raises:
            TypeError: if a sentence is not a string.
            ValueError: if a sentence is empty or has words outside the
                vocabulary (the message names them, with or without
                ``strict``), or, with ``strict``, is not a number form.

        Shapes:
            output: ``(batch, src_len)``.
        """
        for sentence in sentences:
            _check_sentence_type(sentence)
        token_lists = [tokenize_english(s) for s in sentences]
        for sentence, tokens in zip(sentences, token_lists, strict=True):
            if not tokens:
                raise ValueError(
                    f"cannot translate {sentence!r}: it has no words; pass English "
                    "number words such as 'seventy-one'"
                )
            missing = self.source_vocab.unknown(tokens)
            if missing:
                raise ValueError(
                    f"cannot translate {sentence!r}: {missing} not in the English "
                    f"vocabulary of this translator, which knows number words for "
                    f"0 to {self.config.max_number} only"
                )
            if strict:
                self._check_number_form(sentence, tokens)
        batch = make_seq2seq_batch(
            [self.source_vocab.encode(t) for t in token_lists],
            [[] for _ in token_lists],
        )
        return batch.src.to(self.device)

    def _check_number_form(self, sentence: str, tokens: Sequence[str]) -> None:
        max_number = self.config.max_number
        forms = english_number_forms(max_number)
        if tuple(tokens) in forms:
            return
        # A phrase that only lacks or misplaces "and" gets the exact form.
        without_and = [t for t in tokens if t != "and"]
        matches = [
            number
            for form, number in forms.items()
            if without_and and [t for t in form if t != "and"] == without_and
        ]
        if matches:
            hint = f"did you mean {num2words(matches[0], lang='en')!r}?"
        else:
            example = num2words(min(321, max_number), lang="en")
            hint = f"write it as num2words does, for example {example!r}"
        raise ValueError(
            f"cannot translate {sentence!r}: it is not an English number from 0 to "
            f"{max_number} as num2words writes it, the only input this translator "
            f"was trained on; {hint} (pass strict=False to see the model's raw "
            "output anyway)"
        )

    @torch.no_grad()
    def translate(
        self, sentences: Sequence[str], beam_size: int = 1, *, strict: bool = True
    ) -> list[str]:
        """Translate English sentences; ``beam_size`` 1 is greedy decoding.

        ``strict`` is as in `encode_source`.
        """
        if isinstance(sentences, str):
            raise TypeError("translate takes a list of sentences; call the translator")
        if not isinstance(sentences, Sequence):
            raise TypeError(
                f"translate takes a list of English sentences, got "
                f"{type(sentences).__name__}; pass a list such as ['seventy-one']"
            )
        if not sentences:
            return []
        self.model.eval()
        src = self.encode_source(sentences, strict=strict)
        max_len = 3 * src.shape[1] + 4
        if beam_size == 1:
            ids = greedy_decode(self.model, src, max_len=max_len)
        else:
            ids = beam_search(self.model, src, beam_size=beam_size, max_len=max_len)
        return [
            detokenize_french(self.target_vocab.decode(row)) for row in ids.tolist()
        ]

    @torch.no_grad()
    def cross_attention(
        self, english: str, beam_size: int = 1, *, strict: bool = True
    ) -> tuple[list[str], list[str], list[torch.Tensor]]:
        """Translate ``english`` and return the decoder's cross-attention weights.

        Returns ``(source tokens, output tokens, weights)`` where output
        tokens end with ``<eos>`` and each weight tensor belongs to one
        decoder layer. ``strict`` is as in `encode_source`.

        Shapes:
            each weight tensor: ``(num_heads, tgt_len, src_len)``, where
            ``tgt_len`` counts the output tokens with ``<eos>``.
        """
        french = self(english, beam_size=beam_size, strict=strict)
        source_tokens = tokenize_english(english)
        output_tokens = [*tokenize_french(french), EOS]
        src = self.encode_source([english], strict=strict)
        tgt_in = torch.tensor(
            [self.target_vocab.encode([BOS, *output_tokens[:-1]])], device=self.device
        )
        output = self.model(src, tgt_in, need_weights=True)
        weights = [w[0].float().cpu() for w in output.cross_weights]
        return source_tokens, output_tokens, weights

    def evaluate(
        self, pairs: Sequence[NumberPair], beam_size: int = 1, batch_size: int = 256
    ) -> float:
        """Return the fraction of pairs whose translation matches exactly."""
        if not pairs:
            raise ValueError("evaluate needs at least one pair, got none")
        correct = 0
        for start in range(0, len(pairs), batch_size):
            chunk = pairs[start : start + batch_size]
            outputs = self.translate([p.english for p in chunk], beam_size=beam_size)
            correct += sum(o == p.french for o, p in zip(outputs, chunk, strict=True))
        return correct / len(pairs)

    def data(self) -> tuple[list[NumberPair], list[NumberPair]]:
        """Return the (training, held-out) pairs of this translator's split."""
        c = self.config
        train, held_out = split_numbers(c.max_number, c.held_out_fraction, c.seed)
        return number_pairs(train), number_pairs(held_out)

    def save(self, directory: str | Path) -> Path:
        """Write the weights and config, with both vocabularies in ``extra``."""
        extra = {
            "task": "translate-numbers-en-fr",
            "translator_config": asdict(self.config),
            "source_vocab": self.source_vocab.tokens,
            "target_vocab": self.target_vocab.tokens,
        }
        return save_model(self.model, directory, extra=extra)

    @classmethod
    def load(
        cls, directory: str | Path, device: torch.device | str | None = None
    ) -> Translator:
        """Load a translator saved by `save`.

        Raises:
            FileNotFoundError: if ``directory`` holds no checkpoint.
            ValueError: if the checkpoint is not a number translator.
        """
        directory = Path(directory)
        extra = read_config(directory).get("extra", {})
        if extra.get("task") != "translate-numbers-en-fr":
            raise ValueError(
                f"{directory} is not a number-translator checkpoint (task "
                f"{extra.get('task')!r}); train one with Translator.train"
            )
        model = load_model(directory, device=device or "cpu")
        return cls(
            model,
            Vocabulary(extra["source_vocab"]),
            Vocabulary(extra["target_vocab"]),
            TranslatorConfig.from_dict(extra["translator_config"]),
        )

    @classmethod
    def train(
        cls,
        config: TranslatorConfig | None = None,
        device: torch.device | str | None = None,
        callback: StepCallback | None = None,
    ) -> tuple[Translator, TrainingHistory]:
        """Train a translator from scratch on the training numbers of ``config``.

        Vocabularies come from the training numbers only. Every
        ``eval_every`` steps and at the end the held-out accuracy is measured
        (greedy, exact match) and logged; it is never used to choose weights.
        """
        return _train(config or TranslatorConfig(), device, callback)


def _check_sentence_type(sentence: object) -> None:
    if not isinstance(sentence, str):
        raise TypeError(
            f"the translator takes English number words as a string, got "
            f"{type(sentence).__name__} {sentence!r}; pass the words as a string, "
            "for example translator('seventy-one')"
        )


def build_model(
    config: TranslatorConfig, source: Vocabulary, target: Vocabulary
) -> Transformer:
    """Create an untrained Transformer sized by ``config``, seeded by its seed."""
    torch.manual_seed(config.seed)
    model_config = TransformerConfig(
        src_vocab_size=len(source),
        tgt_vocab_size=len(target),
        d_model=config.d_model,
        num_heads=config.num_heads,
        d_ff=config.d_ff,
        num_encoder_layers=config.num_encoder_layers,
        num_decoder_layers=config.num_decoder_layers,
        dropout=config.dropout,
        max_len=64,
    )
    return Transformer(model_config)


# --8<-- [start:train]
def _train(
    config: TranslatorConfig,
    device: torch.device | str | None,
    callback: StepCallback | None,
) -> tuple[Translator, TrainingHistory]:
    device = torch.device(device) if device is not None else default_device()
    train_numbers, held_out_numbers = split_numbers(
        config.max_number, config.held_out_fraction, config.seed
    )
    train_pairs = number_pairs(train_numbers)
    held_out_pairs = number_pairs(held_out_numbers)
    source = Vocabulary.build(tokenize_english(p.english) for p in train_pairs)
    target = Vocabulary.build(tokenize_french(p.french) for p in train_pairs)

    model = build_model(config, source, target).to(device)
    translator = Translator(model, source, target, config)
    data = encode_pairs(train_pairs, source, target).to(device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, betas=(0.9, 0.98)
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, warmup_cosine_schedule(config.warmup_steps, config.steps)
    )
    generator = torch.Generator().manual_seed(config.seed)
    history = TrainingHistory()
    held_out_accuracy = None
    start = time.perf_counter()
    for step in range(1, config.steps + 1):
        # Sample a batch of training rows; padding columns that no row in
        # the batch uses cost a little compute but change no result.
        rows = torch.randint(
            len(train_pairs), (config.batch_size,), generator=generator
        )
        rows = rows.to(device)
        batch = Seq2SeqBatch(data.src[rows], data.tgt_in[rows], data.tgt_out[rows])
        loss, accuracy = train_step(
            model, batch, optimizer, scheduler, smoothing=config.smoothing
        )
        history.steps.append(step)
        history.loss.append(loss)
        history.token_accuracy.append(accuracy)
        if step % config.eval_every == 0 or step == config.steps:
            held_out_accuracy = translator.evaluate(held_out_pairs)
            history.eval_steps.append(step)
            history.held_out_accuracy.append(held_out_accuracy)
            logger.info(
                "step %d: loss %.3f, held-out exact match %.3f",
                step,
                loss,
                held_out_accuracy,
            )
        if callback is not None:
            callback(step, loss, accuracy, held_out_accuracy)
    history.seconds = time.perf_counter() - start
    model.eval()
    return translator, history


# --8<-- [end:train]


def translator(
    path: str | Path = DEFAULT_CHECKPOINT, device: torch.device | str | None = None
) -> Translator:
    """Load a saved number translator; the same as `Translator.load`."""
    return Translator.load(path, device=device)
