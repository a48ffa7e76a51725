"""Checkpoints: exact round trips and clear errors."""

import json

import pytest
import torch

from tinyformer.checkpoint import load_model, save_model
from tinyformer.models import (
    DecoderOnlyConfig,
    DecoderOnlyLM,
    Transformer,
    TransformerConfig,
)


def test_transformer_round_trip_is_exact(tmp_path):
    torch.manual_seed(0)
    model = Transformer(
        TransformerConfig(
            12,
            14,
            d_model=16,
            num_heads=2,
            d_ff=32,
            num_encoder_layers=1,
            num_decoder_layers=1,
        )
    ).eval()
    save_model(model, tmp_path, extra={"note": "kept"})
    loaded = load_model(tmp_path)
    src, tgt = torch.randint(3, 12, (2, 5)), torch.randint(3, 14, (2, 4))
    assert torch.equal(loaded(src, tgt).logits, model(src, tgt).logits)
    assert loaded.output.weight is loaded.tgt_embed.weight
    assert json.loads((tmp_path / "config.json").read_text())["extra"] == {
        "note": "kept"
    }


def test_lm_round_trip_is_exact(tmp_path):
    torch.manual_seed(0)
    model = DecoderOnlyLM(
        DecoderOnlyConfig(
            20, d_model=16, num_heads=2, d_ff=32, num_layers=1, positional="rotary"
        )
    ).eval()
    save_model(model, tmp_path)
    tokens = torch.randint(0, 20, (2, 6))
    assert torch.equal(load_model(tmp_path)(tokens).logits, model(tokens).logits)


def test_weights_file_is_safetensors_not_pickle(tmp_path):
    model = DecoderOnlyLM(
        DecoderOnlyConfig(20, d_model=16, num_heads=2, d_ff=32, num_layers=1)
    )
    save_model(model, tmp_path)
    data = (tmp_path / "model.safetensors").read_bytes()
    header_size = int.from_bytes(data[:8], "little")
    assert json.loads(data[8 : 8 + header_size])
    assert not data.startswith(b"PK")


def test_missing_directory_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json"):
        load_model(tmp_path / "nowhere")


def test_mismatched_weights_raise(tmp_path):
    small = DecoderOnlyLM(
        DecoderOnlyConfig(20, d_model=16, num_heads=2, d_ff=32, num_layers=1)
    )
    save_model(small, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["config"]["num_layers"] = 2
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="does not match its config"):
        load_model(tmp_path)


def test_unknown_model_type_raises(tmp_path):
    (tmp_path / "config.json").write_text(
        json.dumps({"format_version": 1, "model_type": "rnn", "config": {}})
    )
    with pytest.raises(ValueError, match="model_type 'rnn'"):
        load_model(tmp_path)


def test_save_rejects_other_modules(tmp_path):
    with pytest.raises(TypeError, match="Transformer and DecoderOnlyLM"):
        save_model(torch.nn.Linear(2, 2), tmp_path)


def saved_lm(directory):
    model = DecoderOnlyLM(
        DecoderOnlyConfig(20, d_model=16, num_heads=2, d_ff=32, num_layers=1)
    )
    save_model(model, directory)
    return directory


def test_invalid_json_names_file(tmp_path):
    (saved_lm(tmp_path) / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"config.json is not valid JSON"):
        load_model(tmp_path)


def test_non_object_config_raises(tmp_path):
    (saved_lm(tmp_path) / "config.json").write_text("[]")
    with pytest.raises(ValueError, match="must hold a JSON object, got list"):
        load_model(tmp_path)


def test_corrupt_weights_name_file(tmp_path):
    (saved_lm(tmp_path) / "model.safetensors").write_bytes(b"\x00" * 16)
    with pytest.raises(ValueError, match="model.safetensors could not be read"):
        load_model(tmp_path)
