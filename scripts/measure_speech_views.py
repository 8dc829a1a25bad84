"""Speech read in several views (the utterance resampled to play a few per cent slower and
faster), against one view, on a held-out manifest: WER and CER, greedy and beam.

    .venv/bin/python scripts/measure_speech_views.py data/speech_real/val_cathy.jsonl --factors 0.95,1.05

The candidates of the beam on the recording itself and every view's best path are ranked by
their CTC likelihood averaged over the views (`recognizers.decoding.views.read_views`), as
handwriting reads its views. docs/speech.md, *Session 21*.
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

import torch  # noqa: E402

from recognizers.audio import load_audio, speed_perturb  # noqa: E402
from recognizers.decoding.ctc import GreedyDecoder, greedy_path  # noqa: E402
from recognizers.decoding.views import read_views  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.recognizer import Recognizer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("manifest")
    ap.add_argument("--factors", default="0.95,1.05", help="speed factors of the extra views (above 1: faster and higher)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--model")
    args = ap.parse_args()
    torch.set_num_threads(1)
    factors = [float(f) for f in args.factors.split(",")]
    items = [json.loads(line) for line in open(args.manifest) if line.strip()]
    items = items[: args.limit] if args.limit else items
    rec = Recognizer.load(args.model, "speech", device="cpu", decoder="beam")
    al = rec.ckpt.alphabet
    greedy = GreedyDecoder(al)
    pairs: dict[str, list] = {"greedy, one view": [], "beam, one view": [], "greedy, views": [], "beam, views": []}
    t0 = time.time()
    for it in items:
        p = Path(it["audio"])
        audio = load_audio(p if p.is_absolute() else Path(args.manifest).parent / p)
        views = [audio] + [speed_perturb(audio, f) for f in factors]
        lps = [rec.log_probs(rec.features(v)) for v in views]
        ref = it["text"]
        pairs["greedy, one view"].append((ref, al.decode(greedy_path(lps[0])[0])))
        pairs["beam, one view"].append((ref, rec.decoder.decode(lps[0])[0].text))
        pairs["greedy, views"].append((ref, read_views(greedy, al, lps)[0].text))
        pairs["beam, views"].append((ref, read_views(rec.decoder, al, lps)[0].text))
    print(f"{args.manifest}: {len(items)} utterances, views at {factors}, {time.time() - t0:.0f} s")
    for k, v in pairs.items():
        e = error_rates(v, "speech")
        print(f"  {k:18s} WER {100 * e.wer:6.2f} %  CER {100 * e.cer:6.2f} %")


if __name__ == "__main__":
    main()
