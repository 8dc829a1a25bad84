"""Energy-based voice activity detection, and cutting a live stream into utterances.

Pure numpy, no Qt: the microphone panel feeds chunks to an `UtteranceSegmenter` and acts
on the events it returns (speech started, time for a partial transcript, utterance ended).
`Recognizer.transcribe_long` runs the same segmenter over a whole file.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from recognizers.audio import SAMPLE_RATE

FRAME_MS = 20  # ms per VAD decision


def level_db(x: np.ndarray) -> float:
    """Mean power of x in dB relative to full scale (silence is about -100)."""
    if len(x) == 0:
        return -100.0
    return float(10.0 * np.log10(float(np.mean(np.square(x, dtype=np.float64))) + 1e-10))


@dataclass
class EnergyVAD:
    """Decides speech/non-speech per frame from its energy against a tracked noise floor.

    A frame is speech when it is `margin_db` above the noise floor and above `min_db`
    (so digital silence and a quiet room don't trigger). The floor follows quiet frames
    quickly and rises only slowly, so it never climbs into a long stretch of speech.
    """

    margin_db: float = 12.0  # dB above the noise floor that counts as speech
    min_db: float = -50.0  # dBFS; nothing quieter is speech
    rise_db_per_frame: float = 0.02  # how fast the floor may creep up (dB per frame)
    floor_db: float | None = None  # noise floor estimate, dBFS (None until the first frame)

    def is_speech(self, frame_db: float) -> bool:
        if self.floor_db is None:
            self.floor_db = min(frame_db, self.min_db)
        speech = frame_db > max(self.floor_db + self.margin_db, self.min_db)
        if frame_db < self.floor_db:
            self.floor_db = 0.7 * self.floor_db + 0.3 * frame_db
        elif not speech:
            self.floor_db = min(frame_db, self.floor_db + self.rise_db_per_frame * 10)
        else:
            self.floor_db += self.rise_db_per_frame
        return speech

    def reset(self) -> None:
        self.floor_db = None


@dataclass
class SegEvent:
    kind: str  # "start", "partial" or "end"
    audio: np.ndarray | None = None  # the utterance so far ("partial") or all of it ("end")
    reason: str = ""  # why an utterance ended: "silence", "released", "stopped", "too long"
    start_pos: int = 0  # stream position (samples) of the utterance's first sample


@dataclass
class UtteranceSegmenter:
    """Turns a stream of 16 kHz chunks into utterances.

    In automatic mode the VAD starts an utterance after `start_ms` of speech (keeping
    `preroll_ms` before it) and ends it after `end_silence_ms` of silence (keeping
    `tail_ms` of that silence). In manual mode (push-to-talk) `begin()` and `finish()`
    bound the utterance. Every `partial_every_ms` of new audio inside an utterance yields a
    "partial" event carrying the audio so far.
    """

    partial_every_ms: float = 400.0
    preroll_ms: float = 300.0
    start_ms: float = 60.0
    end_silence_ms: float = 700.0
    tail_ms: float = 250.0
    max_utterance_s: float = 20.0
    vad: EnergyVAD = field(default_factory=EnergyVAD)
    rate: int = SAMPLE_RATE

    def __post_init__(self) -> None:
        self.frame = int(self.rate * FRAME_MS / 1000)
        self._pending = np.zeros(0, np.float32)  # samples not yet making a whole frame
        self._recent: deque[np.ndarray] = deque(maxlen=max(1, int(self.preroll_ms / FRAME_MS)))
        self._utt: list[np.ndarray] | None = None
        self._utt_len = 0
        self._speech_run = 0
        self._silence_run = 0
        self._last_speech_len = 0  # utterance length at the end of its last speech frame
        self._utt_start = 0
        self._next_partial = 0
        self.manual = False
        self.fed = 0
        self.last_db = -100.0

    @property
    def in_utterance(self) -> bool:
        return self._utt is not None

    def _open(self, with_preroll: bool) -> None:
        self._utt = list(self._recent) if with_preroll else []
        self._utt_len = sum(len(f) for f in self._utt)
        self._utt_start = self.fed - self._utt_len
        self._last_speech_len = self._utt_len
        self._silence_run = 0
        self._next_partial = self._utt_len + self._partial_step()

    def _partial_step(self) -> int:
        """Samples between partial events (no partials at all when partial_every_ms is infinite)."""
        ms = self.partial_every_ms
        return int(self.rate * ms / 1000) if ms < 1e12 else 1 << 62

    def _close(self, reason: str, keep: int | None = None) -> SegEvent:
        audio = np.concatenate(self._utt) if self._utt else np.zeros(0, np.float32)
        if keep is not None:
            audio = audio[:keep]
        self._utt = None
        self._utt_len = 0
        self._speech_run = 0
        self._recent.clear()
        return SegEvent("end", audio, reason, self._utt_start)

    def begin(self) -> list[SegEvent]:
        """Start an utterance now (push-to-talk pressed); the VAD no longer ends it."""
        self.manual = True
        events = []
        if self._utt is None:
            self._open(with_preroll=False)
            events.append(SegEvent("start", None, "", self._utt_start))
        return events

    def finish(self, reason: str = "released") -> list[SegEvent]:
        """End the current utterance now (push-to-talk released, recording stopped)."""
        self.manual = False
        if self._utt is None:
            return []
        # flush the partial frame so the tail of the speech is kept
        if len(self._pending):
            self._utt.append(self._pending)
            self._utt_len += len(self._pending)
            self.fed += len(self._pending)
            self._pending = np.zeros(0, np.float32)
        return [self._close(reason)]

    def feed(self, chunk: np.ndarray) -> list[SegEvent]:
        """Add samples; returns the events they caused, in order."""
        events: list[SegEvent] = []
        buf = np.concatenate([self._pending, np.asarray(chunk, np.float32).reshape(-1)])
        n = len(buf) // self.frame
        self._pending = buf[n * self.frame :]
        for k in range(n):
            f = buf[k * self.frame : (k + 1) * self.frame]
            self.fed += len(f)
            db = level_db(f)
            self.last_db = db
            speech = self.vad.is_speech(db)
            if self._utt is None:
                self._recent.append(f)
                self._speech_run = self._speech_run + 1 if speech else 0
                if self._speech_run * FRAME_MS >= self.start_ms:
                    self._open(with_preroll=True)
                    events.append(SegEvent("start", None, "", self._utt_start))
                continue
            self._utt.append(f)
            self._utt_len += len(f)
            if speech:
                self._silence_run = 0
                self._last_speech_len = self._utt_len
            else:
                self._silence_run += 1
            if self._utt_len >= self.max_utterance_s * self.rate:
                events.append(self._close("too long"))
                if self.manual:  # keep listening while the key is still held
                    self._open(with_preroll=False)
                    events.append(SegEvent("start", None, "", self._utt_start))
                continue
            if not self.manual and self._silence_run * FRAME_MS >= self.end_silence_ms:
                keep = self._last_speech_len + int(self.rate * self.tail_ms / 1000)
                events.append(self._close("silence", keep))
                continue
            if self._utt_len >= self._next_partial:
                self._next_partial = self._utt_len + self._partial_step()
                events.append(SegEvent("partial", np.concatenate(self._utt), "", self._utt_start))
        return events

    def reset(self) -> None:
        """Forget the stream (a new recording begins); the VAD relearns the noise floor."""
        self.vad.reset()
        self.__post_init__()
