"""Build the shipped word list and word bigram language model.

    .venv/bin/python scripts/build_lm.py [--words 60000] [--min-count 2] [--sources wordnet,cathy,fortunes,devil]

Writes resources/lm/en-words.txt (one word a line, most frequent first) and
resources/lm/en-bigram.arpa (an ARPA bigram model that KenLM loads).

- Unigrams: wordfreq's English frequencies (Robyn Speer et al., CC BY-SA 4.0), broad and
  reliable, but frequencies only.
- Bigrams: counted in openly licensed English text that is on this machine: the glosses
  (definitions and usage examples) of WordNet 3.0 (Debian wordnet-base; WordNet licence) and
  the training-split sentences of the Cathy recordings (CMU ARCTIC prompts, public domain).
  The held-out parts are left out: Cathy's validation sentences and the WordNet examples kept
  for the synthetic validation voices (recognizers/speech_synth.py has both rules).
  Since session 9 also running English in two more Debian packages: the quotations of
  `fortunes` (BSD fortune's collections: literature, people, wisdom, songs and poems...;
  Debian main, BSD licence), without its ASCII art and program listings, and Ambrose
  Bierce's *The Devil's Dictionary* (`dict-devil`, public domain). Both are training-time
  sources only: the app reads the built files.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)
from recognizers.synth.prose import (  # noqa: E402
    DEVIL_DICT,
    FORTUNES_MARKER,
    devil_texts,
    fortune_texts,
    without_held_out,
)

DICTATION_FLOOR = 1e-4  # about "mark"'s frequency in wordfreq, a third of "come"'s
WORD = re.compile(r"^[a-z]+(?:'[a-z]+)?$")
QUOTE = re.compile(r'"([^"]+)"')


def wordnet_texts(d: Path, held_out: set[str]) -> list[str]:
    """Gloss definitions and usage examples, split at semicolons; examples whose normalised
    text is in `held_out` are left out."""
    from recognizers.text_norm import normalize_text

    out: list[str] = []
    for pos in ("noun", "verb", "adj", "adv"):
        path = d / f"data.{pos}"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="latin-1").splitlines():
            if line.startswith(" ") or "|" not in line:
                continue
            gloss = line.split("|", 1)[1]
            for ex in QUOTE.findall(gloss):
                if normalize_text(ex) not in held_out:
                    out.append(ex)
            out += [part for part in QUOTE.sub(" ", gloss).split(";") if part.strip()]
    return out


def cathy_texts(manifest: Path, validation: bool = False) -> list[str]:
    """Cathy's distinct sentences of the training split, or of the validation split."""
    import json

    from recognizers.synth.text import is_cathy_validation

    if not manifest.is_file():
        return []
    texts = {json.loads(line)["text"] for line in manifest.read_text().splitlines() if line.strip()}
    return sorted(t for t in texts if is_cathy_validation(t) == validation)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=60000)
    ap.add_argument("--min-count", type=int, default=2, help="bigrams seen fewer times back off")
    ap.add_argument("--sources", default="wordnet,cathy,fortunes,devil", help="the texts bigrams are counted in")
    ap.add_argument("--running-weight", type=int, default=1,
                    help="count fortunes and Bierce this many times (2 or more also keeps their bigrams seen once)")
    args = ap.parse_args()
    import wordfreq

    from recognizers.decoding.word_lm import estimate_bigrams
    from recognizers.synth.text import DEFAULT_CATHY
    from recognizers.text_norm import normalize_text

    words: list[tuple[str, float]] = []
    for w in wordfreq.iter_wordlist("en", "large"):
        if WORD.match(w) and (len(w) > 1 or w in ("a", "i")):
            words.append((w, wordfreq.word_frequency(w, "en", "large")))
        if len(words) >= args.words:
            break
    # the words said for marks in dictation (recognizers.text_norm.SPOKEN_MARKS) are far more common
    # in dictated speech than in written text: "comma" (10^-5.7 in wordfreq) was read "come"
    from recognizers.text_norm import SPOKEN_MARKS

    said = {w for phrase in SPOKEN_MARKS for w in phrase}
    total = sum(f for _, f in words)  # of wordfreq's own figures: every other word keeps its value
    words = [(w, max(f, DICTATION_FLOOR * total) if w in said else f) for w, f in words]
    unigram_p = {w: f / total for w, f in words}

    from recognizers.synth.spoken import TextBank
    from recognizers.synth.text import WORDNET_DIR

    # the held-out examples exactly as the synthesizer draws them (its split rule hashes
    # the example after its own clean-up, so the raw quotes cannot be hashed here)
    bank = TextBank(DEFAULT_CATHY if DEFAULT_CATHY.is_file() else None)
    held_out = {normalize_text(t) for t in bank.wordnet_val}
    sources = set(args.sources.split(","))
    unknown = sources - {"wordnet", "cathy", "fortunes", "devil"}
    if unknown or not args.sources.strip():
        ap.error(f"unknown sources: {', '.join(sorted(unknown))}")
    texts = wordnet_texts(Path(WORDNET_DIR), held_out) if "wordnet" in sources else []
    cathy = cathy_texts(DEFAULT_CATHY) if "cathy" in sources else []
    for name, got in (("fortunes", "fortunes" not in sources or FORTUNES_MARKER.is_file()), ("dict-devil", "devil" not in sources or DEVIL_DICT.is_file())):
        if not got:
            ap.error(f"Debian's {name} is not installed (`scripts/setup.sh test` installs it)")
    extra = (fortune_texts() if "fortunes" in sources else []) + (devil_texts() if "devil" in sources else [])
    # no held-out text of any validation set may be counted: the synthetic voices' WordNet
    # examples and Cathy's validation sentences
    cathy_val = {normalize_text(t) for t in cathy_texts(DEFAULT_CATHY, validation=True)}
    extra, n_dropped = without_held_out(extra, held_out | cathy_val)
    sentences = [normalize_text(t).split() for t in texts + cathy + extra * args.running_weight]
    lm = estimate_bigrams(unigram_p, sentences, min_count=args.min_count)
    lm.unigram["<unk>"] = math.log10(min(unigram_p.values()) / 10)

    out = ROOT / "resources" / "lm"
    out.mkdir(parents=True, exist_ok=True)
    (out / "en-words.txt").write_text("".join(w + "\n" for w, _ in words))
    lm.write_arpa(out / "en-bigram.arpa")
    n_words = sum(len(s) for s in sentences)
    print(f"wrote {len(words)} words and {len(lm.bigram)} bigrams (from {len(texts)} WordNet "
          f"texts, {len(held_out)} held-out examples left out, {len(cathy)} Cathy "
          f"sentences and {len(extra)} sentences of fortunes and The Devil's Dictionary ({n_dropped} holding held-out "
          f"text left out); {n_words} words) to {out}")


if __name__ == "__main__":
    main()
