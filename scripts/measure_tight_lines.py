"""Lines whose words stand close together, read as the app reads them (lexicon beam, five views).

    .venv/bin/python scripts/measure_tight_lines.py                      # fold A, gaps 0.2-0.4
    .venv/bin/python scripts/measure_tight_lines.py --seen               # the other contributors' words
    .venv/bin/python scripts/measure_tight_lines.py --oov-letters 0 6 8  # the unknown-word price per length

Testers who wrote words a little apart got them run together into one unknown word ("the
dogisvery", "thequickbrown"). Each line is 3-6 words of one writer (alphabetic, two letters or
more), scaled to the first word's height and set after one another with gaps drawn uniformly
from `--gaps` times that height (eval_folds.py's composed lines use 0.4-0.8). Prints CER, WER,
exact lines and how many lines came out with fewer words than written, for each setting of
`oov_letters` (`LexiconBeamDecoder`), and writes docs/figures/handwriting-tight-lines-LO-HI[-seen].json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from recognizers.features import ink_scale  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.recognizer import Recognizer  # noqa: E402
from recognizers.training.datasets import group_of, load_unipen_clean  # noqa: E402

FOLD_A = ("art", "imp")


def tight_lines(n: int, gaps: tuple[float, float], seen: bool, seed: int = 32) -> list[tuple[str, list[np.ndarray]]]:
    words, _ = load_unipen_clean(["word"])
    by_writer: dict[str, list] = {}
    for w in words:
        if (group_of(w.writer) in FOLD_A) != seen and w.label.isalpha() and len(w.label) > 1:
            by_writer.setdefault(w.writer or "", []).append(w)
    writers = sorted(k for k, v in by_writer.items() if len(v) >= 8)
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        pool = by_writer[writers[int(rng.integers(len(writers)))]]
        picks = [pool[int(j)] for j in rng.choice(len(pool), int(rng.integers(3, 7)), replace=False)]
        strokes: list[np.ndarray] = []
        x, ref_h = 0.0, None
        for w in picks:
            pts = np.concatenate(w.strokes)
            lo, hi = pts[:, :2].min(0), pts[:, :2].max(0)
            h = ink_scale(pts)
            ref_h = ref_h or h
            k, mid = ref_h / h, float(np.median(pts[:, 1]))
            for st in w.strokes:
                st = st.copy()
                st[:, 0] = (st[:, 0] - lo[0]) * k + x
                st[:, 1] = (st[:, 1] - mid) * k
                strokes.append(st)
            x += float(hi[0] - lo[0]) * k + ref_h * float(rng.uniform(*gaps))
        lines.append((" ".join(w.label for w in picks), strokes))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=120)
    ap.add_argument("--gaps", type=float, nargs=2, default=(0.2, 0.4), help="gap range, in the first word's heights")
    ap.add_argument("--seen", action="store_true", help="words of the contributors the shipped model was trained on (not fold A)")
    ap.add_argument("--oov-letters", type=int, nargs="+", default=[0, 8])
    args = ap.parse_args()
    torch.set_num_threads(1)
    lines = tight_lines(args.lines, tuple(args.gaps), args.seen)
    rec = Recognizer.load(None, "handwriting", device="cpu", decoder="beam")
    rec.set_views(True)
    out = {"lines": len(lines), "gaps": list(args.gaps), "writers": "seen folds B and C" if args.seen else "fold A (held out)", "runs": []}
    for letters in args.oov_letters:
        rec.decoder.oov_letters = letters
        pairs = [(ref, rec.recognize(st).text) for ref, st in lines]
        rates = error_rates(pairs, "handwriting").as_dict()
        fewer = sum(len(hyp.split()) < len(ref.split()) for ref, hyp in pairs)
        run = {"oov_letters": letters, "cer": rates["cer"], "wer": rates["wer"], "exact": rates["exact"], "fewer_words": fewer}
        out["runs"].append(run)
        print(json.dumps(run), flush=True)
    name = f"handwriting-tight-lines-{args.gaps[0]:g}-{args.gaps[1]:g}" + ("-seen" if args.seen else "") + ".json"
    (ROOT / "docs" / "figures" / name).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
