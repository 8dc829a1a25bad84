"""Build the shipped word list and unigram language model from wordfreq's English data.

    .venv/bin/python scripts/build_lm.py [--words 40000]

Writes resources/lm/en-words.txt (one word a line, most frequent first) and
resources/lm/en-unigram.arpa (an ARPA 1-gram model that KenLM loads). wordfreq's data
(Robyn Speer et al., CC BY-SA 4.0) is frequency data only, so the model is a unigram
one; it still tells the decoder which spellings are words and how common each is.
"""

from __future__ import annotations

import argparse
import math
import sys
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORD = re.compile(r"^[a-z]+(?:'[a-z]+)?$")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=40000)
    args = ap.parse_args()
    import wordfreq

    words: list[tuple[str, float]] = []
    for w in wordfreq.iter_wordlist("en", "large"):
        if WORD.match(w) and (len(w) > 1 or w in ("a", "i")):
            words.append((w, wordfreq.word_frequency(w, "en", "large")))
        if len(words) >= args.words:
            break
    total = sum(f for _, f in words)
    out = ROOT / "resources" / "lm"
    out.mkdir(parents=True, exist_ok=True)
    (out / "en-words.txt").write_text("".join(w + "\n" for w, _ in words))
    unk = math.log10(min(f for _, f in words) / total / 10)
    from recognizers.lm_decoder import write_arpa_lines

    probs = {"<unk>": unk, "<s>": -99.0, "</s>": 0.0, **{w: math.log10(f / total) for w, f in words}}
    lines = write_arpa_lines(probs)
    (out / "en-unigram.arpa").write_text("\n".join(lines))
    print(f"wrote {len(words)} words to {out}")


if __name__ == "__main__":
    main()
