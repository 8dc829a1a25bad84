"""The "Send to window" mode and the compact input panel (Qt glue around app/send_keys.py).

- `SendToWindow`: while on, committed handwriting and final speech are also typed into the
  window the person was working in before Scrivox (the last active window that is not one of
  Scrivox's own). All X calls run on one thread of its own, which also looks every 250 ms at
  which window is active; when typing is impossible (no X server, Wayland without wtype or
  ydotool, no window seen yet) the text goes to the clipboard and the window says why.
- `WindowModes`: the full window or the compact input panel (canvas and microphone only,
  always on top and, on X11, never taking the keyboard focus, so the text goes on to land
  where the person types), with each mode's geometry, the mode itself and the send setting
  remembered in the window's QSettings (``window/...``, ``send/enabled``).

`install(window)` adds both to a MainWindow (actions in a View menu, a toolbar for the
compact panel) and returns the `WindowModes`.
"""

from __future__ import annotations

import os
import queue
import threading
from typing import Callable

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QToolBar, QWidget

from app.formatting import join_text
from app.send_keys import Choice, SendKeysError, choose_typer
from app.settings import as_bool

POLL_S = 0.25  # how often the active window is looked at while the mode is on
COMPACT_SIZE = (560, 500)  # the compact panel's first size (its minimum width is the candidate row's)


class SendToWindow(QObject):
    """Types committed text into the window that had the focus before Scrivox."""

    targetChanged = Signal(int, str)  # window id (0: none), its title
    sent = Signal(str, str)  # the text typed, the title of the window it went to
    fellBack = Signal(str, str)  # text put on the clipboard instead, why (the window says the clipboard first)

    def __init__(self, own_windows: Callable[[], set[int]], chooser: Callable[[], Choice] = choose_typer,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._own_windows = own_windows
        self.chooser = chooser
        self.enabled = False
        self.choice: Choice | None = None  # made on the thread, when first switched on
        self.target: int | None = None
        self.target_name = ""
        self._last: dict[int | None, str] = {}  # per window, the last text sent (for spacing)
        self._q: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.fellBack.connect(self._to_clipboard)

    # -- GUI thread

    @property
    def method(self) -> str:
        """How text goes out: "xtest", "xdotool", "wtype", "ydotool", "clipboard", or "" before the first use."""
        if self.choice is None:
            return ""
        return self.choice.typer.name if self.choice.typer is not None else "clipboard"

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if on and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="send-to-window", daemon=True)
            self._thread.start()
        self._q.put(("own", self._own_windows()))

    def send(self, text: str) -> None:
        """Types `text` (committed handwriting or a final utterance) if the mode is on."""
        if not self.enabled or not text.strip(" \t"):  # a line break said alone is typed too
            return
        app = QGuiApplication.instance()
        scrivox_active = app is not None and app.applicationState() == Qt.ApplicationState.ApplicationActive
        self._q.put(("send", text, self._own_windows(), scrivox_active))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Blocks until the queued commands are done (tests)."""
        done = threading.Event()
        self._q.put(("mark", done))
        return done.wait(timeout)

    def shutdown(self) -> None:
        if self._thread is not None:
            self._q.put(("quit",))
            self._thread.join(2.0)
            self._thread = None

    def _to_clipboard(self, text: str, why: str) -> None:
        QApplication.clipboard().setText(text)

    # -- the typing thread (every X call happens here)

    def _run(self) -> None:
        try:
            self.choice = self.chooser()
        except Exception as exc:  # never let the thread die silently
            self.choice = Choice(None, "none", f"{exc.__class__.__name__}: {exc}")
        typer = self.choice.typer
        own: set[int] = set()
        while True:
            try:
                cmd = self._q.get(timeout=POLL_S)
            except queue.Empty:
                cmd = ("poll",)
            kind = cmd[0]
            try:
                if kind == "quit":
                    break
                if kind == "own":
                    own = set(cmd[1])
                elif kind == "mark":
                    cmd[1].set()
                elif kind == "poll":
                    if self.enabled and typer is not None and typer.can_track_focus:
                        self._look(typer, own)
                elif kind == "send":
                    own = set(cmd[2])
                    self._send(typer, cmd[1], own, cmd[3])
            except Exception as exc:  # an X error, a tool that failed: say so, keep the text
                if kind == "send":
                    self.fellBack.emit(cmd[1], f"typing failed ({exc})")
        if typer is not None:
            typer.close()

    def _look(self, typer, own: set[int]) -> int | None:
        """The active window, made the target unless it is Scrivox's own; None for none or ours."""
        w = typer.active_window()
        if w is None or w in own:
            return None
        if w != self.target:
            if _is_ours(typer, w):  # asked only of a new window: the target is known not to be ours
                return None
            self.target = w
            self.target_name = typer.window_name(w)
            self.targetChanged.emit(w, self.target_name)
        return w

    def _send(self, typer, text: str, own: set[int], scrivox_active: bool) -> None:
        if typer is None:
            self.fellBack.emit(text, self.choice.note)
            return
        if typer.can_track_focus:
            current = self._look(typer, own)
            if current is None:  # none, or Scrivox's own
                if self.target is None:
                    self.fellBack.emit(text, "no window to type into yet: click in the window the text should go to, "
                                       "then write or speak again")
                    return
                if not typer.activate(self.target):
                    self.fellBack.emit(text, f"could not give the focus back to “{self.target_name}” (closed?)")
                    self.target = None
                    return
        elif scrivox_active:
            self.fellBack.emit(text, "Scrivox has the keyboard focus, and on Wayland it cannot hand it to another "
                               "window: use the compact panel and keep the focus in the other window")
            return
        piece = join_text(self._last.get(self.target, ""), text)
        try:
            typer.type_text(piece)
        except SendKeysError as exc:
            self.fellBack.emit(text, str(exc))
            return
        self._last[self.target] = piece
        self.sent.emit(piece, self.target_name)


def _is_ours(typer, window: int) -> bool:
    """Whether this process owns `window`: a window Qt made anew (the compact panel's flags
    recreate the native window) can be active before the list of our windows is refreshed."""
    return typer.window_pid(window) == os.getpid()


class WindowModes(QObject):
    """Full window or compact input panel, the Send-to-window switch, remembered geometry."""

    modeChanged = Signal(bool)  # compact

    def __init__(self, win: QMainWindow, settings: QSettings, sender: SendToWindow) -> None:
        super().__init__(win)
        self.win = win
        # Qt shows tooltips for the active window only, and the compact panel never becomes
        # active (it takes no focus): its tooltips, "→ clipboard (see tooltip)" among them, would never show
        win.setAttribute(Qt.WidgetAttribute.WA_AlwaysShowToolTips, True)
        self.settings = settings
        self.sender = sender
        self.compact = False
        self.last_note = ""  # why the last text went to the clipboard
        self.last_kept = ""  # the last text committed while Send to window was off
        self._hidden: list[QWidget] = []  # what the compact panel hides

        self.act_send = QAction("&Send text to the window I was working in", win, checkable=True)
        self.act_send.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.act_send.setStatusTip("Committed handwriting and final speech are also typed into the window that "
                                   "had the focus before Scrivox")
        self.act_send.toggled.connect(self.set_send)
        self.act_compact = QAction("&Compact input panel (always on top)", win, checkable=True)
        self.act_compact.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.act_compact.setStatusTip("Only the canvas and the microphone, on top of other windows")
        self.act_compact.toggled.connect(self.set_compact)
        for a in (self.act_send, self.act_compact):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            win.addAction(a)

        # the compact panel's toolbar: the switch, where the text goes, back to the full window
        self.toolbar = QToolBar("Input panel", win)
        self.toolbar.setObjectName("input_panel_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.act_send)
        self.act_send.setIconText("Send to window")
        self.target_label = QLabel()
        self.target_label.setStyleSheet("padding: 0 6px;")
        self.toolbar.addWidget(self.target_label)
        self.act_full = self.toolbar.addAction("Full window", lambda: self.act_compact.setChecked(False))
        win.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.toolbar.hide()
        self.status_label = QLabel()  # in the full window's status bar
        self.status_label.setStyleSheet("padding: 0 6px;")
        win.statusBar().addPermanentWidget(self.status_label)
        self.status_label.hide()

        sender.targetChanged.connect(lambda w, name: self._show_target())
        sender.sent.connect(lambda text, name: self._show_target())
        sender.fellBack.connect(self._fell_back)
        win.textAppended.connect(self._kept)

    def _kept(self, text: str) -> None:
        if not self.act_send.isChecked():
            self.last_kept = text
            self._show_target()

    # -- state

    def restore(self) -> None:
        """Geometry, mode and the send switch from the settings (call once the window is built)."""
        g = self.settings.value("window/geometry")
        if isinstance(g, (QByteArray, bytes)) and len(g):
            self.win.restoreGeometry(QByteArray(g))
        self.act_send.setChecked(as_bool(self.settings.value("send/enabled"), False))
        if str(self.settings.value("window/panel", "full")) == "compact":
            self.act_compact.setChecked(True)
        self._show_target()

    def save(self) -> None:
        key = "window/compact_geometry" if self.compact else "window/geometry"
        self.settings.setValue(key, self.win.saveGeometry())
        self.settings.setValue("window/panel", "compact" if self.compact else "full")
        self.settings.setValue("send/enabled", self.act_send.isChecked())
        self.settings.sync()

    def shutdown(self) -> None:
        """Saves the state and stops the typing thread (from the window's shutdown)."""
        self.save()
        self.sender.shutdown()

    def own_windows(self) -> set[int]:
        """X window ids of Scrivox's visible top-level windows (never a typing target)."""
        out = set()
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and w.testAttribute(Qt.WidgetAttribute.WA_WState_Created):
                out.add(int(w.winId()))
        return out

    # -- switches

    def set_send(self, on: bool) -> None:
        self.sender.set_enabled(on)
        if self.act_send.isChecked() != on:
            self.act_send.setChecked(on)
        self.settings.setValue("send/enabled", bool(on))
        self._show_target()

    def set_compact(self, on: bool) -> None:
        on = bool(on)
        if on == self.compact:
            return
        win = self.win
        # remember the geometry of the mode we leave
        self.settings.setValue("window/compact_geometry" if self.compact else "window/geometry", win.saveGeometry())
        self.compact = on
        flags = win.windowFlags()
        on_top = Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus
        if on:
            self._hidden = [w for w in self._full_only() if not w.isHidden()]
            for w in self._hidden:
                w.hide()
            flags |= on_top
        else:
            for w in self._hidden:
                w.show()
            self._hidden = []
            flags &= ~on_top
        self.toolbar.setVisible(on)
        self.status_label.setVisible(not on and self.act_send.isChecked())
        hw = getattr(win, "handwriting", None)
        if hw is not None:
            hw.commit_lone_dots = on  # the panel takes no focus: a dot there is written, not a click
            hw.candidates.keys_work = not on  # nor does it get Ctrl+1..5: the tooltips do not offer them
            hw.candidates.refresh()
        # minimum sizes as they now are, before resizing (the layouts' pending requests)
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        for w in (win.centralWidget(), win):
            if w is not None and w.layout() is not None:
                w.layout().invalidate()
                w.layout().activate()
        was_visible = win.isVisible()
        win.setWindowFlags(flags)  # hides the window: show it again
        g = self.settings.value("window/compact_geometry" if on else "window/geometry")
        if isinstance(g, (QByteArray, bytes)) and len(g):
            win.restoreGeometry(QByteArray(g))
        elif on:
            win.resize(*COMPACT_SIZE)
        if was_visible:
            win.show()
        if self.act_compact.isChecked() != on:
            self.act_compact.setChecked(on)
        self.settings.setValue("window/panel", "compact" if on else "full")
        self.sender.set_enabled(self.sender.enabled)  # refresh its list of Scrivox's windows
        self._show_target()
        speech = getattr(win, "speech", None)
        if speech is not None and not speech.listening:
            speech.refresh_messages()  # its hints name the file button only where there is one
        self.modeChanged.emit(on)

    def _full_only(self) -> list[QWidget]:
        """The parts the compact panel leaves out: menu bar, status bar, the text area, and the
        speech panel's file button and input chooser (the full window has them)."""
        win = self.win
        parts: list[QWidget] = [win.menuBar(), win.statusBar()]
        text = getattr(win, "text", None)
        if text is not None:
            box = text.parentWidget()
            parts.append(box if box is not None and box is not win.centralWidget() else text)
        speech = getattr(win, "speech", None)
        if speech is not None:
            parts += [w for w in (getattr(speech, n, None) for n in ("file_button", "device_combo", "refresh_button"))
                      if isinstance(w, QWidget)]
            parts += [lab for lab in speech.findChildren(QLabel) if lab.text() == "Input:"]
        return parts

    # -- labels

    def _show_target(self) -> None:
        s = self.sender
        if not self.act_send.isChecked():
            # the compact panel hides the text area: say where the committed text goes
            if self.last_kept and not self.win.text.toPlainText().rstrip().endswith(self.last_kept):
                self.last_kept = ""  # undone or edited away since: do not name text that is not there
            text = f"“{_elide(self.last_kept, 24)}” → the text" if self.last_kept else "→ the text (Full window)"
            tip = ("Committed text goes to the text area of the full window (the “Full window” button beside this: "
                   "no shortcut reaches the panel, which never takes the keyboard focus). "
                   "Turn on Send to window to type it into another application.")
            self.target_label.setText(text)
            self.target_label.setToolTip(tip)
            self.status_label.setText("")
            self.status_label.hide()
            return
        elif s.choice is not None and s.choice.typer is None:
            text, tip = "→ clipboard", s.choice.note
        elif s.target is not None:
            name = s.target_name or f"window {s.target:#x}"
            text, tip = f"→ {_elide(name)}", f"Committed text is typed into “{name}” ({s.method})"
        else:
            text, tip = "→ (click the window to type into)", "No other window has had the focus yet"
        for label in (self.target_label, self.status_label):
            label.setText(text)
            label.setToolTip(tip)
        self.status_label.setVisible(bool(text) and not self.compact)

    def _fell_back(self, text: str, why: str) -> None:
        # what to do first: the reasons run long and the status bar cuts a message at its end
        note = f"The text is on the clipboard (paste it with Ctrl+V): {why}"
        self.last_note = note
        self.target_label.setToolTip(note)
        self.status_label.setToolTip(note)
        self.win.statusBar().showMessage(f"Send to window: on the clipboard, Ctrl+V pastes it. {why[:1].upper()}{why[1:]}", 10_000)
        if self.compact:
            self.target_label.setText("→ clipboard (see tooltip)")


def install(win: QMainWindow, menu_title: str = "&View", chooser: Callable[[], Choice] = choose_typer) -> WindowModes:
    """Adds Send-to-window and the compact panel to a MainWindow: a menu (before Help), the
    connections from committed handwriting and final speech, and the remembered state."""
    modes: WindowModes | None = None
    sender = SendToWindow(lambda: modes.own_windows() if modes is not None else set(), chooser, win)
    modes = WindowModes(win, win.settings, sender)
    mb = win.menuBar()
    menu = QMenu(menu_title, win)
    help_action = next((a for a in mb.actions() if a.text().replace("&", "") == "Help"), None)
    if help_action is not None:
        mb.insertMenu(help_action, menu)
    else:
        mb.addMenu(menu)
    menu.addAction(modes.act_compact)
    menu.addAction(modes.act_send)
    win.handwriting.committed.connect(lambda text, ink: sender.send(text))
    win.speechCommitted.connect(sender.send)  # the utterance as the text area shows it ("I", a capital after a full stop)
    modes.restore()
    return modes


def _elide(s: str, n: int = 40) -> str:
    s = " ".join(s.split())  # on one line: a commit of several lines broke the label in two
    return s if len(s) <= n else s[: n - 1] + "…"
