"""Every public name is documented; tensor-facing ones state their shapes."""

import importlib
import inspect
import pkgutil
import re

import pytest

import tinyformer

MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(tinyformer.__path__)
    if not m.name.startswith("_")
)

# Public names that take and return no tensors: configurations, file and
# command-line helpers, schedules and text processing.
NO_TENSORS = {
    "checkpoint": {"save_model", "load_model"},
    "cli": {"main", "build_parser"},
    "device": {"default_device", "resolve_device", "autocast_context"},
    "models": {"TransformerConfig", "DecoderOnlyConfig"},
    "tasks": {"ToyTask", "train_toy_task", "toy_config"},
    "training": {
        "make_seq2seq_batch",
        "inverse_sqrt_schedule",
        "warmup_cosine_schedule",
        "train_step",
    },
    "translation_cli": {"add_parser", "run"},
    "translation": {
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
    },
    "pretrained": {
        "MiniLMConfig",
        "ModelNotInstalledError",
        "convert_state_dict",
        "load_minilm",
        "load_tokenizer",
        "model_path",
        "token_position",
    },
}


def public_objects(module_name):
    module = importlib.import_module(f"tinyformer.{module_name}")
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield name, obj


@pytest.mark.parametrize("module_name", MODULES)
def test_module_has_docstring(module_name):
    module = importlib.import_module(f"tinyformer.{module_name}")
    assert inspect.getdoc(module), f"tinyformer.{module_name} has no module docstring"


@pytest.mark.parametrize("module_name", MODULES)
def test_public_names_document_shapes(module_name):
    for name, obj in public_objects(module_name):
        doc = inspect.getdoc(obj)
        assert doc, f"tinyformer.{module_name}.{name} has no docstring"
        if name in NO_TENSORS.get(module_name, set()):
            continue
        assert "Shapes:" in doc, (
            f"tinyformer.{module_name}.{name} has no Shapes: section"
        )


@pytest.mark.parametrize("module_name", MODULES)
def test_shapes_put_heads_before_positions(module_name):
    module = importlib.import_module(f"tinyformer.{module_name}")
    docs = [inspect.getdoc(module) or ""] + [
        inspect.getdoc(obj) or "" for _, obj in public_objects(module_name)
    ]
    for doc in docs:
        for shape in re.findall(r"\(batch,[^)]*\)", doc):
            dims = [d.strip() for d in shape.strip("()").split(",")]
            if "num_heads" in dims and "seq_len" in dims:
                assert dims.index("num_heads") < dims.index("seq_len"), (
                    f"tinyformer.{module_name}: {shape} must list num_heads before seq_len"
                )
