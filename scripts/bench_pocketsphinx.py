#!/usr/bin/env python3
"""Benchmark pocketsphinx 5 (PyPI ``pocketsphinx``, its bundled en-us acoustic model,
language model and dictionary) on speech manifests: WER, CER, exact match, real-time factor.

    .venv/bin/python scripts/bench_pocketsphinx.py ../shared/data/speech/cathy/manifest.jsonl \
        --cathy-val --json runs/pocketsphinx_cathy.json
    .venv/bin/python scripts/bench_pocketsphinx.py ../shared/data/speech/fsdd/manifest.jsonl \
        --speaker george
    .venv/bin/python scripts/bench_pocketsphinx.py data/speech_synth/val_flite.jsonl

Manifests are in DESIGN.md's format (audio path relative to the manifest, any rate or
format soundfile reads); audio is resampled to 16 kHz. Scoring is the project's own
(``recognizers.metrics.error_rates`` with modality "speech": both sides through
``normalize_text``; corpus-level WER/CER = summed edits / summed reference length), so
the figures sit beside ``python -m recognizers evaluate speech``. The real-time factor
counts decoding only (``process_raw`` to ``end_utt``), not file reading.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _checkout  # noqa: E402,F401  (data folders of a development checkout)

from recognizers.metrics import error_rates, score_text  # noqa: E402

SAMPLE_RATE = 16_000  # Hz, what the en-us model expects


def load_audio(path: Path) -> np.ndarray:
    """Mono float32 at 16 kHz, shape (samples,)."""
    data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    audio = data.mean(axis=1)
    if sr != SAMPLE_RATE:
        g = np.gcd(sr, SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, sr // g).astype(np.float32)
    return audio


def read_entries(manifest: Path, speaker: str | None, cathy: str | None,
                 limit: int | None) -> list[dict]:
    entries = []
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            if speaker is not None and e.get("speaker") != speaker \
                    and not str(e.get("speaker", "")).startswith(speaker + "/"):
                continue
            if cathy is not None:
                from recognizers.synth.text import is_cathy_validation
                if is_cathy_validation(e["text"]) != (cathy == "val"):
                    continue
            entries.append(e)
    return entries[:limit] if limit else entries


def bench(manifest: Path, decoder, speaker: str | None = None, cathy: str | None = None,
          limit: int | None = None, verbose: bool = False) -> dict:
    """Decode every (selected) utterance of ``manifest``; returns the figures as a dict."""
    entries = read_entries(manifest, speaker, cathy, limit)
    pairs: list[tuple[str, str]] = []
    decode_s = audio_s = 0.0
    for e in entries:
        audio = load_audio(manifest.parent / e["audio"])
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
        t0 = time.perf_counter()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp_obj = decoder.hyp()
        decode_s += time.perf_counter() - t0
        audio_s += len(audio) / SAMPLE_RATE
        hyp = hyp_obj.hypstr if hyp_obj is not None else ""
        pairs.append((e["text"], hyp))
        if verbose:
            print(f"  REF: {score_text(e['text'], 'speech')}\n  HYP: {score_text(hyp, 'speech')}",
                  file=sys.stderr)
    n = len(entries)
    return {
        **error_rates(pairs, "speech").as_dict(),
        "rtf": decode_s / max(audio_s, 1e-9),
        "ms_per_sample": 1000.0 * decode_s / max(n, 1),
        "seconds_audio": round(audio_s, 2),
    }


def make_decoder():
    """pocketsphinx Decoder with its bundled en-us model (default configuration)."""
    from pocketsphinx import Decoder
    return Decoder(loglevel="FATAL")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("manifests", nargs="+", type=Path, help="speech manifest(s) (.jsonl)")
    ap.add_argument("--speaker", help="only this speaker (or speaker prefix before '/')")
    ap.add_argument("--cathy-val", dest="cathy", action="store_const", const="val",
                    help="only Cathy validation sentences (is_cathy_validation)")
    ap.add_argument("--cathy-train", dest="cathy", action="store_const", const="train",
                    help="only Cathy training sentences")
    ap.add_argument("--limit", type=int, help="first N selected utterances per manifest")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print REF/HYP pairs")
    args = ap.parse_args(argv)

    decoder = make_decoder()
    results = {}
    print(f"{'manifest':50s} {'n':>5s} {'WER':>7s} {'CER':>7s} {'exact':>6s} {'RTF':>7s}")
    for m in args.manifests:
        r = bench(m, decoder, args.speaker, args.cathy, args.limit, args.verbose)
        results[str(m)] = r
        print(f"{str(m)[-50:]:50s} {r['n']:5d} {100 * r['wer']:6.2f}% {100 * r['cer']:6.2f}% "
              f"{100 * r['exact']:5.1f}% {r['rtf']:7.4f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = {"recognizer": "pocketsphinx-5 en-us", "speaker": args.speaker,
               "cathy": args.cathy, "results": results}
        if len(results) == 1:
            out.update(next(iter(results.values())))
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
