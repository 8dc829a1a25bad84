"""How long a partial transcript takes to compute while someone speaks, on one thread.

    .venv/bin/python scripts/measure_streaming.py [--model PATH] [--seconds 20]

Held-out Cathy sentences are joined (with 0.3 s pauses) into one utterance of `--seconds`,
fed in 0.1 s blocks to `recognizers.streaming.StreamingTranscriber` (a partial every 0.5 s),
and each update's compute time is recorded, and how far the last partial's words are from
the final reading's; for comparison, the time to recognise all of it
again (what a partial costs without the encoder cache). Writes docs/figures/streaming.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import _checkout  # noqa: E402,F401  (data folders of a development checkout)
import numpy as np  # noqa: E402
import torch  # noqa: E402

from recognizers.audio import SAMPLE_RATE, load_audio  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402
from recognizers.streaming import StreamingTranscriber  # noqa: E402
from recognizers.training.datasets import read_manifest  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(default_model_path("speech")))
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--data", default=str(ROOT / "data" / "speech_real" / "val_cathy.jsonl"))
    ap.add_argument("--decoder", default="greedy", choices=("greedy", "prefix", "beam"), help="the decoder each partial runs")
    ap.add_argument("--json", help="where to write the figures (default docs/figures/streaming[-DECODER].json)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rec = Recognizer.load(args.model, "speech", device="cpu", decoder=args.decoder)
    pieces, total = [], 0
    for it in read_manifest(args.data):
        a = load_audio(it.audio_path)
        pieces += [a, np.zeros(int(0.3 * SAMPLE_RATE), np.float32)]
        total += len(a) + int(0.3 * SAMPLE_RATE)
        if total >= args.seconds * SAMPLE_RATE:
            break
    audio = np.concatenate(pieces)[: int(args.seconds * SAMPLE_RATE)]
    rec.recognize(audio[:SAMPLE_RATE])  # load the encoder before timing
    st = StreamingTranscriber(rec)
    updates = []
    last = None
    block = SAMPLE_RATE // 10
    for i in range(0, len(audio), block):
        p = st.feed(audio[i : i + block])
        if p is not None:
            updates.append((round(p.seconds, 2), round(p.compute_ms, 1)))
            last = p
    t0 = time.perf_counter()
    full = rec.recognize(audio)
    full_ms = (time.perf_counter() - t0) * 1000
    from recognizers.metrics import error_rates

    drift = error_rates([(full.text, last.text)], "speech")  # the last partial against the final reading
    tail = [ms for s, ms in updates if s >= args.seconds - 5]
    res = {
        "model": Path(args.model).name,
        "decoder": args.decoder,
        "seconds": args.seconds,
        "updates": len(updates),
        "update_every_s": 0.5,
        "partial_ms_mean": round(float(np.mean([ms for _, ms in updates])), 1),
        "partial_ms_max": round(float(np.max([ms for _, ms in updates])), 1),
        "partial_ms_last_5s_mean": round(float(np.mean(tail)), 1),
        "partial_ms_last_5s_max": round(float(np.max(tail)), 1),
        "last_partial_wer_against_final": round(drift.wer, 4),
        "full_recognition_ms": round(full_ms, 1),
        "final_text_matches_full": st.finish().text == full.text,
        "per_update": updates,
    }
    print(json.dumps({k: v for k, v in res.items() if k != "per_update"}, indent=1))
    out = Path(args.json) if args.json else ROOT / "docs" / "figures" / ("streaming.json" if args.decoder == "greedy" else f"streaming-{args.decoder}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
