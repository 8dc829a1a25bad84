"""The reading font: where a person checks what was recognized (the text, the candidates),
"I", "l" and "1", and "O" and "0", must not look alike, as they do in most desktop sans
fonts. Atkinson Hyperlegible (Braille Institute of America, SIL OFL 1.1) was drawn for
exactly that and ships in resources/fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

from recognizers.paths import resource_path

READING_FAMILY = "Atkinson Hyperlegible"
FILES = ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf")
_registered: bool | None = None


def reading_family() -> str | None:
    """The reading font's family, registered with Qt on first use (a QGuiApplication must
    exist); None when its files cannot be read, and the widgets keep the desktop's font."""
    global _registered
    if _registered is None:
        ids = [QFontDatabase.addApplicationFont(str(resource_path("fonts", name))) for name in FILES]
        _registered = all(i >= 0 for i in ids)
    return READING_FAMILY if _registered else None


def reading_font(base: QFont) -> QFont:
    """`base` (its size and weight) in the reading font."""
    f = QFont(base)
    family = reading_family()
    if family:
        f.setFamilies([family, *base.families()])
    return f


def reading_css() -> str:
    """A style-sheet declaration that sets the reading font (empty without it)."""
    family = reading_family()
    return f'font-family: "{family}";' if family else ""
