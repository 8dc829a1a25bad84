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
    assert panel.candidates.buttons[0].shown_text() == "there\nthere\nthere"  # shown line by line
    with qtbot.waitSignal(panel.committed, timeout=10_000):
        panel.commit_button.click()
    assert win.text.toPlainText() == "there\nthere\nthere"
    # what is written next on the cleared canvas starts a line of its own (a tester's list of
    # three lines at a time read "bread butter"); after a one-line commit words join with a space
    (s,) = read_ink_samples(FIXTURES / "word.json")
    for expected in ("there\nthere\nthere\nthere", "there\nthere\nthere\nthere there"):
        draw_ink(canvas, s.strokes)
        qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)
        with qtbot.waitSignal(panel.committed, timeout=10_000):
            panel.commit_button.click()
        assert win.text.toPlainText() == expected
    # lines again, then a change of the person's own: the next commit follows it as usual
    draw_ink(canvas, three_lines(), on_the_guide=False)
    qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)
    with qtbot.waitSignal(panel.committed, timeout=10_000):
        panel.commit_button.click()
    win.text.insertPlainText(" and")
    draw_ink(canvas, s.strokes)
    qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)
    with qtbot.waitSignal(panel.committed, timeout=10_000):
        panel.commit_button.click()
    assert win.text.toPlainText().endswith("there\nthere\nthere and there")


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
    low = np.stack([x, np.full(20, canvas.height() - 6.0), np.arange(20) * 10.0], 1)
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
    canvas.line_pitch = 140.0  # the sizes below are in this pitch
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
    canvas.line_pitch = 140.0  # the sizes below are in this pitch
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
    canvas.line_pitch = 140.0  # the sizes below are in this pitch
    qtbot.addWidget(canvas)
    for h, rows in ((140, 1), (245, 1), (272, 2), (300, 2), (420, 3)):
        canvas.resize(500, h)
        assert canvas.rows() == rows, h
        assert canvas.height() - canvas.guide_ys()[-1] >= DESCENDER_ROOM * canvas.line_pitch - 1e-9
    shipped = InkCanvas()  # the same at the panel's own pitch (LINE_PITCH), sizes scaled to it
    qtbot.addWidget(shipped)
    k = shipped.line_pitch / 140.0
    for h, rows in ((140, 1), (245, 1), (272, 2), (300, 2), (420, 3)):
        shipped.resize(500, round(h * k))
        assert shipped.rows() == rows, h
        assert shipped.height() - shipped.guide_ys()[-1] >= DESCENDER_ROOM * shipped.line_pitch - 1e-9
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
    low = np.stack([x, np.full(20, canvas.height() - 6.0), np.arange(20) * 10.0], 1)
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
        draw_stroke(canvas, np.stack([x, np.full(20, canvas.height() - 6.0), np.arange(20) * 10.0], 1))
    panel.undo()
    assert canvas.stroke_count() == 1
    qtbot.wait(SCROLL_AFTER_MS + 400)
    assert bar.value() == 0


def word_on_guide(word: list[np.ndarray], guide_y: float, pitch: float, x0: float) -> list[np.ndarray]:
    """A recorded word scaled to a line's height (0.7 of the pitch, ascenders included), its
    lowest tenth below the guide like a descender, its left end at x0: writing as the guides ask."""
    pts = np.concatenate([s[:, :2] for s in word])
    lo, hi = pts.min(0), pts.max(0)
    scale = 0.7 * pitch / float(hi[1] - lo[1])
    out = []
    for s in word:
        s = s.copy()
        s[:, 0] = np.round((s[:, 0] - lo[0]) * scale + x0)
        s[:, 1] = np.round((s[:, 1] - lo[1]) * scale + guide_y - 0.9 * 0.7 * pitch)
        out.append(s)
    return out


def test_the_first_window_has_room_for_three_lines_before_the_pause_commits(make_window, shipped_handwriting_model, qtbot):
    """A new user, at the window's first size, wrote two lines and found no room to begin a
    third before the auto-commit: the canvas showed one guide (140 px pitch in 251 px) and the
    third line, squeezed under the second, was read into it. The first canvas now rules three
    lines, each with room for descenders; writing on all three neither grows nor scrolls the
    canvas, and the pause commits the three lines as three."""
    from app.canvas import DESCENDER_ROOM

    win = make_window(handwriting_model=shipped_handwriting_model)
    assert (win.width(), win.height()) == (980, 760)  # the first size (fresh settings)
    assert not win.speech.banner.isHidden()  # "No microphone": the tightest first window
    panel, canvas = win.handwriting, win.handwriting.canvas
    assert panel.pause_ms == 1500  # the default auto-commit
    view = panel.scroll.viewport()
    guides = canvas.guide_ys()
    assert len(guides) >= 3
    assert guides[2] + DESCENDER_ROOM * canvas.line_pitch <= view.height()  # the third line and its descenders are in view
    (s,) = read_ink_samples(FIXTURES / "word.json")
    grew = []
    canvas.grown.connect(grew.append)
    for k in range(3):  # the pen goes on to the next line at once: the pause has not come
        for st in word_on_guide(s.strokes, guides[k], canvas.line_pitch, 40 + 30 * k):
            draw_stroke(canvas, st)
            assert 0 <= st[:, 1].min() and st[:, 1].max() <= view.height()  # all of it written in view
    assert not grew and panel.scroll.verticalScrollBar().value() == 0
    assert not win.text.toPlainText()
    with qtbot.waitSignal(panel.committed, timeout=10_000):  # the pause commits all three lines
        pass
    assert win.text.toPlainText() == "there\nthere\nthere"


def test_a_reading_of_three_lines_shows_its_lines_and_the_canvas_keeps_its_height(make_window, qtbot):
    """The candidates showed "the quick brown ↵ fox jumps over ↵…": a reading written on three
    lines is now shown on three lines, the alternatives where they differ, and the candidate
    bar is as tall without readings, with one line and with three, so the canvas never moves."""
    win = make_window()
    panel, bar, canvas = win.handwriting, win.handwriting.candidates, win.handwriting.canvas
    qtbot.wait(50)
    place = (canvas.mapTo(win, canvas.rect().topLeft()), canvas.height(), bar.height())
    bar.set_candidates(["cat", "cot"])
    qtbot.wait(50)
    assert (canvas.mapTo(win, canvas.rect().topLeft()), canvas.height(), bar.height()) == place
    assert [b.shown_text() for b in bar.buttons[:2]] == ["cat", "cot"]
    one_line = bar.buttons[0].height()
    best = "the quick brown\nfox jumps over\nthe lazy dog"
    bar.set_candidates([best, "the quick brown\nfox jumps over\nthe lazy clog", "the quick brawn\nfox jumps over\nthe lazy dog"])
    qtbot.wait(50)
    assert (canvas.mapTo(win, canvas.rect().topLeft()), canvas.height(), bar.height()) == place
    b0, b1, b2 = bar.buttons[:3]
    assert b0.shown_text() == best  # all of it, line by line
    assert b0.height() >= one_line + 2 * b0.fontMetrics().lineSpacing()
    assert "clog" in b1.shown_text().split("\n")[2] and "brawn" in b2.shown_text().split("\n")[0]
    for b in (b0, b1, b2):  # whole inside the bar, none clipped by it
        assert b.isVisible() and b.geometry().top() >= 0 and b.geometry().bottom() < bar.height()
    # and painted as three lines: the ink of the text spans more than two line heights
    img = b0.grab().toImage()
    dark = [y for y in range(img.height()) if any(img.pixelColor(x, y).lightness() < 90 for x in range(6, img.width() - 6))]
    assert dark and dark[-1] - dark[0] > 2 * b0.fontMetrics().lineSpacing()
    with qtbot.waitSignal(bar.chosen) as chosen:  # a click commits the reading with its breaks
        b0.click()
    assert chosen.args == [best]
    # an alternative that differs at the end of a line too long to show keeps that end in view,
    # and so does the best (a tester could not see whether the best reading had its ".")
    long_line = "a second line much too long for any candidate button to show whole"
    bar.set_candidates([f"one\n{long_line} END\nthree", f"one\n{long_line} FIN\nthree"])
    qtbot.wait(50)
    best_shown, alt_shown = (b.shown_text().split("\n") for b in bar.buttons[:2])
    assert best_shown[1].startswith("…") and best_shown[1].endswith("END")
    assert alt_shown[1].startswith("…") and alt_shown[1].endswith("FIN")
    bar.set_candidates([f"one\n{long_line} END\nthree", f"one\n{long_line.replace('second', 'third')} END\nthree"])
    qtbot.wait(50)  # differing before the line's last word: the best shows its line from the start
    assert bar.buttons[0].shown_text().split("\n")[1].endswith("…")
    # the next likeliest reading decides, whatever a less likely one does (the tester's third,
    # "recoghition", differed in the middle of the line)
    bar.set_candidates([f"{long_line} package.", f"{long_line} package", f"{long_line.replace('second', 'secomd')} package."])
    qtbot.wait(50)
    assert bar.buttons[0].shown_text().endswith("package.")
    assert best_shown[0] == alt_shown[0] == "one" and best_shown[2] == alt_shown[2] == "three"
    bar.set_candidates(["one\ntwo\nthree\nfour"])  # more lines than the bar has room for: the last ones joined
    qtbot.wait(50)
    assert bar.buttons[0].shown_text() == "one\ntwo\nthree ↵ four" and bar.height() == place[2]
