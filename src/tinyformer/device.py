"""Pick a device and a mixed-precision context."""

from __future__ import annotations

import contextlib

import torch

__all__ = ["default_device", "autocast_context"]


def default_device() -> torch.device:
    """Return CUDA if available, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def autocast_context(device: torch.device | str) -> contextlib.AbstractContextManager:
    """Return a bfloat16 autocast context on CUDA devices that support it.

    On other devices it returns a context that changes nothing: CPU bf16
    autocast is slower than float32 on many CPUs, and MPS support varies
    across PyTorch versions.
    """
    device = torch.device(device)
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
