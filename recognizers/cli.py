"""The command line: ``python -m recognizers {train,evaluate,transcribe,import,split} ...``.

It calls the same functions as the GUI; argparse stays here, at the edge.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from recognizers.modality import MODALITIES, Modality

if TYPE_CHECKING:
    from recognizers.training.loop import TrainConfig


def _parse_value(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def load_train_config(modality: str, config: str | None, overrides: list[str]) -> TrainConfig:
    """A TrainConfig from a preset name or a JSON file, then `key=value` overrides."""
    from recognizers.training.faults import check_config_types
    from recognizers.training.presets import PRESETS
    from recognizers.training.loop import TrainConfig

    base: dict = dict(PRESETS[modality])
    if config:
        if config in PRESETS:
            base = {**base, **PRESETS[config]}
        else:
            p = Path(config)
            if not p.is_file():
                raise CliError(f"--config: {config} is neither a preset ({', '.join(PRESETS)}) nor a file")
            try:
                extra = json.loads(p.read_text(encoding="utf-8"))
            except (ValueError, RecursionError) as exc:
                raise CliError(f"--config: {p} is not a JSON file ({exc.__class__.__name__})") from None
            if not isinstance(extra, dict):
                raise CliError(f"--config: {p} must hold a JSON object of training options")
            base = {**base, **extra}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set expects key=value, got {item!r}")
        base[key.strip()] = _parse_value(value)
    base["modality"] = str(modality)  # a plain word in saved configs and training state
    check_config_types(TrainConfig, base)
    return TrainConfig.from_dict(base)


class ProgressPrinter:
    """Prints training progress on the terminal: a tqdm bar and evaluation lines."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, ev: dict) -> None:
        from tqdm import tqdm

        kind = ev["kind"]
        if kind == "progress":
            if self.bar is None:
                self.bar = tqdm(total=ev["total"], initial=ev["step"] - 1, unit="step", dynamic_ncols=True, file=sys.stderr)
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{ev['loss']:.3f}", sps=f"{ev['samples_per_s']:.0f}", refresh=False)
        elif kind == "eval":
            v = ev["val"]
            msg = f"step {ev['step']}: val CER {v['cer']:.4f} WER {v['wer']:.4f} exact {v['exact']:.4f}" + (" (best)" if ev["improved"] else "")
            (self.bar.write if self.bar else print)(msg)
        elif kind == "status":
            print(ev["message"], file=sys.stderr)
        elif kind == "done":
            if self.bar:
                self.bar.close()
            print(f"done after {ev['steps']} steps ({ev['samples_per_s']:.0f} samples/s); best {json.dumps(ev['best'])}; model: {ev['best_path']}")


class JsonProgress:
    """Writes every training event as one JSON line on stdout, for a parent process (the GUI)."""

    def __call__(self, ev: dict) -> None:
        # one write per line: print's text and newline go out apart when unbuffered, and a
        # torchrun peer's output (gloo's "[Gloo] Rank 1 is connected...") landed in between
        sys.stdout.write(json.dumps(ev) + "\n")
        sys.stdout.flush()


def cmd_train(args: argparse.Namespace) -> int:
    import logging
    import signal

    import recognizers.synth.ink  # noqa: F401  (registers the synth-ink data spec)
    from recognizers.training.faults import StatusLog, check_device, check_output_dir, check_resume_state, stop_on_signals
    from recognizers.training.loop import train

    cfg = load_train_config(args.modality, args.config, args.set or [])
    if args.out:
        cfg.out_dir = args.out
    if args.max_minutes is not None:
        cfg.max_minutes = args.max_minutes
    if args.device:
        cfg.device = args.device
    # found before any data is loaded, not at the first save after the work (issue 14)
    check_device(cfg.device)
    check_output_dir(cfg.out_dir)  # writable, space left; an interrupted save's temporary files removed
    if args.resume:
        check_resume_state(cfg.out_dir)
    progress = JsonProgress() if args.progress == "json" else ProgressPrinter()
    warnings = StatusLog(progress)  # damaged sample lines skipped while loading, shown as status
    logging.getLogger("recognizers").addHandler(warnings)
    try:
        with stop_on_signals() as stop:  # SIGINT and SIGTERM: stop at the next step, state saved
            train(cfg, stop.wrap(progress), resume=args.resume)
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        saved = (Path(cfg.out_dir) / "state.pt").is_file()
        print(f"\nstopped ({signal.Signals(signum).name}); " + (f"resume with --resume (state in {cfg.out_dir})" if saved else "nothing was saved yet"), file=sys.stderr)
        return 128 + signum
    except RuntimeError as exc:
        if args.resume and "loading state_dict" in str(exc):
            raise CliError(f"--resume: the state in {cfg.out_dir} was saved by a run with another model configuration; resume with that configuration, or start again in another --out") from None
        raise
    finally:
        logging.getLogger("recognizers").removeHandler(warnings)
    return 0


def _decoder_settings(args):
    from recognizers.decoding import DecoderSettings

    words: tuple[str, ...] = ()
    if args.user_words:
        p = Path(args.user_words)
        if not p.is_file():
            raise CliError(f"--user-words: no such file: {p}")
        try:
            words = tuple(p.read_bytes().decode("utf-8").split())
        except UnicodeDecodeError as exc:
            raise CliError(f"--user-words: {p} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return DecoderSettings(args.decoder, user_words=words, lm_weight=args.lm_weight, word_score=args.word_score)


def cmd_score_run(args: argparse.Namespace) -> int:
    import recognizers.synth.ink  # noqa: F401  (registers the synth-ink data spec, as cmd_train does)
    from recognizers.training.run_eval import score_run

    return score_run(args)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from recognizers.metrics import error_rates
    from recognizers.recognizer import Recognizer

    if args.limit is not None and args.limit < 1:
        raise CliError(f"--limit must be at least 1, not {args.limit}")
    if not Path(args.data).exists():
        raise CliError(f"--data: no such file or folder: {args.data}")
    rec = Recognizer.load(args.model, args.modality, device=args.device or "auto", decoder=_decoder_settings(args), precision=args.precision)
    if args.views is not None:
        rec.set_views(args.views)
    if rec.device_note:
        print(f"note: {rec.device_note}", file=sys.stderr)
    samples = args.modality.read_labelled(args.data)
    if args.limit:
        samples = itertools.islice(samples, args.limit)  # the readers stream: nothing past the limit is read
    pairs, total_ms = [], 0.0
    for x, ref in samples:
        t0 = time.perf_counter()
        if args.modality.is_ink:
            text = rec.recognize(x, charset=args.charset).text
        else:  # the long-audio path: a short file is read whole, a long one by pauses
            text = " ".join(s.text for s in rec.transcribe_long(x) if s.text)
        total_ms += (time.perf_counter() - t0) * 1000
        pairs.append((ref, text))
        if args.verbose and ref != text:
            print(f"  {ref!r} -> {text!r}")
    if not pairs:
        raise CliError(f"{args.data} holds no samples to evaluate on")
    rates = error_rates(pairs, args.modality)
    result = {**rates.as_dict(), "ms_per_sample": total_ms / max(len(pairs), 1)}
    print(f"n={result['n']}  CER={result['cer']:.4f}  WER={result['wer']:.4f}  exact={result['exact']:.4f}  ms/sample={result['ms_per_sample']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from recognizers.audio import cut_short_note
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(args.model, args.modality, device=args.device or "auto", decoder=_decoder_settings(args), precision=args.precision)
    if args.views is not None:
        rec.set_views(args.views)
    if rec.device_note:
        print(f"note: {rec.device_note}", file=sys.stderr)

    def show(name: str, r) -> None:
        if not args.details:
            print(f"{name}\t{r.text}")
            return
        print(json.dumps({
            "file": name, "text": r.text,
            "words": [{"word": w, "confidence": round(c, 3)} for w, c in r.word_confidence],
            "alternatives": [{"text": t, "score": round(s, 3) if math.isfinite(s) else None, "share": round(p, 3)}
                             for (t, s), p in zip(r.alternatives, r.shares())],
        }))

    for f in args.files:
        if not Path(f).exists():
            raise CliError(f"no such file: {f}")
        if args.modality.is_ink:
            from recognizers.ink import read_ink_samples

            for i, s in enumerate(read_ink_samples(f)):
                show(f"{f}[{i}]", rec.recognize(s.strokes))
        else:
            for seg in rec.transcribe_long(f):  # streamed: flat memory however long the file
                show(f if seg.start_s == 0 else f"{f}@{seg.start_s:.2f}", seg.recognition)
            if note := cut_short_note(f):
                print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from recognizers.training.importers import INK_FORMATS, import_corpus

    def tick(n: int) -> None:
        print(f"  {n} ...", file=sys.stderr)

    rep = import_corpus(args.format, args.src, args.out, skip_bad=args.skip_bad,
                        levels=args.levels.split(",") if args.levels else None,
                        include_dirs=args.include_dir, tsv=args.tsv, progress=tick)
    what = "ink samples" if args.format in INK_FORMATS else "utterances"
    print(f"wrote {rep.written} {what} to {rep.out}")
    if rep.skipped:
        print(f"skipped {len(rep.skipped)} malformed entries (--skip-bad); the first: {rep.skipped[0]}", file=sys.stderr)
    for note in rep.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    from recognizers.training.split import split_corpus

    rep = split_corpus(args.src, args.out_dir, by=args.by, val_fraction=args.val_fraction, seed=args.seed)
    print(f"{rep.train} training samples ({rep.train_groups} {rep.by}s) -> {rep.files['train']}")
    print(f"{rep.val} validation samples ({len(rep.val_groups)} {rep.by}s) -> {rep.files['val']}")
    if rep.ungrouped:
        print(f"note: {rep.ungrouped} samples carry no {rep.by} id; they were kept in training", file=sys.stderr)
    return 0


def _modality(value: str) -> Modality:
    """argparse's type for the recognizer argument: its own message names the choices
    (a ValueError would print "invalid parse value: 'file.wav'")."""
    try:
        return Modality.parse(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a recognizer: say handwriting or speech first, then the files") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m recognizers", description="Scrivox recognizers: train, evaluate and run the handwriting and speech models.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train or fine-tune a model (resumable)")
    t.add_argument("modality", type=_modality, choices=MODALITIES)
    t.add_argument("--config", help="a preset name (handwriting, speech, tiny-handwriting, tiny-speech, quick-finetune) or a JSON file of TrainConfig fields")
    t.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one TrainConfig field (JSON value), repeatable")
    t.add_argument("--out", help="output directory (default: the config's out_dir)")
    t.add_argument("--resume", action="store_true", help="continue from OUT/state.pt after an interruption")
    t.add_argument("--max-minutes", type=float, help="stop resumably after this many minutes")
    t.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    t.add_argument("--progress", choices=("bar", "json"), default="bar", help="a progress bar (default), or one JSON event per line on stdout for another program")
    t.set_defaults(func=cmd_train)

    for name, helptext, func in (("evaluate", "score a model on labelled data: CER, WER, exact match, time", cmd_evaluate), ("transcribe", "print the text of ink or audio files", cmd_transcribe)):
        e = sub.add_parser(name, help=helptext)
        e.add_argument("modality", type=_modality, choices=MODALITIES)
        if name == "evaluate":
            e.add_argument("--data", required=True, help="ink: a .json, a directory of them or a .jsonl(.gz); speech: a manifest .jsonl")
            e.add_argument("--json", metavar="OUT", help="also write {n, cer, wer, exact, ms_per_sample} to OUT")
            e.add_argument("--limit", type=int, help="use only the first N samples")
            e.add_argument("--verbose", action="store_true", help="print every error")
            e.add_argument("--charset", help="restrict the output: digits, upper, lower, letters, number, or the characters themselves (a form field's hint)")
        else:
            e.add_argument("files", nargs="+", metavar="FILE", help="ink sample files, or audio files (WAV, FLAC, OGG)")
            e.add_argument("--details", action="store_true", help="one JSON line per sample: text, per-word confidence, n-best alternatives with scores and shares")
        e.add_argument("--model", help="checkpoint path (default: the shipped model in resources/models)")
        # transcribe reads as the app does (the lexicon beam); evaluate measures the network alone unless asked
        default = "greedy" if name == "evaluate" else "beam"
        e.add_argument("--decoder", default=default, choices=("greedy", "prefix", "beam", "beam-free"), help=f"greedy; prefix (n-best, no language model); beam (lexicon + word language model); beam-free (any characters: names, numbers, codes). Default: {default}")
        e.add_argument("--user-words", metavar="FILE", help="with beam: a file of your own words (names, jargon), recognized without retraining")
        e.add_argument("--lm-weight", type=float, help="with beam: language-model weight (default: the tuned value)")
        e.add_argument("--word-score", type=float, help="with beam: score added per word (default: the tuned value)")
        e.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
        # recognizers.recognizer.PRECISIONS, spelt out: importing it would load torch for --help
        e.add_argument("--precision", default="auto", choices=("auto", "float32", "bfloat16"),
                       help="the network's number type (default auto: bfloat16 on a CPU with AMX, where it is faster; else float32)")
        e.add_argument("--views", action=argparse.BooleanOptionalAction, default=None,
                       help="read in several views, the readings voting: handwriting also slanted and stretched (on by default; --no-views reads the ink once, faster), speech also 5 %% slower and faster (off by default: two to three times the time)")
        e.set_defaults(func=func)

    from recognizers.training.importers import FORMATS

    im = sub.add_parser("import", help="convert a standard corpus (UNIPEN, IAM-OnDB, InkML, LibriSpeech, Common Voice, LJSpeech, a folder) to ink JSONL or a speech manifest")
    im.add_argument("format", choices=FORMATS)
    im.add_argument("src", help="the corpus as unpacked (a folder, or for unipen/inkml/commonvoice one file)")
    im.add_argument("out", help="ink: OUT.jsonl or OUT.jsonl.gz; speech: a manifest OUT.jsonl (audio paths relative to it; the audio is not copied)")
    im.add_argument("--skip-bad", action="store_true", help="leave malformed entries out (and count them) instead of stopping at the first")
    im.add_argument("--levels", help="unipen: the segment levels to keep, e.g. WORD or CHARACTER,DIGIT (default: all)")
    im.add_argument("--include-dir", action="append", help="unipen: another folder to look in for .INCLUDE files (repeatable)")
    im.add_argument("--tsv", help="commonvoice: which table of the release folder (default validated.tsv)")
    im.set_defaults(func=cmd_import)

    from recognizers.training.run_eval import add_arguments

    sr = sub.add_parser("score-run", help="score models on a training run's own validation data (greedy, as the run's evaluations; what the settings panel shows after a run)")
    add_arguments(sr)
    sr.set_defaults(func=cmd_score_run)

    sp = sub.add_parser("split", help="split ink or a speech manifest into train/val with no writer or speaker on both sides")
    sp.add_argument("src", help="an ink .jsonl(.gz) / folder, or a speech manifest .jsonl")
    sp.add_argument("out_dir", help="folder for train.jsonl(.gz), val.jsonl(.gz) and split.json")
    sp.add_argument("--by", choices=("speaker", "writer", "contributor"), help="the grouping (default: writer for ink, speaker for speech; contributor = the part of a UNIPEN writer id before the /)")
    sp.add_argument("--val-fraction", type=float, default=0.1, help="at least this share of the samples goes to validation (default 0.1)")
    sp.add_argument("--seed", type=int, default=0, help="which groups go to validation (default 0)")
    sp.set_defaults(func=cmd_split)
    return p


class CliError(Exception):
    """A mistake in what the command was given; printed as one line, exit status 2."""


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "the input is too large to read in memory"
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= 500 else text[:497] + "..."


def main(argv: list[str] | None = None) -> int:
    """Run a command. Every failure is one line on stderr and exit status 2 (130 when
    interrupted), never a traceback; SCRIVOX_DEBUG=1 shows the traceback of an unexpected one."""
    import os

    args = build_parser().parse_args(argv)
    if args.command != "train":
        import torch

        torch.set_num_threads(1)  # short sequences: one thread is fastest on a small, busy CPU
    from recognizers.checkpoint import CheckpointError
    from recognizers.ink import SampleFormatError

    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (CliError, CheckpointError, SampleFormatError, ValueError, OSError, RecursionError, MemoryError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the promise is one line, whatever went wrong
        if os.environ.get("SCRIVOX_DEBUG"):
            raise
        print(f"error: unexpected {exc.__class__.__name__}: {_one_line(exc)} (SCRIVOX_DEBUG=1 shows where)", file=sys.stderr)
        return 2
