"""Speech recognizers side by side on the same held-out sets: WER, CER and real-time factor.

    .venv/bin/python scripts/make_speech_splits.py      # once
    git show a4f0d89:resources/models/speech.pt > runs/speech-logmel.pt   # the last log-mel model
    .venv/bin/python scripts/bench_speech.py [--model PATH] [--logmel runs/speech-logmel.pt]
        [--limit N] [--ref-limit N] [--no-pocketsphinx] [--no-whisper]

Systems: Scrivox (this model) greedy and beam (with --speed-views also reading each recording
at three speeds, the setting "Read speech at three speeds"); the log-mel model greedy and beam (with the
beam weights it was tuned with); pocketsphinx 5 (default en-us); Whisper tiny.en itself
(the same CTranslate2 weights the encoder comes from, greedy, int8, 30 s padded input, as
faster-whisper runs it) as the reference. Also: words produced on 30 s of digital silence,
room noise and music, and FSDD lucas with 0.5 s of
silence around each digit (Scrivox models). Real-time factor = decoding time / audio time, one
CPU thread, features and encoder included. Writes docs/figures/speech-bench.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import _checkout  # noqa: E402,F401  (data folders of a development checkout)
import numpy as np  # noqa: E402
import torch  # noqa: E402

from recognizers.audio import SAMPLE_RATE, load_audio  # noqa: E402
from recognizers.decoding import DecoderSettings  # noqa: E402
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402
from recognizers.training.datasets import read_manifest  # noqa: E402

SETS = {
    "Cathy, held-out sentences": "data/speech_real/val_cathy.jsonl",
    "FSDD, held-out speaker lucas": "data/speech_real/val_fsdd.jsonl",
    "synthetic, held-out family flite": "data/speech_synth/val_flite.jsonl",
}
PADDED = "FSDD lucas, 0.5 s silence around"
# the beam weights the log-mel model was tuned with (resources/lm/decoder.json at a4f0d89); since
# session 5 its beam runs with today's search width and lexicon (decoder.json), these weights pinned
LOGMEL_BEAM = {"lm_weight": 0.5, "word_score": -4.0, "oov_logprob": -10.0}


def _items(path: Path, limit: int | None) -> list[tuple[str, np.ndarray]]:
    items = read_manifest(path)
    return [(it.text, load_audio(it.audio_path)) for it in (items[:limit] if limit else items)]


def run(transcribe, data: list[tuple[str, np.ndarray]]) -> dict:
    pairs, dec_s, audio_s = [], 0.0, 0.0
    for ref, audio in data:
        t0 = time.perf_counter()
        text = transcribe(audio)
        dec_s += time.perf_counter() - t0
        audio_s += len(audio) / SAMPLE_RATE
        pairs.append((ref, text))
    return {**error_rates(pairs, "speech").as_dict(), "rtf": round(dec_s / max(audio_s, 1e-9), 4)}


def non_speech_words(rec: Recognizer) -> dict:
    from recognizers.synth.noise import non_speech

    rng = np.random.default_rng(123)
    return {kind: len(rec.recognize(non_speech(kind, 30.0, rng)).text.split()) for kind in ("silence", "room", "music", "breath", "keys")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(default_model_path("speech")))
    ap.add_argument("--logmel", help="a log-mel speech model to compare with (e.g. runs/speech-logmel.pt)")
    ap.add_argument("--limit", type=int, help="first N utterances of each set")
    ap.add_argument("--ref-limit", type=int, default=None, help="first N of each set for pocketsphinx and Whisper (slow)")
    ap.add_argument("--no-pocketsphinx", action="store_true")
    ap.add_argument("--no-whisper", action="store_true")
    ap.add_argument("--speed-views", action="store_true", help="also this model reading each recording at three speeds (Recognizer.set_views)")
    ap.add_argument("--json", default=str(ROOT / "docs" / "figures" / "speech-bench.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = {name: _items(ROOT / p, args.limit) for name, p in SETS.items() if (ROOT / p).exists()}
    ref_data = {name: d[: args.ref_limit] if args.ref_limit else d for name, d in data.items()}
    lucas = "FSDD, held-out speaker lucas"
    if lucas in data:  # the same digits with 0.5 s of digital silence before and after (Scrivox models only)
        pad = np.zeros(SAMPLE_RATE // 2, np.float32)
        data[PADDED] = [(ref, np.concatenate([pad, a, pad])) for ref, a in data[lucas]]
    systems: list[tuple[str, object, bool]] = []
    # scrivox reads as the app does by default (the recording once); scrivox_speeds, with
    # --speed-views, also at the speeds of SPEED_VIEWS (the setting "Read speech at three speeds")
    models = [("scrivox", args.model, {}, False), ("logmel", args.logmel, LOGMEL_BEAM, False)]
    if args.speed_views:
        models.insert(1, ("scrivox_speeds", args.model, {}, True))
    for label, path, beam_weights, views in models:
        if not path:
            continue
        for dec in ("greedy", "beam"):
            settings = DecoderSettings(dec, **(beam_weights if dec == "beam" else {}))
            rec = Recognizer.load(path, "speech", device="cpu", decoder=settings)
            rec.set_views(views)
            systems.append((f"{label}_{dec}", lambda a, r=rec: r.recognize(a).text, False))
    if not args.no_whisper:
        sys.path.insert(0, str(ROOT / "scripts"))
        from whisper_reference import WhisperReference

        ref = WhisperReference()
        systems.append(("whisper_tiny.en", ref.transcribe, True))
    if not args.no_pocketsphinx:
        import bench_pocketsphinx as ps

        decoder = ps.make_decoder()

        def sphinx(audio: np.ndarray) -> str:
            decoder.start_utt()
            decoder.process_raw((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes(), full_utt=True)
            decoder.end_utt()
            h = decoder.hyp()
            return h.hypstr if h is not None else ""

        systems.append(("pocketsphinx", sphinx, True))
    res: dict = {}
    for sysname, fn, slow in systems:
        for name, d in (ref_data if slow else data).items():
            if slow and name == PADDED:
                continue
            res.setdefault(name, {})[sysname] = r = run(fn, d)
            print(f"{name:34s} {sysname:18s} n={r['n']:4d} WER {r['wer'] * 100:5.1f}% CER {r['cer'] * 100:5.1f}% RTF {r['rtf']:.4f}", flush=True)
    quiet = {}
    for label, path in (("scrivox", args.model), ("logmel", args.logmel)):
        if path:
            quiet[label] = non_speech_words(Recognizer.load(path, "speech", device="cpu", decoder="greedy"))
    if args.speed_views:
        rec = Recognizer.load(args.model, "speech", device="cpu", decoder="greedy")
        rec.set_views(True)
        quiet["scrivox_speeds"] = non_speech_words(rec)
    for label, words in quiet.items():
        print(f"words on 30 s of non-speech, {label}: {words}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": Path(args.model).name, "logmel": args.logmel and Path(args.logmel).name, "limit": args.limit,
                               "ref_limit": args.ref_limit, "sets": res, "non_speech_words_30s": quiet}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
