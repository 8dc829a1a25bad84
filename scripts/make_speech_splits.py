"""Write the real speech recordings as train and validation manifests.

    .venv/bin/python scripts/make_speech_splits.py

Cathy (CMU ARCTIC prompts) is split by sentence, never by take (the rule is
recognizers.synth.text.is_cathy_validation); one FSDD speaker is held out whole.
Writes data/speech_real/{train,val,val_cathy,val_fsdd}.jsonl with absolute audio paths.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

from recognizers.training.datasets import read_manifest, shared_data_dir  # noqa: E402
from recognizers.synth.text import is_cathy_validation  # noqa: E402

FSDD_HELD_OUT = "lucas"


def write(path: Path, items) -> None:
    path.write_text("".join(json.dumps({"audio": it.audio_path, "text": it.text, "speaker": it.speaker}) + "\n" for it in items))
    print(f"{path.name}: {len(items)}")


def main() -> None:
    out = ROOT / "data" / "speech_real"
    out.mkdir(parents=True, exist_ok=True)
    cathy = read_manifest(shared_data_dir() / "speech" / "cathy" / "manifest.jsonl")
    fsdd = read_manifest(shared_data_dir() / "speech" / "fsdd" / "manifest.jsonl")
    for it in cathy:
        it.speaker = it.speaker or "cathy"
    val_cathy = [it for it in cathy if is_cathy_validation(it.text)]
    val_fsdd = [it for it in fsdd if it.speaker == FSDD_HELD_OUT]
    train = [it for it in cathy if not is_cathy_validation(it.text)] + [it for it in fsdd if it.speaker != FSDD_HELD_OUT]
    write(out / "train.jsonl", train)
    write(out / "val_cathy.jsonl", val_cathy)
    write(out / "val_fsdd.jsonl", val_fsdd)
    write(out / "val.jsonl", val_cathy + val_fsdd)


if __name__ == "__main__":
    main()
