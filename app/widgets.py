"""Small widgets: a message banner, a level meter, labels and a status bar that elide, where
file dialogs open (the n-best candidate bar is app/candidates.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QLinearGradient, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizeGrip,
    QSizePolicy,
    QStatusBar,
    QWidget,
)


# what a window manager's frame may add around a window not shown yet (its title bar above):
# the frame is only known once the window is on screen
FRAME_ALLOWANCE = QSize(16, 40)


def fit_to_screen(w: QWidget, width: int, height: int) -> QSize:
    """Resize `w` to `width` x `height`, or less where the available geometry of the screen
    it opens on is smaller (a tester's 1280 x 800 screen at scale 1.5 is 853 x 533 logical
    pixels: the 980 x 760 window had its text and status bar off screen). Returns the size."""
    screen = w.screen() or QGuiApplication.primaryScreen()
    size = QSize(width, height)
    if screen is not None:
        frame = w.frameGeometry().size() - w.size() if w.isVisible() else QSize(0, 0)
        room = screen.availableGeometry().size() - frame.expandedTo(FRAME_ALLOWANCE)
        size = size.boundedTo(room)
    w.resize(size)
    return size


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
