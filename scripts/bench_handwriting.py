"""Handwriting speed benchmark: recognition latency and training throughput on this CPU.

    .venv/bin/python scripts/bench_handwriting.py [--model resources/models/handwriting.pt] [--train-steps 150]

Prints its figures and writes them to docs/figures/handwriting-bench.json. Needs the
UNIPEN data in ../shared/data (held-out contributors give the test ink).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from recognizers.training.datasets import in_holdout, load_ink_spec  # noqa: E402
from recognizers.training.presets import PRESETS  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402


def make_line(words, target_chars: int = 40):
    """Join held-out words of one writer side by side into a line of about target_chars."""
    strokes, label, x = [], [], 0.0
    for w in words:
        pts = np.concatenate(w.strokes)
        lo, hi = pts[:, :2].min(0), pts[:, :2].max(0)
        h = max(hi[1] - lo[1], 1e-3)
        for s in w.strokes:
            s = s.copy()
            s[:, 0] += x - lo[0]
            s[:, 1] -= (lo[1] + hi[1]) / 2
            strokes.append(s)
        x += (hi[0] - lo[0]) + 0.5 * h
        label.append(w.label)
        if len(" ".join(label)) >= target_chars:
            break
    return strokes, " ".join(label)


def time_it(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(default_model_path("handwriting")))
    ap.add_argument("--train-steps", type=int, default=150)
    ap.add_argument("--threads", type=int, default=1, help="torch threads for recognition")
    ap.add_argument("--decoders", nargs="*", default=["greedy", "prefix", "beam"])
    ap.add_argument("--train-threads", type=int, nargs="*", default=[1, 2], help="thread counts to measure training at")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    holdout = PRESETS["handwriting"]["holdout"]
    words = [s for s in load_ink_spec("unipen:word") if in_holdout(s.writer, holdout)]
    typical = [w for w in words if 150 <= sum(len(s) for s in w.strokes) <= 250][:40]
    res: dict = {"machine": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads", "model": Path(args.model).name}

    by_writer: dict[str, list] = {}
    for w in words:
        by_writer.setdefault(w.writer, []).append(w)
    lines = [make_line(ws) for ws in by_writer.values() if len(ws) >= 12][:10]
    res["word_points_median"] = int(statistics.median(sum(len(s) for s in w.strokes) for w in typical))
    res["line_chars_median"] = int(statistics.median(len(lab) for _, lab in lines))
    for dec in args.decoders:
        rec = Recognizer.load(args.model, device="cpu", decoder=dec)
        for views in (False, True):  # the ink read once, and in several views (the default since session 8)
            rec.ink_views = views
            key = dec + ("_views" if views else "")
            for w in typical[:5]:
                rec.recognize(w.strokes)  # warm-up
            word_ms = [t for w in typical for t in time_it(lambda: rec.recognize(w.strokes), 3)]
            line_ms = [t for s, _ in lines for t in time_it(lambda: rec.recognize(s), 3)]
            res[f"word_ms_median_{key}"] = round(statistics.median(word_ms), 2)
            res[f"line_ms_median_{key}"] = round(statistics.median(line_ms), 2)
            print(f"{key:12s} word (~{res['word_points_median']} points): {res[f'word_ms_median_{key}']} ms median; line (~{res['line_chars_median']} chars): {res[f'line_ms_median_{key}']} ms median")

    if args.train_steps:
        from recognizers.training.loop import TrainConfig, train

        for threads in args.train_threads:
            with tempfile.TemporaryDirectory() as d:
                cfg = TrainConfig.from_dict({**PRESETS["handwriting"], "data": ["unipen:word"], "out_dir": d, "total_steps": args.train_steps, "eval_every": 10**9, "checkpoint_every": 10**9, "val_limit": 50, "threads": threads})
                ev: list = []
                train(cfg, ev.append)
                sps = [e for e in ev if e["kind"] == "done"][0]["samples_per_s"]
            res[f"train_words_per_s_{threads}thread"] = round(sps, 1)
            print(f"training throughput, UNIPEN words, {threads} thread(s): {sps:.0f} words/s")

    out = ROOT / "docs" / "figures" / "handwriting-bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**old, **res}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
