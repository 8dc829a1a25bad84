"""Which of a person's samples are held out for the before/after figures of personalization."""

from __future__ import annotations

import json

from recognizers.workspace.enrol import ENROL_VAL, enrol_split


def records(n: int) -> list[str]:
    return [json.dumps({"label": f"word{i}", "strokes": [[[i, 0, 0], [i + 1, 2, 0]]]}) for i in range(n)]


def test_a_sample_once_trained_on_is_never_held_out_as_more_are_added():
    """A tester personalized on 13 samples, then on 20: the second run's "before" (the first
    personal model) was measured on two samples that model had been trained on, since each
    count drew a new random split."""
    trained: set[str] = set()
    held_before: set[str] = set()
    for n in range(10, 121):
        train, val = enrol_split(records(n))
        assert sorted(train + val) == sorted(records(n)) and not set(train) & set(val)
        assert 2 <= len(val) <= ENROL_VAL and train
        assert not set(val) & trained  # every held-out sample is one no earlier model was taught
        assert held_before - set(val) <= set(train)  # one held out before may go to training (the cap) ...
        trained |= set(train)
        held_before = set(val)
    share = len(enrol_split(records(45))[1]) / 45
    assert 0.1 <= share <= 0.3  # about one in five ...
    assert len(enrol_split(records(120))[1]) == ENROL_VAL  # ... at most ten
