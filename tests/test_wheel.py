"""A built wheel carries the models, and the app starts from it, away from the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_holds_the_models_and_the_app_starts_from_it(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = dist.glob("scrivox-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("resources/models/handwriting.pt", "resources/models/speech.pt", "resources/lm/en-bigram.arpa",
                   "resources/lm/en-words.txt", "resources/lm/decoder.json", "resources/fonts/AtkinsonHyperlegible-Regular.ttf",
                   "resources/fonts/OFL.txt", "recognizers/training/loop.py", "app/main_window.py"):
        assert needed in names, needed

    # a fresh venv with the wheel alone; its dependencies are borrowed from this one (no download)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True).strip())
    (site / "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    with zipfile.ZipFile(wheel) as z:  # installing a pure wheel is unpacking it into site-packages
        z.extractall(site)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "xdg"))
    out = subprocess.run([str(py), "-c", "import app, recognizers; print(recognizers.__file__)"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert str(site) in out.stdout and str(ROOT) not in out.stdout  # the wheel's copy, not the checkout
    out = subprocess.run([str(py), "-m", "app", "--startup-report"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(report["models"]) == {"handwriting", "speech"}
    assert all("(cpu)" in d or "(cuda" in d for d in report["models"].values()), report
