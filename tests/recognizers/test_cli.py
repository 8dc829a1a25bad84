import json
import subprocess
import sys

import pytest

from recognizers.cli import main
from recognizers.ink import write_ink_jsonl
from recognizers.training.presets import PRESETS
from recognizers.training.loop import TrainConfig, train

from .inkgen import make_samples


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    write_ink_jsonl(d / "train.jsonl", make_samples(300, seed=1))
    train(TrainConfig.from_dict({**PRESETS["tiny-handwriting"], "data": [f"ink:{d}/train.jsonl"], "out_dir": str(d / "run"), "total_steps": 40, "eval_every": 40}))
    return d / "run" / "best.pt"


def test_help_documents_every_command():
    out = subprocess.run([sys.executable, "-m", "recognizers", "--help"], capture_output=True, text=True, check=True).stdout
    for cmd in ("train", "evaluate", "transcribe"):
        assert cmd in out
    ev = subprocess.run([sys.executable, "-m", "recognizers", "evaluate", "--help"], capture_output=True, text=True, check=True).stdout
    for opt in ("--data", "--model", "--json", "--decoder", "--no-views"):
        assert opt in ev


@pytest.mark.parametrize("decoder,views", [("greedy", True), ("prefix", True), ("greedy", False)])
def test_evaluate_writes_the_figures(tmp_path, tiny_model, decoder, views, capsys):
    write_ink_jsonl(tmp_path / "test.jsonl.gz", make_samples(30, seed=9, writer="z"))
    rc = main(["evaluate", "handwriting", "--data", str(tmp_path / "test.jsonl.gz"), "--model", str(tiny_model), "--json", str(tmp_path / "out.json"), "--decoder", decoder]
              + ([] if views else ["--no-views"]))
    assert rc == 0
    res = json.loads((tmp_path / "out.json").read_text())
    assert set(res) == {"n", "cer", "wer", "exact", "ms_per_sample"} and res["n"] == 30
    assert res["ms_per_sample"] > 0
    # the figures are those of the recognizer run sample by sample
    from recognizers.ink import read_ink_samples
    from recognizers.metrics import error_rates
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(tiny_model, decoder=decoder)
    assert rec.ink_views  # the default
    rec.ink_views = views
    pairs = [(s.label, rec.recognize(s.strokes).text) for s in read_ink_samples(tmp_path / "test.jsonl.gz")]
    expected = error_rates(pairs, "handwriting")
    assert (res["cer"], res["wer"], res["exact"]) == pytest.approx((expected.cer, expected.wer, expected.exact))
    assert "CER=" in capsys.readouterr().out


def test_transcribe_and_clear_errors(tmp_path, tiny_model, capsys):
    write_ink_jsonl(tmp_path / "one.jsonl", make_samples(1, seed=4))
    assert main(["transcribe", "handwriting", str(tmp_path / "one.jsonl"), "--model", str(tiny_model)]) == 0
    assert "one.jsonl[0]\t" in capsys.readouterr().out
    (tmp_path / "broken.pt").write_text("nope")
    assert main(["transcribe", "handwriting", str(tmp_path / "one.jsonl"), "--model", str(tmp_path / "broken.pt")]) == 2
    assert "not a readable model file" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the recognizer left out: argparse's message names the choices
        main(["transcribe", str(tmp_path / "one.jsonl")])
    assert "is not a recognizer: say handwriting or speech first" in capsys.readouterr().err


def test_transcribe_details_gives_word_confidence_and_scored_alternatives(tmp_path, tiny_model, capsys):
    write_ink_jsonl(tmp_path / "few.jsonl", make_samples(4, seed=5))
    assert main(["transcribe", "handwriting", str(tmp_path / "few.jsonl"), "--model", str(tiny_model), "--decoder", "prefix", "--details"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    for line in lines:
        d = json.loads(line)
        assert [w["word"] for w in d["words"]] == d["text"].split()
        assert all(0.0 <= w["confidence"] <= 1.0 for w in d["words"])
        alts = d["alternatives"]
        assert alts and alts[0]["text"] == d["text"]
        assert [a["score"] for a in alts] == sorted((a["score"] for a in alts), reverse=True)
        assert sum(a["share"] for a in alts) == pytest.approx(1.0, abs=0.01)


def test_word_confidence_is_the_weakest_letter_of_each_word():
    from recognizers.decoding.confidence import nbest_shares, word_confidence

    assert word_confidence("ab  cd", [0.9, 0.4, 1.0, 1.0, 0.8, 0.7]) == [("ab", 0.4), ("cd", 0.7)]
    assert word_confidence("abc", [0.9]) == []  # confidences that do not match the text
    shares = nbest_shares([-1.0, -1.0 - 0.6931471805599453])
    assert shares == pytest.approx([2 / 3, 1 / 3])
    assert nbest_shares([float("-inf")] * 4) == [0.25] * 4  # no finite score: no preference


def test_aligned_confidence_agrees_with_the_best_path_and_needs_enough_frames():
    import torch

    from recognizers.decoding.ctc import aligned_confidence, greedy_path

    torch.manual_seed(0)
    for _ in range(5):
        lp = (torch.randn(40, 6) * 3).log_softmax(-1)
        labels, conf, _ = greedy_path(lp)
        assert aligned_confidence(lp, labels) == pytest.approx(conf, abs=1e-6)
    lp = (torch.randn(3, 6) * 3).log_softmax(-1)
    assert aligned_confidence(lp, [1, 1, 1]) == []  # 1 _ 1 _ 1 needs five frames
    assert len(aligned_confidence(lp, [1, 2, 3])) == 3


def test_score_run_reads_a_run_with_synthetic_ink(tmp_path):
    """The figures after a run (what the settings panel shows) for a run whose data is the
    synthetic ink: the training layer cannot make that ink itself, so `score-run` (the command
    line, a layer above) registers the generator first. In a fresh process, as the app runs it."""
    from pathlib import Path

    shipped = Path(__file__).resolve().parents[2] / "resources" / "models" / "handwriting.pt"
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"modality": "handwriting", "data": ["synth-ink:10"], "val_data": ["synth-ink:12"], "val_limit": 12}))
    out = subprocess.run([sys.executable, "-m", "recognizers", "score-run", "--config", str(cfg), "--model", str(shipped),
                          "--json", str(tmp_path / "figures.json")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = json.loads((tmp_path / "figures.json").read_text())["models"][str(shipped)]
    assert got["n"] == 12 and got["cer"] < 0.2  # the training fonts, read by the shipped model
    assert json.loads(out.stdout.strip().splitlines()[-1])["models"][str(shipped)] == got
