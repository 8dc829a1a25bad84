"""Running English from two Debian packages, split into sentences: the quotations of
`fortunes` (BSD fortune's collections; Debian main, BSD licence) and Ambrose Bierce's
*The Devil's Dictionary* (`dict-devil`, public domain).

Two readers: `scripts/build_lm.py` counts the word bigrams of the speech decoder in them, and
the synthetic voices read some of them aloud (`TextBank`'s "prose" kind), so that the speech
head hears long literary sentences and not only WordNet's short examples. Both are
training-time sources (`scripts/setup.sh test` installs the packages); without them the
lists are empty.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from recognizers.text_norm import normalize_text

FORTUNES_DIR = Path("/usr/share/games/fortunes")
FORTUNES_MARKER = FORTUNES_DIR / "wisdom"  # shipped by `fortunes` only (fortunes-min has three files)
DEVIL_DICT = Path("/usr/share/dictd/devil.dict.dz")
# collections that are pictures, program text or not English prose
FORTUNES_SKIPPED = {"ascii-art", "perl", "linux", "linuxcookie", "debian", "translate-me", "goedel"}
# a sentence ends at . ! ? ; : (also before a closing quote or bracket), not after a title
SENTENCE_END = re.compile(r"""(?<![A-Z][a-z]\.)(?<!Mrs\.)(?<!\b[A-Z]\.)(?:(?<=[.!?;:])|(?<=[.!?;:]["')\]]))\s+|\n\s*\n""")
ATTRIBUTION = re.compile(r"^\s*--|\s--\s*[A-Z].*$")  # "-- Mark Twain" on its own line or after the text


def sentences_of(text: str) -> list[str]:
    """Split running text at sentence punctuation and blank lines, so that no bigram spans
    two sentences (which the decoder never sees in one utterance either)."""
    return [s for s in SENTENCE_END.split(text.replace("\t", " ")) if s.strip()]


def fortune_text(fortune: str) -> str:
    """A fortune without its attribution: everything from the first line that starts with
    '--' (an attribution may run over several lines) and a trailing ' -- Author' on a line."""
    kept = []
    for ln in fortune.splitlines():
        if ln.strip().startswith("--") and kept:
            break
        kept.append(ATTRIBUTION.sub("", ln))
    return "\n".join(kept)


def fortune_texts(d: Path = FORTUNES_DIR) -> list[str]:
    """The sentences of every fortune (between '%' lines) of the prose collections."""
    out: list[str] = []
    if not d.is_dir():
        return out
    for path in sorted(d.iterdir()):
        if not path.is_file() or path.suffix or path.name in FORTUNES_SKIPPED:  # .dat indexes, .u8 links
            continue
        for fortune in path.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            out += sentences_of(fortune_text(fortune))
    return out


def devil_texts(path: Path = DEVIL_DICT) -> list[str]:
    """The preface, definitions and verses of The Devil's Dictionary (dictd's gzip-compatible
    file), without the dictd header and the 1993 e-text's title page before the preface."""
    if not path.is_file():
        return []
    text = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    start = text.find("PREFACE")
    body = [ln for ln in text[max(start, 0):].splitlines() if not ln.startswith("00-database")]
    return sentences_of("\n".join(body))


def without_held_out(sentences: list[str], held_out: set[str]) -> tuple[list[str], int]:
    """The sentences whose normalised text contains no held-out text (a flite validation
    sentence is a WordNet example, and some examples are famous quotations in fortunes)."""
    padded = [f" {h} " for h in held_out if h]
    kept = []
    for s in sentences:
        text = f" {normalize_text(s)} "  # once per sentence: normalising is the slow part
        if not any(h in text for h in padded):
            kept.append(s)
    return kept, len(sentences) - len(kept)
