"""Per writer session, how the shipped (or a given) handwriting model reads a UNIPEN set: the
scan that found the sessions whose labels are shifted against their ink
(`recognizers.training.datasets.MISALIGNED_SESSIONS`) and the letters cut out of cursive
words (`CUT_FROM_WORDS`; docs/handwriting.md).

    .venv/bin/python scripts/scan_unipen_sessions.py [--set word] [--per 40] [--model PATH]
    .venv/bin/python scripts/scan_unipen_sessions.py --set lower --charset lower \
        --fold-models A=resources/models/handwriting.pt,B=runs/hwfB2/best.pt,C=runs/hwfC2/best.pt

Reads the set as stored (no cleaning), at most --per samples of each session (seeded), greedy,
and prints the sessions worst first with their CER, exact-match rate, how many read as two or
more characters, and whether they are listed. With --fold-models each session is read by the
model trained without its contributor's fold (`eval_folds.py`'s folds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from recognizers.ink import read_ink_samples  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.paths import shared_data_dir  # noqa: E402
from recognizers.recognizer import Recognizer  # noqa: E402
from recognizers.training.datasets import CUT_FROM_WORDS, MISALIGNED_SESSIONS, group_of  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="word", help="word, text, digit, upper or lower")
    ap.add_argument("--per", type=int, default=40, help="samples read per session")
    ap.add_argument("--model", help="a handwriting checkpoint (default: the shipped one)")
    ap.add_argument("--fold-models", help="FOLD=PATH,...: read each session with its fold's model")
    ap.add_argument("--charset", help="the field hint to read with (digits, upper, lower)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    fold_of: dict[str, str] = {}
    if args.fold_models:
        from eval_folds import folds, word_set_contributors  # the same folds as the figures

        paths = dict(kv.split("=", 1) for kv in args.fold_models.split(","))
        recs = {f: Recognizer.load(p, modality="handwriting", device="cpu", decoder="greedy") for f, p in paths.items()}
        fold_of = {g: f for f, gs in folds(word_set_contributors()).items() for g in gs}
    else:
        recs = {"": Recognizer.load(args.model, modality="handwriting", device="cpu", decoder="greedy")}
    by: dict[str, list] = {}
    for s in read_ink_samples(shared_data_dir() / "unipen" / f"unipen-{args.set}.jsonl.gz"):
        by.setdefault(s.writer or "", []).append(s)
    rng = np.random.default_rng(0)
    rows = []
    for w in sorted(by):
        rec = recs.get(fold_of.get(group_of(w), ""))
        if rec is None:
            continue  # a contributor in no fold of the word set
        items = by[w]
        pick = [items[i] for i in sorted(rng.choice(len(items), min(args.per, len(items)), replace=False))]
        read = [rec.recognize(s.strokes, charset=args.charset).text for s in pick]
        r = error_rates([(s.label, t) for s, t in zip(pick, read)], "handwriting")
        rows.append((r.cer, w, len(items), r.exact, sum(len(t) >= 2 for t in read) / len(pick)))
    listed = MISALIGNED_SESSIONS.get(args.set, frozenset())
    cut = CUT_FROM_WORDS.get(args.set, frozenset())
    for cer, w, n, exact, several in sorted(rows, reverse=True):
        mark = "listed" if w in listed else "cut from words" if group_of(w) in cut else ""
        print(f"{w:32s} n={n:6d}  CER {100 * cer:6.1f} %  exact {100 * exact:5.1f} %  "
              f"several characters {100 * several:5.1f} %  {mark}")


if __name__ == "__main__":
    main()
