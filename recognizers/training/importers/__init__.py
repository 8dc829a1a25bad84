"""Importers of the standard corpora into the project's formats (``python -m recognizers import``).

Handwriting corpora (unipen, iam-ondb, inkml) become an ink ``.jsonl(.gz)``; speech corpora
(librispeech, commonvoice, ljspeech, folder) become a speech manifest ``.jsonl`` whose audio
paths are relative to the manifest (the audio is not copied). Both are written as they are
read, through a temporary file renamed into place at the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from recognizers.training.importers.common import CorpusError, ImportReport, JsonlWriter

INK_FORMATS = ("unipen", "iam-ondb", "inkml")
SPEECH_FORMATS = ("librispeech", "commonvoice", "ljspeech", "folder")
FORMATS = INK_FORMATS + SPEECH_FORMATS

__all__ = ["FORMATS", "INK_FORMATS", "SPEECH_FORMATS", "CorpusError", "ImportReport", "import_corpus"]


def import_corpus(fmt: str, src: str | os.PathLike, out: str | os.PathLike, *, skip_bad: bool = False,
                  levels: list[str] | None = None, include_dirs: list[str] | None = None, tsv: str | None = None,
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Convert corpus `src` of format `fmt` to `out` (ink JSONL or speech manifest).

    Stops with a CorpusError (file:line: problem) at the first malformed entry, or with
    `skip_bad` leaves such entries out and lists them in the report.
    """
    from recognizers.training.importers import speech_formats, unipen_format, xml_ink_formats

    if fmt not in FORMATS:
        raise CorpusError(f"unknown corpus format {fmt!r} (one of {', '.join(FORMATS)})")
    report = ImportReport(str(out))
    on_error = report_skip(report) if skip_bad else None
    out = Path(out)
    with JsonlWriter(out) as w:
        if fmt in INK_FORMATS:
            if fmt == "unipen":
                it = unipen_format.iter_unipen(src, set(levels) if levels else None, [Path(d) for d in include_dirs or []], on_error)
            elif fmt == "iam-ondb":
                it = xml_ink_formats.iter_iam_ondb(src, on_error)
            else:
                it = xml_ink_formats.iter_inkml(src, on_error)
            for sample in it:
                w.write({k: v for k, v in sample.items() if v is not None})
                if progress and w.count % 1000 == 0:
                    progress(w.count)
            if fmt == "iam-ondb" and w.count and not any(p.name.startswith("original") for p in Path(src).iterdir()):
                report.notes.append("no original/ folder (IAM-OnDB's original-xml part): writers are form ids, so a --by writer split is form-disjoint only")
        else:
            if fmt == "librispeech":
                items = speech_formats.iter_librispeech(src, on_error)
            elif fmt == "commonvoice":
                items = speech_formats.iter_commonvoice(src, tsv, on_error)
            elif fmt == "ljspeech":
                items = speech_formats.iter_ljspeech(src, on_error=on_error)
            else:
                items = speech_formats.iter_folder(src, on_error)
            base = out.resolve().parent
            for audio, text, speaker in items:
                entry = {"audio": _relative(audio, base), "text": text}
                if speaker:
                    entry["speaker"] = speaker
                w.write(entry)
                if progress and w.count % 1000 == 0:
                    progress(w.count)
            if fmt == "ljspeech" and w.count:
                report.notes.append("LJSpeech is one speaker: a speaker-disjoint split of it is impossible (hold out by chapter or use other speakers for validation)")
    report.written = w.count
    if report.written == 0:
        report.notes.append("nothing was imported")
    return report


def report_skip(report: ImportReport) -> Callable[[CorpusError], None]:
    return lambda exc: report.skipped.append(str(exc))


def _relative(audio: str, base: Path) -> str:
    try:
        return Path(os.path.relpath(audio, base)).as_posix()
    except ValueError:  # another drive (Windows): keep it absolute
        return audio
