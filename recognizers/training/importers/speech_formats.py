"""Readers of the raw speech corpora, yielding ``(absolute audio path, text, speaker)`` one at a time.

- LibriSpeech: ``SPEAKER/CHAPTER/SPEAKER-CHAPTER.trans.txt`` lines ``ID TEXT`` beside ``ID.flac``.
- Common Voice: a TSV (``validated.tsv`` by default; ``train.tsv``, ``dev.tsv`` ... with --tsv)
  with a header naming ``client_id``, ``path`` and ``sentence``; clips in ``clips/``.
  Unquoted tab-separated fields, as the releases are written.
- LJSpeech: ``metadata.csv`` lines ``ID|raw text|normalized text`` and ``wavs/ID.wav``.
- folder: every audio file (.wav .flac .ogg .opus .mp3) with a same-named ``.txt`` beside it;
  the speaker is the subfolder the file sits in (none for files at the top).

The audio stays where it is: the manifest refers to it by a path relative to the manifest.
Anything malformed raises CorpusError naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from recognizers.training.importers.common import CorpusError, OnError, handle, one_line, read_text_lines

Item = tuple[str, str, str | None]  # absolute audio path, transcript, speaker
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".opus", ".mp3")


def mp3_supported() -> bool:
    import soundfile as sf

    return "MP3" in sf.available_formats()


def require_mp3(where: str) -> None:
    """Raise a clear CorpusError when the installed libsndfile cannot decode MP3."""
    if not mp3_supported():
        import soundfile as sf

        raise CorpusError(
            f"{where}: the clips are MP3, and the installed libsndfile ({sf.__libsndfile_version__}) cannot decode MP3 "
            "(libsndfile 1.1.0 or newer can; soundfile's own wheels carry one). Upgrade it, or convert the clips "
            "to FLAC or OGG first (e.g. ffmpeg -i clip.mp3 -ar 16000 clip.flac) and import the converted folder.")


def _existing(audio: Path, where: str) -> str:
    if not audio.is_file():
        raise CorpusError(f"{where}: audio file {audio} is missing")
    return str(audio.resolve())


def iter_librispeech(src: str | Path, on_error: OnError = None) -> Iterator[Item]:
    src = Path(src)
    if not src.is_dir():
        raise CorpusError(f"{src}: not a folder (give the LibriSpeech folder, or one subset of it)")
    files = sorted(src.rglob("*.trans.txt"))
    if not files:
        raise CorpusError(f"{src}: no *.trans.txt transcripts (not LibriSpeech?)")
    for f in files:
        for lineno, line in read_text_lines(f):
            if not line.strip():
                continue
            try:
                uid, _, text = line.strip().partition(" ")
                if not text.strip():
                    raise CorpusError(f"{f}:{lineno}: expected 'UTTERANCE-ID TEXT', got {line.strip()[:60]!r}")
                audio = _existing(f.parent / f"{uid}.flac", f"{f}:{lineno}")
            except CorpusError as exc:
                handle(exc, on_error)
                continue
            yield audio, one_line(text), uid.split("-")[0]


def iter_commonvoice(src: str | Path, tsv: str | None = None, on_error: OnError = None) -> Iterator[Item]:
    src = Path(src)
    if src.is_file():
        table = src
    else:
        table = src / (tsv or "validated.tsv")
        if not table.is_file():
            raise CorpusError(f"{table}: no such TSV (Common Voice's folder holds validated.tsv, train.tsv, dev.tsv, test.tsv; pick one with --tsv)")
    clips = table.parent / "clips"
    header: list[str] | None = None
    checked_mp3 = False
    for lineno, line in read_text_lines(table):
        if header is None:
            header = line.split("\t")
            missing = [c for c in ("path", "sentence") if c not in header]
            if missing:
                raise CorpusError(f"{table}:{lineno}: the header has no {', '.join(missing)} column (found: {', '.join(header)[:120]})")
            ip, isent, ispk = header.index("path"), header.index("sentence"), header.index("client_id") if "client_id" in header else None
            continue
        if not line.strip():
            continue
        fields = line.split("\t")
        try:
            if len(fields) != len(header):
                raise CorpusError(f"{table}:{lineno}: {len(fields)} tab-separated fields where the header has {len(header)}")
            name, text = fields[ip].strip(), one_line(fields[isent])
            if not name or not text:
                raise CorpusError(f"{table}:{lineno}: empty {'path' if not name else 'sentence'}")
            audio = clips / name
            if audio.suffix.lower() == ".mp3" and not checked_mp3:
                require_mp3(f"{table}:{lineno}")
                checked_mp3 = True
            path = _existing(audio, f"{table}:{lineno}")
        except CorpusError as exc:
            handle(exc, on_error)
            continue
        yield path, text, (fields[ispk].strip() or None) if ispk is not None else None
    if header is None:
        raise CorpusError(f"{table}: empty file (no header)")


def iter_ljspeech(src: str | Path, speaker: str = "LJ", on_error: OnError = None) -> Iterator[Item]:
    src = Path(src)
    meta = src if src.is_file() else src / "metadata.csv"
    if not meta.is_file():
        raise CorpusError(f"{meta}: no such file (LJSpeech's folder holds metadata.csv and wavs/)")
    wavs = meta.parent / "wavs"
    for lineno, line in read_text_lines(meta):
        if not line.strip():
            continue
        fields = line.split("|")
        try:
            if len(fields) not in (2, 3):
                raise CorpusError(f"{meta}:{lineno}: expected ID|text|normalized text, got {len(fields)} '|'-separated fields")
            text = one_line(fields[2] if len(fields) == 3 and fields[2].strip() else fields[1])
            if not fields[0].strip() or not text:
                raise CorpusError(f"{meta}:{lineno}: empty {'id' if not fields[0].strip() else 'text'}")
            audio = _existing(wavs / f"{fields[0].strip()}.wav", f"{meta}:{lineno}")
        except CorpusError as exc:
            handle(exc, on_error)
            continue
        yield audio, text, speaker


def iter_folder(src: str | Path, on_error: OnError = None) -> Iterator[Item]:
    src = Path(src)
    if not src.is_dir():
        raise CorpusError(f"{src}: not a folder")
    files = sorted(p for p in src.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
    if not files:
        raise CorpusError(f"{src}: no audio files ({', '.join(AUDIO_SUFFIXES)})")
    checked_mp3 = False
    for audio in files:
        try:
            txt = audio.with_suffix(".txt")
            if not txt.is_file():
                raise CorpusError(f"{audio}: no transcript {txt.name} beside it")
            if audio.suffix.lower() == ".mp3" and not checked_mp3:
                require_mp3(str(audio))
                checked_mp3 = True
            lines = [ln for _, ln in read_text_lines(txt)]
            text = one_line(" ".join(lines))
            if not text:
                raise CorpusError(f"{txt}:1: empty transcript")
        except CorpusError as exc:
            handle(exc, on_error)
            continue
        rel = audio.parent.relative_to(src).as_posix()
        yield str(audio.resolve()), text, (None if rel == "." else rel)
