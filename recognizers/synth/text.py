"""Text for synthetic training data: the word sources, calendar and digit names and held-out
rules that both forms share, and the written forms a person puts on paper (ink: "12/03/2024",
"$4.99"). The spoken forms ("March twelfth", "four dollars and ninety nine cents") draw on the
same sources in synth/spoken.py.

Both forms draw on the same word sources (Debian's wamerican list and WordNet, with small
built-in fallbacks) and the same calendar and digit names, and both keep held-out text out
of training by the same rules.
"""

from __future__ import annotations

import os
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from recognizers.alphabet import HANDWRITING_CHARS
from recognizers.paths import SHARED_DATA_ENV

WORDS_FILE = Path("/usr/share/dict/words")  # Debian wamerican
WORDNET_DIR = Path("/usr/share/wordnet")  # Debian wordnet-base
# Cathy's prompts: training sentences for speech, and the rule that keeps her validation ones out
DEFAULT_CATHY = Path(os.environ.get(SHARED_DATA_ENV, "/nonexistent")) / "speech" / "cathy" / "manifest.jsonl"
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --------------------------------------------------------------------------- held-out text


def is_cathy_validation(text: str) -> bool:
    """True iff a Cathy (CMU ARCTIC) sentence belongs to the validation split.

    The rule shared by the whole project: ``zlib.crc32(t.encode()) % 5 == 0`` where ``t`` is
    the text lower-cased with whitespace collapsed. Validation sentences are never synthesised.
    """
    t = " ".join(text.lower().split())
    return zlib.crc32(t.encode()) % 5 == 0


def is_wordnet_validation(text: str) -> bool:
    """WordNet example sentences with crc32 % 10 == 0 are kept for the flite validation set."""
    return zlib.crc32(" ".join(text.lower().split()).encode()) % 10 == 0


# --------------------------------------------------------------------------- written forms (ink)

_FALLBACK_WORDS = (
    "the of and to in is you that it he was for on are as with his they at be this have from or one had by "
    "word but not what all were we when your can said there use an each which she do how their if will up "
    "other about out many then them these so some her would make like him into time has look two more write "
    "go see number no way could people my than first water been call who oil its now find long down day did "
    "get come made may part over new sound take only little work know place year live me back give most very"
).split()
_FALLBACK_NAMES = "Anna Ben Clara David Emma Frank Grace Henry Iris Jack Karen Leo Maria Noah Olivia Paul".split()
_TLDS = ["com", "org", "net", "edu", "io", "co.uk", "de"]


@lru_cache(maxsize=1)
def _lexicon() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(lower-case words, possessives, names) from wamerican, or a small built-in list."""
    words, poss, names = [], [], []
    try:
        lines = WORDS_FILE.read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        lines = []
    ok = set(HANDWRITING_CHARS) - {" "}
    for w in lines:
        if not w.isascii() or not set(w) <= ok:
            continue
        if w.endswith("'s"):
            poss.append(w)
        elif "'" in w:
            continue
        elif w[0].isupper():
            if w[1:].islower():
                names.append(w)
        elif w.isalpha():
            words.append(w)
    if len(words) < 100:
        import warnings

        warnings.warn(f"{WORDS_FILE} is missing (Debian wamerican; scripts/setup.sh installs it): synthetic ink "
                      "writes a small built-in word list instead", RuntimeWarning, stacklevel=2)
        words, names = list(_FALLBACK_WORDS), list(_FALLBACK_NAMES)
    return tuple(words), tuple(poss), tuple(names)


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def word(rng: np.random.Generator, max_len: int = 12) -> str:
    """A word as written: from the shared word list, now and then a possessive."""
    words, poss, _names = _lexicon()
    if poss and rng.random() < 0.05:
        return _pick(rng, poss)
    for _ in range(8):
        w = _pick(rng, words)
        if len(w) <= max_len:
            return w
    return w


def _cased(rng: np.random.Generator, w: str) -> str:
    r = rng.random()
    if r < 0.68:
        return w
    if r < 0.9:
        return w[:1].upper() + w[1:]
    return w.upper()


def _name(rng: np.random.Generator) -> str:
    names = _lexicon()[2] or _FALLBACK_NAMES
    n = _pick(rng, names)
    return n.upper() if rng.random() < 0.1 else n


def _number(rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.3:
        return str(int(rng.integers(0, 100)))
    if r < 0.55:
        return str(int(rng.integers(100, 100000)))
    if r < 0.65:
        return f"{int(rng.integers(1000, 10**7)):,}"
    if r < 0.8:
        return f"{rng.uniform(0, 1000):.{int(rng.integers(1, 4))}f}"
    if r < 0.88:
        return _pick(rng, ["-", "+", "#", "No. "]) + str(int(rng.integers(1, 1000)))
    if r < 0.94:
        return f"{int(rng.integers(200, 1000))}-{int(rng.integers(0, 10000)):04d}"
    return f"{int(rng.integers(1, 100))}/{int(rng.integers(2, 100))}"


def _date(rng: np.random.Generator) -> str:
    d, m, y = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(1950, 2040))
    month = MONTHS[m - 1]
    forms = [
        f"{d:02d}/{m:02d}/{y}",
        f"{m}/{d}/{y}",
        f"{d}/{m}/{y % 100:02d}",
        f"{d} {month}",
        f"{month} {d}",
        f"{d} {month[:3]}",
        f"{month[:3]} {d}",
        f"{month} {d}, {y}",
        f"{d} {month} {y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{d}.{m}.{y}",
        f"{_pick(rng, WEEKDAYS)[:3]}, {d} {month[:3]}",
        str(y),
    ]
    return _pick(rng, forms)


def _price(rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.45:
        return f"${rng.uniform(0, 100):.2f}"
    if r < 0.7:
        return f"${int(rng.integers(1, 1000))}"
    if r < 0.8:
        return f"${int(rng.integers(1000, 100000)):,}"
    if r < 0.9:
        return f"{rng.uniform(0, 100):.2f}"
    return f"${int(rng.integers(1, 20))}.{_pick(rng, ['00', '50', '95', '99'])}"


def _time(rng: np.random.Generator) -> str:
    h, m = int(rng.integers(0, 24)), int(rng.integers(0, 60))
    h12 = h % 12 or 12
    ap = _pick(rng, ["am", "pm", "AM", "PM", " am", " pm"])
    return _pick(rng, [f"{h}:{m:02d}", f"{h:02d}:{m:02d}", f"{h12}:{m:02d}{ap}", f"{h12}{ap.strip()}", f"{h12}:{m:02d}"])


def _percent(rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.6:
        return f"{int(rng.integers(0, 101))}%"
    if r < 0.9:
        return f"{rng.uniform(0, 100):.1f}%"
    return f"-{int(rng.integers(1, 50))}%"


def _email(rng: np.random.Generator) -> str:
    user = _name(rng).lower()
    if rng.random() < 0.4:
        user += _pick(rng, [".", ""]) + word(rng, 7)
    if rng.random() < 0.3:
        user += str(int(rng.integers(1, 100)))
    r = rng.random()
    if r < 0.15:
        return "@" + user
    return f"{user}@{word(rng, 8)}.{_pick(rng, _TLDS)}"


def _punctuated(rng: np.random.Generator) -> str:
    w = _cased(rng, word(rng))
    r = rng.random()
    if r < 0.45:
        return w + _pick(rng, [".", ",", ",", ";", ":", "!", "?", "...", "?!"])
    if r < 0.6:
        return _pick(rng, ["({})", '"{}"', "'{}'", "({}).", '"{}."', "'{}',"]).format(w)
    if r < 0.75:
        return w + _pick(rng, ["-", "/", "&", "+"]) + word(rng, 7)
    if r < 0.85:
        return _pick(rng, ["#", "&", "+", "=", "@"]) + _pick(rng, [w, str(int(rng.integers(1, 100)))])
    if r < 0.93:
        a, b = _pick(rng, "xyzabn"), int(rng.integers(0, 100))
        return _pick(rng, [f"{a}={b}", f"{a}+{b}", f"{b}+{int(rng.integers(0, 100))}=", f"{a}-{b}"])
    return _pick(rng, ["-", "--"]) + w


def _single_char(rng: np.random.Generator) -> str:
    return _pick(rng, HANDWRITING_CHARS[1:])


_TOKENS = (  # (weight, maker) for a one-token sample
    (0.50, lambda rng: _cased(rng, word(rng))),
    (0.07, _name),
    (0.08, _number),
    (0.05, _date),
    (0.05, _price),
    (0.04, _time),
    (0.03, _percent),
    (0.03, _email),
    (0.11, _punctuated),
    (0.04, _single_char),
)
_TOKEN_P = np.array([w for w, _ in _TOKENS]) / sum(w for w, _ in _TOKENS)


def random_text(rng: np.random.Generator) -> str:
    """One label: mostly (about 70 %) a single token, else a phrase of 2-4 tokens."""
    if rng.random() < 0.7:
        return _TOKENS[int(rng.choice(len(_TOKENS), p=_TOKEN_P))][1](rng)
    n = int(rng.integers(2, 5))
    toks = []
    for i in range(n):
        r = rng.random()
        if r < 0.78:
            w = word(rng, 9)
            toks.append(w[:1].upper() + w[1:] if i == 0 and rng.random() < 0.4 else w)
        elif r < 0.86:
            toks.append(_name(rng))
        else:
            toks.append(_pick(rng, [_number, _price, _date, _time, _percent])(rng))
    text = " ".join(toks)
    if rng.random() < 0.15:
        text = text.upper()
    if rng.random() < 0.3:
        text += _pick(rng, [".", ".", ",", "!", "?", ":", ";"])
    return text
