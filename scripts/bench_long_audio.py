"""Peak memory of transcribing long recordings through the long-audio path (issue 14).

Generates WAV files of the given lengths (speech-like bursts of shaped noise with pauses,
16 kHz mono PCM, written block by block), then runs ``python -m recognizers transcribe
speech FILE`` on each in a child process and reads the child's peak resident memory
(ru_maxrss) and wall time. Writes docs/bench-long-audio.json and prints a table.

    .venv/bin/python scripts/bench_long_audio.py --minutes 10 60
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_long_wav(path: str | os.PathLike, minutes: float, rate: int = 16_000, seed: int = 0) -> None:
    """A recording of `minutes`: 1-4 s bursts of syllable-modulated noise, 0.3-1.5 s pauses."""
    import soundfile as sf

    rng = np.random.default_rng(seed)
    total = int(minutes * 60 * rate)
    with sf.SoundFile(os.fspath(path), "w", rate, 1, subtype="PCM_16") as f:
        done = 0
        while done < total:
            n_burst = int(rng.uniform(1, 4) * rate)
            t = np.arange(n_burst) / rate
            env = 0.5 * (1 - np.cos(2 * np.pi * 4 * t)) * np.hanning(n_burst)  # ~4 syllables a second
            burst = (rng.normal(0, 0.2, n_burst) * env).astype(np.float32)
            pause = (rng.normal(0, 0.002, int(rng.uniform(0.3, 1.5) * rate))).astype(np.float32)
            block = np.concatenate([burst, pause])[: total - done]
            f.write(block)
            done += len(block)


def run_one(wav: str, model: str | None) -> dict:
    cmd = [sys.executable, "-m", "recognizers", "transcribe", "speech", wav]
    if model:
        cmd += ["--model", model]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # the largest child so far: run one at a time, biggest last
    if proc.returncode != 0:
        raise SystemExit(f"transcribe failed ({proc.returncode}): {err.strip()}")
    return {"segments": len(out.splitlines()), "wall_s": round(wall, 1), "peak_rss_mb": round(ru.ru_maxrss / 1024, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[10, 60], help="lengths to measure, shortest first")
    ap.add_argument("--model", help="speech checkpoint (default: the shipped one)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "bench-long-audio.json"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for m in sorted(args.minutes):
            wav = os.path.join(d, f"long-{m:g}min.wav")
            write_long_wav(wav, m)
            size_mb = os.path.getsize(wav) / 2**20
            r = {"minutes": m, "file_mb": round(size_mb, 1), **run_one(wav, args.model)}
            r["x_real_time"] = round(r["wall_s"] / (m * 60), 3)
            rows.append(r)
            print(f"{m:6g} min  {size_mb:7.1f} MB file  {r['segments']:5d} segments  peak RSS {r['peak_rss_mb']:7.1f} MB  {r['wall_s']:7.1f} s ({r['x_real_time']:.3f} x real time)", flush=True)
            os.unlink(wav)
    result = {"command": "python -m recognizers transcribe speech FILE" + (f" --model {args.model}" if args.model else ""),
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "date": time.strftime("%Y-%m-%d %H:%M"), "runs": rows}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
