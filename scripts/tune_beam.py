"""Tune the lexicon beam decoder's weights on one part of the held-out data, and report
greedy versus beam on another part it never saw.

    .venv/bin/python scripts/tune_beam.py handwriting --data data/handwriting_val/{word,text}.jsonl.gz --tune-group art \
        --search-lm-weights 0.3 --search-word-score 4
    .venv/bin/python scripts/tune_beam.py speech --data data/speech_real/val.jsonl --tune-group cathy-a \
        --search-nbest 20 --beam-size 100 --search-lm-weights 1.0,1.5,2.0 --search-word-score 0 --max-words 60000

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


def load(modality: str, data: str) -> list[tuple[str, str, object]]:
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


def score(decoder, items: list, modality: str) -> tuple[object, float, list[tuple[str, str]]]:
    t0 = time.perf_counter()
    pairs = [(ref, decoder.decode(lp)[0].text) for _, ref, lp in items]
    ms = (time.perf_counter() - t0) * 1000 / max(len(items), 1)
    return error_rates(pairs, modality), ms, pairs


def ranked(parts: list, items: list, modality: str, lm_weight: float, word_score: float, oov_logprob: float):
    """Rates when the cached candidates are ranked with these weights (no new search).
    `parts` holds, per item, each candidate's (text, CTC log-likelihood, {oov: LM score}, words):
    the terms of `LexiconBeamDecoder.rescore`, computed once so the grid only adds them up."""
    pairs = []
    for (_, ref, _), cands in zip(items, parts):
        best = max(cands, key=lambda c: c[1] + lm_weight * c[2][oov_logprob] + word_score * c[3], default=("",))
        pairs.append((ref, best[0]))
    return error_rates(pairs, modality)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("modality", choices=("handwriting", "speech"))
    ap.add_argument("--data", required=True, nargs="+", help="one or more sample files, read as one set "
                    "(for handwriting, words and lines together, so that the weights suit both)")
    ap.add_argument("--tune-group", required=True, help="the group the weights are tuned on; the rest is the test part")
    ap.add_argument("--model")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--search-nbest", type=int, help="hypotheses flashlight's search keeps for ranking (default: the decoder's n-best)")
    ap.add_argument("--beam-size", type=int, default=50, help="flashlight's beam size")
    ap.add_argument("--search-lm-weights", default="0.5", help="comma-separated LM weights to try inside the search")
    ap.add_argument("--search-word-score", type=float, default=2.0, help="the word score inside the search")
    ap.add_argument("--max-words", type=int, default=20000, help="the lexicon: this many of the most frequent words")
    ap.add_argument("--log-probs", help="a file keeping the model's outputs: written the first time, read after "
                    "(compare word lists and LMs without running the model again; refused for another model or data)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model_path = Path(args.model or default_model_path(args.modality))
    rec = Recognizer.load(model_path, args.modality, device="cpu", decoder="greedy")
    cache = Path(args.log_probs) if args.log_probs else None
    made_by = {"modality": args.modality, "data": [str(Path(d).resolve()) for d in args.data], "limit": args.limit,
               "model": str(model_path.resolve()), "model_bytes": model_path.stat().st_size, "model_mtime": model_path.stat().st_mtime}
    if cache is not None and cache.is_file():
        saved = torch.load(cache, weights_only=True)
        if saved.get("made_by") != made_by:
            ap.error(f"--log-probs {cache} was made by another model, data or limit ({saved.get('made_by')}); delete it")
        items = saved["items"]
    else:
        raw = [it for d in args.data for it in load(args.modality, d)]
        if args.limit:
            raw = raw[: args.limit]
        feats = [(g, ref, rec.features(x)) for g, ref, x in raw]  # once: for speech this runs the encoder
        items = [(g, ref, rec.log_probs(f)) for g, ref, f in feats if len(f)]
        if cache is not None:
            torch.save({"made_by": made_by, "items": items}, cache)
    tune = [it for it in items if it[0] == args.tune_group]
    test = [it for it in items if it[0] != args.tune_group]
    print(f"{len(tune)} samples to tune on ({args.tune_group}), {len(test)} to test on")
    a = rec.ckpt.alphabet
    greedy = GreedyDecoder(a)
    g_tune, _, _ = score(greedy, tune, args.modality)
    best = None
    oovs = (-5.0, -7.0, -10.0, -15.0, -20.0, -25.0, -30.0)
    search_opts = {"search_nbest": args.search_nbest, "beam_size": args.beam_size, "search_word_score": args.search_word_score, "max_words": args.max_words}
    for slw in [float(x) for x in args.search_lm_weights.split(",") if x]:
        search = LexiconBeamDecoder(a, "lexicon", search_lm_weight=slw, **search_opts)
        parts = []
        for _, _, lp in tune:
            texts = search.candidates(lp)
            ac = search.ctc_logp(lp, texts)
            parts.append([(t, c, {o: search.lm_score(t, o) for o in oovs}, len(t.split())) for t, c in zip(texts, ac)])
        for lw, ws, oov in itertools.product((0.1, 0.25, 0.35, 0.5, 0.65, 0.8, 1.0, 1.5), (-8.0, -6.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0), oovs):
            r = ranked(parts, tune, args.modality, lw, ws, oov)
            key = r.cer if args.modality == "handwriting" else r.wer
            if best is None or key < best[0] - 1e-9:
                best = (key, lw, ws, oov, slw)
                print(f"  search lm_weight {slw}: lm_weight {lw:4.2f} word_score {ws:4.1f} oov {oov:5.1f}: CER {r.cer:.4f} WER {r.wer:.4f}", flush=True)
    if best is None:
        ap.error("--search-lm-weights gave no weight to try")
    _, lw, ws, oov, slw = best
    # the search as it found the candidates; the ranking as tuned
    chosen = {"lm_weight": lw, "word_score": ws, "oov_logprob": oov, "search_lm_weight": slw, "search_word_score": args.search_word_score}
    if args.search_nbest:
        chosen["search_nbest"] = args.search_nbest
    chosen["beam_size"], chosen["max_words"] = args.beam_size, args.max_words  # written out, so the json says it all
    beam = LexiconBeamDecoder(a, "lexicon", **chosen)
    g_test, g_ms, g_pairs = score(greedy, test, args.modality)
    b_test, b_ms, b_pairs = score(beam, test, args.modality)
    groups = sorted({g for g, _, _ in test})
    per_group = {g: {"n": sum(1 for it in test if it[0] == g),
                     **{name: error_rates([p for it, p in zip(test, pairs) if it[0] == g], args.modality).as_dict()
                        for name, pairs in (("greedy", g_pairs), ("beam", b_pairs))}}
                 for g in groups} if len(groups) > 1 else {}
    res = {
        "tuned_on": args.tune_group,
        **chosen,
        "tune_greedy": g_tune.as_dict(),
        "test_n": len(test),
        "test_greedy": g_test.as_dict(),
        "test_beam": b_test.as_dict(),
        "decode_ms_greedy": round(g_ms, 2),
        "decode_ms_beam": round(b_ms, 2),
        **({"test_groups": per_group} if per_group else {}),
    }
    print(json.dumps(res, indent=1))
    tuned = json.loads(TUNED.read_text()) if TUNED.exists() else {}
    tuned[args.modality] = chosen
    TUNED.write_text(json.dumps(tuned, indent=1) + "\n")
    out = ROOT / "docs" / "figures" / f"beam-{args.modality}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
