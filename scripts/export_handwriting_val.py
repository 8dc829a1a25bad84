"""Write the held-out handwriting validation splits as ink files that `evaluate` reads.

The held-out UNIPEN contributors (the preset's `holdout`) never reach training; each of
their sets goes to data/handwriting_val/<set>.jsonl.gz. Each held-out synthetic font goes
to synth-<font>.jsonl.gz when the synthetic generator is available.

    .venv/bin/python scripts/export_handwriting_val.py
    .venv/bin/python -m recognizers evaluate handwriting --data data/handwriting_val/word.jsonl.gz --json out.json
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _checkout  # noqa: E402,F401  (data folders of a development checkout)

from recognizers.alphabet import Alphabet  # noqa: E402
from recognizers.training.datasets import in_holdout, load_ink_spec  # noqa: E402
from recognizers.ink import write_ink_jsonl  # noqa: E402
from recognizers.training.presets import PRESETS  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "data" / "handwriting_val"


def main() -> None:
    holdout = PRESETS["handwriting"]["holdout"]
    alphabet = Alphabet.handwriting()
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("word", "digit", "upper", "lower", "text"):
        samples = [s for s in load_ink_spec(f"unipen:{name}") if in_holdout(s.writer, holdout)]
        samples = [s for s in samples if alphabet.covers(" ".join(s.label.split()))]
        write_ink_jsonl(OUT / f"{name}.jsonl.gz", samples)
        print(f"{name}: {len(samples)} samples from {sorted({s.writer.split('/')[0] for s in samples})}")
    try:
        from recognizers.synth.fonts import HELD_OUT_FONTS, font_available
        from recognizers.synth.ink import synth_ink_samples
    except ImportError:
        return
    for font in HELD_OUT_FONTS:
        if not font_available(font):
            print(f"synth-{font}: font not installed, skipped")
            continue
        val = synth_ink_samples(1000, seed=12345, fonts=[font], exclude_fonts=[])
        write_ink_jsonl(OUT / f"synth-{font}.jsonl.gz", val)
        print(f"synth-{font}: {len(val)} samples")


if __name__ == "__main__":
    main()
