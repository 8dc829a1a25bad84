"""How well `Recognizer.check_label` tells a sample labelled with its own text from one
labelled with another, on held-out data (the enrolment dialog's warning, docs/settings.md).

    .venv/bin/python scripts/measure_label_check.py handwriting --data data/handwriting_val/word.jsonl.gz --limit 800
    .venv/bin/python scripts/measure_label_check.py speech --data data/speech_real/val_cathy.jsonl --limit 200

Each sample is checked twice: with its own label, and with the label of the next sample in
a shuffled order (a different text: the person wrote or said another prompt than the one
shown). Prints, and writes to docs/figures/label-check-<modality>.json, the share of each
that the check flags at recognizers.recognizer.OTHER_TEXT_NATS and at other thresholds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from recognizers.metrics import score_text  # noqa: E402
from recognizers.recognizer import OTHER_TEXT_NATS, Recognizer, default_model_path  # noqa: E402
from tune_beam import load  # noqa: E402

THRESHOLDS = (1.0, 2.0, OTHER_TEXT_NATS, 4.0, 6.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("modality", choices=("handwriting", "speech"))
    ap.add_argument("--data", required=True)
    ap.add_argument("--decoder", default="beam", help="the app's (beam)")
    ap.add_argument("--model")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rec = Recognizer.load(args.model or default_model_path(args.modality), args.modality, device="cpu", decoder=args.decoder)
    items = load(args.modality, args.data)
    random.Random(0).shuffle(items)
    items = items[: args.limit or None]
    own, other = [], []
    for (_, ref, x), (_, wrong, _) in zip(items, items[1:] + items[:1]):
        if score_text(wrong, args.modality).lower() == score_text(ref, args.modality).lower():
            continue
        own.append(rec.check_label(x, ref).excess)
        other.append(rec.check_label(x, wrong).excess)
    own_a, other_a = np.array(own), np.array(other)
    rows = [{"nats_per_char": t, "own_label_flagged": float((own_a > t).mean()), "other_label_flagged": float((other_a > t).mean())} for t in THRESHOLDS]
    res = {"data": args.data, "decoder": args.decoder, "model": rec.path, "pairs": len(own), "threshold": OTHER_TEXT_NATS, "rows": rows}
    for r in rows:
        mark = "  <- the app's" if r["nats_per_char"] == OTHER_TEXT_NATS else ""
        print(f"> {r['nats_per_char']:.1f} nats/char: own label flagged {100 * r['own_label_flagged']:5.1f} %, another's flagged {100 * r['other_label_flagged']:5.1f} %{mark}")
    out = ROOT / "docs" / "figures" / f"label-check-{args.modality}.json"
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(f"{len(own)} samples; written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
