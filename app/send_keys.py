"""Typing text into another application ("Send to window"), without Qt.

The GUI glue (app/send_to_window.py) asks `choose_typer()` for the best way this session
offers, remembers which window had the focus before Scrivox, and calls `Typer.type_text`:

- X11 (``DISPLAY`` set, no ``WAYLAND_DISPLAY``): `XTestTyper`, synthetic key events through
  the XTEST extension with python-xlib, in this process. It can read which window is active
  and give a window the focus again. A character no key produces on the current layout
  (``€`` on a US keyboard, say) is typed by mapping it for a moment onto an unused keycode, as
  xdotool does. Where python-xlib or XTEST is missing, `CommandTyper` runs ``xdotool type``
  when xdotool is installed.
- Wayland: a program may not send keys to other windows through the compositor's core
  protocol; ``wtype`` (compositors with the virtual-keyboard protocol: sway, Hyprland, ...)
  or ``ydotool`` (needs its ydotoold daemon and access to /dev/uinput) type into the focused
  window where installed. They cannot tell which window is focused or focus one.
- Otherwise `choose_typer` returns None with the reason, and the caller puts the text on the
  clipboard and says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, Protocol


class SendKeysError(RuntimeError):
    """Typing could not be done (no display, a tool failed, ...)."""


class Typer(Protocol):
    name: str  # "xtest", "xdotool", "wtype", "ydotool"
    can_track_focus: bool  # active_window() and activate() work

    def type_text(self, text: str) -> None: ...

    def active_window(self) -> int | None: ...

    def activate(self, window: int, timeout: float = 1.0) -> bool: ...

    def window_name(self, window: int) -> str: ...

    def window_pid(self, window: int) -> int | None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Choice:
    """What `choose_typer` found: a typer, or None and why (shown to the user)."""

    typer: Typer | None
    session: str  # "x11", "wayland", "none"
    note: str  # empty when typing works; else why the clipboard is used instead


def session_type(env: dict | None = None) -> str:
    """``"wayland"``, ``"x11"`` or ``"none"`` (no display at all)."""
    env = os.environ if env is None else env
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "none"


def choose_typer(env: dict | None = None, which: Callable[[str], str | None] = shutil.which) -> Choice:
    """The best typer for this session, or None with the reason."""
    env = dict(os.environ if env is None else env)
    session = session_type(env)
    if session == "x11":
        try:
            return Choice(XTestTyper(env["DISPLAY"]), session, "")
        except SendKeysError as exc:
            why = str(exc)
        if which("xdotool"):
            return Choice(CommandTyper("xdotool", which("xdotool"), env), session, "")
        return Choice(None, session, f"{why}, and xdotool is not installed (apt install xdotool)")
    if session == "wayland":
        for tool in ("wtype", "ydotool"):
            path = which(tool)
            if path:
                return Choice(CommandTyper(tool, path, env), session, "")
        return Choice(None, session, "Wayland does not let one program type into another; "
                      "install wtype (sway, Hyprland and other wlroots desktops) or ydotool to type, "
                      "else the text goes to the clipboard")
    return Choice(None, session, "no display to type into (neither DISPLAY nor WAYLAND_DISPLAY is set)")


# ----------------------------------------------------------------------------- X11, XTest

_SPECIAL_KEYSYMS = {"\n": "Return", "\r": "Return", "\t": "Tab", " ": "space", "\b": "BackSpace"}


def char_keysym(ch: str) -> int:
    """The X keysym that produces `ch`: Latin-1 keysyms equal their code point; every other
    character has the Unicode keysym ``0x01000000 + code point``."""
    from Xlib import XK

    if ch in _SPECIAL_KEYSYMS:
        return XK.string_to_keysym(_SPECIAL_KEYSYMS[ch])
    cp = ord(ch)
    if 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xFF:
        return cp
    return 0x01000000 | cp


class XTestTyper:
    """Key events through the XTEST extension (python-xlib), one X connection of its own.

    Keys go to whichever window has the input focus: `activate` gives it to a window first.
    """

    name = "xtest"
    can_track_focus = True
    key_delay = 0.002  # s between events: some toolkits drop events that come all at once
    remap_settle = 0.05  # s for clients to read a changed keyboard mapping

    def __init__(self, display_name: str | None = None) -> None:
        try:
            from Xlib import X, XK, display, error  # noqa: F401
            from Xlib.ext import xtest  # noqa: F401
        except ImportError as exc:
            raise SendKeysError("python-xlib is not installed (pip install python-xlib)") from exc
        try:
            self.d = display.Display(display_name)
        except Exception as exc:  # Xlib.error.DisplayError, ConnectionClosedError, OSError
            raise SendKeysError(f"cannot open X display {display_name or os.environ.get('DISPLAY')!r}: {exc}") from exc
        if not self.d.has_extension("XTEST"):
            self.d.close()
            raise SendKeysError("the X server has no XTEST extension")
        self._atoms: dict[str, int] = {}
        self._load_keymap()

    # -- keyboard map

    def _load_keymap(self) -> None:
        info = self.d.display.info
        self.min_keycode, self.max_keycode = info.min_keycode, info.max_keycode
        count = self.max_keycode - self.min_keycode + 1
        self.mapping = [list(s) for s in self.d.get_keyboard_mapping(self.min_keycode, count)]
        self.keys: dict[int, tuple[int, int]] = {}  # keysym -> (keycode, level 0 plain / 1 shift)
        for i, syms in enumerate(self.mapping):
            for level, sym in enumerate(syms[:2]):
                if sym and (sym not in self.keys or level < self.keys[sym][1]):
                    self.keys[sym] = (self.min_keycode + i, level)
        self.spare = [self.min_keycode + i for i, syms in enumerate(self.mapping) if not any(syms)]
        from Xlib import XK

        self.shift = self.d.keysym_to_keycode(XK.string_to_keysym("Shift_L"))

    def _fake(self, keycode: int, press: bool) -> None:
        from Xlib import X
        from Xlib.ext import xtest

        xtest.fake_input(self.d, X.KeyPress if press else X.KeyRelease, keycode)
        self.d.sync()
        if self.key_delay:
            time.sleep(self.key_delay)

    def _tap(self, keycode: int, shift: bool) -> None:
        if shift and self.shift:
            self._fake(self.shift, True)
        self._fake(keycode, True)
        self._fake(keycode, False)
        if shift and self.shift:
            self._fake(self.shift, False)

    def type_text(self, text: str) -> None:
        """Types `text` into the focused window."""
        if not text:
            return
        syms = [char_keysym(ch) for ch in text]
        if any(s not in self.keys for s in syms) and not self.spare:
            raise SendKeysError("the keyboard map has no free keycode for characters outside the layout")
        # pieces whose characters outside the layout fit on the spare keycodes at once
        pieces: list[list[int]] = [[]]
        outside: set[int] = set()
        for s in syms:
            if s not in self.keys and s not in outside:
                if len(outside) == len(self.spare):
                    pieces.append([])
                    outside = set()
                outside.add(s)
            pieces[-1].append(s)
        for piece in pieces:
            self._type_piece(piece)

    def _type_piece(self, syms: list[int]) -> None:
        extra = list(dict.fromkeys(s for s in syms if s not in self.keys))
        remapped = dict(zip(extra, self.spare))
        if remapped:
            for s, kc in remapped.items():
                self.d.change_keyboard_mapping(kc, [(s, s)])
            self.d.sync()
            time.sleep(self.remap_settle)
        try:
            for s in syms:
                if s in remapped:
                    self._tap(remapped[s], False)
                else:
                    kc, level = self.keys[s]
                    self._tap(kc, level == 1)
        finally:
            if remapped:
                time.sleep(self.remap_settle)
                for kc in remapped.values():
                    self.d.change_keyboard_mapping(kc, [(0, 0)])
                self.d.sync()

    # -- windows

    def _atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self.d.intern_atom(name)
        return self._atoms[name]

    def _wm_supports(self, name: str) -> bool:
        from Xlib import X

        root = self.d.screen().root
        prop = root.get_full_property(self._atom("_NET_SUPPORTED"), X.AnyPropertyType)
        return prop is not None and self._atom(name) in prop.value

    def active_window(self) -> int | None:
        """The window the user works in: the window manager's ``_NET_ACTIVE_WINDOW``, else
        the window with the input focus; None when none (or the root) has it."""
        from Xlib import X

        root = self.d.screen().root
        prop = root.get_full_property(self._atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
        if prop is not None and len(prop.value) and prop.value[0]:
            return int(prop.value[0])
        focus = self.d.get_input_focus().focus
        if isinstance(focus, int) or focus is None:  # X.NONE or X.PointerRoot
            return None
        wid = int(focus.id)
        return None if wid in (0, 1, root.id) else wid

    def activate(self, window: int, timeout: float = 1.0) -> bool:
        """Gives `window` the focus (through the window manager when there is one); True
        once it has it (or, with a window manager, once that says it is active)."""
        from Xlib import X, Xatom  # noqa: F401
        from Xlib.protocol import event

        if self.active_window() == window:
            return True
        root = self.d.screen().root
        win = self.d.create_resource_object("window", window)
        if self._wm_supports("_NET_ACTIVE_WINDOW"):
            ev = event.ClientMessage(window=win, client_type=self._atom("_NET_ACTIVE_WINDOW"),
                                     data=(32, [2, X.CurrentTime, 0, 0, 0]))  # 2: from a pager-like tool
            root.send_event(ev, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
        else:
            win.set_input_focus(X.RevertToParent, X.CurrentTime)
        self.d.sync()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.active_window() == window:
                return True
            time.sleep(0.01)
        return False

    def window_name(self, window: int) -> str:
        """The window's title (``_NET_WM_NAME``, else ``WM_NAME``), or ``""``."""
        from Xlib import X

        try:
            w = self.d.create_resource_object("window", window)
            prop = w.get_full_property(self._atom("_NET_WM_NAME"), self._atom("UTF8_STRING"))
            if prop is not None and prop.value:
                v = prop.value
                return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            prop = w.get_full_property(self._atom("WM_NAME"), X.AnyPropertyType)
            if prop is not None and prop.value:
                v = prop.value
                return v.decode("latin-1") if isinstance(v, bytes) else str(v)
        except Exception:  # the window went away: Xlib.error.BadWindow
            pass
        return ""

    def window_pid(self, window: int) -> int | None:
        """The process that owns the window (``_NET_WM_PID``, looked for on the window and
        the windows it sits in), or None where no window says."""
        from Xlib import Xatom

        try:
            w = self.d.create_resource_object("window", window)
            root = self.d.screen().root.id
            for _ in range(4):  # the focus can sit on a child of the top-level window
                prop = w.get_full_property(self._atom("_NET_WM_PID"), Xatom.CARDINAL)
                if prop is not None and len(prop.value):
                    return int(prop.value[0])
                parent = w.query_tree().parent
                if parent is None or parent.id in (0, root):
                    return None
                w = parent
        except Exception:  # the window went away: Xlib.error.BadWindow
            pass
        return None

    def close(self) -> None:
        try:
            self.d.close()
        except Exception:
            pass


# ----------------------------------------------------------------------------- command-line tools


class CommandTyper:
    """``xdotool type``, ``wtype`` or ``ydotool type``: types into the focused window.
    xdotool can also read and set the active window; the Wayland tools cannot."""

    def __init__(self, name: str, path: str, env: dict | None = None) -> None:
        self.name = name
        self.path = path
        self.env = env
        self.can_track_focus = name == "xdotool"

    def _run(self, args: list[str], timeout: float = 10.0) -> subprocess.CompletedProcess:
        try:
            r = subprocess.run([self.path, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SendKeysError(f"{self.name} failed: {exc}") from exc
        if r.returncode != 0:
            raise SendKeysError(f"{self.name} failed: {(r.stderr or r.stdout).strip()[-300:]}")
        return r

    def type_text(self, text: str) -> None:
        if not text:
            return
        if self.name == "xdotool":
            self._run(["type", "--clearmodifiers", "--delay", "5", "--", text])
        elif self.name == "wtype":
            self._run(["--", text])
        else:  # ydotool
            self._run(["type", "--", text])

    def active_window(self) -> int | None:
        if self.name != "xdotool":
            return None
        try:
            return int(self._run(["getactivewindow"], 2.0).stdout.strip() or 0) or None
        except (SendKeysError, ValueError):
            try:
                return int(self._run(["getwindowfocus"], 2.0).stdout.strip() or 0) or None
            except (SendKeysError, ValueError):
                return None

    def activate(self, window: int, timeout: float = 1.0) -> bool:
        if self.name != "xdotool":
            return False
        try:
            self._run(["windowactivate", "--sync", str(window)], timeout + 1)
        except SendKeysError:
            try:
                self._run(["windowfocus", "--sync", str(window)], timeout + 1)
            except SendKeysError:
                return False
        return True

    def window_name(self, window: int) -> str:
        if self.name != "xdotool":
            return ""
        try:
            return self._run(["getwindowname", str(window)], 2.0).stdout.strip()
        except SendKeysError:
            return ""

    def window_pid(self, window: int) -> int | None:
        if self.name != "xdotool":
            return None
        try:
            return int(self._run(["getwindowpid", str(window)], 2.0).stdout.strip() or 0) or None
        except (SendKeysError, ValueError):
            return None

    def close(self) -> None:
        pass
