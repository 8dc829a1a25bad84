"""The fonts of synthetic ink: which there are, which are installed, which are held out.

DESIGN.md ("Data you may train on") allows the Hershey stroke fonts and four Debian outline
font packages; every other font package is for independent checks only, so the one other
font here, dancingscript, is held out like the validation font kaushanscript
(tests/recognizers/test_synth_ink.py holds to it). recognizers/synth/ink.py writes with them.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from functools import lru_cache

from recognizers.alphabet import HANDWRITING_CHARS

VALIDATION_FONT = "kaushanscript"
HELD_OUT_FONTS = (VALIDATION_FONT, "dancingscript")  # never trained on: how a stranger's style reads
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")


@dataclass(frozen=True)
class FontSpec:
    name: str
    kind: str  # "hershey" | "outline"
    source: str  # Hershey font name, or an outline font's file name
    package: str  # where it comes from (for messages)
    weight: float = 1.0  # how often it is picked, relative to the others
    cursive: bool = False  # letters join: the pen stays down where one ends at the next
    caps_only: bool = False  # lower case is drawn as (small) capitals: labels are upper-cased
    chars: str = HANDWRITING_CHARS  # the characters it writes as centre lines
    cap_px: int = 46  # capital height when rendering an outline font (text is ~64 px tall)
    threshold: int = 100  # coverage (0-255) that counts as ink
    blur: float = 0.0  # Gaussian blur (px) before thresholding: merges sketchy double lines


_HERSHEY = [
    FontSpec("hershey-scripts", "hershey", "scripts", "hershey-fonts", 1.5, cursive=True),
    FontSpec("hershey-scriptc", "hershey", "scriptc", "hershey-fonts", 1.0, cursive=True),
    FontSpec("hershey-cursive", "hershey", "cursive", "hershey-fonts", 1.5, cursive=True),
    FontSpec("hershey-rowmans", "hershey", "rowmans", "hershey-fonts", 1.0),
    FontSpec("hershey-timesr", "hershey", "timesr", "hershey-fonts", 0.5),
    FontSpec("hershey-timesi", "hershey", "timesi", "hershey-fonts", 0.7),
]
_OUTLINE = [
    FontSpec(f"bwht-{w.lower()}", "outline", f"BecauseWe{w}-Regular.otf", "fonts-bwht", 0.5, caps_only=True)
    for w in ("Build", "Connect", "Create", "Learn", "Mentor", "Organize")
] + [
    FontSpec("ecolier", "outline", "Ecolier-court.ttf", "fonts-ecolier-court", 2.5, cursive=True, threshold=40),
    # femkeklaver: sketchy pencil lower case (blurred so the passes merge into one line);
    # its capitals, digits and most punctuation are hollow outlines, with no centre line
    FontSpec(
        "femkeklaver", "outline", "femkeklaver.ttf", "fonts-femkeklaver", 2.0,
        chars=" abcdefghijklmnopqrstuvwxyz.,;:&@#", cap_px=60, blur=1.0, threshold=50,
    ),
    FontSpec(VALIDATION_FONT, "outline", "KaushanScript-Regular.otf", "fonts-kaushanscript", 2.0, cursive=True),
    # a check only, like kaushanscript: DESIGN.md keeps every other font package for
    # independent checks, never for training (tests/recognizers/test_synth_ink.py holds to it)
    FontSpec("dancingscript", "outline", "DancingScript-Regular.otf", "fonts-dancingscript", 1.0, cursive=True),
]
ALL_FONTS = {f.name: f for f in _HERSHEY + _OUTLINE}


@lru_cache(maxsize=None)
def font_file(file_name: str) -> str | None:
    """The installed file of an outline font, or None."""
    for d in FONT_DIRS:
        hits = sorted(glob.glob(os.path.join(d, "**", file_name), recursive=True))
        if hits:
            return hits[0]
    return None


@lru_cache(maxsize=None)
def _importable(*modules: str) -> bool:
    """Whether every module imports (the optional tools of one kind of font)."""
    import importlib

    try:
        for m in modules:
            importlib.import_module(m)
    except ImportError:
        return False
    return True


def font_available(name: str) -> bool:
    """Whether the font's package (and the tools to thin it) are installed."""
    spec = ALL_FONTS.get(name)
    if spec is None:
        return False
    if spec.kind == "hershey":
        return _importable("HersheyFonts")
    return font_file(spec.source) is not None and _importable("PIL.ImageFont", "skimage.morphology")


def font_names() -> list[str]:
    """Every font this machine can write with (the held-out fonts included)."""
    return [n for n in ALL_FONTS if font_available(n)]


def training_font_names() -> list[str]:
    """The installed fonts that training may draw from: all but the held-out ones."""
    return [n for n in font_names() if n not in HELD_OUT_FONTS]
