"""Several lines of handwriting on the canvas: it grows and scrolls, and the reading keeps the breaks."""

from __future__ import annotations

import numpy as np

from app.replay import draw_ink, draw_stroke
from recognizers.ink import read_ink_samples
from recognizers.ink_lines import reference_height

from .helpers import FIXTURES


def three_lines() -> list[np.ndarray]:
    """A real writer's "there", written three times one below the other (a little tilted)."""
    (s,) = read_ink_samples(FIXTURES / "word.json")
    word = s.strokes
    h = reference_height(word)
    x0 = min(float(st[:, 0].min()) for st in word)
    out = []
    for k, (dx, tilt) in enumerate(((0.0, 0.0), (0.3, 0.03), (-0.2, -0.02))):
        for st in word:
            st = st.copy()
            x = st[:, 0] - x0
            st[:, 0] = x + dx * h
            st[:, 1] = st[:, 1] + k * 2.2 * h - tilt * x
            st[:, 2] += k * 5000.0
            out.append(st)
    return out


def test_three_lines_read_with_line_breaks_and_commit(make_window, shipped_handwriting_model, qtbot):
    win = make_window(handwriting_model=shipped_handwriting_model)
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.set_pause_ms(0)
    draw_ink(canvas, three_lines(), on_the_guide=False)
    qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)
    assert panel.candidates.texts()[0] == "there\nthere\nthere"
    assert panel.candidates.buttons[0].text() == "there ↵ there ↵ there"  # the breaks are shown
    with qtbot.waitSignal(panel.committed, timeout=10_000):
        panel.commit_button.click()
    assert win.text.toPlainText() == "there\nthere\nthere"


def test_canvas_grows_a_line_when_writing_reaches_the_last_one(make_window, qtbot):
    win = make_window()
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.show()
    qtbot.waitExposed(win)
    assert canvas.grow
    h0, rows0 = canvas.height(), canvas.rows()
    assert len(canvas.guide_ys()) == rows0
    x = np.linspace(30, 200, 20)
    high = np.stack([x, np.full(20, canvas.guide_y() - 10), np.arange(20) * 10.0], 1)
    draw_stroke(canvas, high)  # on the first line's guide: no growth
    assert canvas.height() == h0
    low = np.stack([x, np.full(20, canvas.height() - 12.0), np.arange(20) * 10.0], 1)
    with qtbot.waitSignal(canvas.grown, timeout=2000):
        draw_stroke(canvas, low)
    assert canvas.height() > h0 and canvas.rows() == rows0 + 1
    assert canvas.height() > panel.scroll.viewport().height()  # it scrolls now
    from app.handwriting_panel import SCROLL_AFTER_MS

    qtbot.waitUntil(lambda: panel.scroll.verticalScrollBar().value() > 0, timeout=SCROLL_AFTER_MS + 2000)
    assert len(canvas.ink()) == 2
    canvas.clear()
    qtbot.waitUntil(lambda: canvas.height() <= max(h0, panel.scroll.viewport().height()), timeout=2000)


def test_guides_stay_under_the_ink_when_the_panel_changes_height(make_window, qtbot):
    """A banner or the candidate row appearing takes height from the canvas: the guide lines
    must not move under ink already written (they used to be rescaled to the height, and two
    lines became one lower down)."""
    from app.canvas import InkCanvas

    canvas = InkCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(600, 286)
    before = canvas.guide_ys()
    assert len(before) == 2
    canvas.resize(600, 279)  # the candidate buttons took a few pixels
    assert canvas.guide_ys() == before
    canvas.resize(600, 200)
    assert canvas.guide_ys() == before[:1]  # the second line is gone, the first stays put
    # in the window: a two-line banner takes room from the canvas, the first guide stays
    win = make_window()
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.show()
    qtbot.waitExposed(win)
    panel.banner.clear()  # (this window has no model: its message is there already)
    qtbot.wait(100)
    first, h = canvas.guide_y(), canvas.height()
    panel.banner.show_message("A two-line message<br>that takes room from the canvas", "error")
    qtbot.waitUntil(lambda: canvas.height() < h, timeout=2000)
    assert canvas.guide_y() == first


def test_a_short_canvas_grows_only_when_ink_nears_its_bottom(qtbot):
    """One line in a canvas taller than the pitch (the compact panel's): the room below the
    guide is that line's, so a descender does not add a line and scroll the word away."""
    from app.canvas import InkCanvas

    canvas = InkCanvas()
    canvas.grow = True
    qtbot.addWidget(canvas)
    canvas.resize(500, 205)
    assert canvas.rows() == 1
    x = np.linspace(30, 200, 20)
    draw_stroke(canvas, np.stack([x, np.full(20, canvas.guide_y() + 40), np.arange(20) * 10.0], 1))  # a long descender
    assert canvas.height() == 205 and canvas.rows() == 1
    draw_stroke(canvas, np.stack([x, np.full(20, 195.0), np.arange(20) * 10.0], 1))  # at the very bottom: a new line
    assert canvas.rows() == 2


def test_a_line_without_room_for_descenders_is_not_counted(qtbot):
    """A canvas 1.75 pitches high used to count a second line with a tenth of a pitch below its
    guide, so any word written on it reached the bottom and added a third line (and, with the
    pen resting, scrolled the word away). Now the last line has room for a descender."""
    from app.canvas import DESCENDER_ROOM, InkCanvas

    canvas = InkCanvas()
    canvas.grow = True
    qtbot.addWidget(canvas)
    for h, rows in ((140, 1), (245, 1), (272, 2), (300, 2), (420, 3)):
        canvas.resize(500, h)
        assert canvas.rows() == rows, h
        assert canvas.height() - canvas.guide_ys()[-1] >= DESCENDER_ROOM * canvas.line_pitch - 1e-9
    canvas.resize(500, 300)
    x = np.linspace(30, 200, 20)
    last = canvas.guide_ys()[-1]
    draw_stroke(canvas, np.stack([x, np.full(20, last + 0.2 * canvas.line_pitch), np.arange(20) * 10.0], 1))  # a descender
    assert canvas.height() == 300
    draw_stroke(canvas, np.stack([x, np.full(20, 296.0), np.arange(20) * 10.0], 1))  # the bottom edge: a new line
    assert canvas.rows() == 3


def test_the_new_line_scrolls_into_view_only_once_the_pen_rests(make_window, qtbot):
    """Writing on the last line adds one below; scrolling to it between two strokes of a word
    would put the next stroke on another line (the word read as garbage), so the view stays
    put while strokes follow each other and moves once the pen has rested."""
    from app.handwriting_panel import SCROLL_AFTER_MS

    win = make_window()
    win.set_pause_ms(0)
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.show()
    qtbot.waitExposed(win)
    bar = panel.scroll.verticalScrollBar()
    x = np.linspace(30, 200, 20)
    low = np.stack([x, np.full(20, canvas.height() - 12.0), np.arange(20) * 10.0], 1)
    with qtbot.waitSignal(canvas.grown, timeout=2000):
        draw_stroke(canvas, low)
    assert canvas.height() > panel.scroll.viewport().height()
    for k in range(3):  # the next strokes of the word, each well within the rest time
        qtbot.wait(SCROLL_AFTER_MS // 3)
        draw_stroke(canvas, low + np.array([220 + 30 * k, -20, 0]))
        assert bar.value() == 0
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=SCROLL_AFTER_MS + 2000)
    assert len(canvas.ink()) == 4

    # undoing the stroke that asked for a line cancels the scroll to it
    canvas.clear()
    qtbot.waitUntil(lambda: bar.value() == 0, timeout=2000)
    draw_stroke(canvas, np.stack([x, np.full(20, canvas.guide_y() - 10), np.arange(20) * 10.0], 1))  # a word on line 1
    with qtbot.waitSignal(canvas.grown, timeout=2000):
        draw_stroke(canvas, np.stack([x, np.full(20, canvas.height() - 12.0), np.arange(20) * 10.0], 1))
    panel.undo()
    assert canvas.stroke_count() == 1
    qtbot.wait(SCROLL_AFTER_MS + 400)
    assert bar.value() == 0
