"""How well the per-word confidence points at wrong words, on held-out data.

    .venv/bin/python scripts/measure_confidence.py handwriting --data data/handwriting_val/word.jsonl.gz
    .venv/bin/python scripts/measure_confidence.py speech --data data/speech_real/val_cathy.jsonl

Each recognized word is aligned to the reference (word-level edit distance) and counts as
right when the alignment matches it. A word is marked doubtful, as the app's text area
marks it, when its confidence is below recognizers.decoding.confidence.DOUBT_BELOW. Prints, and writes to docs/figures/confidence-<modality>[-<decoder>][-<tag>].json: how many words are
marked, how often a marked and an unmarked word is wrong, and what share of the wrong
words the marks catch, at the app's threshold and at others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)
sys.path.insert(0, str(ROOT / "scripts"))

import torch  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from recognizers.decoding.confidence import DOUBT_BELOW  # noqa: E402
from recognizers.metrics import score_text  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402
from tune_beam import load  # noqa: E402  (the same held-out samples the beam is tuned on)


def right_words(ref: list[str], hyp: list[str]) -> list[bool]:
    """For each hypothesis word: does a word-level alignment match it to the reference?"""
    ok = [False] * len(hyp)
    for op in Levenshtein.opcodes(ref, hyp):  # rapidfuzz aligns lists of words as well
        if op.tag == "equal":
            for j in range(op.dest_start, op.dest_end):
                ok[j] = True
    return ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("modality", choices=("handwriting", "speech"))
    ap.add_argument("--data", required=True)
    ap.add_argument("--decoder", default="prefix", help="prefix, as the table in docs/decoding.md was measured (the app's default is now beam)")
    ap.add_argument("--model")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--without-posteriors", action="store_true", help="the words' n-best posteriors left out (speech before session 32)")
    ap.add_argument("--tag", default="", help="added to the figures file's name")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rec = Recognizer.load(args.model or default_model_path(args.modality), args.modality, device="cpu", decoder=args.decoder)
    if args.without_posteriors:
        rec.decoder.word_posteriors = False
    items = [(ref, x) for _, ref, x in load(args.modality, args.data)]
    if args.limit:
        items = items[: args.limit]
    scored: list[tuple[float, bool]] = []  # (confidence, right) for every recognized word
    for ref, x in items:
        words = rec.recognize(x).word_confidence
        ok = right_words(score_text(ref, args.modality).split(), [score_text(w, args.modality) for w, _ in words])
        scored += [(conf, good) for (_, conf), good in zip(words, ok)]

    def at(threshold: float) -> dict:
        marked = [good for conf, good in scored if conf < threshold]
        unmarked = [good for conf, good in scored if conf >= threshold]
        wrong = sum(not g for _, g in scored)
        return {
            "threshold": threshold,
            "marked_share": len(marked) / max(len(scored), 1),
            "wrong_when_marked": sum(not g for g in marked) / max(len(marked), 1),
            "wrong_when_unmarked": sum(not g for g in unmarked) / max(len(unmarked), 1),
            "wrong_words_caught": sum(not g for g in marked) / max(wrong, 1),
        }

    res = {"data": args.data, "decoder": args.decoder, "word_posteriors": bool(getattr(rec.decoder, "word_posteriors", False)), "samples": len(items), "words": len(scored),
           "wrong_words": sum(not g for _, g in scored), "app": at(DOUBT_BELOW),
           "sweep": [at(t) for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)]}
    print(json.dumps(res, indent=1))
    tag = ("" if args.decoder == "prefix" else f"-{args.decoder}") + (f"-{args.tag}" if args.tag else "")  # the prefix figures keep their name
    out = ROOT / "docs" / "figures" / f"confidence-{args.modality}{tag}.json"
    out.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
