"""Measure personalization honestly: a "new person" is a writer or speaker held out of
training; the active model is fine-tuned on 50 of their samples (the `quick-finetune`
preset for the modality, as the app's enrolment runs it) and tested on the rest of theirs.

    .venv/bin/python scripts/measure_personalization.py handwriting --writers art/writer08 imp/ostrowski imp/xiao
    .venv/bin/python scripts/measure_personalization.py speech --speakers lucas
    # a variant of the preset, read with both decoders, written to its own file
    .venv/bin/python scripts/measure_personalization.py handwriting --set lr=2e-4 --decoders greedy beam --tag lr2e-4

Writes docs/figures/personalization-<modality>[-<tag>].json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

import torch  # noqa: E402

import recognizers.synth.ink  # noqa: E402,F401  (registers the synth-ink spec that the handwriting replay uses)
from recognizers.metrics import error_rates  # noqa: E402
from recognizers.training.presets import quick_finetune  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402
from recognizers.training.loop import TrainConfig, train  # noqa: E402

N_ENROL = 50  # samples the person gives (about 50 prompts)
N_VAL = 10  # of those, kept to pick the best step


def rates(model: str, modality: str, samples, decoder: str = "greedy") -> dict:
    rec = Recognizer.load(model, modality, device="cpu", decoder=decoder)
    return error_rates([(ref, rec.recognize(x).text) for x, ref in samples], modality).as_dict()


def run_person(modality: str, person: str, enrol, test, replay: list[str], base: str, threads: int,
               preset: dict, decoders: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        tr, va = enrol[N_VAL:], enrol[:N_VAL]
        if modality == "handwriting":
            from recognizers.ink import write_ink_jsonl

            write_ink_jsonl(d / "train.jsonl", [s for s, _ in tr])
            write_ink_jsonl(d / "val.jsonl", [s for s, _ in va])
            data, val = [f"ink:{d}/train.jsonl"], [f"ink:{d}/val.jsonl"]
        else:
            for name, part in (("train", tr), ("val", va)):
                (d / f"{name}.jsonl").write_text("".join(json.dumps({"audio": it.audio_path, "text": it.text, "speaker": it.speaker}) + "\n" for it, _ in part))
            data, val = [f"speech:{d}/train.jsonl"], [f"speech:{d}/val.jsonl"]
        cfg = TrainConfig.from_dict({**preset, "modality": modality, "init_from": base, "data": data, "val_data": val, "replay_data": replay, "out_dir": str(d / "run"), "threads": threads, "holdout": []})
        t0 = time.time()
        train(cfg)
        minutes = (time.time() - t0) / 60
        test_xy = [(x, ref) for x, ref in test]
        res = {"person": person, "enrol": len(enrol), "test": len(test), "minutes": round(minutes, 2)}
        key = "cer" if modality == "handwriting" else "wer"
        for dec in decoders:  # the first decoder's figures keep the plain names
            tag = "" if dec == decoders[0] else f" {dec}"
            before = rates(base, modality, test_xy, dec)
            after = rates(str(d / "run" / "best.pt"), modality, test_xy, dec)
            res |= {"before" + tag: before, "after" + tag: after, "relative_reduction" + tag: round(1 - after[key] / max(before[key], 1e-9), 3)}
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("modality", choices=("handwriting", "speech"))
    ap.add_argument("--writers", nargs="*", default=["art/writer08", "imp/ostrowski", "imp/xiao"])
    ap.add_argument("--speakers", nargs="*", default=["lucas"])
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                    help="change the quick-finetune preset for this measure (lr=2e-4 total_steps=500)")
    ap.add_argument("--decoders", nargs="+", default=["greedy"], choices=("greedy", "beam"),
                    help="read the test samples with these decoders (the app's default is beam)")
    ap.add_argument("--tag", default="", help="written to docs/figures/personalization-<modality>-<tag>.json")
    args = ap.parse_args()
    preset = quick_finetune(args.modality)
    for kv in args.set:
        k, v = kv.split("=", 1)
        preset[k] = json.loads(v)
    torch.set_num_threads(args.threads)
    base = args.model or str(default_model_path(args.modality))
    rng = random.Random(0)
    results = []
    if args.modality == "handwriting":
        from recognizers.ink import read_ink_samples

        words = list(read_ink_samples(ROOT / "data" / "handwriting_val" / "word.jsonl.gz"))
        for w in args.writers:
            mine = [s for s in words if s.writer == w]
            rng.shuffle(mine)
            enrol = [(s, s.label) for s in mine[:N_ENROL]]
            test = [(s.strokes, s.label) for s in mine[N_ENROL:]]
            results.append(run_person("handwriting", w, enrol, test, ["synth-ink:2000"], base, args.threads, preset, args.decoders))
            print(json.dumps(results[-1]))
    else:
        from recognizers.audio import load_audio
        from recognizers.training.datasets import read_manifest

        items = read_manifest(ROOT / "data" / "speech_real" / "val_fsdd.jsonl")
        for spk in args.speakers:
            mine = [it for it in items if it.speaker == spk]
            rng.shuffle(mine)
            enrol = [(it, it.text) for it in mine[:N_ENROL]]
            test = [(load_audio(it.audio_path), it.text) for it in mine[N_ENROL:]]
            replay = ["speech:data/speech_synth/train.jsonl"] if (ROOT / "data/speech_synth/train.jsonl").exists() else []
            results.append(run_person("speech", spk, enrol, test, replay, base, args.threads, preset, args.decoders))
            print(json.dumps(results[-1]))
    out = ROOT / "docs" / "figures" / f"personalization-{args.modality}{'-' + args.tag if args.tag else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"base": Path(base).name, "preset": preset, "decoders": args.decoders, "results": results}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
