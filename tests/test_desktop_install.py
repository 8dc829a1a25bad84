"""`make install` / `make uninstall`: the menu entry, icon and launcher in a user's ~/.local.

HOME points at a temporary folder, so the real home is never touched.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "desktop.sh"


def run(action: str, home: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env.update(HOME=str(home), **extra)
    return subprocess.run(["bash", str(SCRIPT), action], env=env, capture_output=True, text=True, timeout=60)


def desktop_entry(path: Path) -> dict[str, str]:
    cp = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    cp.optionxform = str  # keys are case-sensitive
    cp.read_string(path.read_text())
    return dict(cp["Desktop Entry"])


def test_install_then_uninstall(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    r = run("install", home)
    assert r.returncode == 0, r.stderr
    launcher = home / ".local/bin/scrivox"
    desktop = home / ".local/share/applications/scrivox.desktop"
    icon = home / ".local/share/icons/hicolor/scalable/apps/scrivox.svg"
    assert launcher.is_file() and os.access(launcher, os.X_OK)
    assert str(REPO / ".venv/bin/python") in launcher.read_text()

    e = desktop_entry(desktop)
    assert e["Type"] == "Application" and e["Name"] == "Scrivox" and e["Terminal"] == "false"
    assert e["Exec"] == str(launcher) and e["Icon"] == "scrivox"
    assert "Utility" in e["Categories"].split(";")
    assert ET.parse(icon).getroot().tag.endswith("svg")
    assert icon.read_bytes() == (REPO / "resources/icons/scrivox.svg").read_bytes()

    # the launcher runs this checkout's app
    out = subprocess.run([str(launcher), "--help"], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, HOME=str(home)))
    assert out.returncode == 0 and "scrivox" in out.stdout

    assert run("install", home).returncode == 0  # again: harmless
    r = run("uninstall", home)
    assert r.returncode == 0, r.stderr
    assert not launcher.exists() and not desktop.exists() and not icon.exists()
    assert run("uninstall", home).returncode == 0  # nothing left to remove: fine


def test_uninstall_leaves_files_it_did_not_write(tmp_path):
    home = tmp_path / "home"
    own = home / ".local/bin/scrivox"
    own.parent.mkdir(parents=True)
    own.write_text("#!/bin/sh\necho mine\n")
    r = run("uninstall", home)
    assert r.returncode == 0 and own.exists() and "not written by make install" in r.stderr


def test_xdg_data_home_is_honoured(tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    assert run("install", home, XDG_DATA_HOME=str(data)).returncode == 0
    assert (data / "applications/scrivox.desktop").is_file()
    assert (data / "icons/hicolor/scalable/apps/scrivox.svg").is_file()
    assert run("uninstall", home, XDG_DATA_HOME=str(data)).returncode == 0
    assert not (data / "applications/scrivox.desktop").exists()


def test_make_targets_call_the_script():
    for target in ("install", "uninstall"):
        r = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and f"scripts/desktop.sh {target}" in r.stdout
    r = subprocess.run(["make", "-n", "run"], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert "scripts/setup.sh run" in r.stdout and "-m app" in r.stdout
    r = subprocess.run(["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert "scripts/setup.sh test" in r.stdout and "pytest" in r.stdout
