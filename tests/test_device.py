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
