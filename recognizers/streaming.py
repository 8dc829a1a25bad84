"""Partial transcripts while someone speaks, without re-encoding the whole utterance.

The pretrained encoder attends over its whole input, so frames near the end of what has
been heard change when more audio arrives. Each update therefore encodes only a window:
`left_context_s` of audio already encoded (for context), the new audio, and keeps the
frames older than `right_margin_s` from the end as final ("committed"); the newest frames are
provisional and recomputed next time. The BiLSTM head (cheap) reruns over all frames.

With the log-mel front end the features are simply recomputed over everything heard.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from recognizers.encoder import HOP_LENGTH, get_encoder


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
        self.rec = recognizer
        fcfg = recognizer.ckpt.feature_config
        self.frontend = getattr(fcfg, "frontend", "logmel")
        self.encoder = get_encoder(self.frontend) if self.frontend != "logmel" else None
        sr = fcfg.sample_rate
        self.sr = sr
        self.update = int(update_s * sr)
        step = 2 * HOP_LENGTH  # samples per encoder frame
        self.step = step
        self.left = int(left_context_s * sr) // step * step
        self.margin = int(right_margin_s * sr) // step * step
        self.reset()

    def reset(self) -> None:
        self._blocks: list[np.ndarray] = []
        self._audio = np.zeros(0, np.float32)
        self._committed = np.zeros((0, self.encoder.dim if self.encoder else 0), np.float32)
        self._since_update = 0

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
        audio = self.audio
        if self.encoder is None:
            return self.rec.features(audio)
        done = len(self._committed) * self.step  # samples already final
        start = max(0, done - self.left)
        window = self.encoder.encode(audio[start:])
        skip = (done - start) // self.step
        fresh = window[skip:]
        n_final = max(0, (len(audio) - self.margin - done) // self.step)
        n_final = min(n_final, len(fresh))
        if n_final:
            self._committed = np.concatenate([self._committed, fresh[:n_final]])
        return np.concatenate([self._committed, fresh[n_final:]])

    def partial(self) -> Partial:
        t0 = time.perf_counter()
        feats = self._frames()
        text = ""
        if len(feats):
            text = self.rec.decoder.decode(self.rec.log_probs(feats))[0].text
        return Partial(text, len(self.audio) / self.sr, (time.perf_counter() - t0) * 1000)

    def finish(self):  # noqa: ANN201 - a Recognition
        """The final recognition of everything fed (the whole utterance, encoded once more)."""
        result = self.rec.recognize(self.audio)
        self.reset()
        return result
