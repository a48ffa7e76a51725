"""Save and load models as ``model.safetensors`` plus ``config.json``.

safetensors stores raw tensors only, so loading a checkpoint never runs
pickled code.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_model as _load_weights
from safetensors.torch import save_model as _save_weights

from tinyformer.models import (
    DecoderOnlyConfig,
    DecoderOnlyLM,
    Transformer,
    TransformerConfig,
)

__all__ = ["save_model", "load_model", "WEIGHTS_NAME", "CONFIG_NAME"]

logger = logging.getLogger(__name__)

WEIGHTS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
FORMAT_VERSION = 1

_MODEL_TYPES = {
    "transformer": (Transformer, TransformerConfig),
    "decoder_only": (DecoderOnlyLM, DecoderOnlyConfig),
}


def _model_type(model: torch.nn.Module) -> str:
    for name, (model_class, _) in _MODEL_TYPES.items():
        if type(model) is model_class:
            return name
    raise TypeError(
        f"save_model supports Transformer and DecoderOnlyLM, got {type(model).__name__}"
    )


def save_model(
    model: Transformer | DecoderOnlyLM,
    directory: str | Path,
    extra: dict | None = None,
) -> Path:
    """Write ``model.safetensors`` and ``config.json`` into ``directory``.

    ``extra`` is stored under the ``"extra"`` key of ``config.json`` (for
    example a vocabulary). Returns the directory.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = {
        "format_version": FORMAT_VERSION,
        "model_type": _model_type(model),
        "config": model.config.to_dict(),
        "extra": extra or {},
    }
    (directory / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n")
    # save_model (not save_file) handles tied weights, which share storage.
    _save_weights(model, str(directory / WEIGHTS_NAME))
    logger.info("saved %s to %s", config["model_type"], directory)
    return directory


def read_config(directory: str | Path) -> dict:
    """Return the parsed ``config.json`` of a checkpoint directory."""
    path = Path(directory) / CONFIG_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"no {CONFIG_NAME} in {Path(directory)}; save a model there with save_model"
        )
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path} is not valid JSON ({error}); save the model again with save_model"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(
            f"{path} must hold a JSON object, got {type(data).__name__}; save the "
            "model again with save_model"
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{path} has format_version {data.get('format_version')!r}; this "
            f"tinyformer reads version {FORMAT_VERSION}"
        )
    if data.get("model_type") not in _MODEL_TYPES:
        raise ValueError(
            f"{path} has model_type {data.get('model_type')!r}; expected one of "
            f"{sorted(_MODEL_TYPES)}"
        )
    return data


def load_model(
    directory: str | Path, device: torch.device | str = "cpu"
) -> Transformer | DecoderOnlyLM:
    """Rebuild a model saved by `save_model`, in eval mode.

    Raises:
        FileNotFoundError: if the directory lacks ``config.json`` or weights.
        ValueError: for an unknown format or model type, or weights whose
            names or shapes do not match the configuration.
    """
    directory = Path(directory)
    data = read_config(directory)
    model_class, config_class = _MODEL_TYPES[data["model_type"]]
    model = model_class(config_class.from_dict(data["config"]))
    weights = directory / WEIGHTS_NAME
    if not weights.is_file():
        raise FileNotFoundError(f"no {WEIGHTS_NAME} in {directory}")
    try:
        missing, unexpected = _load_weights(model, str(weights), strict=False)
    except (SafetensorError, RuntimeError) as error:
        raise ValueError(
            f"{weights} could not be read as safetensors weights for this config "
            f"({error}); save the model again with save_model"
        ) from None
    if missing or unexpected:
        raise ValueError(
            f"{weights} does not match its config: missing {sorted(missing)}, "
            f"unexpected {sorted(unexpected)}"
        )
    return model.to(device).eval()
