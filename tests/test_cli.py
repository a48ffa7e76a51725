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
    assert "python -m tinyformer train" in capsys.readouterr().err


def test_toy_task_rejects_empty_input():
    with pytest.raises(ValueError, match="needs at least one digit"):
        ToyTask().encode("  ")


def test_toy_task_rejects_input_longer_than_training():
    with pytest.raises(ValueError, match="trained on at most 10"):
        ToyTask(max_len=10).encode("1 2 3 4 5 6 7 8 9 0 1 2")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--steps", "0"], "expected a positive integer, got 0"),
        (["train", "--batch-size", "-3"], "expected a positive integer, got -3"),
        (["train", "--lr", "zero"], "expected a positive number, got 'zero'"),
    ],
)
def test_train_rejects_bad_numbers(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_train_rejects_bad_device(tmp_path, capsys):
    assert main(["train", "--device", "banana", "--out", str(tmp_path)]) == 2
    assert "invalid device 'banana'" in capsys.readouterr().err


def test_run_with_bad_config_fails_clearly(tmp_path, capsys):
    (tmp_path / "config.json").write_text("[]")
    assert main(["run", "--checkpoint", str(tmp_path), "1 2"]) == 2
    assert "must hold a JSON object" in capsys.readouterr().err
