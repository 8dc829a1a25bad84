"""Small widgets: a message banner, a level meter, the n-best candidate bar."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizeGrip,
    QSizePolicy,
    QStatusBar,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

from app.fonts import reading_css

# a question that deletes something: Yes and No, with No the default (Enter keeps the files)
NO_YES = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No

BANNER_STYLES = {
    "error": ("#fdecea", "#b3261e", "#f2b8b5"),
    "warning": ("#fff4e0", "#7a4b00", "#f5c77e"),
    "info": ("#e8f0fe", "#1a3d7c", "#b3c8f5"),
}


class Banner(QFrame):
    """A message inside a panel: what went wrong and what still works. Hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        # messages are HTML (callers escape what they quote): always rendered as such, or a
        # message without a tag would show its escapes ("&#x27;") as they are written
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setOpenExternalLinks(False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addWidget(self.label)
        self.level = ""
        self.hide()

    def show_message(self, text: str, level: str = "error") -> None:
        bg, fg, border = BANNER_STYLES.get(level, BANNER_STYLES["info"])
        self.setStyleSheet(f"Banner {{ background: {bg}; border: 1px solid {border}; border-radius: 4px; }} QLabel {{ color: {fg}; }}")
        self.label.setText(text)
        self.level = level
        self.setAccessibleDescription(text)
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.level = ""
        self.hide()

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()


class LevelMeter(QWidget):
    """Input level in dBFS, as a horizontal bar from -60 to 0 dB, with the speech state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = -100.0
        self.peak_db = -100.0
        self.speech = False
        self.setMinimumSize(120, 14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Microphone level (turns green while speech is detected)")
        self.setAccessibleName("Microphone level")

    def sizeHint(self) -> QSize:
        return QSize(200, 16)

    def set_level(self, db: float, speech: bool = False) -> None:
        self.db = db
        self.peak_db = max(db, self.peak_db - 1.5)  # the peak mark falls back slowly
        self.speech = speech
        self.update()

    def reset(self) -> None:
        self.set_level(-100.0)
        self.peak_db = -100.0
        self.update()

    @staticmethod
    def fraction(db: float) -> float:
        return min(1.0, max(0.0, (db + 60.0) / 60.0))

    def paintEvent(self, ev) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QColor(170, 175, 185))
        p.setBrush(QColor(245, 246, 248) if self.isEnabled() else QColor(232, 232, 232))
        p.drawRoundedRect(r, 3, 3)
        if self.isEnabled():
            w = r.width() * self.fraction(self.db)
            if w > 1:
                g = QLinearGradient(r.left(), 0, r.right(), 0)
                base = QColor(60, 170, 90) if self.speech else QColor(110, 140, 190)
                g.setColorAt(0.0, base)
                g.setColorAt(0.8, base)
                g.setColorAt(1.0, QColor(220, 80, 60))
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(g)
                p.drawRoundedRect(QRectF(r.left(), r.top(), w, r.height()), 3, 3)
            x = r.left() + r.width() * self.fraction(self.peak_db)
            if self.peak_db > -60:
                p.setPen(QColor(60, 60, 60))
                p.drawLine(int(x), int(r.top()) + 2, int(x), int(r.bottom()) - 2)
        p.end()


class ElidedButton(QPushButton):
    """A push button that paints as much of its text as fits, ended with "…".

    Its size hint is capped (`max_text_px`) and it can shrink to a few characters, so a long
    reading (a whole written line) never makes its row, or the window, wider. `text()` stays
    the whole text (accessibility reads all of it); `shown_text()` is what is painted. The
    tooltip is the caller's to set. With `keep_visible` set (a character index), the cut keeps
    that character in view, dropping the start instead ("…CAKE NOw"): five readings of a line
    that differ only near its end would otherwise all show the same first words.

    A text with line breaks is painted as lines one under the other, each cut to the width on
    its own (`keep_visible` then acts on the line that holds that character), and the button
    is as tall as its lines: a reading written on three lines reads as three lines.
    """

    def __init__(self, parent: QWidget | None = None, max_text_px: int = 320) -> None:
        super().__init__(parent)
        self.max_text_px = max_text_px
        self.keep_visible: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def lines(self) -> list[str]:
        """The text's lines, as painted one under the other (before eliding)."""
        return self.text().split("\n")

    def _size_for_text(self, text_px: int, n_lines: int = 1) -> QSize:
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        opt.text = ""
        fm = self.fontMetrics()
        h = fm.height() + (max(n_lines, 1) - 1) * fm.lineSpacing()
        return self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, opt, QSize(text_px, h), self)

    def _line_px(self, line: str) -> int:
        return self.fontMetrics().horizontalAdvance(line.replace("&&", "&"))

    def _text_px(self) -> int:
        return max(self._line_px(line) for line in self.lines())

    def sizeHint(self) -> QSize:
        return self._size_for_text(min(self._text_px(), self.max_text_px), len(self.lines()))

    def minimumSizeHint(self) -> QSize:
        return self._size_for_text(min(self._text_px(), self.fontMetrics().horizontalAdvance("Mm…")), len(self.lines()))

    def shown_text(self) -> str:
        room = max(0, self.width() - self._size_for_text(0).width())
        lines, k = self.lines(), self.keep_visible
        at = None  # (line, index in it) of the character to keep in view
        if k is not None:
            start = 0
            for i, line in enumerate(lines):
                if k <= start + len(line) or i == len(lines) - 1:
                    at = (i, k - start)
                    break
                start += len(line) + 1
        return "\n".join(self._elide_line(line, room, at[1] if at and at[0] == i else None) for i, line in enumerate(lines))

    def _elide_line(self, text: str, room: int, k: int | None) -> str:
        if self._line_px(text) <= room:
            return text
        fm = self.fontMetrics()
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, room, Qt.TextFlag.TextShowMnemonic)
        if k is None or not text or len(shown) - 1 > k:  # the kept character is in view already
            return shown
        k = min(k, len(text) - 1)  # a reading that stops where the best goes on: keep its end in view
        # drop whole words from the start until the kept character fits
        for start in [i + 1 for i, c in enumerate(text[:k]) if c == " "] + [k]:
            whole = "…" + text[start:]
            cand = fm.elidedText(whole, Qt.TextElideMode.ElideRight, room, Qt.TextFlag.TextShowMnemonic)
            visible = len(whole) - 1 if cand == whole else len(cand) - 2  # characters of text[start:] in view
            if k - start < visible:
                return cand
        return shown

    def paintEvent(self, ev) -> None:
        p = QStylePainter(self)
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        opt.text = self.shown_text()
        p.drawControl(QStyle.ControlElement.CE_PushButton, opt)


class ElidedLabel(QLabel):
    """A one-line label for status messages: elided to its width, the whole text in the tooltip.

    Its size hint is capped, so a long message never widens the window, and the end of a message
    that does not fit is replaced by "…" (hover shows all of it) instead of being cut off.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, max_text_px: int = 420) -> None:
        super().__init__(parent)
        self.max_text_px = max_text_px
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text or ""
        self.setToolTip(self._full if self._full else "")
        self._elide()
        self.updateGeometry()

    def text(self) -> str:  # the whole message, not what fits
        return self._full

    def shown_text(self) -> str:
        return super().text()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        m = self.contentsMargins()
        w = min(fm.horizontalAdvance(self._full), self.max_text_px) + m.left() + m.right() + 2
        return QSize(w, max(super().sizeHint().height(), fm.height()))

    def minimumSizeHint(self) -> QSize:
        fm = self.fontMetrics()
        w = min(fm.horizontalAdvance(self._full), fm.horizontalAdvance("Mmm…"))
        return QSize(w, fm.height())

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._elide()

    def _elide(self) -> None:
        room = max(0, self.contentsRect().width() - 2)
        first_line = self._full.replace("\n", " ")
        shown = self.fontMetrics().elidedText(first_line, Qt.TextElideMode.ElideRight, room)
        if shown != super().text():
            QLabel.setText(self, shown)


class ElidingStatusBar(QStatusBar):
    """A status bar whose messages end in "…" when they do not fit left of the permanent
    labels (QStatusBar clips them mid-letter), the whole message in the tooltip. The cut is
    made again when the bar is resized: a message shown while the window was still being
    built (the restored-text notice) was cut to the width of a window not yet shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_message = ""
        self._until: float | None = None  # monotonic time at which the message times out
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self._changed)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # Qt's name
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch)

    def message_room(self) -> int:
        """The width left of the permanent widgets (normal widgets hide while a message shows)."""
        right = self.width()
        for w in self._permanent:
            if w.isVisible() and w.geometry().left() > 0:
                right = min(right, w.geometry().left())
        grip = self.findChild(QSizeGrip)
        if grip is not None and grip.isVisible():
            right = min(right, grip.geometry().left())
        return max(0, right - 16)  # the message's margins

    def showMessage(self, text: str, timeout: int = 0) -> None:  # Qt's name
        self.full_message = text or ""
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else None
        self._show_fitted(timeout)

    def _show_fitted(self, timeout: int) -> None:
        shown = self.fontMetrics().elidedText(self.full_message, Qt.TextElideMode.ElideRight, self.message_room())
        self.setToolTip(self.full_message if shown != self.full_message else "")
        super().showMessage(shown, timeout)

    def resizeEvent(self, ev) -> None:  # Qt's name
        super().resizeEvent(ev)
        QTimer.singleShot(0, self._refit)  # after the permanent labels have been placed

    def _refit(self) -> None:
        if not self.full_message or not self.currentMessage():
            return
        left = 0 if self._until is None else int((self._until - time.monotonic()) * 1000)
        if self._until is None or left > 0:
            self._show_fitted(left)

    def _changed(self, text: str) -> None:
        if not text:  # cleared, or timed out
            self.full_message = ""
            self._until = None
            self.setToolTip("")


CANDIDATE_LINES = 3  # a reading's lines the candidate bar shows one under the other; more are joined with ↵
BEST_STYLE = "QPushButton { font-weight: bold; font-size: 15px; padding: 4px 12px; text-align: left; background: #dbe7fb; border: 1px solid #7a9cd6; border-radius: 4px; }"
OTHER_STYLE = "QPushButton { font-size: 14px; padding: 4px 10px; text-align: left; }"


def _in_reading_font(style: str) -> str:
    return style.replace("QPushButton { ", "QPushButton { " + reading_css() + " ", 1)


class CandidateBar(QWidget):
    """The n-best transcriptions as buttons; the best is first and highlighted.

    A reading of several written lines shows them one under the other (up to
    `CANDIDATE_LINES`; more are joined onto the last with ↵), so it reads as written rather
    than cut after its first words. The bar is always as tall as that many lines, with
    buttons or without, so the canvas above never changes height as readings come and go.
    """

    chosen = Signal(str)

    def __init__(self, max_candidates: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(6)
        self.title = QLabel("Candidates:")
        self.title.setStyleSheet("color: #555;")
        self.layout_.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons: list[QPushButton] = []
        self.best_style, self.other_style = _in_reading_font(BEST_STYLE), _in_reading_font(OTHER_STYLE)  # readings in the font that tells I from l
        for i in range(max_candidates):
            b = ElidedButton(self)  # a long reading (a written line) is elided, never widens the window
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            b.setToolTip(f"Commit this reading (Ctrl+{i + 1})")
            b.clicked.connect(lambda checked=False, k=i: self._clicked(k))
            b.hide()
            self.layout_.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)  # one-line readings stay level with the title
            self.buttons.append(b)
        self.empty = QLabel("—")
        self.empty.setStyleSheet("color: #999;")
        self.layout_.addWidget(self.empty, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addStretch(1)
        self._texts: list[str] = []
        self._share_of: dict[str, float] = {}
        self.best_highlighted = False
        self.keys_work = True  # False in the compact panel, which never has the focus: no Ctrl+N there
        # as tall with buttons as without, and for one line as for three, so the canvas above
        # keeps its height
        probe = ElidedButton()
        probe.setStyleSheet(self.best_style)
        probe.ensurePolished()  # the style sheet's font and padding count only once polished
        probe.setText("Mg")
        one_line = probe.sizeHint().height()
        probe.setText("\n".join(["Mg"] * CANDIDATE_LINES))
        self.setFixedHeight(probe.sizeHint().height())
        probe.deleteLater()
        for label in (self.title, self.empty):  # centred on a one-line button's text
            label.setFixedHeight(one_line)

    def texts(self) -> list[str]:
        return list(self._texts)

    def refresh(self) -> None:
        """Show the same readings again (after `keys_work` changed), their shares kept."""
        shares = self._share_of
        self.set_candidates(self.texts(), [shares[t] for t in self._texts] if all(t in shares for t in self._texts) else None)

    def set_candidates(self, texts: list[str], shares: list[float] | None = None) -> None:
        """Show `texts` (best first); `shares`, each one's share of the n-best's probability,
        go into the tooltips."""
        seen: list[str] = []
        share_of: dict[str, float] = {}
        # the first button is highlighted as *the* reading only when the best text is one:
        # an empty best reading must not make an alternative look like what Enter commits
        self.best_highlighted = bool(texts) and bool(texts[0].strip())
        for i, t in enumerate(texts):
            # spaces at the ends or doubled inside would show as two buttons that look alike
            t = "\n".join(" ".join(line.split()) for line in t.strip().split("\n"))
            if t.strip() and t not in seen:
                seen.append(t)
                if shares is not None and i < len(shares):
                    share_of[t] = shares[i]
        self._texts = seen[: len(self.buttons)]
        self._share_of = share_of
        for i, b in enumerate(self.buttons):
            if i < len(self._texts):
                shown = _stacked(self._texts[i].replace("&", "&&"))
                b.keep_visible = None if i == 0 else _first_difference(_stacked(self._texts[0].replace("&", "&&")), shown)
                b.setText(shown)
                b.update()  # setText does not repaint an unchanged text, and keep_visible may have changed
                b.setStyleSheet(self.best_style if i == 0 and self.best_highlighted else self.other_style)
                tip = f"Commit this reading (Ctrl+{i + 1})" if self.keys_work else "Commit this reading"
                tip = f"{self._texts[i]}\n\n{tip}"  # the whole reading, however much of it the button shows
                if self._texts[i] in share_of:
                    tip += f"\n{share_of[self._texts[i]]:.0%} of the candidates' probability"
                b.setToolTip(tip)
                b.show()
            else:
                b.hide()
        self.empty.setVisible(not self._texts)

    def _clicked(self, k: int) -> None:
        if k < len(self._texts):
            self.chosen.emit(self._texts[k])

    def choose(self, k: int) -> bool:
        """Pick candidate k (0 is the best) as if its button was clicked."""
        if k < len(self._texts):
            self.chosen.emit(self._texts[k])
            return True
        return False


# -- where file dialogs open --------------------------------------------------------------

_last_dir: str | None = None
AUDIO_FILTER = "Audio files (*.wav *.flac *.ogg *.opus *.oga);;All files (*)"  # what soundfile reads


def dialog_start(name: str = "") -> str:
    """Where a file dialog opens: the folder last chosen in one, else the home folder, never
    the folder the app happened to be started from; `name` is a file name to suggest."""
    base = _last_dir if _last_dir and os.path.isdir(_last_dir) else str(Path.home())
    return os.path.join(base, name) if name else base


def remember_dir(path: str) -> str:
    """Note the folder of a path chosen in a file dialog (for the next one); returns `path`."""
    global _last_dir
    if path:
        _last_dir = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    return path


def _stacked(text: str, max_lines: int = CANDIDATE_LINES) -> str:
    """`text` as a candidate shows it: its lines one under the other, those past `max_lines`
    joined onto the last with ↵ (the bar has room for that many)."""
    lines = text.split("\n")
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ↵ ".join(lines[max_lines - 1 :])]
    return "\n".join(lines)


def _first_difference(a: str, b: str) -> int:
    """The index of the first character where b differs from a (len of the shorter if one is the other's start)."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)
