"""The command line and the toy tasks it trains."""

import subprocess
import sys

import pytest
import torch

from tinyformer.cli import main
from tinyformer.tasks import ToyTask


def test_help_lists_subcommands():
    result = subprocess.run(
        [sys.executable, "-m", "tinyformer", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("train", "run"):
        assert command in result.stdout


def test_toy_task_reverse_targets():
    task = ToyTask("reverse")
    batch = task.sample(4, torch.Generator().manual_seed(0))
    for src, out in zip(batch.src.tolist(), batch.tgt_out.tolist(), strict=True):
        digits = [t for t in src if t != 0]
        assert out[: len(digits)] == digits[::-1]


def test_toy_task_rejects_letters():
    with pytest.raises(ValueError, match="invalid: \\['a'\\]"):
        ToyTask().encode("1 a 2")


def test_train_then_run(tmp_path, capsys):
    out = tmp_path / "copy"
    assert (
        main(
            [
                "train",
                "--steps",
                "150",
                "--batch-size",
                "32",
                "--out",
                str(out),
                "--device",
                "cpu",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    accuracy = float(printed.split("greedy decoding): ")[1].split()[0])
    # Chance is 1 in 10 digits; 150 short steps already copy far more.
    assert accuracy > 0.3
    assert (out / "model.safetensors").is_file()
    assert main(["run", "--checkpoint", str(out), "3 1 4"]) == 0
    assert capsys.readouterr().out.strip().count(" ") == 2


def test_run_without_checkpoint_fails_clearly(tmp_path, capsys):
    assert main(["run", "--checkpoint", str(tmp_path / "missing"), "1 2"]) == 2
    assert "config.json" in capsys.readouterr().err
