"""The handwriting canvas: mouse and pen input, smooth ink, undo, clear, guide lines.

The canvas takes several lines of writing: a guide line is ruled every `line_pitch` pixels
from the top, like ruled paper, so the guides never move when the window around the canvas
changes height (a banner or the candidates appearing): ink written on a guide stays on it.
A canvas shows as many guides as fit, each with room for descenders below it (the
window's, at its first size, three). With `grow` set (the handwriting panel
puts the canvas in a scroll area) it grows by a line whenever a stroke reaches the bottom of its last line,
so there is always an empty line to go on with; clearing shrinks it back.

Points are kept raw (widget pixels, y down, milliseconds since the canvas was made, and
pen pressure); smoothing is only for drawing. `ink()` returns the recognizers' ink format:
a list of (N, 3) float32 arrays of x, y, t_ms.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QElapsedTimer, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap, QTabletEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

Point = tuple[float, float, float, float]  # x, y, t_ms, pressure in [0, 1]

INK_COLOR = QColor(20, 40, 110)
GUIDE_COLOR = QColor(120, 150, 200)
MIN_STEP_PX = 0.75  # points closer than this to the previous one are not kept
GUIDE_AT = 0.68  # a line's guide (its baseline) lies this far down its pitch
DESCENDER_ROOM = 0.25  # a line counts only with this much room (in pitches) below its guide
GROW_MARGIN = 0.12  # ink this close to the bottom (in pitches) adds a line: a long descender
# or the next line begun, not an ordinary descender on the last guide
# px between guide lines (an x-height line 20 px above each baseline). At 140 px the window's
# first canvas showed one guide and had no room to begin a third line before the auto-commit
# took the ink (a new user's third line went into the second); at 84 px it shows three (with
# main_window's share of the height for the handwriting panel).
LINE_PITCH = 84.0
ONE_WORD_PITCH = 140.0  # where one word is asked for (enrolment): a single large guide


def smooth_path(points: list[Point]) -> QPainterPath:
    """A path through the stroke's points: quadratic curves between midpoints, so the
    ink has no corners where the mouse sampled coarsely."""
    path = QPainterPath()
    if not points:
        return path
    path.moveTo(points[0][0], points[0][1])
    if len(points) == 1:
        path.lineTo(points[0][0] + 0.01, points[0][1])
        return path
    for i in range(1, len(points) - 1):
        x, y = points[i][0], points[i][1]
        nx, ny = points[i + 1][0], points[i + 1][1]
        path.quadTo(x, y, (x + nx) / 2, (y + ny) / 2)
    path.lineTo(points[-1][0], points[-1][1])
    return path


class InkCanvas(QWidget):
    """A surface to write on. Emits `strokeFinished` at every pen-up, `inkChanged` on
    any change (stroke, undo, clear) and `penDown` when a stroke begins."""

    penDown = Signal()
    strokeFinished = Signal()
    inkChanged = Signal()
    grown = Signal(int)  # the canvas grew to hold another line: the y (px) of its new last line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # one line of writing with its descenders: the window's least height must fit a small
        # screen (150 px, with the text area's, made it 590 px); a taller canvas rules more lines
        self.base_min_height = round(LINE_PITCH * (GUIDE_AT + DESCENDER_ROOM))
        self.setMinimumSize(360, self.base_min_height)
        self.line_pitch = LINE_PITCH  # px between guide lines
        self.grow = False  # grow by a line when a stroke reaches the last one (inside a scroll area)
        self.setAccessibleName("Handwriting canvas")
        self.setToolTip("Write here with the mouse or a pen. Ctrl+Z undoes a stroke, Esc clears, Enter commits.")
        self.pen_width = 3.2  # px at full pressure
        self.show_guide = True
        self.placeholder = "Write here"
        self._strokes: list[list[Point]] = []
        self._current: list[Point] | None = None
        self._cache: QPixmap | None = None
        self._clock = QElapsedTimer()
        self._clock.start()
        self.version = 0  # bumps on every change of the ink

    # -- the ink --------------------------------------------------------------------

    def ink(self) -> list[np.ndarray]:
        """Finished strokes as (N, 3) float32 arrays of x, y, t_ms (widget pixels, y down)."""
        return [np.array([p[:3] for p in s], np.float32) for s in self._strokes]

    def strokes(self) -> list[list[Point]]:
        return [list(s) for s in self._strokes]

    def is_empty(self) -> bool:
        return not self._strokes and self._current is None

    @property
    def drawing(self) -> bool:
        return self._current is not None

    def stroke_count(self) -> int:
        return len(self._strokes)

    def is_lone_dot(self) -> bool:
        """The only ink is one stroke no bigger than a dot: a tap, or a click to focus."""
        if len(self._strokes) != 1:
            return False
        xs, ys = [p[0] for p in self._strokes[0]], [p[1] for p in self._strokes[0]]
        return max(max(xs) - min(xs), max(ys) - min(ys)) <= max(self.pen_width * 2, 4)

    def undo(self) -> bool:
        """Remove the last finished stroke. Returns whether there was one."""
        if not self._strokes:
            return False
        self._strokes.pop()
        self._changed(rebuild=True)
        return True

    def clear(self) -> None:
        if not self._strokes and self._current is None:
            return
        self._strokes.clear()
        self._current = None
        if self.grow and self.minimumHeight() > self.base_min_height:
            self.setMinimumHeight(self.base_min_height)
        self._changed(rebuild=True)

    def _changed(self, rebuild: bool) -> None:
        self.version += 1
        if rebuild:
            self._cache = None
        self.update()
        self.inkChanged.emit()

    # -- input ----------------------------------------------------------------------

    def _now(self) -> float:
        return float(self._clock.nsecsElapsed()) / 1e6

    def begin_stroke(self, pos: QPointF, pressure: float = 1.0) -> None:
        self._current = [(pos.x(), pos.y(), self._now(), pressure)]
        self.penDown.emit()
        self.update(self._dirty(self._current[-1], self._current[-1]))

    def extend_stroke(self, pos: QPointF, pressure: float = 1.0) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if abs(pos.x() - last[0]) + abs(pos.y() - last[1]) < MIN_STEP_PX:
            return
        p = (pos.x(), pos.y(), self._now(), pressure)
        self._current.append(p)
        # the smoothed curve near the end can move by up to one segment
        prev = self._current[-3] if len(self._current) >= 3 else last
        self.update(self._dirty(prev, p))

    def end_stroke(self, pos: QPointF | None = None, pressure: float | None = None) -> None:
        if self._current is None:
            return
        if pos is not None:
            last = self._current[-1]
            if abs(pos.x() - last[0]) + abs(pos.y() - last[1]) >= MIN_STEP_PX:
                self._current.append((pos.x(), pos.y(), self._now(), last[3] if pressure is None else pressure))
        stroke, self._current = self._current, None
        self._strokes.append(stroke)
        if self._cache is not None:
            self._paint_stroke_into(self._cache, stroke)
        self.version += 1
        self.update()
        self._grow_for(max(p[1] for p in stroke))
        self.inkChanged.emit()
        self.strokeFinished.emit()

    def _grow_for(self, lowest_y: float) -> None:
        """Add a line below when ink reaches the bottom of the last one (only with `grow`)."""
        if not self.grow:
            return
        rows = self.rows()
        # the last line owns whatever height is left below it (a canvas taller than its rows)
        if lowest_y < self.height() - self.line_pitch * GROW_MARGIN:
            return
        new_h = int(self.line_pitch * (rows + 1) + 0.5)
        if new_h > self.height():
            self.setMinimumHeight(new_h)
            self.resize(self.width(), new_h)  # at once, so the next line is there to write on
            self.grown.emit(int(self.guide_ys()[-1]))

    def _dirty(self, a: Point, b: Point) -> QRect:
        pad = self.pen_width * 2 + 4
        r = QRectF(QPointF(min(a[0], b[0]), min(a[1], b[1])), QPointF(max(a[0], b[0]), max(a[1], b[1])))
        return r.adjusted(-pad, -pad, pad, pad).toAlignedRect()

    def mousePressEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.begin_stroke(ev.position())
            ev.accept()
        else:
            super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev) -> None:
        if self._current is not None and ev.buttons() & Qt.MouseButton.LeftButton:
            self.extend_stroke(ev.position())
            ev.accept()

    def mouseReleaseEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self.end_stroke(ev.position())
            ev.accept()

    def tabletEvent(self, ev: QTabletEvent) -> None:
        """Pen input with pressure; accepting it stops Qt from also sending mouse events."""
        t = ev.type()
        pressure = float(ev.pressure())
        if t == QTabletEvent.Type.TabletPress:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.begin_stroke(ev.position(), pressure)
        elif t == QTabletEvent.Type.TabletMove:
            if self._current is not None:
                self.extend_stroke(ev.position(), pressure)
        elif t == QTabletEvent.Type.TabletRelease:
            self.end_stroke(ev.position(), None)
        ev.accept()

    def resizeEvent(self, ev) -> None:
        self._cache = None
        super().resizeEvent(ev)

    # -- drawing --------------------------------------------------------------------

    def rows(self) -> int:
        """How many lines of writing the canvas holds at its present height: the last one needs
        room for descenders below its guide (`DESCENDER_ROOM`), or a word written on it would
        reach the bottom and add a line at once."""
        p = self.line_pitch
        return max(1, int((self.height() - (GUIDE_AT + DESCENDER_ROOM) * p) // p) + 1)

    def guide_ys(self) -> list[float]:
        """The baseline of each line's writing guide, top to bottom, in widget pixels: fixed
        by the pitch, not by the height, so a resize never moves a guide under written ink."""
        return [self.line_pitch * (k + GUIDE_AT) for k in range(self.rows())]

    def guide_y(self) -> float:
        """The baseline of the first line's writing guide, in widget pixels."""
        return self.guide_ys()[0]

    def _ink_pen(self, width: float) -> QPen:
        pen = QPen(INK_COLOR, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _draw_stroke(self, p: QPainter, stroke: list[Point]) -> None:
        pressures = [pt[3] for pt in stroke]
        if len(stroke) == 1:
            r = self.pen_width * max(pressures[0], 0.35) * 0.6
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(INK_COLOR)
            p.drawEllipse(QPointF(stroke[0][0], stroke[0][1]), r, r)
            p.setBrush(Qt.BrushStyle.NoBrush)
            return
        if min(pressures) >= 0.999 or max(pressures) - min(pressures) < 0.02:
            p.setPen(self._ink_pen(self.pen_width * (pressures[0] if pressures[0] < 0.999 else 1.0)))
            p.drawPath(smooth_path(stroke))
            return
        # varying pressure: each piece of the smoothed curve at its own width
        for i in range(1, len(stroke)):
            a, b = stroke[i - 1], stroke[i]
            pa = ((stroke[i - 2][0] + a[0]) / 2, (stroke[i - 2][1] + a[1]) / 2) if i >= 2 else (a[0], a[1])
            pb = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) if i < len(stroke) - 1 else (b[0], b[1])
            path = QPainterPath(QPointF(*pa))
            path.quadTo(QPointF(a[0], a[1]), QPointF(*pb))
            w = self.pen_width * (0.25 + 1.1 * (a[3] + b[3]) / 2)
            p.setPen(self._ink_pen(w))
            p.drawPath(path)

    def _paint_background(self, p: QPainter) -> None:
        p.fillRect(self.rect(), QColor(255, 255, 252))
        if not self.show_guide:
            return
        x_h = self.line_pitch * 0.24  # a dotted x-height line above each baseline
        for y in self.guide_ys():
            pen = QPen(GUIDE_COLOR, 1.2)
            p.setPen(pen)
            p.drawLine(QPointF(16, y), QPointF(self.width() - 16, y))
            pen = QPen(GUIDE_COLOR.lighter(125), 1.0, Qt.PenStyle.DotLine)
            p.setPen(pen)
            p.drawLine(QPointF(16, y - x_h), QPointF(self.width() - 16, y - x_h))

    def _paint_stroke_into(self, pm: QPixmap, stroke: list[Point]) -> None:
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw_stroke(p, stroke)
        p.end()

    def _ensure_cache(self) -> QPixmap:
        if self._cache is None or self._cache.size() != self.size() * self.devicePixelRatioF():
            dpr = self.devicePixelRatioF()
            pm = QPixmap(self.size() * dpr)
            pm.setDevicePixelRatio(dpr)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_background(p)
            for s in self._strokes:
                self._draw_stroke(p, s)
            p.end()
            self._cache = pm
        return self._cache

    def paintEvent(self, ev) -> None:
        p = QPainter(self)
        p.drawPixmap(0, 0, self._ensure_cache())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._current is not None:
            self._draw_stroke(p, self._current)
        if self.is_empty() and self.placeholder:
            p.setPen(QColor(160, 165, 180))
            f = p.font()
            f.setPointSizeF(f.pointSizeF() * 1.6)
            f.setItalic(True)
            p.setFont(f)
            above_guide = self.height() - int(self.guide_y() - self.line_pitch * 0.02)
            p.drawText(self.rect().adjusted(24, 0, 0, -above_guide), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, self.placeholder)
        if self.hasFocus():
            pen = QPen(QColor(90, 130, 200, 120), 2)
            p.setPen(pen)
            p.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        p.end()
