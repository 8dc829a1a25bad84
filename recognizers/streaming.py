"""Partial transcripts while someone speaks, without re-encoding the whole utterance.

The pretrained encoder attends over its whole input, so frames near the end of what has
been heard change when more audio arrives. Each update therefore encodes only a window:
`left_context_s` of audio already encoded (for context), then the new audio; frames older
than `right_margin_s` from the end become final ("committed") and are never computed again,
the newest ones are provisional and recomputed next time. The BiLSTM head (cheap) reruns
over all frames. The final reading of an utterance should encode it whole (``recognize``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from recognizers.encoder import HOP_LENGTH, SpeechEncoder

if TYPE_CHECKING:  # torch is imported when first used, not with this module
    import torch

_CHECK = 1600  # samples compared to tell a continuation of the same utterance from a new one


class FrameCache:
    """Encoder frames of a growing utterance. ``frames(audio)`` with `audio` extending the
    audio of the previous call reuses the committed frames; any other audio starts afresh."""

    def __init__(self, encoder: SpeechEncoder, left_context_s: float = 4.0, right_margin_s: float = 1.0) -> None:
        self.encoder = encoder
        self.step = 2 * HOP_LENGTH  # samples per encoder frame
        self.left = int(left_context_s * encoder.sample_rate) // self.step * self.step
        self.margin = int(right_margin_s * encoder.sample_rate) // self.step * self.step
        self.reset()

    def reset(self) -> None:
        self.generation = getattr(self, "generation", -1) + 1  # a new utterance: caches downstream restart
        self._committed = np.zeros((0, self.encoder.dim), np.float32)
        self._seen = 0
        self._head = np.zeros(0, np.float32)
        self._tail = np.zeros(0, np.float32)

    def _continues(self, audio: np.ndarray) -> bool:
        if len(audio) < self._seen:
            return False
        head = audio[: len(self._head)]
        tail = audio[self._seen - len(self._tail) : self._seen]
        return np.array_equal(head, self._head) and np.array_equal(tail, self._tail)

    def frames(self, audio: np.ndarray) -> np.ndarray:
        """Frames (T, dim) for all of `audio`: committed ones reused, the rest encoded now."""
        audio = np.asarray(audio, np.float32).ravel()
        if not self._continues(audio):
            self.reset()
        done = len(self._committed) * self.step  # samples whose frames are final
        start = max(0, done - self.left)
        window = self.encoder.encode(audio[start:])
        fresh = window[(done - start) // self.step :]
        n_final = min(max(0, (len(audio) - self.margin - done) // self.step), len(fresh))
        if n_final:
            self._committed = np.concatenate([self._committed, fresh[:n_final]])
        self._seen = len(audio)
        self._head = audio[:_CHECK].copy()
        self._tail = audio[max(0, len(audio) - _CHECK) :].copy()
        return np.concatenate([self._committed, fresh[n_final:]])


class HeadCache:
    """The head's log-probabilities for a growing utterance, computed over a trailing window.

    The BiLSTM reads in both directions, but a frame's output hardly depends on audio seconds
    away; so outputs more than `right_margin_s` before the end are kept once computed, and each
    update runs the head over `left_context_s` of older frames plus the rest. A partial 20 s
    into an utterance then costs what one 5-6 s in does. Only for partials: a final reading
    runs the head over everything.
    """

    def __init__(self, recognizer, frames_per_second: int = 50, left_context_s: float = 3.0, right_margin_s: float = 2.0) -> None:  # noqa: ANN001
        self.rec = recognizer
        self.sub = recognizer.model.cfg.subsampling  # encoder frames per head output frame
        unit = self.sub
        self.left = int(left_context_s * frames_per_second) // unit * unit
        self.margin = int(right_margin_s * frames_per_second) // unit * unit
        self.reset()

    def reset(self) -> None:
        self._final: list = []  # torch (t, C) pieces of kept log-probs
        self._n_in = 0  # encoder frames those cover (a multiple of the subsampling)
        self._seen = 0
        self._generation = None

    def log_probs(self, feats: np.ndarray, generation: int | None = None) -> torch.Tensor:
        """Log-probs (T', C) for all of `feats` (the frames of the utterance so far);
        `generation` (FrameCache.generation) tells a new utterance from a continuation."""
        import torch

        if len(feats) < self._seen or generation != self._generation:
            self.reset()
            self._generation = generation
        start = max(0, self._n_in - self.left)
        lp = self.rec.log_probs(feats[start:])
        skip = (self._n_in - start) // self.sub
        fresh = lp[skip:]
        keep = max(0, (len(feats) - self.margin - self._n_in) // self.sub)
        keep = min(keep, len(fresh))
        if keep:
            self._final.append(fresh[:keep])
            self._n_in += keep * self.sub
        self._seen = len(feats)
        return torch.cat([*self._final, fresh[keep:]]) if self._final else fresh


@dataclass
class Partial:
    text: str
    seconds: float  # audio heard so far
    compute_ms: float  # time this update took


class StreamingTranscriber:
    """Feed audio blocks (mono float32 16 kHz); get a partial text every `update_s` seconds.

    ``recognizer`` is a loaded speech ``Recognizer``; ``finish()`` returns the final
    recognition of the whole utterance, exactly as ``recognizer.recognize`` would.
    """

    def __init__(self, recognizer, update_s: float = 0.5, left_context_s: float = 4.0, right_margin_s: float = 1.0) -> None:  # noqa: ANN001
        from recognizers.encoder import get_encoder

        self.rec = recognizer
        fcfg = recognizer.ckpt.feature_config
        frontend = getattr(fcfg, "frontend", "logmel")
        self.cache = FrameCache(get_encoder(frontend), left_context_s, right_margin_s) if frontend != "logmel" else None
        self.head = HeadCache(recognizer) if frontend != "logmel" else None
        self.sr = fcfg.sample_rate
        self.update = int(update_s * self.sr)
        self.reset()

    def reset(self) -> None:
        self._blocks: list[np.ndarray] = []
        self._audio = np.zeros(0, np.float32)
        self._since_update = 0
        if self.cache is not None:
            self.cache.reset()
            self.head.reset()

    @property
    def audio(self) -> np.ndarray:
        if self._blocks:
            self._audio = np.concatenate([self._audio, *self._blocks])
            self._blocks = []
        return self._audio

    def feed(self, block: np.ndarray) -> Partial | None:
        """Add audio; returns a new partial once `update_s` of audio has arrived since the last."""
        block = np.asarray(block, np.float32).ravel()
        self._blocks.append(block)
        self._since_update += len(block)
        if self._since_update < self.update:
            return None
        self._since_update = 0
        return self.partial()

    def _frames(self) -> np.ndarray:
        return self.cache.frames(self.audio) if self.cache is not None else self.rec.features(self.audio)

    def partial(self) -> Partial:
        t0 = time.perf_counter()
        feats = self._frames()
        lp = (self.head.log_probs(feats, self.cache.generation) if self.head is not None else self.rec.log_probs(feats)) if len(feats) else None
        text = self.rec.decoder.decode(lp)[0].text if lp is not None else ""
        return Partial(text, len(self.audio) / self.sr, (time.perf_counter() - t0) * 1000)

    def finish(self):  # noqa: ANN201 - a recognizers.recognizer.Recognition (a layer above: not imported)
        """The final recognition of everything fed (the whole utterance, encoded once more)."""
        result = self.rec.recognize(self.audio)
        self.reset()
        return result
