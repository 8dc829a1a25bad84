"""Feature extraction: the one place that turns ink and audio into model inputs.

Training, evaluation and the live GUI all call these functions with the feature config
stored in the model's checkpoint, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from recognizers.audio import SAMPLE_RATE
from recognizers.ink import Ink
from recognizers.ink_lines import drop_outliers

# ----------------------------------------------------------------------------- ink


@dataclass
class InkFeatureConfig:
    step: float = 0.15  # resampling distance along the pen path, in units of the ink height
    max_points: int = 1600  # hard bound on sequence length (the step grows to respect it)
    min_scale_ratio: float = 0.0625  # scale is floored at this fraction of the ink width (1/8 squashed long lines)
    use_time: bool = False  # append the (log) time gap before each point
    drop_outliers: bool = True  # ignore specks far from all writing and glitch points (ink_lines.drop_outliers)
    # "box": centre on the bounding box, divide by its height. "core": centre on the median
    # height of the pen path and divide by a multiple of its interquartile range (`core_frame`), which
    # follows the letters' body rather than the tallest ascender and lowest descender.
    norm: str = "box"

    @property
    def dim(self) -> int:
        # dx, dy, y relative to the middle, pen-up jump bit (+ time gap)
        return 4 + int(self.use_time)


def ink_scale(points: np.ndarray, min_scale_ratio: float = InkFeatureConfig.min_scale_ratio) -> float:
    """Size used to normalise ink: its height, floored by a fraction of its width.

    Flat ink (a dash, a dot) has almost no height; dividing by it would blow the
    sequence up, so the width (and an absolute epsilon) bound the scale from below.
    """
    ext = points[:, :2].max(0) - points[:, :2].min(0)
    width, height = float(ext[0]), float(ext[1])
    return max(height, width * min_scale_ratio, 1e-3)


def _resample_stroke(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Points at equal arc-length spacing along one stroke, first and last kept. (N, 3)."""
    if len(stroke) < 2:
        return stroke[:1]
    seg = np.linalg.norm(np.diff(stroke[:, :2], axis=0), axis=1)
    dist = np.concatenate([[0.0], np.cumsum(seg)])
    total = dist[-1]
    if total < spacing:
        return stroke[[0, -1]] if total > spacing * 0.3 else stroke[:1]
    n = int(np.ceil(total / spacing)) + 1
    targets = np.linspace(0.0, total, n)
    out = np.empty((n, 3), np.float32)
    for k in range(3):
        out[:, k] = np.interp(targets, dist, stroke[:, k])
    return out


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    order = np.argsort(values)
    w = weights[order]
    centres = np.cumsum(w) - w / 2  # each value stands at the middle of its weight
    return [float(np.interp(q * w.sum(), centres, values[order])) for q in qs]


INK_NORMS = ("box", "core")  # the values of InkFeatureConfig.norm
CORE_MIN_OF_BOX = 0.25  # the core size is at least this fraction of the box height
CORE_SIZE = 3.5  # a UNIPEN word's box is 3.5 interquartile ranges high (median of 2,902 words): sequences keep their length


def core_frame(strokes: list[np.ndarray]) -> tuple[float, float] | None:
    """Middle and size of the writing's body: the median height of the pen path and
    CORE_SIZE times its interquartile range, each segment weighted by its length (so the device's sampling
    rate does not matter). None for ink without length (dots only).

    A word's box is set by its tallest ascender and lowest descender, so "can" and
    "bodyguard" written alike come out at sizes three times apart; most of the pen path
    lies in the body of the letters, so its spread measures their size more steadily.
    """
    mids, lens = [], []
    for s in strokes:
        if len(s) > 1:
            mids.append((s[1:, 1] + s[:-1, 1]) / 2)
            lens.append(np.linalg.norm(np.diff(s[:, :2], axis=0), axis=1))
    if not mids:
        return None
    y, w = np.concatenate(mids), np.concatenate(lens)
    if w.sum() <= 0:
        return None
    q25, q50, q75 = _weighted_quantiles(y, w, (0.25, 0.5, 0.75))
    return q50, CORE_SIZE * (q75 - q25)


def normalize_ink(ink: Ink, min_scale_ratio: float = InkFeatureConfig.min_scale_ratio,
                  norm: str = "box") -> tuple[list[np.ndarray], float]:
    """Translate so the ink's middle is at 0 and scale so its height is 1 ("box"), or so its
    body is centred and about 1 high ("core", `core_frame`).

    Returns the normalised strokes and the scale that was divided out.
    """
    if norm not in INK_NORMS:
        raise ValueError(f"unknown ink normalisation {norm!r}")
    strokes = [np.asarray(s, np.float32) for s in ink if len(s)]
    if not strokes:
        return [], 1.0
    pts = np.concatenate(strokes)
    scale = ink_scale(pts, min_scale_ratio)
    lo, hi = pts[:, :2].min(0), pts[:, :2].max(0)
    centre = (lo + hi) / 2
    frame = core_frame(strokes) if norm == "core" else None
    if frame is not None:
        # the box's floors (a dash or a flat scribble must not explode), and a quarter of the box
        # height: ink of long straight strokes (an "L", an underline) can have almost no spread
        # of segment heights; 0.17 % of 6,332 UNIPEN samples fall under it
        floor = max(float(hi[1] - lo[1]) * CORE_MIN_OF_BOX, float(hi[0] - lo[0]) * min_scale_ratio, 1e-3)
        centre[1], scale = frame[0], max(frame[1], floor)
    out = []
    for s in strokes:
        s = s.copy()
        s[:, :2] = (s[:, :2] - centre) / scale
        out.append(s)
    return out, scale


def ink_features(ink: Ink, cfg: InkFeatureConfig) -> np.ndarray:
    """Per-point features of resampled ink. Returns (T, cfg.dim) float32; T may be 0.

    Specks far from all writing and glitch points are dropped first (`cfg.drop_outliers`),
    so a stray dot cannot stretch the box the ink is normalised by.

    Columns: dx, dy (offsets in ink heights), y (position relative to the middle,
    which tells ascenders and descenders apart), pen-up (1 where the offset is a jump
    between strokes), and optionally log(1 + time gap in ms).
    """
    if cfg.drop_outliers:
        ink = drop_outliers(ink)
    strokes, _ = normalize_ink(ink, cfg.min_scale_ratio, cfg.norm)
    if not strokes:
        return np.zeros((0, cfg.dim), np.float32)
    path_len = sum(float(np.linalg.norm(np.diff(s[:, :2], axis=0), axis=1).sum()) for s in strokes)
    spacing = max(cfg.step, path_len / max(cfg.max_points - len(strokes), 1))
    pieces, flags = [], []
    for s in strokes:
        r = _resample_stroke(s, spacing)
        pieces.append(r)
        f = np.zeros(len(r), np.float32)
        f[0] = 1.0
        flags.append(f)
    pts = np.concatenate(pieces)[: cfg.max_points]
    pen_up = np.concatenate(flags)[: cfg.max_points]
    pen_up[0] = 0.0  # nothing precedes the first point
    d = np.diff(pts[:, :2], axis=0, prepend=pts[:1, :2])
    cols = [d[:, 0], d[:, 1], pts[:, 1], pen_up]
    if cfg.use_time:
        dt = np.diff(pts[:, 2], prepend=pts[:1, 2])
        cols.append(np.log1p(np.clip(dt, 0, 60_000)))
    return np.stack(cols, axis=1).astype(np.float32)


# ----------------------------------------------------------------------------- audio



@dataclass
class AudioFeatureConfig:
    sample_rate: int = SAMPLE_RATE  # Hz
    n_mels: int = 80  # mel bins
    win_ms: float = 25.0  # analysis window, ms
    hop_ms: float = 10.0  # frame step, ms (100 frames per second)
    n_fft: int = 512  # FFT size, samples (>= the window)
    # "logmel" (the fields above), or the name of a frozen pretrained encoder whose frames
    # feed the model (recognizers.encoder); its weights' SHA-256 pins the exact encoder.
    frontend: str = "logmel"
    encoder_sha256: str = ""
    pad_s: float = 0.0  # encoder only: silence added at both ends (tightly cut clips read better)

    @property
    def dim(self) -> int:
        if self.frontend != "logmel":
            from recognizers.encoder import ENCODER_DIM

            return ENCODER_DIM
        return self.n_mels

    @property
    def frames_per_second(self) -> float:
        if self.frontend != "logmel":
            from recognizers.encoder import FRAMES_PER_SECOND

            return FRAMES_PER_SECOND
        return 1000.0 / self.hop_ms

    @property
    def hop_length(self) -> int:
        return int(self.sample_rate * self.hop_ms / 1000)


_MEL_CACHE: dict[tuple, torch.nn.Module] = {}


def _mel_transform(cfg: AudioFeatureConfig) -> torch.nn.Module:
    key = (cfg.sample_rate, cfg.n_mels, cfg.win_ms, cfg.hop_ms, cfg.n_fft)
    if key not in _MEL_CACHE:
        import torchaudio

        _MEL_CACHE[key] = torchaudio.transforms.MelSpectrogram(
            sample_rate=cfg.sample_rate,
            n_fft=cfg.n_fft,
            win_length=int(cfg.sample_rate * cfg.win_ms / 1000),
            hop_length=cfg.hop_length,
            n_mels=cfg.n_mels,
            f_min=20.0,
            f_max=cfg.sample_rate / 2,
            power=2.0,
        )
    return _MEL_CACHE[key]


def audio_features(audio: np.ndarray, cfg: AudioFeatureConfig) -> np.ndarray:
    """Model inputs (T, cfg.dim) for mono 16 kHz audio: the frozen encoder's frames when the
    config names one (recognizers.encoder, 50 a second), else log-mel features (below)."""
    if cfg.frontend != "logmel":
        from recognizers.encoder import get_encoder

        if cfg.pad_s > 0:
            pad = np.zeros(int(cfg.pad_s * cfg.sample_rate), np.float32)
            audio = np.concatenate([pad, np.asarray(audio, np.float32).ravel(), pad])
        return get_encoder(cfg.frontend).encode(audio)
    return log_mel_features(audio, cfg)


def log_mel_features(audio: np.ndarray, cfg: AudioFeatureConfig) -> np.ndarray:
    """Log-mel features of mono 16 kHz audio, mean-normalised per utterance. (T, n_mels).

    Subtracting each bin's mean removes the microphone's colouring (cepstral mean
    normalisation); a fixed scale keeps loud and quiet speakers in one range.
    """
    wav = torch.as_tensor(np.asarray(audio, np.float32)).flatten()
    if wav.numel() < int(cfg.sample_rate * cfg.win_ms / 1000):
        return np.zeros((0, cfg.n_mels), np.float32)
    with torch.no_grad():
        mel = _mel_transform(cfg)(wav)  # (n_mels, T)
        logmel = torch.log(mel + 1e-6)
        logmel = logmel - logmel.mean(dim=1, keepdim=True)
        logmel = logmel / 4.0
    return logmel.T.contiguous().numpy()
