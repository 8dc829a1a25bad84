"""Handwriting speed benchmark: recognition latency and training throughput on this CPU.

    .venv/bin/python scripts/bench_handwriting.py [--model resources/models/handwriting.pt [OTHER.pt ...]]
        [--precision auto|float32|bfloat16 ...] [--train-steps 150]

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
from recognizers.recognizer import PRECISIONS, Recognizer, default_model_path  # noqa: E402


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
    ap.add_argument("--model", nargs="+", default=[str(default_model_path("handwriting"))],
                    help="one model, or several timed in alternating rounds (ratios to the first)")
    ap.add_argument("--precision", nargs="+", default=["auto"], choices=PRECISIONS,
                    help="the network's number type; several: each model is timed in each, in alternating rounds")
    ap.add_argument("--train-steps", type=int, default=150)
    ap.add_argument("--threads", type=int, default=1, help="torch threads for recognition")
    ap.add_argument("--decoders", nargs="*", default=["greedy", "prefix", "beam"])
    ap.add_argument("--train-threads", type=int, nargs="*", default=[1, 2], help="thread counts to measure training at")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    holdout = PRESETS["handwriting"]["holdout"]
    words = [s for s in load_ink_spec("unipen:word") if in_holdout(s.writer, holdout)]
    typical = [w for w in words if 150 <= sum(len(s) for s in w.strokes) <= 250][:40]
    res: dict = {"machine": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads", "model": ", ".join(Path(m).name for m in args.model)}

    by_writer: dict[str, list] = {}
    for w in words:
        by_writer.setdefault(w.writer, []).append(w)
    lines = [make_line(ws) for ws in by_writer.values() if len(ws) >= 12][:10]
    res["word_points_median"] = int(statistics.median(sum(len(s) for s in w.strokes) for w in typical))
    res["line_chars_median"] = int(statistics.median(len(lab) for _, lab in lines))
    runs = [(m, p) for m in args.model for p in args.precision]
    names = [(Path(m).stem if Path(m).stem != "best" else Path(m).parent.name) + ("" if len(args.precision) == 1 else f"-{p}") for m, p in runs]
    res["precision"] = ", ".join(args.precision)
    for dec in args.decoders:
        recs = [Recognizer.load(m, device="cpu", decoder=dec, precision=p) for m, p in runs]
        # the ink read once, in several views with the lexicon search on the ink alone (the
        # default from session 8 to 26), and searching each view where they disagree (since 27)
        modes = [(False, False), (True, False), (True, True)] if dec.startswith("beam") else [(False, False), (True, True)]
        for views, search in modes:
            key = dec + ("_views" if views else "") + ("_first" if views and not search and dec.startswith("beam") else "")
            word_ms: list[list[float]] = [[] for _ in recs]
            line_ms: list[list[float]] = [[] for _ in recs]
            for rec in recs:
                rec.ink_views, rec.search_views = views, search
                for w in typical[:5]:
                    rec.recognize(w.strokes)  # warm-up
            for _ in range(3):  # rounds alternate between the models, so a busy moment hits them alike
                for i, rec in enumerate(recs):
                    word_ms[i] += [t for w in typical for t in time_it(lambda: rec.recognize(w.strokes), 1)]
                    line_ms[i] += [t for s, _ in lines for t in time_it(lambda: rec.recognize(s), 1)]
            for i, name in enumerate(names):
                pre = "" if i == 0 else f"{name}:"  # the first model's keys as before
                res[f"{pre}word_ms_median_{key}"] = round(statistics.median(word_ms[i]), 2)
                res[f"{pre}line_ms_median_{key}"] = round(statistics.median(line_ms[i]), 2)
                print(f"{name:8s} {key:12s} word (~{res['word_points_median']} points): {res[f'{pre}word_ms_median_{key}']} ms median; "
                      f"line (~{res['line_chars_median']} chars): {res[f'{pre}line_ms_median_{key}']} ms median")
            for i, name in enumerate(names[1:], 1):
                print(f"{'':8s} {key:12s} {name} / {names[0]}: words x{statistics.median(word_ms[i]) / statistics.median(word_ms[0]):.2f}, "
                      f"lines x{statistics.median(line_ms[i]) / statistics.median(line_ms[0]):.2f}")

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
