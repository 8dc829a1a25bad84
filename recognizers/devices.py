"""Where the network runs and in what number type: the device asked for, made usable, and
float32 or bfloat16 by what the CPU can do."""

from __future__ import annotations

import torch


def pick_device(name: str = "auto") -> str:
    """`auto` means the first CUDA device when there is one, else the CPU."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def usable_device(name: str = "auto") -> tuple[str, str]:
    """(device, note): the device to run on, and why it is not the one asked for ("" when it
    is). A saved device that no longer works (``cuda:3``, a GPU that is gone, a typo) means
    the CPU, never a recognizer left unloaded."""
    if name == "auto":
        return pick_device(name), ""
    try:
        dev = torch.device(name)
    except (RuntimeError, ValueError, TypeError):
        return "cpu", f"the device {name!r} is not known here; using the CPU"
    if dev.type == "cuda":
        n = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if n == 0 or (dev.index or 0) >= n:
            return "cpu", f"{name} is not available here; using the CPU"
    elif dev.type != "cpu":
        return "cpu", f"Scrivox runs on the CPU or CUDA, not {name}; using the CPU"
    return name, ""


PRECISIONS = ("auto", "float32", "bfloat16")


def pick_precision(device: str, name: str = "auto") -> torch.dtype:
    """The number type the network runs in. `auto`: bfloat16 on a CPU with AMX tiles, where
    oneDNN's bfloat16 LSTM reads a word about 1.5 times and a line about 1.8 times faster
    than float32 (docs/handwriting.md, *Speed*); float32 everywhere else, since on CPUs
    without AMX bfloat16 measured slower (AVX512-BF16 alone: even; AVX2: 3-4 times slower)."""
    if name not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {name!r}")
    if name == "auto":
        amx = getattr(torch._C._cpu, "_is_amx_tile_supported", lambda: False)()
        return torch.bfloat16 if torch.device(device).type == "cpu" and amx else torch.float32
    return torch.bfloat16 if name == "bfloat16" else torch.float32
