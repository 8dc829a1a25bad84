"""Audio capture: a microphone behind a small interface, and a fake one for tests.

Everything downstream sees mono float32 chunks at 16 kHz, delivered to a callback that
may run on any thread (PortAudio's, or the fake stream's feeder thread). The capture side
resamples when the device runs at another rate (DESIGN.md: audio crosses into the
recognizers at 16 kHz).

Nothing here imports Qt or torch, so it loads in milliseconds.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16_000  # Hz; the rate every chunk is delivered at (recognizers.features.SAMPLE_RATE)
BLOCK_MS = 20  # ms of audio per chunk

ChunkCallback = Callable[[np.ndarray], None]


class AudioInputError(RuntimeError):
    """No usable input: PortAudio missing, no device, or the device refused to open."""


@dataclass
class InputDevice:
    index: int | str  # what the backend opens (a sounddevice index, or a fake's name)
    name: str
    default_samplerate: float
    channels: int
    is_default: bool = False
    hostapi: str = ""

    @property
    def label(self) -> str:
        extra = f" — {self.hostapi}" if self.hostapi else ""
        star = " (default)" if self.is_default else ""
        return f"{self.name}{extra}{star}"


class StreamingResampler:
    """Resample a stream chunk by chunk without seams: a stateful anti-alias low-pass
    (second-order sections, filter state carried across chunks) then linear interpolation
    at a fractional read position that is also carried across chunks.
    """

    def __init__(self, orig_rate: float, new_rate: float = SAMPLE_RATE) -> None:
        self.orig_rate, self.new_rate = float(orig_rate), float(new_rate)
        self.step = self.orig_rate / self.new_rate  # input samples per output sample
        self._sos = None
        self._zi = None
        if self.orig_rate > self.new_rate:
            from scipy.signal import butter, sosfilt_zi

            # cut a little under the new Nyquist frequency
            self._sos = butter(8, 0.45 * self.new_rate, btype="low", fs=self.orig_rate, output="sos")
            self._zi = sosfilt_zi(self._sos) * 0.0
        self._prev = np.zeros(1, np.float32)  # the last input sample of the previous chunk
        self._pos = 1.0  # read position, relative to _prev (index 0); starts at the first real sample

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        x = np.asarray(chunk, np.float32).reshape(-1)
        if self.orig_rate == self.new_rate or len(x) == 0:
            return x.copy()
        if self._sos is not None:
            from scipy.signal import sosfilt

            x, self._zi = sosfilt(self._sos, x, zi=self._zi)
            x = x.astype(np.float32)
        buf = np.concatenate([self._prev, x])
        last = len(buf) - 1
        n = int(np.floor((last - self._pos) / self.step)) + 1 if last >= self._pos else 0
        pos = self._pos + self.step * np.arange(n)
        out = np.interp(pos, np.arange(len(buf)), buf).astype(np.float32)
        self._pos = self._pos + self.step * n - last  # relative to the new _prev
        self._prev = buf[-1:]
        return out


class AudioInput:
    """A source of 16 kHz mono chunks. `start(callback)` begins delivering; `stop()` ends."""

    rate = SAMPLE_RATE

    def start(self, callback: ChunkCallback) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    @property
    def active(self) -> bool:
        raise NotImplementedError


class AudioBackend:
    """Lists input devices and opens them. The app talks only to this."""

    def input_devices(self) -> list[InputDevice]:
        raise NotImplementedError

    def open(self, device: InputDevice) -> AudioInput:
        raise NotImplementedError

    def rescan(self) -> None:
        """Look for devices plugged in (or removed) since the start; input_devices() then
        lists them. Raises AudioInputError when the audio system cannot be restarted."""


# ------------------------------------------------------------------------- sounddevice


class SoundDeviceInput(AudioInput):
    """A microphone through sounddevice.InputStream, resampled to 16 kHz when needed."""

    def __init__(self, device: InputDevice, block_ms: float = BLOCK_MS) -> None:
        self.device = device
        self.block_ms = block_ms
        self._stream = None
        self.device_rate: float = SAMPLE_RATE

    def _pick_rate(self, sd) -> float:
        try:  # most hosts (PulseAudio, PipeWire, ALSA plug) resample for us
            sd.check_input_settings(device=self.device.index, channels=1, samplerate=SAMPLE_RATE, dtype="float32")
            return SAMPLE_RATE
        except Exception:
            return float(self.device.default_samplerate or 48_000)

    def start(self, callback: ChunkCallback) -> None:
        try:
            import sounddevice as sd
        except OSError as exc:  # libportaudio missing
            raise AudioInputError(f"audio system unavailable: {exc}") from exc
        self.stop()
        rate = self._pick_rate(sd)
        self.device_rate = rate
        resampler = StreamingResampler(rate, SAMPLE_RATE)

        def on_audio(indata, frames, time_info, status) -> None:  # PortAudio's thread
            mono = indata[:, 0] if indata.shape[1] == 1 else indata.mean(axis=1)
            callback(resampler(mono))

        try:
            self._stream = sd.InputStream(
                device=self.device.index,
                channels=1,
                samplerate=rate,
                dtype="float32",
                blocksize=int(rate * self.block_ms / 1000),
                callback=on_audio,
            )
            self._stream.start()
        except Exception as exc:
            self._stream = None
            raise AudioInputError(f"cannot open {self.device.name}: {exc}") from exc

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:
                pass

    @property
    def active(self) -> bool:
        return self._stream is not None


class SoundDeviceBackend(AudioBackend):
    def __init__(self) -> None:
        self._inputs: weakref.WeakSet[SoundDeviceInput] = weakref.WeakSet()

    def rescan(self) -> None:
        """PortAudio reads the device list once, when it is initialised: a microphone
        plugged in later shows only after it is terminated and initialised again. Not while
        one of our streams is open (that would close it under the recording); the list is
        then the one PortAudio has."""
        if any(inp.active for inp in self._inputs):
            return
        try:
            import sounddevice as sd

            sd._terminate()
            sd._initialize()
        except Exception as exc:  # OSError (no libportaudio), PortAudioError
            raise AudioInputError(f"audio system unavailable: {exc}") from exc

    def input_devices(self) -> list[InputDevice]:
        """Devices with input channels. Raises AudioInputError when PortAudio is missing."""
        try:
            import sounddevice as sd

            devices = sd.query_devices()
            hostapis = sd.query_hostapis()
            default_in = sd.default.device[0]
        except Exception as exc:  # OSError (no libportaudio), PortAudioError
            raise AudioInputError(f"audio system unavailable: {exc}") from exc
        out = []
        for i, d in enumerate(devices):
            if d.get("max_input_channels", 0) <= 0:
                continue
            api = hostapis[d["hostapi"]]["name"] if 0 <= d.get("hostapi", -1) < len(hostapis) else ""
            out.append(InputDevice(i, d["name"], float(d.get("default_samplerate") or 0), int(d["max_input_channels"]), i == default_in, api))
        return out

    def open(self, device: InputDevice) -> AudioInput:
        inp = SoundDeviceInput(device)
        self._inputs.add(inp)
        return inp


# ------------------------------------------------------------------------------- fakes


class FakeInput(AudioInput):
    """Feeds a recording as if it came from a microphone: in real time (`speed=1`),
    or faster. The recording may be at any rate; chunks come out at 16 kHz through the
    same StreamingResampler a real device would use.

    `on_finished` runs on the feeder thread after the last chunk.
    """

    def __init__(self, audio: np.ndarray | str | os.PathLike, rate: int = SAMPLE_RATE, speed: float = 1.0, block_ms: float = BLOCK_MS, loop: bool = False, on_finished: Callable[[], None] | None = None) -> None:
        if not isinstance(audio, np.ndarray):
            import soundfile as sf

            data, rate = sf.read(os.fspath(audio), dtype="float32", always_2d=True)
            audio = data.mean(axis=1)
        self.audio = np.asarray(audio, np.float32).reshape(-1)
        self.source_rate = int(rate)
        self.speed = speed
        self.block_ms = block_ms
        self.loop = loop
        self.on_finished = on_finished
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.chunks_sent = 0
        self.finished = threading.Event()

    def start(self, callback: ChunkCallback) -> None:
        self.stop()
        self._stop.clear()
        self.finished.clear()
        self._thread = threading.Thread(target=self._feed, args=(callback,), name="fake-audio-input", daemon=True)
        self._thread.start()

    def _feed(self, callback: ChunkCallback) -> None:
        block = max(1, int(self.source_rate * self.block_ms / 1000))
        resampler = StreamingResampler(self.source_rate, SAMPLE_RATE)
        t0 = time.perf_counter()
        sent = 0
        while not self._stop.is_set():
            i = (sent * block) % len(self.audio) if self.loop else sent * block
            if i >= len(self.audio):
                break
            callback(resampler(self.audio[i : i + block]))
            sent += 1
            self.chunks_sent = sent
            if self.speed > 0:  # keep to the schedule a real device would
                due = t0 + sent * block / self.source_rate / self.speed
                delay = due - time.perf_counter()
                if delay > 0:
                    self._stop.wait(delay)
        self.finished.set()
        if self.on_finished is not None and not self._stop.is_set():
            self.on_finished()

    def stop(self) -> None:
        self._stop.set()
        t, self._thread = self._thread, None
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2)

    @property
    def active(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


class FakeBackend(AudioBackend):
    """A backend with made-up devices, each opening a FakeInput of its recording.

    `devices` maps a device name to a recording (array at `rate`, or a file path);
    `error`, when given, is raised by input_devices() like a machine without PortAudio.
    """

    def __init__(self, devices: dict[str, np.ndarray | str | os.PathLike] | None = None, rate: int = SAMPLE_RATE, speed: float = 1.0, error: str | None = None) -> None:
        self.recordings = dict(devices or {})
        self.rate = rate
        self.speed = speed
        self.error = error
        self.opened: list[FakeInput] = []

    def input_devices(self) -> list[InputDevice]:
        if self.error:
            raise AudioInputError(self.error)
        return [InputDevice(name, name, float(self.rate), 1, i == 0, "fake") for i, name in enumerate(self.recordings)]

    def open(self, device: InputDevice) -> AudioInput:
        src = self.recordings[device.index]
        inp = FakeInput(src, rate=self.rate, speed=self.speed) if isinstance(src, np.ndarray) else FakeInput(src, speed=self.speed)
        self.opened.append(inp)
        return inp
