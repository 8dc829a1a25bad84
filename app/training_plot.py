"""A small live plot of a training run, drawn with QPainter (QtCharts is not in
PySide6-Essentials): the training loss on a log scale (left axis) and the validation CER
and WER in percent (right axis), against the step."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

LOSS_COLOR = QColor("#3b6fb6")
LOSS_RAW_COLOR = QColor(59, 111, 182, 70)  # the raw loss, faint behind its moving average
CER_COLOR = QColor("#d9534f")
WER_COLOR = QColor("#e0a030")
MAX_POINTS = 600  # loss points kept for drawing (older ones are thinned)


def smoothed(points: list[tuple[int, float]], span: int = 20) -> list[tuple[int, float]]:
    """Exponential moving average of the loss in log space (the trend behind the noise)."""
    out, m = [], None
    a = 2 / (span + 1)
    for s, v in points:
        lv = math.log(v)
        m = lv if m is None else m + a * (lv - m)
        out.append((s, math.exp(m)))
    return out


class TrainingPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 160)
        self.setAccessibleName("Training plot: loss, validation CER and WER")
        self.clear()

    def sizeHint(self) -> QSize:
        return QSize(520, 220)

    def clear(self, total_steps: int = 0) -> None:
        self.total = max(0, int(total_steps))
        self.loss: list[tuple[int, float]] = []
        self.val: list[tuple[int, float, float]] = []  # step, cer, wer (fractions)
        self._stride = 1
        self._pending: list[tuple[int, float]] = []
        self.reference: float | None = None  # the previous model's CER, once measured
        self.update()

    def add_loss(self, step: int, loss: float, total: int | None = None) -> None:
        if total:
            self.total = int(total)
        if not math.isfinite(loss) or loss <= 0:
            return
        # keep at most MAX_POINTS: average groups of `_stride` steps, doubling it when full
        self._pending.append((step, loss))
        if len(self._pending) >= self._stride:
            s = self._pending[-1][0]
            self.loss.append((s, sum(v for _, v in self._pending) / len(self._pending)))
            self._pending = []
            if len(self.loss) > MAX_POINTS:
                odd = self.loss[-1:] if len(self.loss) % 2 else []
                self.loss = [(b[0], (a[1] + b[1]) / 2) for a, b in zip(self.loss[::2], self.loss[1::2])] + odd
                self._stride *= 2
        self.update()

    def set_reference(self, cer: float | None) -> None:
        """Draw the previous model's CER on the same data as a dashed line."""
        self.reference = cer
        self.update()

    def add_eval(self, step: int, cer: float, wer: float) -> None:
        self.val.append((int(step), float(cer), float(wer)))
        self.update()

    # -- drawing ----------------------------------------------------------------------

    def paintEvent(self, ev) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        f = QFont(self.font())
        f.setPointSizeF(max(7.0, f.pointSizeF() * 0.85))
        p.setFont(f)
        fm = p.fontMetrics()
        left, right, top, bottom = fm.horizontalAdvance("10.00") + 10, fm.horizontalAdvance("100 %") + 10, fm.height() + 8, fm.height() + 10
        area = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        text_color = pal.text().color()
        grid = QColor(text_color)
        grid.setAlpha(40)

        xmax = max(self.total, self.loss[-1][0] if self.loss else 0, self.val[-1][0] if self.val else 0, 1)

        def X(step: float) -> float:
            return area.left() + area.width() * step / xmax

        # loss axis (log scale) from the data
        vals = [v for _, v in self.loss]
        if vals:
            lo, hi = math.floor(math.log10(min(vals))), math.ceil(math.log10(max(vals)))
            if hi <= lo:
                hi = lo + 1
        else:
            lo, hi = -1, 2

        def YL(v: float) -> float:
            return area.bottom() - area.height() * (math.log10(v) - lo) / (hi - lo)

        def YR(frac: float) -> float:
            return area.bottom() - area.height() * min(max(frac, 0.0), 1.0)

        # grid and axes
        p.setPen(QPen(grid, 1))
        for k in range(lo, hi + 1):
            y = YL(10.0**k)
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        p.setPen(QPen(text_color, 1))
        p.drawRect(area)
        for k in range(lo, hi + 1):
            y = YL(10.0**k)
            label = f"{10.0 ** k:g}"
            p.setPen(LOSS_COLOR)
            p.drawText(QRectF(0, y - fm.height() / 2, left - 4, fm.height()), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        for pct in (0, 25, 50, 75, 100):
            y = YR(pct / 100)
            p.setPen(text_color)
            p.drawText(QRectF(area.right() + 4, y - fm.height() / 2, right - 4, fm.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{pct} %")
        p.setPen(text_color)
        if xmax > 1:
            shown: set[int] = set()
            for frac in (0, 0.5, 1):
                st = int(round(xmax * frac))
                if st in shown:
                    continue
                shown.add(st)
                x, w = X(st), 80
                align = Qt.AlignmentFlag.AlignLeft if frac == 0 else (Qt.AlignmentFlag.AlignRight if frac == 1 else Qt.AlignmentFlag.AlignHCenter)
                rx = x if frac == 0 else (x - w if frac == 1 else x - w / 2)
                p.drawText(QRectF(rx, area.bottom() + 2, w, fm.height()), align | Qt.AlignmentFlag.AlignTop, f"{st}")
            p.drawText(QRectF(area.left() + area.width() * 0.25 - 40, area.bottom() + 2, 80, fm.height()), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "step")

        # legend
        x = area.left()
        for name, color in (("loss", LOSS_COLOR), ("val CER", CER_COLOR), ("val WER", WER_COLOR)):
            p.setPen(QPen(color, 2))
            p.drawLine(QPointF(x, top / 2), QPointF(x + 14, top / 2))
            p.setPen(text_color)
            p.drawText(QPointF(x + 18, top / 2 + fm.ascent() / 2 - 1), name)
            x += 18 + fm.horizontalAdvance(name) + 14

        if not self.loss and not self.val:
            p.setPen(grid.darker(300))
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "The plot fills in as the run trains")
            return

        p.setClipRect(area.adjusted(-3, -3, 3, 3))
        # one polyline per series (few calls into Qt per paint, however long the run)
        if self.loss:
            p.setPen(QPen(LOSS_RAW_COLOR, 1))
            p.drawPolyline(QPolygonF([QPointF(X(s), YL(v)) for s, v in self.loss]))
            p.setPen(QPen(LOSS_COLOR, 2))
            p.drawPolyline(QPolygonF([QPointF(X(s), YL(v)) for s, v in smoothed(self.loss)]))
        if self.reference is not None:
            y = YR(self.reference)
            p.setPen(QPen(CER_COLOR, 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            p.drawText(QPointF(area.left() + 4, y - 3), "CER before")
        for idx, color in ((1, CER_COLOR), (2, WER_COLOR)):
            pts = [QPointF(X(v[0]), YR(v[idx])) for v in self.val]
            if len(pts) > 1:
                p.setPen(QPen(color, 2))
                p.drawPolyline(QPolygonF(pts))
            p.setPen(QPen(color, 1))
            p.setBrush(color)
            for q in pts[-50:]:
                p.drawEllipse(q, 3, 3)
        p.end()
