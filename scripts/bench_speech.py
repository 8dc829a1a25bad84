"""Scrivox's speech model beside pocketsphinx 5 on the same validation sets: WER and
real-time factor, printed side by side and written to docs/figures/speech-bench.json.

    .venv/bin/python scripts/make_speech_splits.py      # once
    .venv/bin/python scripts/bench_speech.py [--model PATH] [--limit N] [--no-pocketsphinx]

Real-time factor = decoding time / audio duration, one CPU thread, features included.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)
sys.path.insert(0, str(ROOT / "scripts"))

import torch  # noqa: E402

from recognizers.audio import load_audio  # noqa: E402
from recognizers.training.datasets import read_manifest  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402

SETS = {
    "Cathy, held-out sentences": "data/speech_real/val_cathy.jsonl",
    "FSDD, held-out speaker lucas": "data/speech_real/val_fsdd.jsonl",
    "synthetic, held-out family flite": "data/speech_synth/val_flite.jsonl",
}


def ours(rec: Recognizer, manifest: Path, limit: int | None) -> dict:
    items = read_manifest(manifest)[:limit] if limit else read_manifest(manifest)
    pairs, dec_s, audio_s = [], 0.0, 0.0
    for it in items:
        audio = load_audio(it.audio_path)
        t0 = time.perf_counter()
        text = rec.recognize(audio).text
        dec_s += time.perf_counter() - t0
        audio_s += len(audio) / 16000
        pairs.append((it.text, text))
    return {**error_rates(pairs, "speech").as_dict(), "rtf": dec_s / max(audio_s, 1e-9)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(default_model_path("speech")))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--no-pocketsphinx", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    res: dict = {}
    for dec in ("greedy", "beam"):
        rec = Recognizer.load(args.model, "speech", device="cpu", decoder=dec)
        for name, path in SETS.items():
            if (ROOT / path).exists():
                res.setdefault(name, {})[f"scrivox_{dec}"] = ours(rec, ROOT / path, args.limit)
    if not args.no_pocketsphinx:
        import bench_pocketsphinx as ps

        decoder = ps.make_decoder()
        for name, path in SETS.items():
            if (ROOT / path).exists():
                res.setdefault(name, {})["pocketsphinx"] = ps.bench(ROOT / path, decoder, limit=args.limit)
    print(f"{'set':36s} {'system':18s} {'n':>5s} {'WER':>7s} {'CER':>7s} {'RTF':>7s}")
    for name, systems in res.items():
        for sysname, r in systems.items():
            print(f"{name:36s} {sysname:18s} {r['n']:5d} {r['wer']*100:6.1f}% {r['cer']*100:6.1f}% {r['rtf']:7.3f}")
    out = ROOT / "docs" / "figures" / "speech-bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": Path(args.model).name, "limit": args.limit, "sets": res}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
