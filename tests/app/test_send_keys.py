"""The "Send to window" typing backend (app/send_keys.py, Qt-free) against a real X server.

An Xvfb server of its own (Debian xvfb, installed by scripts/setup.sh) on a display it picks
itself (``-displayfd``), a separate process with a Qt line edit as the window to type into
(tests/app/typing_target.py, which prints its text), and the text read back from it.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.formatting import join_text
from app.send_keys import (
    CommandTyper,
    XTestTyper,
    char_keysym,
    choose_typer,
    session_type,
)

TARGET = Path(__file__).with_name("typing_target.py")


@pytest.fixture(scope="module")
def xdisplay():
    """A private Xvfb display, e.g. ``":3"``."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is not installed: scripts/setup.sh installs it (Debian xvfb); run `make test`")
    r, w = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-noreset"],
                              pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(w)
    number = b""
    deadline = time.monotonic() + 30
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        chunk = os.read(r, 16)
        if not chunk:
            break
        number += chunk
    os.close(r)
    if not number.strip().isdigit():
        server.kill()
        pytest.fail(f"Xvfb did not start: {server.stderr.read().decode(errors='replace')[-500:]}")
    yield f":{int(number)}"
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


class Target:
    """tests/app/typing_target.py running on the display: a line edit in its own process."""

    def __init__(self, display: str) -> None:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        env.pop("WAYLAND_DISPLAY", None)
        self.proc = subprocess.Popen([sys.executable, str(TARGET)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.text = ""
        threading.Thread(target=self._read, daemon=True).start()
        self.wid = int(self.expect("WID ", 30).split()[1])

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, prefix: str, timeout: float = 10) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise AssertionError(f"the target exited: {self.proc.stderr.read()[-800:]}")
                continue
            if line.startswith("TEXT "):
                self.text = json.loads(line[5:])
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} from the target within {timeout} s (text so far {self.text!r})")

    def wait_text(self, want: str, timeout: float = 10) -> str:
        end = time.monotonic() + timeout
        while self.text != want and time.monotonic() < end:
            try:
                self.expect("TEXT ", max(0.05, end - time.monotonic()))
            except AssertionError:
                break
        return self.text

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def target(xdisplay):
    t = Target(xdisplay)
    yield t
    t.close()


@pytest.fixture
def typer(xdisplay):
    t = XTestTyper(xdisplay)
    yield t
    t.close()


def test_types_hello_world_into_another_x_client(typer, target):
    assert typer.activate(target.wid, timeout=5), "the target window did not get the focus"
    target.expect("FOCUS")
    assert typer.active_window() == target.wid
    assert typer.window_name(target.wid) == "typing target"
    assert typer.window_pid(target.wid) == target.proc.pid  # Qt sets _NET_WM_PID: how Scrivox knows its own windows
    typer.type_text("hello world")
    assert target.wait_text("hello world") == "hello world"


def test_capitals_punctuation_and_characters_outside_the_layout(typer, target):
    """Shifted keys, and characters no key of the US layout makes (typed through a keycode
    remapped for the moment): the keyboard map is as it was afterwards."""
    before = typer.d.get_keyboard_mapping(typer.min_keycode, typer.max_keycode - typer.min_keycode + 1)
    assert typer.activate(target.wid, timeout=5)
    target.expect("FOCUS")
    text = "Grüße, Zoë! 3 × €5 = ∑ (ok?)"
    typer.type_text(text)
    assert target.wait_text(text) == text
    after = typer.d.get_keyboard_mapping(typer.min_keycode, typer.max_keycode - typer.min_keycode + 1)
    assert [list(r) for r in after] == [list(r) for r in before]


def test_focus_goes_back_to_the_window_that_had_it(typer, xdisplay):
    """The app's case: the target lost the focus to another window (Scrivox's); activate()
    gives it back and the text goes there, not to the window that took it."""
    first, second = Target(xdisplay), Target(xdisplay)
    try:
        assert typer.activate(first.wid, timeout=5)
        remembered = typer.active_window()
        assert remembered == first.wid
        assert typer.activate(second.wid, timeout=5)  # someone else takes the focus
        assert typer.active_window() == second.wid
        assert typer.activate(remembered, timeout=5)
        assert typer.active_window() == first.wid
        typer.type_text("back here")
        assert first.wait_text("back here") == "back here"
        assert second.text == ""
    finally:
        first.close()
        second.close()


def test_choose_typer_on_x11_uses_xtest(xdisplay):
    choice = choose_typer({"DISPLAY": xdisplay}, which=lambda name: None)
    assert choice.session == "x11" and choice.typer is not None and choice.typer.name == "xtest"
    assert choice.typer.can_track_focus and choice.note == ""
    choice.typer.close()


def test_choose_typer_without_a_way_to_type():
    none = choose_typer({}, which=lambda name: None)
    assert none.typer is None and none.session == "none" and "DISPLAY" in none.note
    bad_x = choose_typer({"DISPLAY": ":9999"}, which=lambda name: None)
    assert bad_x.typer is None and "xdotool" in bad_x.note
    wl = choose_typer({"WAYLAND_DISPLAY": "wayland-0"}, which=lambda name: None)
    assert wl.typer is None and wl.session == "wayland" and "clipboard" in wl.note and "wtype" in wl.note


def test_choose_typer_on_wayland_prefers_wtype_then_ydotool():
    tools = {"wtype": "/stand-in/wtype", "ydotool": "/stand-in/ydotool"}
    c = choose_typer({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, which=tools.get)
    assert c.session == "wayland" and isinstance(c.typer, CommandTyper) and c.typer.name == "wtype"
    assert not c.typer.can_track_focus and c.typer.active_window() is None
    c = choose_typer({"XDG_SESSION_TYPE": "wayland"}, which={"ydotool": "/stand-in/ydotool"}.get)
    assert c.typer.name == "ydotool"


def test_command_typer_runs_the_tool(tmp_path):
    """The command line a tool gets (a stand-in script records its arguments)."""
    log = tmp_path / "args.txt"
    tool = tmp_path / "wtype"
    tool.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {log}\n")
    tool.chmod(0o755)
    CommandTyper("wtype", str(tool)).type_text("-dash first")
    assert log.read_text().splitlines() == ["--", "-dash first"]


def test_xdotool_fallback_commands(tmp_path):
    """xdotool, the fallback where python-xlib cannot type, is left out by scripts/setup.sh, so
    a stand-in records the command lines: the focus is read and restored, the text typed
    verbatim (a leading dash too), and a refused window activation falls back to windowfocus."""
    log = tmp_path / "calls.txt"
    tool = tmp_path / "xdotool"
    tool.write_text(
        "#!/bin/sh\n"
        f"printf '%s|' \"$@\" >> {log}; echo >> {log}\n"
        'case "$1" in getactivewindow) echo 4242;; windowactivate) exit 1;; esac\n'
    )
    tool.chmod(0o755)
    t = CommandTyper("xdotool", str(tool))
    assert t.can_track_focus and t.active_window() == 4242
    assert t.activate(4242)  # windowactivate refused, windowfocus worked
    t.type_text("-via xdotool")
    assert log.read_text().splitlines() == [
        "getactivewindow|",
        "windowactivate|--sync|4242|",
        "windowfocus|--sync|4242|",
        "type|--clearmodifiers|--delay|5|--|-via xdotool|",
    ]


def test_session_type_and_helpers():
    assert session_type({"DISPLAY": ":0"}) == "x11"
    assert session_type({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}) == "wayland"
    assert session_type({}) == "none"
    assert char_keysym("a") == ord("a") and char_keysym("é") == 0xE9 and char_keysym("€") == 0x010020AC
    assert join_text("", "hello") == "hello"
    assert join_text("hello", "world") == " world"
    assert join_text("hello", ", world") == ", world"
    assert join_text("hello ", "world") == "world"
    assert join_text("line\n", "next") == "next"
    assert join_text("hello", "") == ""


def test_the_app_types_committed_text_into_the_window_used_before(xdisplay, target, tmp_path):
    """The whole mode in the real main window on the X server: handwriting committed while
    Scrivox has the focus, then speech from the compact panel, land in the target window."""
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, DISPLAY=xdisplay, QT_QPA_PLATFORM="xcb",
               PYTHONPATH=os.pathsep.join(p for p in (str(repo), os.environ.get("PYTHONPATH", "")) if p))
    env.pop("WAYLAND_DISPLAY", None)
    driver = Path(__file__).with_name("send_window_driver.py")
    r = subprocess.run([sys.executable, str(driver), str(target.wid), str(tmp_path / "settings.ini")],
                       env=env, capture_output=True, text=True, timeout=120, cwd=repo)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads([ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")][-1][7:])
    assert result["method"] == "xtest" and result["target_seen"], result
    assert result["scrivox_had_focus"] and result["focus_back_on_target"], result
    assert target.wait_text("hello world") == "hello world"
    assert "typing target" in result["label"]
