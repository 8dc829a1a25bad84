import pytest
import torch

from recognizers.alphabet import Alphabet
from recognizers.checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from recognizers.decoding.ctc import GreedyDecoder, PrefixBeamDecoder
from recognizers.features import InkFeatureConfig
from recognizers.model import CTCModel, ModelConfig, reverse_padded


def tiny_model(strides=(2,)):
    return CTCModel(ModelConfig(4, 10, conv_channels=8, conv_strides=strides, hidden=6, layers=2, dropout=0.0)).eval()


def test_padded_batch_matches_single_sequences():
    torch.manual_seed(0)
    model = tiny_model()
    a, b = torch.randn(17, 4), torch.randn(9, 4)
    x = torch.zeros(2, 17, 4)
    x[0], x[1, :9] = a, b
    with torch.no_grad():
        batch, lens = model(x, torch.tensor([17, 9]))
        alone, _ = model(b.unsqueeze(0), torch.tensor([9]))
    assert lens.tolist() == [9, 5]
    torch.testing.assert_close(batch[1, :5], alone[0], atol=1e-5, rtol=1e-4)


def test_reverse_padded():
    x = torch.arange(8.0).view(2, 4, 1)
    r = reverse_padded(x, torch.tensor([4, 2]))
    assert r[:, :, 0].tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]


def test_alphabet_round_trip():
    a = Alphabet.handwriting()
    assert a.decode(a.encode("Hi, 42$!")) == "Hi, 42$!"
    with pytest.raises(KeyError):
        a.encode("~")


def test_greedy_and_prefix_decoders_agree_on_a_clear_path():
    a = Alphabet("ab")
    # frames: a a blank b  -> "ab"
    probs = torch.full((4, 3), 0.01)
    for t, c in enumerate([1, 1, 0, 2]):
        probs[t, c] = 0.98
    lp = probs.log()
    g = GreedyDecoder(a).decode(lp)[0]
    p = PrefixBeamDecoder(a, nbest=3).decode(lp)
    assert g.text == "ab" and p[0].text == "ab" and len(p) >= 2
    assert len(g.char_confidence) == 2 and all(c > 0.9 for c in g.char_confidence)


def test_checkpoint_round_trip_and_damage(tmp_path):
    model = tiny_model()
    ck = Checkpoint("handwriting", model.cfg, InkFeatureConfig(), Alphabet("abcdefghi"), model.state_dict(), {"name": "t"})
    save_checkpoint(tmp_path / "m.pt", ck)
    back = load_checkpoint(tmp_path / "m.pt")
    assert back.model_config == model.cfg and back.alphabet.chars == "abcdefghi" and back.info["name"] == "t"
    x = torch.randn(1, 12, 4)
    with torch.no_grad():
        torch.testing.assert_close(back.build_model()(x, torch.tensor([12]))[0], model(x, torch.tensor([12]))[0])
    (tmp_path / "bad.pt").write_bytes(b"\x00garbage")
    with pytest.raises(CheckpointError, match="not a readable model"):
        load_checkpoint(tmp_path / "bad.pt")
    # random bytes (a tester's corrupt.pt): one line, and never torch's advice to load unsafely
    (tmp_path / "random.pt").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(tmp_path / "random.pt")
    assert "damaged or not a Scrivox model" in str(err.value) and "weights_only" not in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(CheckpointError, match="no model file"):
        load_checkpoint(tmp_path / "missing.pt")
    torch.save({"format": "scrivox-ckpt-1", "modality": "handwriting"}, tmp_path / "half.pt")
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(tmp_path / "half.pt")


def test_weights_stored_as_float16_halve_the_file_and_load_as_float32(tmp_path):
    model = CTCModel(ModelConfig(4, 10, conv_channels=16, hidden=64, layers=2, dropout=0.0)).eval()
    ck = Checkpoint("handwriting", model.cfg, InkFeatureConfig(), Alphabet("abcdefghi"), model.state_dict(), {"name": "t"})
    save_checkpoint(tmp_path / "full.pt", ck)
    save_checkpoint(tmp_path / "half.pt", ck, weights="float16")
    full, half = (tmp_path / "full.pt").stat().st_size, (tmp_path / "half.pt").stat().st_size
    assert half < 0.6 * full
    back = load_checkpoint(tmp_path / "half.pt")
    assert all(v.dtype == torch.float32 for v in back.state_dict.values() if v.is_floating_point())
    x = torch.randn(1, 30, 4)
    with torch.no_grad():
        want, got = model(x, torch.tensor([30]))[0], back.build_model()(x, torch.tensor([30]))[0]
    torch.testing.assert_close(got, want, atol=5e-3, rtol=0)  # float16's rounding of the weights only
    assert torch.equal(got.argmax(-1), want.argmax(-1))
    with pytest.raises(ValueError, match="weights must be"):
        save_checkpoint(tmp_path / "x.pt", ck, weights="int4")


def test_charset_restriction_settles_ambiguous_shapes():
    from recognizers.recognizer import restrict

    a = Alphabet("oO0")
    probs = torch.tensor([[0.05, 0.5, 0.25, 0.2], [0.9, 0.04, 0.03, 0.03]])
    lp = probs.log()
    assert GreedyDecoder(a).decode(lp)[0].text == "o"
    assert GreedyDecoder(a).decode(restrict(lp, a.chars, "0123456789"))[0].text == "0"
    assert GreedyDecoder(a).decode(restrict(lp, a.chars, "O"))[0].text == "O"


def test_averaged_checkpoints_are_the_mean_of_their_weights(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "average_checkpoints.py"
    torch.manual_seed(2)
    a, b = tiny_model(), tiny_model()
    for name, m in (("a", a), ("b", b)):
        save_checkpoint(tmp_path / f"{name}.pt", Checkpoint("handwriting", m.cfg, InkFeatureConfig(), Alphabet("abcdefghi"), m.state_dict(), {"name": name, "samples_seen": 9, "val": {"cer": 0.1}, "holdout": ["art"]}))
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "soup.pt"), str(tmp_path / "a.pt"), str(tmp_path / "b.pt"), "--name", "soup"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    soup = load_checkpoint(tmp_path / "soup.pt")
    assert soup.info["name"] == "soup" and len(soup.info["averaged"]) == 2 and "samples_seen" not in soup.info
    assert "val" not in soup.info and soup.info["holdout"] == ["art"]  # a's figures are not the average's
    key = "lstms.0.fwd.weight_hh_l0"
    torch.testing.assert_close(soup.state_dict[key], (a.state_dict()[key] + b.state_dict()[key]) / 2)
    # a different network is refused with a message, and nothing is written
    other = CTCModel(ModelConfig(4, 10, conv_channels=8, hidden=7, layers=2, dropout=0.0))
    save_checkpoint(tmp_path / "c.pt", Checkpoint("handwriting", other.cfg, InkFeatureConfig(), Alphabet("abcdefghi"), other.state_dict(), {}))
    bad = subprocess.run([sys.executable, str(script), str(tmp_path / "bad.pt"), str(tmp_path / "a.pt"), str(tmp_path / "c.pt")], capture_output=True, text=True)
    assert bad.returncode != 0 and "same model" in bad.stderr and not (tmp_path / "bad.pt").exists()
    # a damaged input: a message, not a traceback
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    junk = subprocess.run([sys.executable, str(script), str(tmp_path / "j.pt"), str(tmp_path / "a.pt"), str(tmp_path / "junk.pt")], capture_output=True, text=True)
    assert junk.returncode != 0 and "Traceback" not in junk.stderr and "junk.pt" in junk.stderr
