"""`python -m app` opens a window quickly: torch loads on a worker thread, after the window."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .helpers import REPO


def run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_gui_modules_do_not_import_torch():
    code = "import sys, app.main, app.main_window; print(sorted(m for m in ('torch', 'torchaudio') if m in sys.modules))"
    out = run(["-c", code])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_python_m_app_opens_the_window(tmp_path):
    missing = str(tmp_path / "nothing.pt")
    out = run(["-m", "app", "--startup-report", "--handwriting-model", missing, "--speech-model", missing, "--samples-dir", str(tmp_path)])
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["exposed"] is True
    assert report["models"] == {"handwriting": "none", "speech": "none"}
    assert report["t_usable"] - report["t_import"] < 10  # the benchmark measures the real figure
