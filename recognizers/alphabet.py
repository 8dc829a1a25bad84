"""The character set a CTC model emits. Index 0 is always the CTC blank."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

BLANK = 0

HANDWRITING_CHARS = (
    " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    ".,;:!?'\"-()/&%$+=@#"
)
SPEECH_CHARS = " abcdefghijklmnopqrstuvwxyz'"


@dataclass(frozen=True)
class Alphabet:
    """Maps text to label indices (1..N) and back; 0 is the blank."""

    chars: str

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("alphabet has repeated characters")

    def __len__(self) -> int:
        """Number of classes including the blank."""
        return len(self.chars) + 1

    @cached_property
    def _index(self) -> dict[str, int]:
        return {c: i + 1 for i, c in enumerate(self.chars)}

    def covers(self, text: str) -> bool:
        return all(c in self.chars for c in text)

    def encode(self, text: str) -> list[int]:
        """Label indices for `text`; raises KeyError on a character outside the alphabet."""
        index = self._index
        return [index[c] for c in text]

    def decode(self, indices: list[int]) -> str:
        """Text for label indices; blanks are dropped (no CTC collapsing here)."""
        return "".join(self.chars[i - 1] for i in indices if i != BLANK)

    @classmethod
    def handwriting(cls) -> "Alphabet":
        return cls(HANDWRITING_CHARS)

    @classmethod
    def speech(cls) -> "Alphabet":
        return cls(SPEECH_CHARS)
