"""The microphone panel: devices, messages, live partial and final transcripts, files."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from .helpers import with_silence

from app.formatting import dictation_case
from app.audio_input import FakeBackend, SoundDeviceBackend
from app.settings import DEFAULT_DECODER
from app.transcript_edit import DOUBT_BELOW


def test_device_picker_lists_a_fake_device(make_window, standin_models):
    backend = FakeBackend({"Fake USB Mic": np.zeros(16_000, np.float32), "Fake Headset": np.zeros(16_000, np.float32)})
    win = make_window(speech_model=standin_models["speech"], backend=backend)
    combo = win.speech.device_combo
    items = [combo.itemText(i) for i in range(combo.count())]
    assert len(items) == 2
    assert items[0].startswith("Fake USB Mic") and "(default)" in items[0]
    assert items[1].startswith("Fake Headset")
    assert combo.isEnabled()
    assert win.speech.record_button.isEnabled() and win.speech.ptt_button.isEnabled()
    assert win.speech.banner.isHidden()


def test_sounddevice_backend_lists_only_input_devices(monkeypatch):
    sd = pytest.importorskip("sounddevice")
    devices = [
        {"name": "Speakers", "hostapi": 0, "max_input_channels": 0, "max_output_channels": 2, "default_samplerate": 48000.0},
        {"name": "Desk Mic", "hostapi": 0, "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 44100.0},
    ]
    monkeypatch.setattr(sd, "query_devices", lambda *a, **k: devices)
    monkeypatch.setattr(sd, "query_hostapis", lambda *a, **k: [{"name": "ALSA"}])
    monkeypatch.setattr(sd.default, "device", [1, 0])
    (mic,) = SoundDeviceBackend().input_devices()
    assert (mic.index, mic.name, mic.default_samplerate, mic.is_default) == (1, "Desk Mic", 44100.0, True)
    assert mic.label == "Desk Mic — ALSA (default)"


@pytest.mark.parametrize("backend, expect", [(FakeBackend({}), "No microphone was found"), (FakeBackend(error="PortAudio library not found"), "microphone is unavailable")])
def test_no_microphone_shows_a_message_and_the_rest_works(make_window, standin_models, backend, expect, tmp_path, spoken_audio, qtbot):
    win = make_window(speech_model=standin_models["speech"], backend=backend)
    sp = win.speech
    assert not sp.banner.isHidden()
    assert expect in sp.banner.text()
    assert "Transcribe file" in sp.banner.text()
    assert not sp.record_button.isEnabled() and not sp.ptt_button.isEnabled()
    assert sp.device_combo.currentText() == "(no microphone)"
    said = []
    sp.message.connect(said.append)
    sp.set_recording(True)  # Ctrl+R without a microphone: nothing breaks, and it says why (a tester's did nothing)
    assert not sp.listening
    assert said and "Transcribe file" in said[-1]
    assert win.statusBar().full_message == said[-1]  # on the status bar
    # files still transcribe
    import soundfile as sf

    path = tmp_path / "corner.ogg"
    sf.write(path, spoken_audio, 16_000, format="OGG")
    with qtbot.waitSignal(sp.fileTranscribed, timeout=20_000) as blocker:
        sp.transcribe_file(str(path))
    assert blocker.args[1].strip()
    assert win.text.toPlainText() == dictation_case(blocker.args[1], "", punctuation=True)  # the start of the text: a capital


def test_a_transcribed_file_marks_its_doubtful_words_as_live_speech_does(make_window, spoken_audio, qtbot, tmp_path, monkeypatch):
    """A tester's 34 s file had a fifth of its words wrong and none marked: a file's words now
    carry the recognizer's confidences into the text, as a live utterance's do."""
    import soundfile as sf

    import app.transcript_edit as te
    from recognizers.audio import load_audio
    from recognizers.recognizer import Recognizer, default_model_path

    model = default_model_path("speech")
    if not model.exists():
        pytest.skip("the shipped speech model is not there")
    path = tmp_path / "note.wav"
    sf.write(path, with_silence(spoken_audio), 16_000, subtype="FLOAT")
    expected = Recognizer.load(model, device="cpu", decoder=DEFAULT_DECODER).recognize(load_audio(path)).word_confidence
    confs = sorted(c for _, c in expected)
    assert len(expected) >= 3 and confs[0] < confs[-1]
    monkeypatch.setattr(te, "DOUBT_BELOW", (confs[0] + confs[-1]) / 2)  # some words marked, some not
    win = make_window(speech_model=model)
    with qtbot.waitSignal(win.speech.fileTranscribed, timeout=60_000) as blocker:
        win.speech.transcribe_file(str(path))
    assert blocker.args[1].split() == [w for w, _ in expected]
    assert [w for w, _ in win.speech.last_file_words] == [w for w, _ in expected]
    assert [c for _, c in win.speech.last_file_words] == pytest.approx([c for _, c in expected], abs=1e-4)
    shown = win.text.toPlainText().split()
    doubt = [s for s, (w, c) in zip(shown, expected) if c < te.DOUBT_BELOW]
    assert doubt and win.text.doubtful_words() == doubt


def test_live_audio_gives_partials_then_the_final(make_window, standin_models, spoken_audio, qtbot):
    from recognizers.recognizer import Recognizer

    audio = with_silence(spoken_audio)
    backend = FakeBackend({"Fake Mic": audio}, speed=3.0)  # three times real time
    win = make_window(speech_model=standin_models["speech"], backend=backend)
    sp = win.speech
    events: list[tuple] = []
    sp.utteranceStarted.connect(lambda uid: events.append(("start", uid)))
    sp.partialTranscript.connect(lambda uid, text: events.append(("partial", uid, text)))
    sp.finalTranscript.connect(lambda uid, text, a: events.append(("final", uid, text, a)))
    with qtbot.waitSignal(sp.finalTranscript, timeout=30_000):
        win.act_record.trigger()  # Ctrl+R
        assert sp.listening and sp.record_button.isChecked()
    win.act_record.trigger()
    assert not sp.listening

    kinds = [e[0] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "final"
    partials = [e for e in events if e[0] == "partial"]
    assert len(partials) >= 2, events  # refreshed while the 1.9 s of speech went on
    assert all(e[1] == events[0][1] for e in events)  # one utterance
    assert kinds.index("final") > max(i for i, k in enumerate(kinds) if k == "partial")
    _, _, final_text, utterance = events[-1]
    # the utterance is the speech (1.9 s) with a little before and after, not the padding
    assert len(spoken_audio) <= len(utterance) <= len(spoken_audio) + int(0.7 * 16_000)
    reference = Recognizer.load(standin_models["speech"], device="cpu", decoder=DEFAULT_DECODER).recognize(utterance)
    assert final_text == reference.text and final_text
    assert win.text.toPlainText() == dictation_case(final_text, "", punctuation=True)  # as people write it: "I", a capital first
    assert sp.partial_lags_ms and max(sp.partial_lags_ms) < 5_000


def test_push_to_talk(make_window, standin_models, spoken_audio, qtbot):
    backend = FakeBackend({"Fake Mic": with_silence(spoken_audio)}, speed=2.0)
    win = make_window(speech_model=standin_models["speech"], backend=backend)
    sp = win.speech
    sp.ptt_button.pressed.emit()
    assert sp.listening
    qtbot.wait(700)  # hold for 0.7 s of wall time = 1.4 s of audio, speech from 0.6 s
    assert sp.meter.peak_db > -35  # the level meter hears the voice
    with qtbot.waitSignal(sp.finalTranscript, timeout=20_000) as blocker:
        sp.ptt_button.released.emit()
    assert not sp.listening  # push-to-talk opened the stream, so releasing closes it
    n = len(blocker.args[2]) / 16_000
    assert 0.8 <= n <= 2.2, n


def test_saved_utterance_is_a_manifest_line_and_a_flac(make_window, standin_models, spoken_audio, qtbot):
    from recognizers.audio import load_audio

    backend = FakeBackend({"Fake Mic": with_silence(spoken_audio)}, speed=4.0)
    win = make_window(speech_model=standin_models["speech"], backend=backend)
    win.set_save_samples(True)
    with qtbot.waitSignal(win.speech.finalTranscript, timeout=30_000) as blocker:
        win.speech.set_recording(True)
    win.speech.set_recording(False)
    words = win.speech.last_final_words
    assert [w for w, _ in words] == blocker.args[1].split()
    shown = win.text.toPlainText().split()  # the same words, the first capitalised
    assert win.text.doubtful_words() == [s for s, (w, c) in zip(shown, words) if c < DOUBT_BELOW]
    manifest = win.store.manifest_path
    (line,) = manifest.read_text().splitlines()
    entry = json.loads(line)
    assert entry["text"] == blocker.args[1].strip() and entry["speaker"] == "user"
    audio = load_audio(manifest.parent / entry["audio"])
    np.testing.assert_allclose(audio, blocker.args[2], atol=1e-4)  # FLAC is lossless (16-bit)


def test_unreadable_audio_file_shows_a_message(make_window, standin_models, tmp_path, qtbot):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF not really a wave file")
    win = make_window(speech_model=standin_models["speech"])
    win.speech.transcribe_file(str(bad))
    qtbot.waitUntil(lambda: "Could not transcribe" in win.speech.banner.text(), timeout=10_000)
    assert "Could not transcribe broken.wav" in win.speech.banner.text()
    text = win.speech.banner.text()
    assert "broken.wav: it is not a WAV, FLAC or OGG recording" in text
    assert "AudioFileError" not in text and str(tmp_path) not in text  # plain words, no class name, no full path
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    win.speech.transcribe_file(str(empty))
    qtbot.waitUntil(lambda: "empty.wav" in win.speech.banner.text(), timeout=10_000)
    assert "empty.wav: the file is empty (0 bytes)" in win.speech.banner.text()


def test_a_wav_cut_short_is_read_and_said_to_be_cut_short(make_window, standin_models, spoken_audio, tmp_path, qtbot):
    """A copy that stopped part-way: the part that is there is transcribed, and the banner says
    the file is cut short (libsndfile reads it without an error)."""
    import soundfile as sf

    full = tmp_path / "full.wav"
    sf.write(full, spoken_audio, 16_000, subtype="PCM_16")
    data = full.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2])
    win = make_window(speech_model=standin_models["speech"])
    with qtbot.waitSignal(win.speech.fileTranscribed, timeout=20_000):
        win.speech.transcribe_file(str(full))
    assert "cut short" not in win.speech.banner.text()  # a whole file: no note
    with qtbot.waitSignal(win.speech.fileTranscribed, timeout=20_000):
        win.speech.transcribe_file(str(cut))
    assert not win.speech.banner.isHidden() and win.speech.banner.level == "warning"
    said = len(spoken_audio) / 16_000
    assert f"cut.wav is cut short: its header promises {said:.1f} s of audio" in win.speech.banner.text()


def test_a_wav_that_is_only_a_header_is_said_to_hold_no_audio(make_window, standin_models, tmp_path, qtbot):
    """File ▸ Transcribe file on a 44-byte WAV, the header of a 1.7 s recording alone: the
    banner said "its header promises 1.7 s of audio but the file holds 0.0 s; the part that is
    there was read" (a tester)."""
    import soundfile as sf

    whole = tmp_path / "whole.wav"
    sf.write(whole, np.zeros(27_200, np.float32), 16_000, subtype="PCM_16")
    header = tmp_path / "header.wav"
    header.write_bytes(whole.read_bytes()[:44])
    win = make_window(speech_model=standin_models["speech"])
    with qtbot.waitSignal(win.speech.fileTranscribed, timeout=20_000):
        win.speech.transcribe_file(str(header))
    shown = win.speech.banner.text()
    assert "header.wav holds no audio: the file is only a header" in shown and "promises" not in shown
    assert win.text.toPlainText() == ""


def test_dictated_punctuation_is_written_as_marks_by_the_shipped_model(make_window, tmp_path, qtbot):
    """"send it to me period new line thanks", said, is written "Send it to me." and
    "Thanks" on the next line; with Spoken punctuation off, the words as said."""
    import shutil
    import subprocess

    from recognizers.recognizer import default_model_path

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng); it renders the test speech")
    wav = tmp_path / "letter.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "send it to me period new line thanks"], check=True, capture_output=True)
    win = make_window(speech_model=default_model_path("speech"))
    with qtbot.waitSignal(win.speech.fileTranscribed, timeout=60_000):
        win.speech.transcribe_file(str(wav))
    assert win.text.toPlainText() == "Send it to me.\nThanks"
    win.settings.setValue("recognition/spoken_punctuation", "false")  # as the settings panel's box writes it
    win.text.setPlainText("")
    with qtbot.waitSignal(win.speech.fileTranscribed, timeout=60_000):
        win.speech.transcribe_file(str(wav))
    assert win.text.toPlainText() == "Send it to me period new line thanks"
    # a second recording starts a line of its own, with a capital (a tester's file ran on from
    # the text before: "…before Friday dear john")
    with qtbot.waitSignal(win.speech.fileTranscribed, timeout=60_000):
        win.speech.transcribe_file(str(wav))
    assert win.text.toPlainText() == "Send it to me period new line thanks\nSend it to me period new line thanks"
    # but a recording that starts with a mark said holds on to the word before it (a tester's
    # "Hello " and a file saying "comma how are you" gave "Hello \n, how are you")
    win.settings.setValue("recognition/spoken_punctuation", "true")
    win.text.setPlainText("Hello ")
    win.speech.fileTranscribed.emit(str(wav), "comma how are you question mark")  # as read (the model often hears "come")
    assert win.text.toPlainText() == "Hello, how are you?"


@pytest.mark.skipif(os.environ.get("SCRIVOX_TEST_PULSE") != "1", reason="plays audio to the default output: set SCRIVOX_TEST_PULSE=1 with a PulseAudio null sink whose monitor is the default source (see DESIGN.md)")
def test_real_microphone_through_pulseaudio(make_window, standin_models, spoken_audio, tmp_path, qtbot):
    """The real sounddevice path end to end: paplay -> null sink -> its monitor -> the app."""
    import shutil
    import subprocess

    import soundfile as sf

    from recognizers.recognizer import Recognizer

    if shutil.which("paplay") is None:
        pytest.skip("paplay (pulseaudio-utils) is not installed")
    wav = tmp_path / "corner.wav"
    sf.write(wav, with_silence(spoken_audio, 0.3, 1.5), 16_000)
    win = make_window(speech_model=standin_models["speech"], backend=SoundDeviceBackend())
    sp = win.speech
    assert sp.devices, sp.banner.text()
    with qtbot.waitSignal(sp.finalTranscript, timeout=15_000) as blocker:
        sp.set_recording(True)
        qtbot.wait(300)
        player = subprocess.Popen(["paplay", str(wav)])
    player.wait(10)
    sp.set_recording(False)
    _, text, utterance = blocker.args
    assert abs(len(utterance) - len(spoken_audio)) < 0.8 * 16_000
    assert text == Recognizer.load(standin_models["speech"], device="cpu", decoder=DEFAULT_DECODER).recognize(utterance).text
    assert sp.partial_lags_ms


def test_a_long_file_can_be_stopped_and_keeps_what_was_read(make_window, standin_models, spoken_audio, tmp_path, qtbot):
    """A tester could not stop a 10-minute file once started, and a second file asked for
    meanwhile waited with no sign of it. The file button now stops: the recording under way
    ends with the text read so far (it goes into the text), the waiting ones are not read."""
    import soundfile as sf

    from PySide6.QtCore import Qt

    gap = np.zeros(16_000, np.float32)
    long_path, other = tmp_path / "long.wav", tmp_path / "other.wav"
    sf.write(long_path, np.concatenate([spoken_audio, gap] * 40), 16_000)  # about 100 s, 40 sentences
    sf.write(other, spoken_audio, 16_000)
    win = make_window(speech_model=standin_models["speech"])
    sp = win.speech
    said = []
    sp.message.connect(said.append)
    sp.transcribe_file(str(long_path))
    sp.transcribe_file(str(other))
    assert said[-1] == "other.wav is queued: 1 recording before it" and sp.file_button.text() == "Stop transcribing"
    with qtbot.waitSignal(sp.worker.progress, timeout=30_000):
        pass
    with qtbot.waitSignal(sp.fileTranscribed, timeout=30_000) as got:
        qtbot.mouseClick(sp.file_button, Qt.MouseButton.LeftButton)
    assert "Not transcribed: other.wav" in said
    assert got.args[0] == str(long_path) and got.args[1].strip()  # the part read is kept, in the text
    assert win.text.toPlainText().strip()
    stopped = [m for m in said if m.startswith("Stopped transcribing long.wav after")]
    assert stopped and int(stopped[0].split("after ")[1].split(" s")[0]) < 90
    assert sp.file_button.text() == "Transcribe file…" and sp._files_pending == 0
    ran = sp.worker.ran
    late = []
    sp.fileTranscribed.connect(lambda path, text: late.append(path))
    qtbot.wait(1500)
    assert sp.worker.ran == ran and not late  # other.wav was never read
