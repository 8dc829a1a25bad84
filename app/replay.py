"""Replaying recorded ink as mouse input: for tests, the benchmark and screenshots.

A recorded sample (any coordinates, y down) is scaled into the canvas, sitting on its
guide line, and sent as press / move / release events, so it goes through exactly the
code a person's mouse does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget


def fit_ink(strokes: list[np.ndarray], width: float, height: float, margin: float = 0.08, baseline: float | None = None, round_px: bool = True) -> list[np.ndarray]:
    """Scale and move ink into a width x height box, keeping its aspect ratio.

    The ink is centred horizontally; vertically it is centred, or, when `baseline` is
    given (a y in pixels), its bottom 10 % is let hang below that line like descenders.
    Returns (N, 3) arrays; x and y are rounded to whole pixels like a mouse's when
    `round_px`, and t keeps the recording's milliseconds.
    """
    pts = np.concatenate([np.asarray(s, np.float32)[:, :2] for s in strokes])
    lo, hi = pts.min(0), pts.max(0)
    ext = np.maximum(hi - lo, 1e-6)
    avail_w, avail_h = width * (1 - 2 * margin), height * (1 - 2 * margin)
    scale = min(avail_w / ext[0], avail_h / ext[1])
    off_x = (width - ext[0] * scale) / 2
    off_y = (height - ext[1] * scale) / 2
    if baseline is not None:
        off_y = min(max(baseline - ext[1] * scale * 0.9, height * margin), height * (1 - margin) - ext[1] * scale)
    out = []
    for s in strokes:
        s = np.asarray(s, np.float32)
        xy = (s[:, :2] - lo) * scale + np.array([off_x, off_y], np.float32)
        if round_px:
            xy = np.round(xy)
        t = s[:, 2:3] if s.shape[1] > 2 else np.zeros((len(s), 1), np.float32)
        out.append(np.concatenate([xy, t], axis=1).astype(np.float32))
    return out


def send_mouse(widget: QWidget, kind: QEvent.Type, x: float, y: float) -> None:
    """One synthetic mouse event, delivered synchronously like a real one."""
    pos = QPointF(x, y)
    glob = QPointF(widget.mapToGlobal(pos))
    if kind == QEvent.Type.MouseButtonPress:
        button, buttons = Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton
    elif kind == QEvent.Type.MouseMove:
        button, buttons = Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton
    else:
        button, buttons = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    ev = QMouseEvent(kind, pos, glob, button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def draw_stroke(widget: QWidget, stroke: np.ndarray, between_points: Callable[[float], None] | None = None) -> None:
    """Press at the first point, move through the rest, release at the last.

    `between_points(dt_ms)`, if given, is called before each move with the recording's
    time gap, so a caller can replay in real time (by waiting that long).
    """
    s = np.asarray(stroke, np.float32)
    send_mouse(widget, QEvent.Type.MouseButtonPress, float(s[0, 0]), float(s[0, 1]))
    for i in range(1, len(s)):
        if between_points is not None:
            between_points(float(s[i, 2] - s[i - 1, 2]) if s.shape[1] > 2 else 0.0)
        send_mouse(widget, QEvent.Type.MouseMove, float(s[i, 0]), float(s[i, 1]))
    send_mouse(widget, QEvent.Type.MouseButtonRelease, float(s[-1, 0]), float(s[-1, 1]))


def draw_ink(canvas, strokes: list[np.ndarray], margin: float = 0.08, on_the_guide: bool = True, between_strokes: Callable[[int], None] | None = None) -> list[np.ndarray]:
    """Fit `strokes` into the canvas and draw them with mouse events.

    `between_strokes(i)` runs after stroke i (e.g. to let the event loop turn).
    Returns the fitted strokes that were sent.
    """
    fitted = fit_ink(strokes, canvas.width(), canvas.height(), margin, canvas.guide_y() if on_the_guide else None)
    for i, s in enumerate(fitted):
        draw_stroke(canvas, s)
        if between_strokes is not None:
            between_strokes(i)
    return fitted
