"""Leave-writers-out figures for a handwriting model over three folds of UNIPEN contributors.

    .venv/bin/python scripts/eval_folds.py [--model PATH] [--limit 1500] [--lines 150]

Folds (whole contributors, never samples):
  A  art, imp                      the contributors the shipped model was trained without
  B  every other remaining contributor in name order, from the first
  C  every other remaining contributor in name order, from the second
Only a model trained with a fold held out is measured on strangers by that fold: the shipped
model was trained with A held out, so for it B and C are writers it has seen (their figures
are reported beside A's for that reason, not as held-out figures).

Per fold, on UNIPEN cleaned as training loads it (`load_unipen_clean`):
  words             CER greedy and with the lexicon beam (`--decoder beam`), exact match;
                    lines, multi-line and text are read with the beam too
  lines             5 to 8 words of one writer of the fold on one line (`join_ink`), CER
                    (a line is cut into words at wide gaps, `--word-gap`)
  multi-line        the same words on 2 or 3 lines (`stack_lines`), CER (newlines score as spaces)
  digit/upper/lower accuracy with the field hint (charset digits / upper / lower)
  text              the fold's real UNIPEN text lines (the contributors that have any), CER
Figures go to docs/figures/handwriting-folds[-TAG].json.
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

import numpy as np  # noqa: E402
import torch  # noqa: E402

from recognizers.alphabet import Alphabet  # noqa: E402
from recognizers.decoding.lexicon import tuned_options  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.recognizer import PRECISIONS, Recognizer  # noqa: E402
from recognizers.training.datasets import group_of, load_unipen_clean  # noqa: E402
from recognizers.training.ink_compose import join_ink, stack_lines  # noqa: E402

FOLD_A = ("art", "imp")


def word_set_contributors() -> list[str]:
    """The contributors of UNIPEN's word set as stored, before any cleaning (which drops one,
    abm, whole): the folds are drawn from these, here and in scan_unipen_sessions.py."""
    from recognizers.ink import read_ink_samples
    from recognizers.paths import shared_data_dir

    return sorted({group_of(s.writer) for s in read_ink_samples(shared_data_dir() / "unipen" / "unipen-word.jsonl.gz")})


def folds(contributors: list[str]) -> dict[str, tuple[str, ...]]:
    rest = sorted(c for c in contributors if c not in FOLD_A)
    return {"A": FOLD_A, "B": tuple(rest[0::2]), "C": tuple(rest[1::2])}


def sample(items: list, n: int, rng: np.random.Generator) -> list:
    if len(items) <= n:
        return items
    return [items[i] for i in sorted(rng.choice(len(items), n, replace=False))]


def composed(words: list, n: int, rng: np.random.Generator) -> tuple[list, list]:
    """n lines of 5-8 words of one writer each, and the same words on 2 or 3 lines."""
    by_writer: dict[str, list] = {}
    for w in words:
        if w.label.strip() and " " not in w.label:
            by_writer.setdefault(w.writer or "", []).append(w)
    writers = sorted(k for k, v in by_writer.items() if len(v) >= 8)
    one, multi = [], []
    for _ in range(n):
        pool = by_writer[writers[int(rng.integers(len(writers)))]]
        picks = [pool[int(j)] for j in rng.choice(len(pool), int(rng.integers(5, 9)), replace=False)]
        one.append(join_ink(picks, rng))
        k = 2 if len(picks) < 7 else 3
        cuts = np.array_split(np.arange(len(picks)), k)
        multi.append(stack_lines([join_ink([picks[i] for i in c], rng) for c in cuts], rng))
    return one, multi


def run(rec: Recognizer, samples: list, charset: str | None = None) -> dict:
    t0 = time.perf_counter()
    pairs = [(s.label, rec.recognize(s.strokes, charset=charset).text) for s in samples]
    ms = (time.perf_counter() - t0) * 1000 / max(len(samples), 1)
    return {**error_rates(pairs, "handwriting").as_dict(), "ms_per_sample": ms}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="a handwriting checkpoint (default: the shipped one)")
    ap.add_argument("--limit", type=int, default=1500, help="at most this many samples per fold and set")
    ap.add_argument("--lines", type=int, default=150, help="composed lines per fold")
    ap.add_argument("--folds", default="A,B,C")
    ap.add_argument("--no-beam", action="store_true")
    ap.add_argument("--tag", default="")
    ap.add_argument("--only", default="words,lines,chars,text",
                    help="what to measure, of words, lines (one line and several), chars (the hint sets), text")
    ap.add_argument("--views", action=argparse.BooleanOptionalAction, default=True,
                    help="read each word in several views too (Recognizer.ink_views; the default since session 8)")
    ap.add_argument("--search-views", action=argparse.BooleanOptionalAction, default=True,
                    help="with the views, the lexicon beam searches each view where they disagree "
                         "(Recognizer.search_views; the default since session 27)")
    ap.add_argument("--word-gap", type=float, default=None,
                    help="cut lines into words at gaps this wide (writing heights; default: "
                         "recognizers.ink_lines.WORD_GAP; inf: never, the model alone places spaces)")
    ap.add_argument("--precision", default="auto", choices=PRECISIONS,
                    help="the network's number type (Recognizer.pick_precision; auto: bfloat16 on CPUs with AMX)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    torch.set_num_threads(1)
    alphabet = Alphabet.handwriting()
    data, report = load_unipen_clean(["word", "digit", "upper", "lower", "text"])
    data = [s for s in data if 0 < len(s.label) <= 60 and alphabet.covers(" ".join(s.label.split()))]
    for s in data:
        s.label = " ".join(s.label.split())
    fold_of = folds(word_set_contributors())
    greedy = Recognizer.load(args.model, device="cpu", decoder="greedy", precision=args.precision)
    beam = None if args.no_beam else Recognizer.load(args.model, device="cpu", decoder="beam", precision=args.precision)
    for r in (greedy, beam):
        if r is not None:
            r.word_gap = args.word_gap
            r.ink_views = args.views
            r.search_views = args.search_views
    out: dict = {"model": args.model or "shipped", "precision": str(greedy.dtype).removeprefix("torch."), "word_gap": args.word_gap, "views": args.views, "search_views": args.search_views,
                 "max_words": tuned_options("handwriting").get("max_words", 20000), "cleaning": report.__dict__, "folds": {}}
    for name in args.folds.split(","):
        members = fold_of[name]
        rng = np.random.default_rng(2026)
        mine = [s for s in data if group_of(s.writer) in members]
        by_set = {k: [s for s in mine if s.extra["set"] == k] for k in ("word", "digit", "upper", "lower", "text")}
        # the samples are drawn in the same order whatever is measured, so a partial run's
        # figures equal the full run's
        words = sample(by_set["word"], args.limit, rng)
        res: dict = {"contributors": list(members), "n_writers": len({s.writer for s in by_set["word"]})}
        if "words" in only:
            res["words greedy"] = run(greedy, words)
            if beam is not None:
                res["words beam"] = run(beam, words)
        one, multi = composed(by_set["word"], args.lines, rng)
        if "lines" in only:
            res["lines (5-8 words)"] = run(greedy, one)
            res["multi-line (same words)"] = run(greedy, multi)
            if beam is not None:
                res["lines beam"] = run(beam, one)
                res["multi-line beam"] = run(beam, multi)
        for k, cs in (("digit", "digits"), ("upper", "upper"), ("lower", "lower")):
            chars = sample(by_set[k], args.limit, rng)
            if chars and "chars" in only:
                res[f"{k} hint={cs}"] = run(greedy, chars, cs)
        if by_set["text"] and "text" in only:
            text = sample(by_set["text"], args.limit, rng)
            res["text (real lines)"] = run(greedy, text)
            if beam is not None:
                res["text beam"] = run(beam, text)
        out["folds"][name] = res
        print(f"fold {name} ({', '.join(members)}):")
        for k, v in res.items():
            if isinstance(v, dict):
                print(f"  {k:28s} n={v['n']:5d}  CER {100 * v['cer']:6.2f} %  exact {100 * v['exact']:6.2f} %  {v['ms_per_sample']:.2f} ms")
        sys.stdout.flush()
    path = ROOT / "docs" / "figures" / f"handwriting-folds{'-' + args.tag if args.tag else ''}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
