"""How often dictated marks ("comma", "period", "question mark", "new line"...) come out as
marks: held-out Cathy sentence texts with one mark said inside and one at the end, spoken by
the held-out flite voices and by espeak-ng (a training family), read by the shipped speech model (beam) and
written as the app writes them (`app.formatting.dictate`, spoken punctuation on).

    .venv/bin/python scripts/measure_spoken_punctuation.py --n 40 --json docs/figures/spoken-punctuation.json

Prints, per mark, how often it was said and how often it came out at its place, and how many
marks came out that were not said (in all the words of the sentences)."""

from __future__ import annotations

import argparse
import difflib
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.formatting import NAMING, dictate  # noqa: E402
from recognizers.audio import load_audio  # noqa: E402
from recognizers.recognizer import Recognizer, default_model_path  # noqa: E402
from recognizers.text_norm import normalize_text  # noqa: E402

INSIDE = [("comma",), ("colon",), ("semicolon",), ("new", "line")]
END = [("period",), ("full", "stop"), ("question", "mark"), ("exclamation", "mark"), ("new", "paragraph")]
VOICES = {"flite-slt": ["flite", "-voice", "slt"], "flite-rms": ["flite", "-voice", "rms"],
          "flite-awb": ["flite", "-voice", "awb"], "espeak-en-us": ["espeak-ng", "-v", "en-us"]}


def render(cmd: list[str], text: str, out: Path) -> None:
    args = cmd + (["-t", text, "-o", str(out)] if cmd[0] == "flite" else ["-w", str(out), text])
    subprocess.run(args, check=True, capture_output=True)


def marks_of(text: str) -> list[str]:
    """The marks of a written text in order; a line break counts once per break."""
    return [c for c in text.replace("\n\n", "¶") if c in ".,:;?!\n¶"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="data/speech_real/val_cathy.jsonl")
    ap.add_argument("--n", type=int, default=40, help="sentences per voice")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--model", help="a speech checkpoint (default: the shipped one)")
    ap.add_argument("--verbose", action="store_true", help="print each utterance as said and as read")
    args = ap.parse_args()
    rng = random.Random(0)
    texts = list(dict.fromkeys(normalize_text(json.loads(line)["text"]) for line in open(args.data)))
    rng.shuffle(texts)
    rec = Recognizer.load(args.model or default_model_path("speech"), "speech", device="cpu", decoder="beam")
    said, placed, stray, exact, total = Counter(), Counter(), 0, 0, 0
    per_voice: dict[str, int] = {}
    n_voice: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for voice, cmd in VOICES.items():
            for k, text in enumerate(texts[: args.n]):
                words = text.split()
                # a mark said after "a", "the", "her"... is a word (`NAMING`): not there
                cuts = [c for c in range(1, len(words)) if words[c - 1] not in NAMING]
                if len(words) < 3 or not cuts or words[-1] in NAMING:
                    continue
                cut = rng.choice(cuts)
                inside, end = rng.choice(INSIDE), rng.choice(END)
                spoken = words[:cut] + list(inside) + words[cut:] + list(end)
                phrases = [" ".join(inside), " ".join(end)]
                want = marks_of(dictate([(w, 1.0) for w in spoken], "", True)[0])
                if len(want) != 2:  # the sentence says a mark's word itself ("a period of")
                    continue
                wav = Path(tmp) / f"{voice}-{k}.wav"
                render(cmd, " ".join(spoken), wav)
                rec_text = rec.recognize(load_audio(wav)).text
                got = marks_of(dictate([(w, 1.0) for w in rec_text.split()], "", True)[0])
                if args.verbose:
                    print(f"{voice}: {' '.join(spoken)!r} -> {rec_text!r}")
                # a mark said counts as written when it comes out in the order said (aligned)
                blocks = difflib.SequenceMatcher(None, want, got, autojunk=False).get_matching_blocks()
                hit = {b.a + j for b in blocks for j in range(b.size)}
                placed.update(phrases[i] for i in hit)
                stray += len(got) - len(hit)
                for p in phrases:
                    said[p] += 1
                exact += got == want
                total += 1
                per_voice[voice] = per_voice.get(voice, 0) + (got == want)
                n_voice[voice] = n_voice.get(voice, 0) + 1
    rows = {p: {"said": said[p], "written": placed[p]} for p in sorted(said)}
    for name, r in rows.items():
        print(f"{name:18s} said {r['said']:3d}  written at its place {r['written']:3d} ({100 * r['written'] / r['said']:.0f} %)")
    print(f"utterances with exactly the marks said: {exact} of {total}; marks not said (stray or out of place): {stray}")
    # espeak-ng is a training voice family; flite's voices are held out of all training
    print("exactly right, per voice: " + ", ".join(f"{v} {per_voice[v]} of {n_voice[v]}" for v in n_voice))
    if args.json:
        Path(args.json).write_text(json.dumps({"voices": list(VOICES), "n_per_voice": args.n, "marks": rows,
                                               "exact": exact, "utterances": total, "stray": stray,
                                               "exact_per_voice": per_voice, "utterances_per_voice": n_voice}, indent=1) + "\n")


if __name__ == "__main__":
    main()
