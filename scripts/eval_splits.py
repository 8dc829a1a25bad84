"""Evaluate a model on every held-out validation split and write the figures.

    .venv/bin/python scripts/export_handwriting_val.py   # once: writes data/handwriting_val/
    .venv/bin/python scripts/make_speech_splits.py       # once: writes data/speech_real/
    .venv/bin/python scripts/eval_splits.py handwriting [--model PATH] [--decoder greedy] [--tag NAME]
    .venv/bin/python scripts/eval_splits.py speech [--model PATH]

Each split is one `python -m recognizers evaluate` run (same code path as the CLI); the
figures go to docs/figures/<modality>-<tag>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

from recognizers.cli import main as cli_main  # noqa: E402

SPLITS = {
    "handwriting": {
        "unipen-word (art, imp)": "data/handwriting_val/word.jsonl.gz",
        "unipen-digit (art, imp)": "data/handwriting_val/digit.jsonl.gz",
        "unipen-upper (art, imp)": "data/handwriting_val/upper.jsonl.gz",
        "unipen-lower (art, imp)": "data/handwriting_val/lower.jsonl.gz",
        "unipen-text lines (art)": "data/handwriting_val/text.jsonl.gz",
        "synthetic, held-out font kaushanscript": "data/handwriting_val/synth-kaushanscript.jsonl.gz",
        "synthetic, held-out font dancingscript": "data/handwriting_val/synth-dancingscript.jsonl.gz",
    },
    "speech": {
        "Cathy, held-out sentences": "data/speech_real/val_cathy.jsonl",
        "FSDD, held-out speaker lucas": "data/speech_real/val_fsdd.jsonl",
        "synthetic, held-out voice family flite": "data/speech_synth/val_flite.jsonl",
    },
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("modality", choices=SPLITS)
    ap.add_argument("--model")
    ap.add_argument("--decoder", default="greedy")
    ap.add_argument("--tag", default="")
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()
    results = {}
    tmp = ROOT / "data" / "eval.json"
    for name, path in SPLITS[args.modality].items():
        if not (ROOT / path).exists():
            print(f"skip {name}: {path} is missing")
            continue
        argv = ["evaluate", args.modality, "--data", str(ROOT / path), "--json", str(tmp), "--decoder", args.decoder]
        if args.model:
            argv += ["--model", args.model]
        if args.limit:
            argv += ["--limit", str(args.limit)]
        print(f"{name}: ", end="", flush=True)
        cli_main(argv)
        results[name] = json.loads(tmp.read_text())
    tag = args.tag or args.decoder
    out = ROOT / "docs" / "figures" / f"{args.modality}-{tag}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": args.model or "shipped", "decoder": args.decoder, "splits": results}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
