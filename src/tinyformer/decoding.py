"""Decoding: greedy, sampling and beam search, with a key/value cache.

With ``use_cache=True`` each step feeds only the newest token and reads the
keys and values of earlier tokens from a `tinyformer.cache.DecoderCache`.
With ``use_cache=False`` each step reruns the whole prefix. Both give the same
tokens.

Shapes:
    ``batch`` is the number of sequences, ``src_len`` the source length,
    ``prompt_len`` a prompt's length, ``out_len`` the number of generated
    tokens and ``vocab_size`` the number of token ids.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tinyformer.models import DecoderOnlyLM, Transformer

__all__ = ["sample_next", "greedy_decode", "beam_search", "generate"]


def sample_next(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw one token per row from ``softmax(logits / temperature)``.

    ``temperature=0`` picks the most likely token (greedy). ``top_k`` keeps
    only the k most likely tokens before sampling.

    Shapes:
        logits: ``(batch, vocab_size)``; output: ``(batch,)``.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if top_k is not None and not 1 <= top_k <= logits.shape[-1]:
        raise ValueError(
            f"top_k must be in [1, vocab_size={logits.shape[-1]}], got {top_k}"
        )
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = logits.float() / temperature
    if top_k is not None:
        kth_best = torch.topk(logits, top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth_best, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def _default_max_len(model: Transformer, src_len: int) -> int:
    limit = model.config.max_len - 1 if model.config.positional == "learned" else None
    wanted = 2 * src_len + 10
    return min(wanted, limit) if limit is not None else wanted


@torch.no_grad()
def greedy_decode(
    model: Transformer,
    src: torch.Tensor,
    max_len: int | None = None,
    use_cache: bool = True,
) -> torch.Tensor:
    """Translate ``src`` by picking the most likely token at each step.

    Returns the generated ids without the leading ``bos_id``, ending with
    ``eos_id`` and padded with ``pad_id`` after it. A row that reaches
    ``max_len`` without ``eos_id`` ends there.

    Shapes:
        src: ``(batch, src_len)``; output: ``(batch, out_len)`` with
        ``out_len <= max_len``.
    """
    config = model.config
    max_len = _default_max_len(model, src.shape[1]) if max_len is None else max_len
    memory, _ = model.encode(src)
    src_mask = model.source_mask(src)
    batch = src.shape[0]
    tokens = torch.full((batch, 1), config.bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(batch, dtype=torch.bool, device=src.device)
    cache = model.new_cache() if use_cache else None
    for _ in range(max_len):
        step_input = tokens[:, -1:] if use_cache else tokens
        logits = model.decode(step_input, memory, src_mask, cache=cache).logits[:, -1]
        next_token = logits.argmax(dim=-1)
        next_token = next_token.masked_fill(finished, config.pad_id)
        tokens = torch.cat([tokens, next_token[:, None]], dim=1)
        finished |= next_token == config.eos_id
        if bool(finished.all()):
            break
    return tokens[:, 1:]


def _length_penalty(length: int, alpha: float) -> float:
    # Wu et al. 2016 (GNMT), arXiv:1609.08144, section 7.
    return ((5.0 + length) / 6.0) ** alpha


@torch.no_grad()
def beam_search(
    model: Transformer,
    src: torch.Tensor,
    beam_size: int = 4,
    max_len: int | None = None,
    length_alpha: float = 0.6,
) -> torch.Tensor:
    """Translate ``src`` keeping the ``beam_size`` best partial outputs.

    Hypotheses are ranked by log-probability divided by the GNMT length
    penalty ``((5 + length) / 6) ** length_alpha`` (Wu et al. 2016). Each
    source sentence is searched separately, with its beams as the batch.

    Shapes:
        src: ``(batch, src_len)``; output: ``(batch, out_len)``, like
        `greedy_decode`.
    """
    if beam_size < 1:
        raise ValueError(f"beam_size must be >= 1, got {beam_size}")
    config = model.config
    max_len = _default_max_len(model, src.shape[1]) if max_len is None else max_len
    results = [
        _beam_search_one(model, src[i : i + 1], beam_size, max_len, length_alpha)
        for i in range(src.shape[0])
    ]
    out_len = max(len(r) for r in results)
    output = torch.full(
        (len(results), out_len), config.pad_id, dtype=torch.long, device=src.device
    )
    for i, result in enumerate(results):
        output[i, : len(result)] = torch.tensor(result, dtype=torch.long)
    return output


def _beam_search_one(
    model: Transformer,
    src: torch.Tensor,
    beam_size: int,
    max_len: int,
    length_alpha: float,
) -> list[int]:
    config = model.config
    memory, _ = model.encode(src)
    src_mask = model.source_mask(src)
    cache = model.new_cache()
    beams: list[list[int]] = [[]]
    scores = torch.zeros(1, device=src.device)
    last = torch.full((1, 1), config.bos_id, dtype=torch.long, device=src.device)
    finished: list[tuple[float, list[int]]] = []
    for _ in range(max_len):
        logits = model.decode(last, memory, src_mask, cache=cache).logits[:, -1]
        # (num_beams, vocab_size): total log-probability of each extension
        candidates = scores[:, None] + F.log_softmax(logits.float(), dim=-1)
        top_scores, top_ids = candidates.flatten().topk(
            min(2 * beam_size, candidates.numel())
        )
        vocab_size = candidates.shape[-1]
        keep_rows, keep_tokens, keep_scores = [], [], []
        for score, flat_id in zip(top_scores.tolist(), top_ids.tolist(), strict=True):
            row, token = divmod(flat_id, vocab_size)
            if token == config.eos_id:
                sequence = beams[row] + [token]
                finished.append(
                    (score / _length_penalty(len(sequence), length_alpha), sequence)
                )
            else:
                keep_rows.append(row)
                keep_tokens.append(token)
                keep_scores.append(score)
            if len(keep_rows) == beam_size:
                break
        best_finished = max((s for s, _ in finished), default=float("-inf"))
        # Scores only fall as a hypothesis grows, so a finished hypothesis that
        # beats the best live one at its most favourable length cannot be passed.
        # Stopping once beam_size hypotheses have finished instead would return
        # short, unlikely outputs that finished early while a likelier one was
        # still growing.
        best_live = (
            keep_scores[0] / _length_penalty(max_len, length_alpha)
            if keep_scores
            else float("-inf")
        )
        if not keep_rows or best_finished >= best_live:
            break
        beams = [beams[r] + [t] for r, t in zip(keep_rows, keep_tokens, strict=True)]
        scores = torch.tensor(keep_scores, device=src.device)
        cache.reorder(torch.tensor(keep_rows, device=src.device))
        last = torch.tensor(keep_tokens, device=src.device)[:, None]
    if not finished:
        finished = [
            (float(s) / _length_penalty(len(b), length_alpha), b)
            for s, b in zip(scores.tolist(), beams, strict=True)
        ]
    return max(finished, key=lambda item: item[0])[1]


@torch.no_grad()
def generate(
    model: DecoderOnlyLM,
    prompt: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    eos_id: int | None = None,
    use_cache: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Continue ``prompt`` by ``max_new_tokens`` tokens.

    ``temperature=0`` decodes greedily. Generation stops early once every
    row has produced ``eos_id`` (when given); later positions hold
    ``eos_id``.

    Shapes:
        prompt: ``(batch, prompt_len)``, every row the same length; output:
        ``(batch, prompt_len + out_len)``.
    """
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}")
    if prompt.dim() != 2 or prompt.shape[1] == 0:
        raise ValueError(
            f"prompt must be (batch, prompt_len) with prompt_len >= 1, got shape {tuple(prompt.shape)}"
        )
    tokens = prompt
    cache = model.new_cache() if use_cache else None
    step_input = prompt
    finished = torch.zeros(prompt.shape[0], dtype=torch.bool, device=prompt.device)
    for _ in range(max_new_tokens):
        logits = model(step_input if use_cache else tokens, cache=cache).logits[:, -1]
        next_token = sample_next(logits, temperature, top_k, generator)
        if eos_id is not None:
            next_token = next_token.masked_fill(finished, eos_id)
            finished |= next_token == eos_id
        tokens = torch.cat([tokens, next_token[:, None]], dim=1)
        step_input = next_token[:, None]
        if eos_id is not None and bool(finished.all()):
            break
    return tokens
