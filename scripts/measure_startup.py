"""The app's start-up as a person sees it: launch to usable window, launch to models loaded,
and the process's peak resident memory, under a real X server (Xvfb) by default.

    .venv/bin/python scripts/measure_startup.py [--runs 3] [--offscreen] [--drop-caches]

Each run starts `python -m app --startup-report` (which quits once both models have loaded)
with a fresh HOME, so no user model or setting is involved. --drop-caches asks the kernel to
forget its file cache before the first run (root only), for a cold start. Figures go to
docs/install.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def start_xvfb() -> tuple[subprocess.Popen, str]:
    r, w = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"],
                              pass_fds=(w,), stderr=subprocess.DEVNULL)
    os.close(w)
    num = b""
    while not num.endswith(b"\n"):
        chunk = os.read(r, 16)
        if not chunk:
            raise SystemExit("Xvfb did not start")
        num += chunk
    os.close(r)
    return server, f":{int(num)}"


def one_run(env: dict) -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = dict(env, HOME=home, XDG_CONFIG_HOME=f"{home}/.config", XDG_DATA_HOME=f"{home}/.local/share")
        t0 = time.time()
        # a child of its own, so RUSAGE_CHILDREN's peak is this run's alone
        rss_pipe_r, rss_pipe_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the measuring child
            os.close(rss_pipe_r)
            out = subprocess.run([sys.executable, "-m", "app", "--startup-report"], cwd=REPO, env=env,
                                 capture_output=True, text=True, timeout=300)
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            os.write(rss_pipe_w, json.dumps({"rc": out.returncode, "stdout": out.stdout, "stderr": out.stderr[-2000:],
                                             "peak_kb": peak_kb}).encode())
            os._exit(0)
        os.close(rss_pipe_w)
        with os.fdopen(rss_pipe_r) as f:
            child = json.loads(f.read())
        os.waitpid(pid, 0)
    if child["rc"] != 0:
        raise SystemExit(child["stderr"])
    rep = json.loads([ln for ln in child["stdout"].splitlines() if ln.startswith("{")][-1])
    return {"usable_s": rep["t_usable"] - t0, "models_s": rep["t_models"] - t0, "peak_rss_mb": child["peak_kb"] / 1024,
            "models": rep["models"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--offscreen", action="store_true", help="Qt offscreen instead of Xvfb")
    ap.add_argument("--drop-caches", action="store_true")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
    server = None
    if args.offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        server, display = start_xvfb()
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    try:
        if args.drop_caches:
            os.sync()
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
        runs = [one_run(env) for _ in range(args.runs)]
    finally:
        if server is not None:
            server.terminate()
    load = os.getloadavg()[0]
    for i, r in enumerate(runs):
        print(f"run {i + 1}: usable {r['usable_s']:.2f} s, models loaded {r['models_s']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB")
    print(json.dumps({
        "platform": env["QT_QPA_PLATFORM"], "runs": len(runs), "load_average": round(load, 1),
        "first_usable_s": round(runs[0]["usable_s"], 2), "first_models_s": round(runs[0]["models_s"], 2),
        "usable_median_s": round(statistics.median(r["usable_s"] for r in runs), 2),
        "models_median_s": round(statistics.median(r["models_s"] for r in runs), 2),
        "peak_rss_mb_median": round(statistics.median(r["peak_rss_mb"] for r in runs)),
        "models": runs[-1]["models"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
