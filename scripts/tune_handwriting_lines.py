"""Tune handwriting's lexicon-beam weights on lines and words of one held-out contributor, and
report them on another that the tuning never saw.

    .venv/bin/python scripts/tune_handwriting_lines.py [--tune art] [--test imp] [--write]

`scripts/tune_beam.py` tunes on isolated words read in one pass. The app reads a line as
`Recognizer.recognize` does: cut into words at wide gaps, and where a gap is narrow the beam
itself must place the space, which the word score governs. So this grid runs the whole reading
path (split, beam, rescoring) on lines of 5-8 words of one writer (composed as
`scripts/eval_folds.py` composes them, with other seeds) and on single words, both of the
tuning contributor, and picks the weights with the lowest mean of the two CERs.
Figures go to docs/figures/beam-handwriting-lines.json; `--write` also sets them in
resources/lm/decoder.json.
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

from eval_folds import composed, sample  # noqa: E402
from recognizers.alphabet import Alphabet  # noqa: E402
from recognizers.decoding import DecoderSettings  # noqa: E402
from recognizers.decoding.lexicon import TUNED  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.recognizer import Recognizer  # noqa: E402
from recognizers.training.datasets import group_of, load_unipen_clean  # noqa: E402


def read_cer(rec: Recognizer, samples: list) -> float:
    """CER of the whole reading path (split, views, decoder) on labelled ink samples."""
    return error_rates([(s.label, rec.recognize(s.strokes).text) for s in samples], "handwriting").cer


def cer(rec: Recognizer, decoder: DecoderSettings | str, samples: list) -> float:
    rec.set_decoder(decoder)
    return read_cer(rec, samples)


def tuning_words(alphabet: Alphabet) -> list:
    """UNIPEN's words as training cleans them, of up to 60 characters the alphabet covers,
    their labels with single spaces."""
    data, _ = load_unipen_clean(["word"])
    data = [s for s in data if 0 < len(s.label) <= 60 and alphabet.covers(" ".join(s.label.split()))]
    for s in data:
        s.label = " ".join(s.label.split())
    return data


def write_weights(chosen: dict) -> None:
    """Set handwriting's beam weights in resources/lm/decoder.json."""
    tuned = json.loads(TUNED.read_text())
    tuned["handwriting"] = {**tuned.get("handwriting", {}), **chosen}
    TUNED.write_text(json.dumps(tuned, indent=1) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tune", default="art", help="the contributor tuned on")
    ap.add_argument("--test", default="imp", help="the contributor reported on")
    ap.add_argument("--lines", type=int, default=120)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--write", action="store_true", help="write the chosen weights to resources/lm/decoder.json")
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = tuning_words(Alphabet.handwriting())
    sets: dict[str, tuple[list, list]] = {}
    for c, seed in ((args.tune, 7), (args.test, 8)):
        mine = [s for s in data if group_of(s.writer) == c]
        lines, _ = composed(mine, args.lines, np.random.default_rng(seed))
        sets[c] = (lines, sample(mine, args.words, np.random.default_rng(seed + 10)))
    rec = Recognizer.load(None, "handwriting", device="cpu", decoder="greedy")

    def both(decoder: DecoderSettings | str, c: str) -> dict:
        lines, words = sets[c]
        return {"lines": cer(rec, decoder, lines), "words": cer(rec, decoder, words)}

    out: dict = {"tune": args.tune, "test": args.test, "n_lines": args.lines, "n_words": args.words}
    for name, dec in (("greedy", "greedy"), ("tuned before", DecoderSettings("beam"))):
        out[name] = {c: both(dec, c) for c in sets}
        print(name, out[name], flush=True)
    grid = []
    for lw, ws, oov in itertools.product((0.2, 0.3, 0.4, 0.5), (2.0, 3.0, 4.0, 5.0, 6.0), (-5.0, -8.0, -12.0)):
        r = both(DecoderSettings("beam", lm_weight=lw, word_score=ws, oov_logprob=oov), args.tune)
        grid.append({"lm_weight": lw, "word_score": ws, "oov_logprob": oov, **r})
        print(f"lm_weight {lw} word_score {ws} oov {oov}: lines {r['lines']:.4f} words {r['words']:.4f}", flush=True)
    best = min(grid, key=lambda g: (g["lines"] + g["words"]) / 2)
    chosen = {k: best[k] for k in ("lm_weight", "word_score", "oov_logprob")}
    out["grid"], out["chosen"] = grid, chosen
    out["chosen on test"] = both(DecoderSettings("beam", **chosen), args.test)
    print("chosen", chosen, "on", args.test, out["chosen on test"])
    path = ROOT / "docs" / "figures" / "beam-handwriting-lines.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    if args.write:
        write_weights(chosen)


if __name__ == "__main__":
    main()
