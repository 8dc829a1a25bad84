"""Corpus importers and the disjoint split: every format round-trips through small fixtures
the tests write in the corpora's own layouts (nothing is downloaded)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from recognizers.cli import main
from recognizers.ink import read_ink_samples
from recognizers.manifest import read_manifest
from recognizers.training.importers import CorpusError, import_corpus
from recognizers.training.split import split_corpus

# ------------------------------------------------------------------ fixture writers


def _tone(path: Path, seconds: float = 0.3, rate: int = 16000, fmt: str | None = None, subtype: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, format=fmt, subtype=subtype)


STROKE_A = [(10, 20), (12, 25), (15, 30)]
STROKE_B = [(30, 20), (32, 22)]
STROKE_C = [(50, 21), (51, 24), (55, 28), (58, 30)]


def _pen(points) -> str:
    return ".PEN_DOWN\n" + "".join(f"\t{x}\t{y}\n" for x, y in points) + ".PEN_UP\n"


def write_unipen(root: Path) -> None:
    """train_r01_v07's layout: data/ files .INCLUDE their ink from include/ and segment it."""
    inc = root / "include" / "abc"
    (inc / "data").mkdir(parents=True)
    (inc / "abc.doc").write_text(".VERSION 1.0\n.COORD X Y\n.POINTS_PER_SECOND 200\n")
    (inc / "data" / "w1.dat").write_text(".WRITER_ID ann\n" + _pen(STROKE_A) + _pen(STROKE_B) + _pen(STROKE_C))
    d = root / "data" / "1a" / "abc" / "x"
    d.mkdir(parents=True)
    (d / "w1.dat").write_text(
        ".VERSION 1.0\n.INCLUDE abc/abc.doc\n.INCLUDE abc/data/w1.dat\n"
        '.SEGMENT WORD 0-1 ? "hi"\n'
        '.SEGMENT CHARACTER 2 OK "c"\n'
        '.SEGMENT CHARACTER 0:1-0:2 BAD "x"\n'
        '.SEGMENT WORD 1:0-2:1 ? "it"\n'
    )


def write_iam_ondb(root: Path, with_writers: bool = True) -> None:
    a = root / "ascii" / "a01" / "a01-000"
    a.mkdir(parents=True)
    (a / "a01-000u.txt").write_text("Data:\n\nOCR:\n\nA MOVE to stop\nMr. Gaitskell\n\nCSR:\n\nA MOVE to stop\nMr.  Gaitskell\n\n")
    ls = root / "lineStrokes" / "a01" / "a01-000"
    ls.mkdir(parents=True)
    for k, pts in ((1, [STROKE_A, STROKE_B]), (2, [STROKE_C])):
        strokes = "".join(
            "<Stroke colour=\"black\">" + "".join(f'<Point x="{x}" y="{y}" time="{1157.5 + 0.01 * i + k}"/>' for i, (x, y) in enumerate(s)) + "</Stroke>"
            for s in pts)
        (ls / f"a01-000u-{k:02d}.xml").write_text(f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<WhiteboardCaptureSession><StrokeSet>{strokes}</StrokeSet></WhiteboardCaptureSession>\n')
    if with_writers:
        o = root / "original" / "a01" / "a01-000"
        o.mkdir(parents=True)
        (o / "strokesu.xml").write_text('<WhiteboardCaptureSession><General><Form id="a01-000u" writerID="10058"/></General></WhiteboardCaptureSession>')


def write_inkml(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    ns = 'xmlns="http://www.w3.org/2003/InkML"'
    (root / "word.inkml").write_text(
        f'<ink {ns}><traceFormat><channel name="X" type="decimal"/><channel name="Y" type="decimal"/><channel name="T" type="decimal" units="s"/></traceFormat>'
        '<annotation type="truth">hi</annotation><annotation type="writer">w7</annotation>'
        '<trace id="t1">10 20 0.0, 12 25 0.01, 15 30 0.02</trace>'
        "<trace id=\"t2\">30 20 0.1, '2 '2 '0.01</trace></ink>")
    (root / "sub").mkdir(exist_ok=True)
    (root / "sub" / "expr.inkml").write_text(
        f'<ink {ns}><annotation type="UI">doc1</annotation>'
        '<trace xml:id="0">50 21, 51 24, 55 28, 58 30</trace><trace xml:id="1">30 20, 32 22</trace>'
        '<traceGroup xml:id="s"><annotation type="truth">Segmentation</annotation>'  # CROHME's wrapper
        '<traceGroup xml:id="g1"><annotation type="truth">x</annotation><traceView traceDataRef="0"/></traceGroup>'
        '<traceGroup xml:id="g2"><annotation type="truth">+</annotation><traceView traceDataRef="1"/></traceGroup>'
        "</traceGroup></ink>")


def write_librispeech(root: Path) -> None:
    d = root / "dev-clean" / "84" / "121123"
    for uid in ("84-121123-0000", "84-121123-0001"):
        _tone(d / f"{uid}.flac")
    (d / "84-121123.trans.txt").write_text("84-121123-0000 GO DO YOU HEAR\n84-121123-0001 BUT IN LESS THAN FIVE MINUTES\n")
    d2 = root / "dev-clean" / "174" / "50561"
    _tone(d2 / "174-50561-0000.flac")
    (d2 / "174-50561.trans.txt").write_text("174-50561-0000 FORGOTTEN TOO THE NAME OF GILLIAN\n")


def write_commonvoice(root: Path, mp3: bool) -> None:
    clips = root / "clips"
    ext = "mp3" if mp3 else "ogg"
    for i in range(3):
        if mp3:
            _tone(clips / f"common_voice_en_{i}.mp3", fmt="MP3", subtype="MPEG_LAYER_III")
        else:
            _tone(clips / f"common_voice_en_{i}.ogg", fmt="OGG", subtype="VORBIS")
    rows = ["client_id\tpath\tsentence_id\tsentence\tsentence_domain\tup_votes\tdown_votes\tage\tgender\taccents\tvariant\tlocale\tsegment"]
    for i, (spk, text) in enumerate([("aaa", 'He said "no".'), ("bbb", "It's ten o'clock"), ("aaa", "Thank you")]):
        rows.append(f"{spk}\tcommon_voice_en_{i}.{ext}\ts{i}\t{text}\t\t2\t0\t\t\t\t\ten\t")
    (root / "validated.tsv").write_text("\n".join(rows) + "\n")


def write_ljspeech(root: Path) -> None:
    for uid in ("LJ001-0001", "LJ001-0002"):
        _tone(root / "wavs" / f"{uid}.wav", rate=22050)
    (root / "metadata.csv").write_text("LJ001-0001|Printing, in 1 sense|Printing, in one sense\nLJ001-0002|in being \"comparatively\" modern.|\n")


def write_folder(root: Path) -> None:
    _tone(root / "alice" / "one.wav", rate=8000)
    (root / "alice" / "one.txt").write_text("turn left\n")
    _tone(root / "bob" / "two.flac")
    (root / "bob" / "two.txt").write_text("stop  here\nplease\n")
    _tone(root / "three.ogg", fmt="OGG", subtype="VORBIS")
    (root / "three.txt").write_text("hello")


def _mp3_writable(tmp_path: Path) -> bool:
    try:
        _tone(tmp_path / "probe.mp3", fmt="MP3", subtype="MPEG_LAYER_III")
        return len(sf.read(tmp_path / "probe.mp3")[0]) > 0
    except Exception:
        return False


# ------------------------------------------------------------------ round trips


def _pts(stroke) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y, _ in stroke]


def test_unipen_round_trip(tmp_path):
    write_unipen(tmp_path / "unipen")
    out = tmp_path / "unipen.jsonl.gz"
    rep = import_corpus("unipen", tmp_path / "unipen", out)
    samples = list(read_ink_samples(out))
    assert rep.written == 3 and [s.label for s in samples] == ["hi", "c", "it"]  # the BAD segment is left out
    hi, c, it = samples
    assert [_pts(s) for s in hi.strokes] == [STROKE_A, STROKE_B]
    assert [_pts(s) for s in c.strokes] == [STROKE_C]
    assert [_pts(s) for s in it.strokes] == [STROKE_B, STROKE_C[:2]]  # component:point delineation
    assert {s.writer for s in samples} == {"abc/ann"}
    t = np.concatenate([s[:, 2] for s in hi.strokes])
    assert np.all(np.diff(t) > 0) and t[1] - t[0] == pytest.approx(5.0)  # 200 points per second
    assert hi.source.startswith("unipen:word:")
    only_chars = list(read_ink_samples(import_corpus("unipen", tmp_path / "unipen", tmp_path / "c.jsonl", levels=["character"]).out))
    assert [s.label for s in only_chars] == ["c"]


def test_iam_ondb_round_trip(tmp_path):
    write_iam_ondb(tmp_path / "iam")
    out = tmp_path / "iam.jsonl"
    rep = import_corpus("iam-ondb", tmp_path / "iam", out)
    samples = list(read_ink_samples(out))
    assert rep.written == 2 and [s.label for s in samples] == ["A MOVE to stop", "Mr. Gaitskell"]  # CSR, not OCR
    assert [_pts(s) for s in samples[0].strokes] == [STROKE_A, STROKE_B]
    assert samples[0].writer == "10058"
    assert samples[0].strokes[0][1, 2] == pytest.approx(10.0)  # seconds -> ms from the line's start
    assert not rep.notes
    write_iam_ondb(tmp_path / "iam2", with_writers=False)
    rep2 = import_corpus("iam-ondb", tmp_path / "iam2", tmp_path / "iam2.jsonl")
    assert next(read_ink_samples(tmp_path / "iam2.jsonl")).writer == "form:a01-000u" and "original" in rep2.notes[0]


def test_inkml_round_trip(tmp_path):
    write_inkml(tmp_path / "ink")
    out = tmp_path / "inkml.jsonl"
    rep = import_corpus("inkml", tmp_path / "ink", out)
    samples = list(read_ink_samples(out))
    assert rep.written == 3
    by_label = {s.label: s for s in samples}
    assert set(by_label) == {"x", "+", "hi"}
    hi = by_label["hi"]
    assert [_pts(s) for s in hi.strokes] == [STROKE_A, STROKE_B]  # first differences decoded
    assert hi.writer == "w7" and hi.strokes[0][1, 2] == pytest.approx(10.0)  # T in seconds -> ms
    assert [_pts(s) for s in by_label["x"].strokes] == [STROKE_C]


def test_librispeech_round_trip(tmp_path):
    write_librispeech(tmp_path / "LibriSpeech")
    out = tmp_path / "manifests" / "dev.jsonl"
    rep = import_corpus("librispeech", tmp_path / "LibriSpeech", out)
    items = read_manifest(out)
    assert rep.written == 3
    assert [(it.text, it.speaker) for it in items] == [("FORGOTTEN TOO THE NAME OF GILLIAN", "174"), ("GO DO YOU HEAR", "84"), ("BUT IN LESS THAN FIVE MINUTES", "84")]
    assert all(Path(it.audio_path).is_file() for it in items)
    assert json.loads(out.read_text().splitlines()[0])["audio"].startswith("../LibriSpeech/")  # relative to the manifest


@pytest.mark.parametrize("mp3", [False, True], ids=["ogg", "mp3"])
def test_commonvoice_round_trip(tmp_path, mp3):
    if mp3 and not _mp3_writable(tmp_path):
        pytest.skip("this libsndfile cannot write MP3, so no MP3 fixture can be made")
    write_commonvoice(tmp_path / "cv", mp3)
    out = tmp_path / "cv.jsonl"
    rep = import_corpus("commonvoice", tmp_path / "cv", out)
    items = read_manifest(out)
    assert rep.written == 3
    assert [(it.text, it.speaker) for it in items] == [('He said "no".', "aaa"), ("It's ten o'clock", "bbb"), ("Thank you", "aaa")]
    from recognizers.audio import load_audio

    assert len(load_audio(items[0].audio_path)) > 1000  # the clips decode


def test_commonvoice_without_mp3_support_says_so(tmp_path, monkeypatch):
    write_commonvoice(tmp_path / "cv", mp3=False)
    tsv = tmp_path / "cv" / "validated.tsv"
    tsv.write_text(tsv.read_text().replace(".ogg", ".mp3"))
    monkeypatch.setattr(sf, "available_formats", lambda: {"WAV": "", "FLAC": "", "OGG": ""})
    with pytest.raises(CorpusError, match=r"validated\.tsv:2: the clips are MP3, and the installed libsndfile .* cannot decode MP3"):
        import_corpus("commonvoice", tmp_path / "cv", tmp_path / "cv.jsonl")


def test_ljspeech_round_trip(tmp_path):
    write_ljspeech(tmp_path / "LJSpeech-1.1")
    out = tmp_path / "lj.jsonl"
    rep = import_corpus("ljspeech", tmp_path / "LJSpeech-1.1", out)
    items = read_manifest(out)
    # the normalized column when it is there, the raw one when it is empty
    assert [it.text for it in items] == ["Printing, in one sense", 'in being "comparatively" modern.']
    assert rep.written == 2 and "one speaker" in rep.notes[0]


def test_folder_round_trip(tmp_path):
    write_folder(tmp_path / "recordings")
    out = tmp_path / "recordings" / "manifest.jsonl"
    import_corpus("folder", tmp_path / "recordings", out)
    items = read_manifest(out)
    assert [(Path(it.audio_path).name, it.text, it.speaker) for it in items] == [
        ("one.wav", "turn left", "alice"), ("two.flac", "stop here please", "bob"), ("three.ogg", "hello", None)]


# ------------------------------------------------------------------ malformed input: file and line


@pytest.mark.parametrize("fmt, make, expected", [
    ("unipen", lambda r: (write_unipen(r), (r / "include/abc/data/w1.dat").write_text(".WRITER_ID a\n.PEN_DOWN\n\t1\t2\n\t3\tx\n.PEN_UP\n")),
     r"include/abc/data/w1\.dat:4: a pen sample must be numbers"),
    ("unipen", lambda r: (write_unipen(r), (r / "data/1a/abc/x/w1.dat").write_text(".INCLUDE nowhere.dat\n")),
     r"data/1a/abc/x/w1\.dat:1: \.INCLUDE nowhere\.dat: no such file"),
    ("unipen", lambda r: (write_unipen(r), (r / "data/1a/abc/x/w1.dat").write_text('.INCLUDE abc/data/w1.dat\n.SEGMENT WORD 0-7 ? "far"\n')),
     r"w1\.dat:2: \.SEGMENT 0-7 names component 7, but only 3 came before it"),
    ("iam-ondb", lambda r: (write_iam_ondb(r), (r / "lineStrokes/a01/a01-000/a01-000u-02.xml").unlink()),
     r"a01-000u\.txt:11: line 2 has no stroke file"),
    ("iam-ondb", lambda r: (write_iam_ondb(r), (r / "lineStrokes/a01/a01-000/a01-000u-01.xml").write_text("<a>\n<b>\n</a>")),
     r"a01-000u-01\.xml:3: not well-formed XML"),
    ("inkml", lambda r: (write_inkml(r), (r / "word.inkml").write_text('<ink>\n<annotation type="truth">a</annotation>\n<trace id="t9">1 2, 3 oops</trace></ink>')),
     r"word\.inkml:3: trace t9: a point needs x and y"),
    ("librispeech", lambda r: (write_librispeech(r), (r / "dev-clean/84/121123/84-121123.trans.txt").write_text("84-121123-0000 GO\n84-121123-0009 LOST\n")),
     r"84-121123\.trans\.txt:2: audio file .*84-121123-0009\.flac is missing"),
    ("commonvoice", lambda r: (write_commonvoice(r, False), (r / "validated.tsv").write_text((r / "validated.tsv").read_text() + "ccc\tx.ogg\tonly three\n")),
     r"validated\.tsv:5: 3 tab-separated fields where the header has 13"),
    ("ljspeech", lambda r: (write_ljspeech(r), (r / "metadata.csv").write_text("LJ001-0001|a|a\nLJ001-0002 no pipes\n")),
     r"metadata\.csv:2: expected ID\|text\|normalized text"),
    ("folder", lambda r: (write_folder(r), (r / "bob" / "two.txt").unlink()),
     r"two\.flac: no transcript two\.txt beside it"),
])
def test_malformed_input_names_file_and_line(tmp_path, fmt, make, expected):
    src = tmp_path / "src"
    make(src)
    out = tmp_path / "out.jsonl"
    with pytest.raises(CorpusError, match=expected):
        import_corpus(fmt, src, out)
    assert not out.exists()  # nothing half-written is left looking like a corpus
    rep = import_corpus(fmt, src, out, skip_bad=True)  # --skip-bad leaves it out and says so
    assert len(rep.skipped) == 1 and out.exists()


def test_cli_import_and_its_error(tmp_path, capsys):
    write_librispeech(tmp_path / "ls")
    assert main(["import", "librispeech", str(tmp_path / "ls"), str(tmp_path / "ls.jsonl")]) == 0
    assert "3 utterances" in capsys.readouterr().out
    (tmp_path / "ls/dev-clean/84/121123/84-121123.trans.txt").write_text("84-121123-0000\n")
    assert main(["import", "librispeech", str(tmp_path / "ls"), str(tmp_path / "ls.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "84-121123.trans.txt:1: expected 'UTTERANCE-ID TEXT'" in err


# ------------------------------------------------------------------ disjoint split


def test_speaker_disjoint_split(tmp_path, capsys):
    recs = tmp_path / "recs"
    for spk in range(6):
        for k in range(3 + spk):
            _tone(recs / f"s{spk}" / f"{k}.wav", seconds=0.05)
            (recs / f"s{spk}" / f"{k}.txt").write_text(f"word {k}")
    import_corpus("folder", recs, tmp_path / "all.jsonl")
    assert main(["split", str(tmp_path / "all.jsonl"), str(tmp_path / "split"), "--by", "speaker", "--val-fraction", "0.2"]) == 0
    train, val = read_manifest(tmp_path / "split/train.jsonl"), read_manifest(tmp_path / "split/val.jsonl")
    assert len(train) + len(val) == 33 and 0.2 * 33 <= len(val) < 0.2 * 33 + 8  # over by less than one speaker (3-8 each)
    assert not {it.speaker for it in train} & {it.speaker for it in val}
    assert all(Path(it.audio_path).is_file() for it in train + val)  # paths re-based on the new folder
    info = json.loads((tmp_path / "split/split.json").read_text())
    assert sorted(info["val_groups"]) == sorted({it.speaker for it in val})
    # the same seed gives the same split
    rep = split_corpus(tmp_path / "all.jsonl", tmp_path / "split2", by="speaker", val_fraction=0.2)
    assert rep.val_groups == info["val_groups"]


def test_writer_and_contributor_disjoint_split(tmp_path):
    from recognizers.ink import InkSample, write_ink_jsonl

    stroke = np.array([[0, 0, 0], [1, 1, 10]], np.float32)
    samples = [InkSample(f"w{i}", [stroke], f"c{i % 3}/{i % 5}") for i in range(60)] + [InkSample("anon", [stroke])]
    write_ink_jsonl(tmp_path / "ink.jsonl.gz", samples)
    rep = split_corpus(tmp_path / "ink.jsonl.gz", tmp_path / "w", by="writer", val_fraction=0.25)
    train, val = list(read_ink_samples(tmp_path / "w/train.jsonl.gz")), list(read_ink_samples(tmp_path / "w/val.jsonl.gz"))
    assert not {s.writer for s in train} & {s.writer for s in val} and len(train) + len(val) == 61
    assert rep.ungrouped == 1 and any(s.label == "anon" for s in train)
    split_corpus(tmp_path / "ink.jsonl.gz", tmp_path / "c", by="contributor", val_fraction=0.25)
    train = list(read_ink_samples(tmp_path / "c/train.jsonl.gz"))
    val = list(read_ink_samples(tmp_path / "c/val.jsonl.gz"))
    assert not {s.writer.split("/")[0] for s in train if s.writer} & {s.writer.split("/")[0] for s in val}
    with pytest.raises(ValueError, match="split it by writer or contributor, not speaker"):
        split_corpus(tmp_path / "ink.jsonl.gz", tmp_path / "x", by="speaker")
