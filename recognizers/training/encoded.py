"""Training on cached encoder frames: the frozen encoder runs once per utterance and variant.

A cache directory (written by ``python -m recognizers.synth.encode_cache``) holds one float16
``.npy`` of encoder frames (T, dim) per utterance variant and a ``manifest.jsonl``::

    {"feats": "feats/3f/3f2a...npy", "text": "turn left", "speaker": "cathy", "variant": 0,
     "frames": 142, "source": "/path/to/audio.flac", "kind": "clean"}

plus ``encoder.json`` naming the encoder and its weights' SHA-256, which training checks
against the feature config, so frames from another encoder can never train this head.

Data spec: ``encoded:DIR`` (every entry) or ``encoded:DIR/manifest.jsonl``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recognizers.alphabet import Alphabet
from recognizers.text_norm import normalize_text
from recognizers.training.datasets import FeatureSet, check_data_spec

CACHE_MANIFEST = "manifest.jsonl"
CACHE_INFO = "encoder.json"


@dataclass
class EncodedItem:
    feats_path: str
    text: str
    speaker: str | None
    frames: int
    kind: str = "clean"


def cache_info(cache_dir: str | os.PathLike) -> dict:
    """The encoder a cache was written with: {"name": ..., "sha256": ..., "dim": ...}."""
    p = Path(cache_dir) / CACHE_INFO
    if not p.exists():
        raise ValueError(f"{cache_dir} is not an encoder cache (no {CACHE_INFO})")
    return json.loads(p.read_text())


def read_encoded(spec_path: str | os.PathLike) -> list[EncodedItem]:
    """Entries of an encoder cache (a directory, or a manifest inside one)."""
    p = Path(spec_path)
    manifest = p / CACHE_MANIFEST if p.is_dir() else p
    root = manifest.parent
    items = []
    with open(manifest, encoding="utf-8") as fh:
        for line in fh:
            try:
                o = json.loads(line)
            except ValueError:
                continue  # a torn last line from an interrupted writer
            items.append(EncodedItem(str(root / o["feats"]), o["text"], o.get("speaker"), int(o["frames"]), o.get("kind", "clean")))
    return items


def mask_frames(feats: np.ndarray, rng: np.random.Generator, time_masks: int = 2, time_frac: float = 0.05, channel_drop: float = 0.1) -> np.ndarray:
    """Feature-level augmentation for encoder frames (T, D).

    SpecAugment's time masks (zeroed runs of frames), and, instead of its frequency bands
    (encoder channels are not ordered by frequency), a random `channel_drop` share of
    channels zeroed for the whole utterance.
    """
    feats = np.array(feats, np.float32, copy=True)
    T, D = feats.shape
    for _ in range(time_masks):
        w = int(rng.integers(0, max(int(T * time_frac), 1) + 1))
        t0 = int(rng.integers(0, max(T - w, 1)))
        feats[t0 : t0 + w] = 0.0
    if channel_drop > 0:
        feats[:, rng.random(D) < channel_drop * rng.random()] = 0.0
    return feats


class EncodedSet(FeatureSet):
    """Cached encoder frames and their targets; frames are kept in memory (float16) once read."""

    def __init__(self, items: list[EncodedItem], alphabet: Alphabet, mask: bool = True, keep_in_memory: bool = True) -> None:
        self.alphabet, self.mask, self.keep = alphabet, mask, keep_in_memory
        self.items: list[EncodedItem] = []
        self.texts: list[str] = []
        for it in items:
            text = normalize_text(it.text)
            if it.text.strip() and not text:
                continue  # text that normalises to nothing is not silence
            if not alphabet.covers(text):
                continue
            self.items.append(it)
            self.texts.append(text)
        self._cache: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.items)

    def approx_length(self, i: int) -> int:
        return self.items[i].frames

    def frames(self, i: int) -> np.ndarray:
        f = self._cache.get(i)
        if f is None:
            f = np.load(self.items[i].feats_path)
            if self.keep:
                self._cache[i] = f
        return f

    def get(self, i: int, rng: np.random.Generator | None) -> tuple[np.ndarray, list[int], str]:
        feats = self.frames(i).astype(np.float32)
        if rng is not None and self.mask and len(feats) > 10:
            feats = mask_frames(feats, rng)
        return feats, self.alphabet.encode(self.texts[i]), self.texts[i]


def load_encoded_spec(spec: str) -> list[EncodedItem]:
    kind, arg = check_data_spec("speech", spec)  # the one parser of data specs
    if kind != "encoded":
        raise ValueError(f"not an encoded data spec: {spec!r}")
    return read_encoded(arg)


def check_cache_encoder(spec: str, name: str, sha256: str) -> None:
    """Raise ValueError when the cache named by `spec` was written by a different encoder."""
    p = Path(spec.partition(":")[2])
    info = cache_info(p if p.is_dir() else p.parent)
    if info.get("name") != name or info.get("sha256") != sha256:
        raise ValueError(f"{p} was encoded with {info.get('name')} ({str(info.get('sha256'))[:12]}), not {name} ({sha256[:12]}): re-encode it")
