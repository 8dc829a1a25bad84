"""The user's own samples, saved (opt-in) for personalization, in the project's formats.

Layout under the root (by default the platform's user-data directory,
QStandardPaths.AppDataLocation, then ``samples/``)::

    handwriting/samples.jsonl        one ink sample a line: {"label", "strokes", "writer", "source"}
    speech/manifest.jsonl            one utterance a line: {"audio", "text", "speaker"}
    speech/audio/<time>.flac         16 kHz mono

These are what ``python -m recognizers train`` reads as ``ink:`` and ``speech:`` data.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from recognizers.atomic import append_line, atomic_write_text

if TYPE_CHECKING:
    from recognizers.ink import ReadReport
    from recognizers.manifest import ManifestReport

WRITER = "user"  # the writer/speaker id given to the person at this computer
SOURCE = "scrivox-app"


def sample_key(obj: dict, speech: bool) -> str:
    """What tells one saved sample from every other: a recording's audio file name, a
    drawing's ink (its points and times), never its text or its line in the file."""
    if speech:
        return str(obj.get("audio", ""))
    import hashlib

    return hashlib.sha1(json.dumps(obj.get("strokes")).encode()).hexdigest()


STALE_TMP_S = 600  # a temporary audio file this old is a leftover of a crash, not a write in progress


class SampleStore:
    """The saved samples. Every append is whole-line atomic (recognizers.atomic.append_line),
    so a crash or a full disk never tears a line that the next sample then joins; reading
    skips a damaged line (and says which) rather than losing every sample after it."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.last_key: str | None = None  # `sample_key` of the sample saved last
        self.clean_leftovers()

    def clean_leftovers(self, older_than_s: float = STALE_TMP_S) -> list[Path]:
        """Remove the temporary audio files (``.<name>.flac.tmp``) a crash left behind."""
        removed = []
        d = self.manifest_path.parent / "audio"
        if not d.is_dir():
            return removed
        now = time.time()
        for f in d.glob(".*.tmp"):
            try:
                if now - f.stat().st_mtime >= older_than_s:
                    f.unlink()
                    removed.append(f)
            except OSError:
                pass
        return removed

    @property
    def ink_path(self) -> Path:
        return self.root / "handwriting" / "samples.jsonl"

    @property
    def manifest_path(self) -> Path:
        return self.root / "speech" / "manifest.jsonl"

    def save_ink(self, ink: list[np.ndarray], label: str, writer: str = WRITER) -> Path:
        """Append one drawing with its text to the ink store; returns the file."""
        from recognizers.ink import InkSample, append_ink_jsonl

        strokes = [np.asarray(s, np.float32) for s in ink if len(s)]
        if not strokes:
            raise ValueError("no ink to save")
        t0 = float(strokes[0][0, 2])
        strokes = [np.concatenate([s[:, :2], s[:, 2:3] - t0], axis=1) for s in strokes]  # time from the first point
        sample = InkSample(label, strokes, writer, SOURCE)
        append_ink_jsonl(self.ink_path, sample)
        self.last_key = sample_key(sample.to_json(), speech=False)
        return self.ink_path

    def save_utterance(self, audio: np.ndarray, text: str, speaker: str = WRITER) -> Path:
        """Write the audio as FLAC and append its manifest line; returns the audio file."""
        import soundfile as sf

        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{int(time.time() * 1000) % 1000:03d}"
        rel = Path("audio") / f"{stamp}.flac"
        path = self.manifest_path.parent / rel
        k = 1
        while path.exists():
            rel = Path("audio") / f"{stamp}-{k}.flac"
            path = self.manifest_path.parent / rel
            k += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name("." + path.name + ".tmp")
        try:
            sf.write(str(tmp), np.asarray(audio, np.float32), 16_000, format="FLAC")
            os.replace(tmp, path)
            append_line(self.manifest_path, json.dumps({"audio": rel.as_posix(), "text": text, "speaker": speaker}))
            self.last_key = rel.as_posix()
        except BaseException:
            for f in (tmp, path):  # no audio file without its manifest line
                try:
                    f.unlink()
                except OSError:
                    pass
            raise
        return path

    def _file_and_field(self, speech: bool) -> tuple[Path, str]:
        """The store of recordings or drawings, and the key their text is under."""
        return (self.manifest_path, "text") if speech else (self.ink_path, "label")

    def take_back_last(self, speech: bool, label: str) -> bool:
        """Remove the sample saved last when its text is `label` (a person's "that one was
        wrong"): its line is dropped in one atomic rewrite, then a recording's audio file.
        False, and nothing changed, when the last sample is another one."""
        path, field = self._file_and_field(speech)
        if not path.exists():
            return False
        lines = path.read_text(encoding="utf-8").splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        try:
            last = json.loads(lines[-1]) if lines else None
        except ValueError:
            return False
        if not isinstance(last, dict) or last.get(field) != label:
            return False
        atomic_write_text(path, "".join(line + "\n" for line in lines[:-1]))
        if speech and isinstance(last.get("audio"), str):
            try:
                (path.parent / last["audio"]).unlink()
            except OSError:
                pass  # an orphan audio file is harmless: nothing lists it
        return True

    def relabel(self, speech: bool, key: str, old: str, new: str) -> bool:
        """Give the sample whose `sample_key` is `key` the text `new`, if its text is still
        `old` (a reading the person corrected in the text). One atomic rewrite; False, and
        nothing changed, when no such sample is there (deleted meanwhile)."""
        path, field = self._file_and_field(speech)
        if not new.strip() or not path.exists():
            return False
        lines = path.read_text(encoding="utf-8").split("\n")
        for i in range(len(lines) - 1, -1, -1):  # the newest first: a correction is of a recent commit
            try:
                obj = json.loads(lines[i])
            except ValueError:
                continue
            if isinstance(obj, dict) and obj.get(field) == old and sample_key(obj, speech) == key:
                obj[field] = new
                lines[i] = json.dumps(obj)
                atomic_write_text(path, "\n".join(lines))
                return True
        return False

    def read_ink(self, report: ReadReport | None = None) -> list:
        """The saved drawings (InkSample); damaged lines are skipped and listed in `report`
        (a recognizers.ink.ReadReport)."""
        from recognizers.ink import read_ink_samples

        if not self.ink_path.exists():
            return []
        return list(read_ink_samples(self.ink_path, tolerant=True, report=report))

    def read_utterances(self, report: ManifestReport | None = None) -> list:
        """The saved recordings (SpeechItem); damaged lines are skipped and listed in `report`
        (a recognizers.manifest.ManifestReport)."""
        from recognizers.manifest import read_manifest

        if not self.manifest_path.exists():
            return []
        return read_manifest(self.manifest_path, tolerant=True, report=report)

    def counts(self) -> tuple[int, int]:
        """(drawings, utterances) stored so far."""

        def lines(p: Path) -> int:  # whole entries: a torn line (no closing brace) is not a sample
            if not p.exists():
                return 0
            n = 0
            with open(p, "rb") as fh:
                for line in fh:
                    line = line.strip()
                    n += line.startswith(b"{") and line.endswith(b"}")
            return n

        return lines(self.ink_path), lines(self.manifest_path)
