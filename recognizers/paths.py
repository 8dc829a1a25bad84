"""Where Scrivox finds its shipped resources and the data folders it is told about.

Shipped weights, word lists and the language model live in the top-level ``resources``
package (built into the wheel), found through importlib.resources, never relative to the
working directory. Training data is wherever the person says: an option, or an environment
variable, with a clear error when neither points at something that exists.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

SHARED_DATA_ENV = "SCRIVOX_SHARED_DATA"  # the real recordings (UNIPEN, Cathy, FSDD), for training
WORK_DATA_ENV = "SCRIVOX_DATA"  # generated training data: synthetic speech cache, splits


class DataLocationError(FileNotFoundError):
    """A data folder that was not configured or does not exist; the message says how to fix it."""


def resource_path(*parts: str) -> Path:
    """A file inside the shipped resources (for example ``resource_path("models", "speech.pt")``)."""
    return Path(str(files("resources").joinpath(*parts)))


def shared_data_dir() -> Path:
    """The folder of real recordings named by $SCRIVOX_SHARED_DATA (a user's machine has none)."""
    value = os.environ.get(SHARED_DATA_ENV)
    if not value:
        raise DataLocationError(f"no real-data folder configured: set {SHARED_DATA_ENV} to the folder holding unipen/ and speech/")
    path = Path(value)
    if not path.is_dir():
        raise DataLocationError(f"{SHARED_DATA_ENV}={value} is not a folder")
    return path


def work_data_dir() -> Path:
    """Generated training data ($SCRIVOX_DATA, else ~/.local/share/scrivox/data); may not exist yet."""
    value = os.environ.get(WORK_DATA_ENV)
    if value:
        return Path(value)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "scrivox" / "data"


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
