"""The n-best readings as buttons under the canvas: each reading elided to fit (a written
line never widens the window), its lines one under the other, alternatives showing where
they differ from the best."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QStyle, QStyleOptionButton, QStylePainter, QWidget

from app.fonts import reading_css


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
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # Space clicks a focused button; outside a dialog Enter does not
                sc = QShortcut(QKeySequence(key), b)
                sc.setContext(Qt.ShortcutContext.WidgetShortcut)
                sc.activated.connect(b.click)
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
        # each alternative keeps in view where it differs from the best; the best keeps its start
        # unless the next likeliest differs only in its line's last word (`_end_in_view`)
        best = _stacked(self._texts[0].replace("&", "&&")) if self._texts else ""
        second = _stacked(self._texts[1].replace("&", "&&")) if len(self._texts) > 1 else None
        for i, b in enumerate(self.buttons):
            if i < len(self._texts):
                shown = _stacked(self._texts[i].replace("&", "&&"))
                b.keep_visible = _first_difference(best, shown) if i else _end_in_view(best, second)
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


def _stacked(text: str, max_lines: int = CANDIDATE_LINES) -> str:
    """`text` as a candidate shows it: its lines one under the other, those past `max_lines`
    joined onto the last with ↵ (the bar has room for that many)."""
    lines = text.split("\n")
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ↵ ".join(lines[max_lines - 1 :])]
    return "\n".join(lines)


def _end_in_view(best: str, second: str | None) -> int | None:
    """Where the best reading must stay in view: the end of its line when the next likeliest
    reading differs from it only in that line's last word (a tester could not tell whether the
    best reading of a long line ended with its "." beside one showing "…software package");
    None (its start, as usual) otherwise."""
    if second is None:
        return None
    k = _first_difference(best, second)
    end = best.find("\n", k)
    end = len(best) if end < 0 else end
    return end - 1 if k < end and " " not in best[k:end] else None


def _first_difference(a: str, b: str) -> int:
    """The index of the first character where b differs from a (len of the shorter if one is the other's start)."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)
