"""The user's own files, read so that damage never stops the app: notices and the word list.

A damaged file is set aside under a timestamped name (never deleted: the person may want
it back), the app carries on with what could be saved or with defaults, and a one-line
notice says what happened. Notices queue here, Qt-free; the window shows them at start-up
(and whenever more arrive).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

_lock = threading.Lock()
_pending: list[str] = []


def notify(message: str) -> None:
    """Queue a message for the person (shown by the GUI, printed by scripts that care)."""
    with _lock:
        if message not in _pending:
            _pending.append(message)


def take_notices() -> list[str]:
    """The queued messages, oldest first; the queue is emptied."""
    with _lock:
        out = list(_pending)
        _pending.clear()
    return out


def set_aside(path: str | os.PathLike) -> Path | None:
    """Rename a damaged file to ``<stem>.broken-YYYYmmdd-HHMMSS<suffix>`` beside it; the new
    name, or None when it could not be moved (a read-only folder: it is then left alone)."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dest = path.with_name(f"{path.stem}.broken-{stamp}{path.suffix}")
    k = 2
    while dest.exists():
        dest = path.with_name(f"{path.stem}.broken-{stamp}-{k}{path.suffix}")
        k += 1
    try:
        os.replace(path, dest)
    except OSError:
        return None
    return dest


MAX_USER_WORDS_BYTES = 4 << 20  # a personal vocabulary is names and jargon, not a dictionary dump


def _tokens(lines: list[str], comments: bool = True) -> list[str]:
    words, seen = [], set()
    for line in lines:
        for token in (line.split("#", 1)[0] if comments else line).split():
            if token not in seen:
                seen.add(token)
                words.append(token)
    return words


def read_user_words(path: str | os.PathLike) -> list[str]:
    """The personal vocabulary: one word a line (blank lines and # comments ignored).

    A file that is not UTF-8 text (or absurdly large) is set aside with a timestamp; the
    lines that were readable are kept and written back as the new word list, and a notice
    says how many lines were dropped and where the original is.
    """
    p = Path(path)
    try:
        raw = p.read_bytes() if p.is_file() else b""
    except OSError as exc:
        notify(f"Your word list {p} could not be read ({exc.strerror or exc}); starting without it.")
        return []
    if len(raw) > MAX_USER_WORDS_BYTES:
        kept = set_aside(p)
        notify(f"Your word list {p} is {len(raw) >> 20} MB, too large to be a word list; it was set aside as {kept or 'is'} and the app starts without it.")
        return []
    try:
        return _tokens(raw.decode("utf-8").splitlines())
    except UnicodeDecodeError:
        pass
    good, bad = [], 0
    for line in raw.splitlines():
        try:
            good.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            bad += 1
    words = _tokens(good)
    kept = set_aside(p)
    if kept is not None:
        try:
            write_user_words(p, words)
        except OSError:
            pass
    where = f"the original is kept as {kept.name}" if kept else "the file was left as it is"
    notify(f"Your word list {p.name} held {bad} line(s) that are not UTF-8 text; they were left out ({len(words)} words kept; {where}).")
    return words


def write_user_words(path: str | os.PathLike, words: list[str]) -> None:
    """Write the vocabulary, one word a line, atomically (duplicates dropped, order kept)."""
    from recognizers.atomic import atomic_write_text

    atomic_write_text(Path(path), "".join(f"{w}\n" for w in _tokens([str(w) for w in words], comments=False)))
