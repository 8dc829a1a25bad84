"""Per writer session, how the shipped (or a given) handwriting model reads a UNIPEN set: the
scan that found the sessions whose labels are shifted against their ink
(`recognizers.training.datasets.MISALIGNED_SESSIONS`, docs/handwriting.md).

    .venv/bin/python scripts/scan_unipen_sessions.py [--set word] [--per 40] [--model PATH]

Reads the set as stored (no cleaning), at most --per samples of each session (seeded), greedy,
and prints the sessions worst first with their CER, exact-match rate and whether they are listed.
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
from recognizers.training.datasets import MISALIGNED_SESSIONS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="word", help="word, text, digit, upper or lower")
    ap.add_argument("--per", type=int, default=40, help="samples read per session")
    ap.add_argument("--model", help="a handwriting checkpoint (default: the shipped one)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rec = Recognizer.load(args.model, modality="handwriting", device="cpu", decoder="greedy")
    by: dict[str, list] = {}
    for s in read_ink_samples(shared_data_dir() / "unipen" / f"unipen-{args.set}.jsonl.gz"):
        by.setdefault(s.writer or "", []).append(s)
    rng = np.random.default_rng(0)
    rows = []
    for w in sorted(by):
        items = by[w]
        pick = [items[i] for i in sorted(rng.choice(len(items), min(args.per, len(items)), replace=False))]
        r = error_rates([(s.label, rec.recognize(s.strokes).text) for s in pick], "handwriting")
        rows.append((r.cer, w, len(items), r.exact))
    listed = MISALIGNED_SESSIONS.get(args.set, frozenset())
    for cer, w, n, exact in sorted(rows, reverse=True):
        print(f"{w:32s} n={n:6d}  CER {100 * cer:6.1f} %  exact {100 * exact:5.1f} %  {'listed' if w in listed else ''}")


if __name__ == "__main__":
    main()
