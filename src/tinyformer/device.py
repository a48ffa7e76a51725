"""Pick a device and a mixed-precision context."""

from __future__ import annotations

import contextlib

import torch

__all__ = ["default_device", "resolve_device", "autocast_context"]


def default_device() -> torch.device:
    """Return CUDA if available, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def resolve_device(name: str) -> torch.device:
    """Return the device called ``name``, or :func:`default_device` for ``"auto"``.

    Raises:
        ValueError: if ``name`` is not a device name that torch accepts, or names a
            CUDA or MPS device that this machine does not have.
    """
    if name == "auto":
        return default_device()
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(
            f"invalid device {name!r}; use 'auto', 'cpu', 'cuda', 'cuda:0' or 'mps'"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device {name!r} needs CUDA, which this machine or this torch build "
            "lacks; use 'cpu' or 'auto'"
        )
    if (
        device.type == "cuda"
        and device.index is not None
        and device.index >= torch.cuda.device_count()
    ):
        raise ValueError(
            f"device {name!r} does not exist: this machine has "
            f"{torch.cuda.device_count()} CUDA device(s)"
        )
    mps = getattr(torch.backends, "mps", None)
    if device.type == "mps" and not (mps is not None and mps.is_available()):
        raise ValueError(f"device {name!r} is not available here; use 'cpu' or 'auto'")
    return device


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
