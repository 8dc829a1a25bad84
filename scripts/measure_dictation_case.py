"""How dictation writes capitals, measured on real sentences' own words (no recognition): each
reference sentence is put in lower case without its punctuation, as the speech model gives it,
written by `app.formatting.dictate`, and compared word by word with the sentence as printed.
The first word of a sentence is not counted (it always takes a capital).

    .venv/bin/python scripts/measure_dictation_case.py [--json docs/figures/dictation-case.json]

Prints, with the shipped names (`proper_nouns`) and without them: words printed with a capital
inside a sentence, how many dictation writes so, and words it capitalises that the print does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402,F401  (data folders of a development checkout)

import app.formatting as formatting  # noqa: E402
from recognizers.paths import work_data_dir as data_dir  # noqa: E402

EDGE = ".,;:!?\"()[]{}"


def texts(manifest: Path) -> list[str]:
    seen: dict[str, None] = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            seen.setdefault(json.loads(line)["text"], None)
    return list(seen)


def count(sentences: list[str]) -> dict:
    c = {"capitalised": 0, "written so": 0, "capitalised wrongly": 0, "examples missed": [], "examples wrong": []}
    for ref in sentences:
        words = [w.strip(EDGE) for w in ref.split()]
        keep = [k for k, w in enumerate(words) if w]
        said = [(words[k].lower(), 1.0) for k in keep]
        out = formatting.dictate(said, "")[0].split()
        toks = ref.split()
        for j, k in enumerate(keep):
            if k == 0 or toks[k - 1].rstrip("\"')").endswith((".", "?", "!")):
                continue  # a sentence's first word
            want, got = words[k], out[j]
            if want != want.lower():
                c["capitalised"] += 1
                if got == want:
                    c["written so"] += 1
                elif len(c["examples missed"]) < 12:
                    c["examples missed"].append(want)
            elif got != want and len(c["examples wrong"]) < 12:
                c["capitalised wrongly"] += 1
                c["examples wrong"].append(f"{got} ({ref[:60]})")
            elif got != want:
                c["capitalised wrongly"] += 1
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    sets = {
        "Cathy's sentences (ARCTIC prompts, training and held out)": texts(data_dir() / "speech_real" / "train.jsonl") + texts(data_dir() / "speech_real" / "val_cathy.jsonl"),
        "the held-out flite sentences": texts(data_dir() / "speech_synth" / "val_flite.jsonl"),
    }
    shipped = formatting.proper_nouns
    res = {}
    for name, sentences in sets.items():
        sentences = [s for s in dict.fromkeys(sentences) if any(ch.isalpha() for ch in s)]
        row = {"sentences": len(sentences)}
        for label, names in (("without names", lambda: {}), ("with names", shipped)):
            formatting.proper_nouns = names
            row[label] = count(sentences)
        formatting.proper_nouns = shipped
        res[name] = row
        for label in ("without names", "with names"):
            c = row[label]
            print(f"{name} ({row['sentences']}), {label}: {c['written so']} of {c['capitalised']} capitalised words written so, "
                  f"{c['capitalised wrongly']} words capitalised that are not")
        print("  still missed:", ", ".join(row["with names"]["examples missed"]))
        print("  capitalised wrongly:", "; ".join(row["with names"]["examples wrong"]))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
