"""Handwriting's lexicon-beam weights tuned across the three contributor folds, each fold read by
the model trained without it, and chosen by leave-one-fold-out.

    # one fold per process (one core each); each writes runs/beam-folds-X-wN.json (N: the lexicon size in decoder.json)
    .venv/bin/python scripts/tune_handwriting_folds.py grid --fold A --model resources/models/handwriting.pt
    .venv/bin/python scripts/tune_handwriting_folds.py grid --fold B --model runs/soupB.pt
    .venv/bin/python scripts/tune_handwriting_folds.py grid --fold C --model runs/soupC.pt
    # then: the weights each fold gets when chosen on the other two, and those chosen on all three
    .venv/bin/python scripts/tune_handwriting_folds.py choose [--write]

`scripts/tune_handwriting_lines.py` tuned on one contributor (art) and reported another (imp),
both of fold A, the easiest hands; a stranger's hand reads more like folds B and C (12 % word
CER on the three-fold mean against fold A's 5.5 %), where the lexicon may deserve more or less
weight. Each grid point runs the whole reading path (split, views, beam, rescoring) on composed
lines of 5-8 words and on single words of the fold's writers, and scores the mean of the two
CERs, as tune_handwriting_lines.py does. `choose` reports, for each fold, its CER at the
weights that are best on the other two folds (a fold never sees its own tuning), beside the
weights shipped now; figures go to docs/figures/beam-handwriting-folds[-wN].json, and `--write`
sets the weights best on all three folds in resources/lm/decoder.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from eval_folds import composed, folds, sample, word_set_contributors  # noqa: E402
from recognizers.alphabet import Alphabet  # noqa: E402
from recognizers.decoding import DecoderSettings  # noqa: E402
from recognizers.decoding.lexicon import TUNED  # noqa: E402
from recognizers.recognizer import Recognizer  # noqa: E402
from recognizers.training.datasets import group_of  # noqa: E402
from tune_handwriting_lines import read_cer, tuning_words, write_weights  # noqa: E402

KEYS = ("lm_weight", "word_score", "oov_logprob")
GRID = list(itertools.product((0.2, 0.3, 0.4, 0.5, 0.7), (2.0, 3.0, 4.0, 5.0, 6.0), (-5.0, -8.0, -12.0, -16.0, -20.0)))
# past the first grid's edges, where its best points lay (word score 2, OOV -20)
GRID += list(itertools.product((0.3, 0.4, 0.5), (0.0, 1.0), (-12.0, -16.0, -20.0))) + list(itertools.product((0.3, 0.4), (1.0, 2.0), (-25.0,)))
GRID += list(itertools.product((0.3, 0.4), (-1.0, -2.0), (-12.0, -16.0, -20.0)))  # and past word score 0, the next edge
# the part of GRID where folds A and B had all their best points, for a fold short of time
NEAR = [p for p in GRID if p[0] <= 0.5 and p[1] <= 4.0 and p[2] <= -8.0]
# around the weights chosen in session 23, to check them after a change (the lexicon's size)
AROUND = list(itertools.product((0.3, 0.4), (-1.0, 0.0, 1.0), (-12.0, -16.0, -20.0)))
FOLDS = ("A", "B", "C")


def lexicon_size() -> int:
    return json.loads(TUNED.read_text())["handwriting"].get("max_words", 20000)


def grid_path(fold: str) -> Path:
    """One grid per fold and lexicon size (the weights suit the lexicon they were read with)."""
    return ROOT / "runs" / f"beam-folds-{fold}-w{lexicon_size()}.json"


def report_path() -> Path:
    """Session 23's report (20,000 words) kept its name; a report for another size is named by it."""
    n = lexicon_size()
    return ROOT / "docs" / "figures" / ("beam-handwriting-folds.json" if n == 20000 else f"beam-handwriting-folds-w{n}.json")


def run_grid(fold: str, model: str, n_lines: int, n_words: int, grid: list) -> None:
    torch.set_num_threads(1)
    held = set(folds(word_set_contributors())[fold])
    data = [s for s in tuning_words(Alphabet.handwriting()) if group_of(s.writer) in held]
    # seeds other than eval_folds.py's (0, 1), so these are not its lines and words
    lines, _ = composed(data, n_lines, np.random.default_rng(31))
    words = sample(data, n_words, np.random.default_rng(32))
    rec = Recognizer.load(model, "handwriting", device="cpu", decoder="greedy")
    out = {"fold": fold, "model": model, "n_lines": len(lines), "n_words": len(words), "rows": []}
    path = grid_path(fold)
    if path.exists():  # resumable: the grid points already scored are kept
        old = json.loads(path.read_text())
        if (old["model"], old["n_lines"], old["n_words"]) == (model, len(lines), len(words)):
            out = old
    done = {tuple(r.get(k) for k in KEYS) for r in out["rows"]}
    points = [("greedy", None)] + [("beam", p) for p in grid]
    for name, p in points:
        key = (None, None, None) if p is None else p
        if key in done:
            continue
        rec.set_decoder("greedy" if p is None else DecoderSettings("beam", **dict(zip(KEYS, p))))
        row = {**dict(zip(KEYS, key)), "lines": read_cer(rec, lines), "words": read_cer(rec, words)}
        out["rows"].append(row)
        path.write_text(json.dumps(out, indent=1) + "\n")
        print(fold, name, p, f"lines {row['lines']:.4f} words {row['words']:.4f}", flush=True)


def choose(write: bool) -> None:
    grids = {f: json.loads(grid_path(f).read_text()) for f in FOLDS}
    rows = {f: {tuple(r[k] for k in KEYS): r for r in g["rows"]} for f, g in grids.items()}
    points = [p for p in GRID if all(p in rows[f] for f in FOLDS)]
    shipped = tuple(json.loads(TUNED.read_text())["handwriting"][k] for k in KEYS)
    if shipped not in points:
        raise SystemExit(f"the shipped weights {shipped} are not on every fold's grid: run the grids first")

    def score(p: tuple, among: tuple[str, ...]) -> float:
        return float(np.mean([(rows[f][p]["lines"] + rows[f][p]["words"]) / 2 for f in among]))

    report: dict = {"folds": {f: {"model": grids[f]["model"], "n_lines": grids[f]["n_lines"],
                                  "n_words": grids[f]["n_words"]} for f in FOLDS},
                    "grid points": len(points), "shipped": dict(zip(KEYS, shipped)), "per fold": {}}
    for f in FOLDS:
        others = tuple(o for o in FOLDS if o != f)
        best = min(points, key=lambda p: score(p, others))
        g = rows[f][(None, None, None)]
        report["per fold"][f] = {
            "chosen on " + "+".join(others): dict(zip(KEYS, best)),
            "greedy": {"lines": g["lines"], "words": g["words"]},
            "shipped weights": {k: rows[f][shipped][k] for k in ("lines", "words")},
            "weights chosen on the other folds": {k: rows[f][best][k] for k in ("lines", "words")},
        }
        print(f, "chosen on", others, best, report["per fold"][f])
    for name in ("greedy", "shipped weights", "weights chosen on the other folds"):
        report.setdefault("mean", {})[name] = {k: float(np.mean([report["per fold"][f][name][k] for f in FOLDS]))
                                               for k in ("lines", "words")}
        print("mean", name, report["mean"][name])
    best_all = min(points, key=lambda p: score(p, FOLDS))
    report["chosen on all three"] = dict(zip(KEYS, best_all))
    report["grids"] = {f: grids[f]["rows"] for f in FOLDS}  # every point each fold read
    print("chosen on all three:", report["chosen on all three"])
    report["max_words"] = lexicon_size()
    report_path().write_text(json.dumps(report, indent=1) + "\n")
    if write:
        write_weights(report["chosen on all three"])


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grid")
    g.add_argument("--fold", choices=FOLDS, required=True)
    g.add_argument("--model", required=True, help="the model trained with this fold held out")
    g.add_argument("--lines", type=int, default=100)
    g.add_argument("--words", type=int, default=500)
    g.add_argument("--near", action="store_true", help="only the points of NEAR (the choice is made among the points every fold has)")
    g.add_argument("--around", action="store_true", help="only the 18 points of AROUND, near the shipped weights")
    c = sub.add_parser("choose")
    c.add_argument("--write", action="store_true", help="write the weights best on all three folds to decoder.json")
    args = ap.parse_args()
    if args.cmd == "grid":
        run_grid(args.fold, args.model, args.lines, args.words, AROUND if args.around else NEAR if args.near else GRID)
    else:
        choose(args.write)


if __name__ == "__main__":
    main()
