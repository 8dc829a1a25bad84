"""Which of a data file's samples are held out for validation, and which are trained on."""

from __future__ import annotations

import hashlib
import random

VAL_EVERY = 10  # one item in ten is held out for validation ...
VAL_MAX = 300  # ... up to this many per source


def split_records(records: list[str], n_val: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(train, val): `n_val` items drawn at random (same seed, same split), order kept."""
    n_val = max(0, min(n_val, len(records) - 1))
    pick = set(random.Random(seed).sample(range(len(records)), n_val)) if n_val else set()
    return [r for i, r in enumerate(records) if i not in pick], [r for i, r in enumerate(records) if i in pick]


def stable_split(records: list[str], share: float, at_least: int, at_most: int) -> tuple[list[str], list[str]]:
    """(train, val), order kept, where each record's side follows from its own content, not
    from how many records there are: held out are those whose hash falls in the first `share`
    of its range (the `at_most` lowest of them), or else the `at_least` lowest. As records are
    added, one trained on is never held out later, so a model taught on them is never measured
    on its own training samples (a tester's second personalization was: `split_records` drew
    a new random split for every count)."""
    h = [int.from_bytes(hashlib.sha1(r.encode("utf-8")).digest()[:8], "big") / 2**64 for r in records]
    order = sorted(range(len(records)), key=lambda i: (h[i], i))
    low = [i for i in order if h[i] < share][:at_most]
    pick = set(low if len(low) >= at_least else order[:at_least])
    if len(pick) >= len(records):  # something is always left to train on
        pick = set(order[: len(records) - 1])
    return [r for i, r in enumerate(records) if i not in pick], [r for i, r in enumerate(records) if i in pick]


def default_val_count(n: int) -> int:
    """One in ten, at most VAL_MAX, at least one once there are five items."""
    if n < 5:
        return 0
    return max(1, min(VAL_MAX, n // VAL_EVERY))
