"""Issue 14, the GUI's rough edges: long candidates are elided and the window stays bounded,
push-to-talk ignores key auto-repeat, *Refresh devices* re-initialises PortAudio, a clip with
no text says so, status messages are not cut off, and the training panel's messages."""

from __future__ import annotations

from app.replay import draw_ink

from .test_handwriting import zigzag
from .test_reliability_gui import _reading


def test_a_long_candidate_is_elided_and_the_window_does_not_grow(make_window, standin_models, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"])
    win.resize(1000, 700)
    qtbot.wait(50)
    width_before = win.width()
    panel = win.handwriting
    panel.pause_ms = 0
    draw_ink(panel.canvas, zigzag(2))
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    long_line = " ".join(["handwriting"] * 19)[:200]
    assert len(long_line) == 200
    _reading(panel, long_line, long_line + " x", "short")
    qtbot.wait(50)
    assert win.width() <= width_before
    assert win.minimumSizeHint().width() <= 1000
    assert win.minimumWidth() <= 1000
    for b in (panel.commit_button, panel.clear_button):  # still on screen, inside the window
        assert b.isVisible() and b.mapTo(win, b.rect().topRight()).x() <= win.width()
    first = panel.candidates.buttons[0]
    assert first.shown_text().endswith("…") and len(first.shown_text()) < 100  # elided
    assert first.width() <= first.max_text_px + 60
    assert long_line in first.toolTip()  # the full reading in the tooltip
    assert panel.candidates.texts()[0] == long_line  # and the commit takes the whole of it
    panel.choose(0)
    assert win.text.toPlainText() == long_line
