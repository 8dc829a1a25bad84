import gzip
import json

import numpy as np
import pytest

from recognizers.ink import (
    InkSample,
    SampleFormatError,
    append_ink_jsonl,
    read_ink_samples,
    write_ink_json,
    write_ink_jsonl,
)

from .inkgen import make_samples


def same(a: list[InkSample], b: list[InkSample]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x.label, x.writer, x.source) == (y.label, y.writer, y.source)
        assert len(x.strokes) == len(y.strokes)
        for s, t in zip(x.strokes, y.strokes):
            np.testing.assert_allclose(s, t, rtol=1e-6)


def test_single_json_and_directory_round_trip(tmp_path):
    samples = make_samples(3)
    for i, s in enumerate(samples):
        write_ink_json(tmp_path / "dir" / f"{i}.json", s)
    same(list(read_ink_samples(tmp_path / "dir" / "1.json")), samples[1:2])
    same(list(read_ink_samples(tmp_path / "dir")), samples)


@pytest.mark.parametrize("name", ["s.jsonl", "s.jsonl.gz"])
def test_jsonl_round_trip(tmp_path, name):
    samples = make_samples(5)
    write_ink_jsonl(tmp_path / name, samples)
    if name.endswith(".gz"):
        assert gzip.open(tmp_path / name, "rt").readline().startswith("{")
    same(list(read_ink_samples(tmp_path / name)), samples)


def test_append_keeps_earlier_samples(tmp_path):
    samples = make_samples(3)
    for s in samples:
        append_ink_jsonl(tmp_path / "mine.jsonl", s)
    same(list(read_ink_samples(tmp_path / "mine.jsonl")), samples)


def test_optional_fields_and_xy_points(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"label": "hi", "strokes": [[[0, 0], [1, 2]]]}))
    (s,) = read_ink_samples(tmp_path / "a.json")
    assert s.writer is None and s.strokes[0].shape == (2, 3)


def test_corrupt_files_name_the_place(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "a", "strokes": [[[0,0,0]]]}\n{not json\n')
    with pytest.raises(SampleFormatError, match="bad.jsonl:2"):
        list(read_ink_samples(bad))
    (tmp_path / "b.json").write_text('{"label": "a"}')
    with pytest.raises(SampleFormatError, match="strokes"):
        list(read_ink_samples(tmp_path / "b.json"))
    (tmp_path / "c.jsonl.gz").write_bytes(b"not gzip at all")
    with pytest.raises(SampleFormatError):
        list(read_ink_samples(tmp_path / "c.jsonl.gz"))
