"""Spoken forms of synthetic speech text: digits, numbers, dates, commands, names and
sentences written in words, the way a voice says them (the sources are synth/text.py's)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recognizers.synth.spoken_words import (
    CITIES,
    COMMAND_TEMPLATES,
    DOCS,
    FIRST_NAMES,
    GENRES,
    SENTENCE_TEMPLATES,
    SURNAMES,
    THINGS,
)
from recognizers.synth.text import (
    DEFAULT_CATHY,
    DIGIT_WORDS,
    MONTHS,
    WEEKDAYS,
    WORDNET_DIR,
    WORDS_FILE,
    is_cathy_validation,
    is_wordnet_validation,
)
from recognizers.text_norm import SPOKEN_MARKS, normalize_text, number_to_words, ordinal_to_words

# Abbreviations a synthesiser expands differently from how normalize_text() writes them.
_ABBREV_RE = re.compile(
    r"\b(?:mr|mrs|ms|dr|st|jr|sr|etc|vs|prof|gen|col|lt|capt|sgt|mt|ft|no|vol|co|inc|ltd|"
    r"approx|dept|fig|esp|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.", re.IGNORECASE)
_OK_CHARS_RE = re.compile(r"^[A-Za-z0-9 ,.'?!;:\-]+$")
_ACRONYM_RE = re.compile(r"\b[A-Z]{2,}\b|\b[A-Za-z]\.[A-Za-z]")


def _speakable(text: str, max_chars: int = 110) -> bool:
    """Text every engine reads the way normalize_text() writes it (no abbreviations,
    acronyms, symbols or digits)."""
    return (3 <= len(text) <= max_chars and bool(_OK_CHARS_RE.match(text))
            and not _ABBREV_RE.search(text) and not _ACRONYM_RE.search(text)
            and not re.search(r"\d", text) and "--" not in text)


# each mark and the words a dictating person says for it ("." "period" or "full stop")
SAID: dict[str, list[str]] = {}
for _said, _mark in SPOKEN_MARKS.items():
    if not _mark.isspace():
        SAID.setdefault(_mark, []).append(" ".join(_said))
_DIGITS_RE = re.compile(r"\d+")


def _spell_digits_in(text: str) -> str:
    """Spell plain integers (``"100 pounds"`` -> ``"one hundred pounds"``) in running text."""
    def sub(m: re.Match[str]) -> str:
        s = m.group()
        return " ".join(DIGIT_WORDS[int(c)] for c in s) if s.startswith("0") and len(s) > 1 \
            else number_to_words(int(s))
    return _DIGITS_RE.sub(sub, text)


def _year_words(year: int) -> str:
    """Spoken year: 1995 -> "nineteen ninety five", 2005 -> "two thousand five",
    1905 -> "nineteen oh five", 2019 -> "twenty nineteen" (or "two thousand nineteen")."""
    hi, lo = divmod(year, 100)
    if 2000 <= year < 2010:
        return number_to_words(year)
    if lo == 0:
        return number_to_words(hi) + " hundred"
    tail = ("oh " + DIGIT_WORDS[lo]) if lo < 10 else number_to_words(lo)
    return number_to_words(hi) + " " + tail


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class TextBank:
    """Text sources, loaded once. Draw with :meth:`draw` (``(kind, text)``).

    ``cathy_manifest``: the Cathy manifest (its training-split sentences are used), or
    None. ``words_file``, ``wordnet_dir``: Debian's wamerican list and WordNet database;
    either may be missing (then templates fall back on built-in words).
    """

    TRAIN_KINDS = {
        # ~40 % digits and numbers (one real validation set is spoken digits)
        "digit": 0.15, "digits": 0.13, "number": 0.08, "date": 0.04,
        "command": 0.13, "name": 0.05, "wordnet": 0.20, "cathy": 0.10,
        "template": 0.07, "words": 0.05,
    }
    # Validation text: the same mix, sentences from the held-out WordNet part, no Cathy.
    VAL_KINDS = {**{k: v for k, v in TRAIN_KINDS.items() if k != "cathy"}, "wordnet": 0.30}
    # "prose" (sentences of fortunes and Bierce, synth/prose.py) and "dictation" (the same
    # sentences with their marks said: "comma", "period"...) are drawn only when asked for in
    # `train_kinds`: adding them to the default mix would change every existing cache's plan.
    ASKED_KINDS = ("prose", "dictation")

    def __init__(self, cathy_manifest: Path | None = DEFAULT_CATHY,
                 words_file: Path | None = WORDS_FILE, wordnet_dir: Path | None = WORDNET_DIR,
                 train_kinds: dict[str, float] | None = None):
        if train_kinds is not None:
            unknown = set(train_kinds) - set(self.TRAIN_KINDS) - set(self.ASKED_KINDS)
            if unknown or not train_kinds or min(train_kinds.values()) <= 0:
                raise ValueError(f"training kinds must be positive weights of {sorted(self.TRAIN_KINDS) + list(self.ASKED_KINDS)}")
        self.train_kinds = dict(train_kinds) if train_kinds is not None else dict(self.TRAIN_KINDS)
        self._prose_cache: list[str] | None = None  # loaded on first use
        self.cathy_train: list[str] = []
        self.excluded: set[str] = set()  # normalised Cathy validation sentences
        if cathy_manifest is not None and Path(cathy_manifest).is_file():
            seen: set[str] = set()
            with open(cathy_manifest, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        continue
                    text = json.loads(line)["text"].strip()
                    if is_cathy_validation(text):
                        self.excluded.add(normalize_text(text))
                    elif text not in seen and _speakable(text, 200):
                        seen.add(text)
                        self.cathy_train.append(text)
            self.cathy_train.sort()
        self.words = self._load_words(words_file)
        self.nouns, self.adjs, self.verbs = self._load_wordnet_lemmas(wordnet_dir)
        examples = self._load_wordnet_examples(wordnet_dir)
        self.wordnet_train = [t for t in examples if not is_wordnet_validation(t)]
        self.wordnet_val = [t for t in examples if is_wordnet_validation(t)]

    # ---- loading

    @staticmethod
    def _load_words(path: Path | None) -> list[str]:
        if path is None or not Path(path).is_file():
            return ["apple", "river", "window", "garden", "yellow", "quickly", "music",
                    "mountain", "paper", "silver", "teacher", "happy", "number", "table"]
        with open(path, encoding="utf-8", errors="ignore") as f:
            return sorted({w.strip() for w in f if re.fullmatch(r"[a-z]{3,12}", w.strip())})

    @staticmethod
    def _load_wordnet_lemmas(d: Path | None) -> tuple[list[str], list[str], list[str]]:
        fallback = (["house", "car", "book", "dog", "door", "table", "river", "phone"],
                    ["red", "small", "old", "quiet", "bright", "heavy", "strange"],
                    ["find", "open", "carry", "paint", "move", "clean", "check"])
        if d is None or not (Path(d) / "index.noun").is_file():
            return fallback
        out = []
        for pos, min_tag in (("noun", 3), ("adj", 2), ("verb", 3)):
            lemmas = []
            with open(Path(d) / f"index.{pos}", encoding="latin-1") as f:
                for line in f:
                    if line.startswith(" "):
                        continue
                    parts = line.split()
                    p_cnt = int(parts[3])
                    tagsense = int(parts[5 + p_cnt])
                    if tagsense >= min_tag and re.fullmatch(r"[a-z]{3,12}", parts[0]):
                        lemmas.append(parts[0])
            out.append(sorted(lemmas) or fallback[len(out)])
        return out[0], out[1], out[2]

    def _load_wordnet_examples(self, d: Path | None) -> list[str]:
        if d is None or not (Path(d) / "data.noun").is_file():
            return []
        found: set[str] = set()
        quote_re = re.compile(r'"([^"]+)"')
        for pos in ("noun", "verb", "adj", "adv"):
            path = Path(d) / f"data.{pos}"
            if not path.is_file():
                continue
            with open(path, encoding="latin-1") as f:
                for line in f:
                    if line.startswith(" ") or "|" not in line:
                        continue
                    gloss = line.split("|", 1)[1]
                    for ex in quote_re.findall(gloss):
                        ex = " ".join(ex.split()).strip(" ;,")
                        ex = _spell_digits_in(ex)
                        if len(ex.split()) < 2 or not _speakable(ex, 110):
                            continue
                        if normalize_text(ex) in self.excluded:
                            continue
                        if ex[-1] not in ".?!":
                            ex += "."
                        found.add(_cap(ex))
        return sorted(found)

    # ---- drawing

    def kinds(self, split: str) -> dict[str, float]:
        """Kind weights for ``split`` ("train" or "val"), renormalised over what loaded."""
        w = dict(self.train_kinds if split == "train" else self.VAL_KINDS)
        if ("prose" in w or "dictation" in w) and not self.prose_train():
            w.pop("prose", None)
            w.pop("dictation", None)
        if not self.cathy_train:
            w.pop("cathy", None)
        if not (self.wordnet_train if split == "train" else self.wordnet_val):
            w.pop("wordnet", None)
        total = sum(w.values())
        return {k: v / total for k, v in w.items()}

    def draw(self, rng: np.random.Generator, split: str = "train",
             kind: str | None = None) -> tuple[str, str]:
        """One ``(kind, text)``; the text is written in words, ready to speak."""
        if kind is None:
            weights = self.kinds(split)
            names = list(weights)
            kind = names[int(rng.choice(len(names), p=np.array(list(weights.values()))))]
        for _ in range(20):
            text = getattr(self, f"_{kind}")(rng, split)
            if normalize_text(text) not in self.excluded and normalize_text(text):
                return kind, text
        return "digit", _cap(DIGIT_WORDS[int(rng.integers(10))])

    def _pick(self, rng: np.random.Generator, seq: Sequence[str]) -> str:
        return seq[int(rng.integers(len(seq)))]

    def _digit(self, rng: np.random.Generator, split: str) -> str:
        w = DIGIT_WORDS[int(rng.integers(10))]
        r = rng.random()
        return w if r < 0.4 else _cap(w) if r < 0.7 else _cap(w) + "."

    def _digits(self, rng: np.random.Generator, split: str) -> str:
        n = int(rng.choice([2, 3, 3, 4, 4, 4, 5, 6, 7, 8, 10]))
        digits = [DIGIT_WORDS[int(rng.integers(10))] for _ in range(n)]
        if n >= 6 and rng.random() < 0.6:  # phone-number style grouping
            groups = [digits[:3], digits[3:6], digits[6:]]
            text = ", ".join(" ".join(g) for g in groups if g)
        else:
            text = " ".join(digits)
        r = rng.random()
        if r < 0.15:
            text = self._pick(rng, ("My number is ", "The code is ", "Dial ", "The pin is ",
                                    "Extension ", "The account number is ")) + text
        return _cap(text) + ("." if rng.random() < 0.5 else "")

    def _number(self, rng: np.random.Generator, split: str) -> str:
        r = rng.random()
        if r < 0.3:
            n = int(rng.integers(0, 100))
        elif r < 0.55:
            n = int(rng.integers(100, 1000))
        elif r < 0.75:
            n = int(rng.integers(1000, 100000))
        else:
            n = int(rng.integers(100000, 10**7))
        words = number_to_words(n)
        r = rng.random()
        if r < 0.35:
            return _cap(words)
        if r < 0.45:
            return _cap(ordinal_to_words(int(rng.integers(1, 40))))
        if r < 0.55:
            return _cap(f"{number_to_words(int(rng.integers(0, 100)))} point "
                        + " ".join(DIGIT_WORDS[int(rng.integers(10))]
                                   for _ in range(int(rng.integers(1, 3)))))
        if r < 0.65:
            return _cap(f"{number_to_words(int(rng.integers(1, 101)))} percent")
        if r < 0.75:
            dollars = number_to_words(int(rng.integers(1, 500)))
            cents = int(rng.integers(0, 100))
            return _cap(f"{dollars} dollars" + (f" and {number_to_words(cents)} cents"
                                                if cents else ""))
        if r < 0.87:
            return self._clock(rng)
        unit = self._pick(rng, ("meters", "miles", "kilograms", "people", "minutes",
                                "degrees", "pages", "times", "years", "steps"))
        return _cap(f"{number_to_words(int(rng.integers(2, 1000)))} {unit}")

    def _clock(self, rng: np.random.Generator) -> str:
        h = int(rng.integers(1, 13))
        m = int(rng.choice([0, 5, 10, 15, 20, 25, 30, 40, 45, 50, int(rng.integers(1, 60))]))
        r = rng.random()
        if m == 0:
            return _cap(f"{number_to_words(h)} o'clock")
        if r < 0.2 and m == 15:
            return _cap(f"quarter past {number_to_words(h)}")
        if r < 0.2 and m == 30:
            return _cap(f"half past {number_to_words(h)}")
        mm = ("oh " + DIGIT_WORDS[m]) if m < 10 else number_to_words(m)
        tail = self._pick(rng, ("", "", " in the morning", " in the evening", " tonight"))
        return _cap(f"{number_to_words(h)} {mm}{tail}")

    def _date(self, rng: np.random.Generator, split: str) -> str:
        month = self._pick(rng, MONTHS)
        day = ordinal_to_words(int(rng.integers(1, 29)))
        year = _year_words(int(rng.integers(1900, 2031)))
        r = rng.random()
        if r < 0.3:
            return f"{month} {day}."
        if r < 0.5:
            return f"The {day} of {month}."
        if r < 0.7:
            return f"{month} {day}, {year}."
        if r < 0.85:
            return f"{self._pick(rng, WEEKDAYS)}, {month} {day}."
        return _cap(f"{self._pick(rng, ('born in', 'in', 'since', 'until'))} {year}.")

    def _fill(self, rng: np.random.Generator, template: str) -> str:
        slots = {
            "dir": lambda: self._pick(rng, ("left", "right")),
            "place": lambda: self._pick(rng, ("corner", "light", "junction", "roundabout",
                                              "exit", "intersection")),
            "updown": lambda: self._pick(rng, ("up", "down")),
            "onoff": lambda: self._pick(rng, ("on", "off")),
            "small": lambda: number_to_words(int(rng.integers(2, 13))),
            "num": lambda: number_to_words(int(rng.integers(1, 400))),
            "clock": lambda: self._clock(rng).lower(),
            "money": lambda: number_to_words(int(rng.integers(5, 2000))) + " dollars",
            "first": lambda: self._pick(rng, FIRST_NAMES),
            "last": lambda: self._pick(rng, SURNAMES),
            "city": lambda: self._pick(rng, CITIES),
            "weekday": lambda: self._pick(rng, WEEKDAYS),
            "thing": lambda: self._pick(rng, THINGS),
            "doc": lambda: self._pick(rng, DOCS),
            "unit": lambda: self._pick(rng, ("word", "sentence", "line", "paragraph")),
            "genre": lambda: self._pick(rng, GENRES),
            "word": lambda: self._pick(rng, self.nouns),
            "word2": lambda: self._pick(rng, self.nouns),
            "noun": lambda: self._pick(rng, self.nouns),
            "noun2": lambda: self._pick(rng, self.nouns),
            "adj": lambda: self._pick(rng, self.adjs),
            "adj2": lambda: self._pick(rng, self.adjs),
            "verb": lambda: self._pick(rng, self.verbs),
        }
        return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), template)

    def _command(self, rng: np.random.Generator, split: str) -> str:
        return self._fill(rng, self._pick(rng, COMMAND_TEMPLATES))

    def _template(self, rng: np.random.Generator, split: str) -> str:
        text = self._fill(rng, self._pick(rng, SENTENCE_TEMPLATES))
        return re.sub(r"\ba ([aeiou])", r"an \1", text)

    def _name(self, rng: np.random.Generator, split: str) -> str:
        first, last = self._pick(rng, FIRST_NAMES), self._pick(rng, SURNAMES)
        city = self._pick(rng, CITIES)
        forms = (f"{first} {last}.", f"My name is {first} {last}.", f"This is {first} speaking.",
                 f"Please ask for {first}.", f"{first} {last} from {city}.",
                 f"Hello {first}, how are you?", f"I am meeting {first} in {city}.",
                 f"{last}, {first}.", f"Dear {first},", f"Thanks, {first}.")
        return self._pick(rng, forms)

    def _wordnet(self, rng: np.random.Generator, split: str) -> str:
        pool = self.wordnet_train if split == "train" else self.wordnet_val
        return self._pick(rng, pool)

    def prose_train(self) -> list[str]:
        """Speakable sentences of fortunes and The Devil's Dictionary (3 words or more), none
        holding a held-out WordNet example or Cathy validation sentence."""
        if self._prose_cache is None:
            from recognizers.synth.prose import devil_texts, fortune_texts, without_held_out

            found = set()
            for s in fortune_texts() + devil_texts():
                s = _cap(" ".join(_spell_digits_in(s.replace('"', "")).split()))
                if len(s.split()) >= 3 and not s.endswith(":") and _speakable(s, 110):
                    found.add(s)
            held_out = self.excluded | {normalize_text(t) for t in self.wordnet_val}
            self._prose_cache, _ = without_held_out(sorted(found), held_out)
        return self._prose_cache

    def _prose(self, rng: np.random.Generator, split: str) -> str:
        if split != "train":
            raise ValueError("prose sentences are for training text only")
        return self._pick(rng, self.prose_train())

    def _dictation(self, rng: np.random.Generator, split: str) -> str:
        """A prose sentence as a person dictates it: each mark said as one of its words
        (SPOKEN_MARKS: "," "comma", "." "period" or "full stop"...), and now and then a new
        line or paragraph said after it."""
        if split != "train":
            raise ValueError("dictated sentences are for training text only")
        for _ in range(20):
            text = self._pick(rng, self.prose_train())
            if any(c in SAID for c in text):
                break
        words = []
        for token in re.findall(r"[^\s.,:;?!]+|[.,:;?!]", text):
            words.append(self._pick(rng, SAID[token]) if token in SAID else token)
        if rng.random() < 0.15:
            words.append(self._pick(rng, ["new line", "new line", "new paragraph"]))
        return " ".join(words)

    def _cathy(self, rng: np.random.Generator, split: str) -> str:
        if split != "train":
            raise ValueError("Cathy sentences are for training text only")
        return self._pick(rng, self.cathy_train)

    def _words(self, rng: np.random.Generator, split: str) -> str:
        n = int(rng.integers(2, 7))
        pools = (self.words, self.nouns, self.adjs, self.verbs)
        return _cap(" ".join(self._pick(rng, pools[int(rng.integers(len(pools)))])
                             for _ in range(n)))
