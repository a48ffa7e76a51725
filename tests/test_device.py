"""Device selection and the autocast context."""

import torch

from tinyformer.device import autocast_context, default_device


def test_default_device_is_usable():
    device = default_device()
    assert torch.zeros(1, device=device).device.type == device.type


def test_cpu_autocast_changes_nothing():
    with autocast_context("cpu"):
        result = torch.ones(2, 2) @ torch.ones(2, 2)
    assert result.dtype == torch.float32


def test_resolve_device_auto_and_cpu():
    from tinyformer.device import resolve_device

    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == default_device()


def test_resolve_device_rejects_unknown_name():
    import pytest

    from tinyformer.device import resolve_device

    with pytest.raises(ValueError, match="invalid device 'banana'"):
        resolve_device("banana")


def test_resolve_device_rejects_missing_cuda():
    import pytest

    from tinyformer.device import resolve_device

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="needs CUDA"):
        resolve_device("cuda")
