"""Encode speech manifests once with the frozen encoder into a cache the head trains on.

    python -m recognizers.synth.encode_cache data/speech_real/train.jsonl --out data/speech_enc/real_train --variants 2
    python -m recognizers.synth.encode_cache --noise 600 --out data/speech_enc/noise

Per utterance: variant 0 is the clean audio; variants 1..K are waveform-augmented (speed,
pitch, noise, reverberation, band-limiting: ``training.speech_augment``). Any variant is,
with probability ``--pad``, surrounded by up to 1 s of silence or quiet noise, so leading and
trailing silence never changes a word. ``--noise N`` writes N clips of non-speech audio
(silence, room noise, breathing, keys, music, hum) with an empty transcript.

Resumable: entries already in the cache's manifest are skipped, and each line is appended
whole. Frames are stored float16, one ``.npy`` per entry (see ``training.encoded``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from recognizers.atomic import append_line, atomic_write_text
from recognizers.audio import load_audio
from recognizers.encoder import SAMPLE_RATE, get_encoder
from recognizers.synth.noise import KINDS, non_speech, pad_with
from recognizers.training.encoded import CACHE_INFO, CACHE_MANIFEST


def _read_speech_manifest(path: Path) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            o = json.loads(line)
            o["audio"] = str((path.parent / o["audio"]).resolve())
            out.append(o)
    return out


def _done_keys(manifest: Path) -> set[str]:
    keys = set()
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            try:
                keys.add(json.loads(line)["key"])
            except (ValueError, KeyError):
                pass
    return keys


def _write_info(out: Path) -> None:
    enc = get_encoder()
    info = {"name": enc.name, "sha256": enc.sha256, "dim": enc.dim, "frames_per_second": enc.frames_per_second}
    p = out / CACHE_INFO
    if p.exists():
        old = json.loads(p.read_text())
        if (old.get("name"), old.get("sha256")) != (info["name"], info["sha256"]):
            raise SystemExit(f"{out} holds frames of another encoder ({old.get('name')}); use a new --out")
    atomic_write_text(p, json.dumps(info, indent=1))


def _store(out: Path, key: str, audio: np.ndarray, entry: dict) -> None:
    frames = get_encoder().encode(audio)
    h = hashlib.sha1(key.encode()).hexdigest()[:20]
    rel = f"feats/{h[:2]}/{h}.npy"
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    tmp = out / (rel + ".tmp.npy")
    np.save(tmp, frames.astype(np.float16))
    os.replace(tmp, out / rel)
    # one synced line per entry; a line torn by a crash is skipped when resuming, never joined
    append_line(out / CACHE_MANIFEST, json.dumps({"feats": rel, "key": key, "frames": len(frames), "seconds": round(len(audio) / SAMPLE_RATE, 3), **entry}))


def encode_manifest(manifest: Path, out: Path, variants: int = 0, pad: float = 0.0, strength: float = 0.7, seed: int = 0, limit: int | None = None) -> int:
    """Encode every utterance of `manifest` (clean + `variants` augmented). Returns entries written."""
    from recognizers.training.speech_augment import augment

    out.mkdir(parents=True, exist_ok=True)
    _write_info(out)
    done = _done_keys(out / CACHE_MANIFEST)
    items = _read_speech_manifest(manifest)[:limit]
    written, t0, audio_s = 0, time.time(), 0.0
    for i, it in enumerate(items):
        keys = [f"{it['audio']}#{v}" for v in range(variants + 1)]
        if all(k in done for k in keys):
            continue
        clean = load_audio(it["audio"], SAMPLE_RATE)
        for v, key in enumerate(keys):
            if key in done:
                continue
            rng = np.random.default_rng([seed, i, v])
            audio = clean if v == 0 else augment(clean, rng, strength=strength)
            kind = "clean" if v == 0 else "augmented"
            if pad and rng.random() < pad:
                audio, kind = pad_with(audio, rng), kind + "+pad"
            _store(out, key, audio, {"text": it["text"], "speaker": it.get("speaker"), "variant": v, "kind": kind, "source": it["audio"]})
            written += 1
            audio_s += len(audio) / SAMPLE_RATE
        if i % 200 == 0:
            print(f"  {i}/{len(items)}  {audio_s / max(time.time() - t0, 1e-9):.0f}x real time", file=sys.stderr, flush=True)
    return written


def encode_noise(out: Path, n: int, seed: int = 0, min_s: float = 0.5, max_s: float = 8.0, kinds: tuple[str, ...] = KINDS) -> int:
    """`n` non-speech clips (empty transcript), `kinds` in turn, lengths log-uniform."""
    out.mkdir(parents=True, exist_ok=True)
    _write_info(out)
    done = _done_keys(out / CACHE_MANIFEST)
    written = 0
    for i in range(n):
        key = f"noise#{seed}#{i}"
        if key in done:
            continue
        rng = np.random.default_rng([seed, i, 99])
        kind = kinds[i % len(kinds)]
        seconds = float(np.exp(rng.uniform(np.log(min_s), np.log(max_s))))
        _store(out, key, non_speech(kind, seconds, rng), {"text": "", "speaker": f"noise/{kind}", "variant": 0, "kind": kind})
        written += 1
    return written


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m recognizers.synth.encode_cache", description=__doc__.split("\n\n")[0])
    ap.add_argument("manifests", nargs="*", type=Path, help="speech manifests to encode")
    ap.add_argument("--out", type=Path, required=True, help="cache directory")
    ap.add_argument("--variants", type=int, default=0, help="augmented variants per utterance (besides the clean one)")
    ap.add_argument("--pad", type=float, default=0.0, help="share of variants padded with silence or quiet noise")
    ap.add_argument("--strength", type=float, default=0.7, help="waveform augmentation strength")
    ap.add_argument("--noise", type=int, default=0, help="non-speech clips to add (empty transcript)")
    ap.add_argument("--noise-kinds", default=",".join(KINDS), help=f"which non-speech, in turn (of {', '.join(KINDS)})")
    ap.add_argument("--noise-seconds", default="0.5,8", help="the clips' shortest and longest length, MIN,MAX (log-uniform)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N utterances of each manifest")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(list(argv) if argv is not None else None)
    import torch

    torch.set_num_threads(1)
    for m in args.manifests:
        n = encode_manifest(m, args.out, args.variants, args.pad, args.strength, args.seed, args.limit)
        print(f"{m}: {n} entries encoded into {args.out}")
    if args.noise:
        kinds = tuple(k.strip() for k in args.noise_kinds.split(",") if k.strip())
        if not kinds or set(kinds) - set(KINDS):
            ap.error(f"--noise-kinds: choose from {', '.join(KINDS)}")
        try:
            lo, hi = (float(v) for v in args.noise_seconds.split(","))
        except ValueError:
            ap.error("--noise-seconds: MIN,MAX in seconds, such as 0.4,3")
        if not 0 < lo <= hi:
            ap.error("--noise-seconds: 0 < MIN <= MAX")
        print(f"noise: {encode_noise(args.out, args.noise, args.seed, lo, hi, kinds)} clips encoded into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
