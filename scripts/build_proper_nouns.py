"""Build resources/lm/proper-nouns.txt: the words of the shipped word list that Debian's
wamerican spells one way only, and not in lower case ("George", "London", "NASA", "McDonald",
"George's"). Dictation writes them so (`app/formatting.py`); words that are also everyday words
("will", "bill", "may", "turkey") have a lower-case entry there and stay as read, and a word
with two capitalised spellings ("Pm" and "PM") is left alone.

    .venv/bin/python scripts/build_proper_nouns.py [--dict /usr/share/dict/american-english]

Shipped as a file, so the app needs no system word list at run time.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ROOT / "resources" / "lm" / "en-words.txt"
OUT = ROOT / "resources" / "lm" / "proper-nouns.txt"
MIN_LEN = 3  # two-letter entries are mostly symbols and abbreviations ("Co", "Al", "Le")

HEADER = """\
# Words of the shipped word list (en-words.txt) that Debian's wamerican spells only one way,
# and not in lower case: names of people, places, peoples and brands. Dictation writes them
# so ("london" -> "London"; app/formatting.py). Made by scripts/build_proper_nouns.py.
# The spellings come from SCOWL (Debian's wamerican): Copyright 2000-2011 by Kevin Atkinson;
# its permission notice is in README.md, Credits.
"""


def proper_nouns(words: list[str], dictionary: list[str]) -> list[str]:
    """The spelling of each word of `words` (lower case) that `dictionary` has only in one
    spelling other than lower case, in the order of `words`."""
    forms: dict[str, set[str]] = defaultdict(set)
    for entry in dictionary:
        forms[entry.lower()].add(entry)
    out = []
    for w in words:
        f = forms.get(w, set())
        if len(w) >= MIN_LEN and len(f) == 1 and w not in f:
            out.append(next(iter(f)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dict", default="/usr/share/dict/american-english", help="wamerican's word list")
    args = ap.parse_args()
    words = [line.split()[0] for line in WORDS.read_text().splitlines() if line.strip()]
    dictionary = Path(args.dict).read_text(encoding="utf-8").split()
    names = proper_nouns(words, dictionary)
    OUT.write_text(HEADER + "".join(n + "\n" for n in names), encoding="utf-8")
    print(f"wrote {OUT}: {len(names)} of {len(words)} words")


if __name__ == "__main__":
    main()
