"""Tune the lexicon beam decoder's weights on one part of the held-out data, and report
greedy versus beam on another part it never saw.

    .venv/bin/python scripts/tune_beam.py handwriting --data data/handwriting_val/word.jsonl.gz --tune-group art
    .venv/bin/python scripts/tune_beam.py speech --data data/speech_real/val.jsonl --tune-group cathy-a

Groups: a handwriting sample's contributor (the writer id before "/"); for speech, the
speaker, with Cathy's sentences split in two halves by a hash of the text ("cathy-a",
"cathy-b") so that tuning and testing never share a sentence. Writes the chosen weights
to resources/lm/decoder.json and the figures to docs/figures/beam-<modality>.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

import torch  # noqa: E402

from recognizers.decoding.ctc import GreedyDecoder  # noqa: E402
from recognizers.decoding.lexicon import TUNED, LexiconBeamDecoder  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402


def load(modality: str, data: str):
    """(group, reference, input) triples."""
    if modality == "handwriting":
        from recognizers.ink import read_ink_samples

        return [((s.writer or "").split("/")[0], s.label, s.strokes) for s in read_ink_samples(data)]
    from recognizers.audio import load_audio
    from recognizers.training.datasets import read_manifest

    out = []
    for it in read_manifest(data):
        g = it.speaker or ""
        if g == "cathy":
            g = "cathy-a" if zlib.crc32(it.text.lower().encode()) % 2 == 0 else "cathy-b"
        out.append((g, it.text, load_audio(it.audio_path)))
    return out


def score(decoder, items, modality):
    t0 = time.perf_counter()
    pairs = [(ref, decoder.decode(lp)[0].text) for _, ref, lp in items]
    ms = (time.perf_counter() - t0) * 1000 / max(len(items), 1)
    return error_rates(pairs, modality), ms


def rescored(decoder, cands, items, modality, **weights):
    """Rates when the cached candidates are ranked with `weights` (no new search)."""
    pairs = []
    for (_, ref, lp), texts in zip(items, cands):
        sc = decoder.rescore(lp, texts, **weights)
        pairs.append((ref, texts[max(range(len(texts)), key=sc.__getitem__)] if texts else ""))
    return error_rates(pairs, modality)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("modality", choices=("handwriting", "speech"))
    ap.add_argument("--data", required=True)
    ap.add_argument("--tune-group", required=True, help="the group the weights are tuned on; the rest is the test part")
    ap.add_argument("--model")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rec = Recognizer.load(args.model or default_model_path(args.modality), args.modality, device="cpu", decoder="greedy")
    raw = load(args.modality, args.data)
    if args.limit:
        raw = raw[: args.limit]
    items = [(g, ref, rec.log_probs(rec.features(x))) for g, ref, x in raw if len(rec.features(x))]
    tune = [it for it in items if it[0] == args.tune_group]
    test = [it for it in items if it[0] != args.tune_group]
    print(f"{len(tune)} samples to tune on ({args.tune_group}), {len(test)} to test on")
    a = rec.ckpt.alphabet
    greedy = GreedyDecoder(a)
    g_tune, _ = score(greedy, tune, args.modality)
    best = None
    search = LexiconBeamDecoder(a, "lexicon")
    cands = [search.candidates(lp) for _, _, lp in tune]
    for lw, ws, oov in itertools.product((0.1, 0.25, 0.5, 1.0, 1.5), (-8.0, -6.0, -4.0, -2.0, 0.0, 2.0, 4.0), (-5.0, -7.0, -10.0, -15.0)):
        r = rescored(search, cands, tune, args.modality, lm_weight=lw, word_score=ws, oov_logprob=oov)
        key = r.cer if args.modality == "handwriting" else r.wer
        print(f"  lm_weight {lw:4.2f} word_score {ws:4.1f} oov {oov:5.1f}: CER {r.cer:.4f} WER {r.wer:.4f}")
        if best is None or key < best[0]:
            best = (key, lw, ws, oov)
    _, lw, ws, oov = best
    beam = LexiconBeamDecoder(a, "lexicon", lm_weight=lw, word_score=ws, oov_logprob=oov)
    g_test, g_ms = score(greedy, test, args.modality)
    b_test, b_ms = score(beam, test, args.modality)
    res = {
        "tuned_on": args.tune_group,
        "lm_weight": lw,
        "word_score": ws,
        "oov_logprob": oov,
        "tune_greedy": g_tune.as_dict(),
        "test_n": len(test),
        "test_greedy": g_test.as_dict(),
        "test_beam": b_test.as_dict(),
        "decode_ms_greedy": round(g_ms, 2),
        "decode_ms_beam": round(b_ms, 2),
    }
    print(json.dumps(res, indent=1))
    tuned = json.loads(TUNED.read_text()) if TUNED.exists() else {}
    tuned[args.modality] = {"lm_weight": lw, "word_score": ws, "oov_logprob": oov}
    TUNED.write_text(json.dumps(tuned, indent=1) + "\n")
    out = ROOT / "docs" / "figures" / f"beam-{args.modality}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
