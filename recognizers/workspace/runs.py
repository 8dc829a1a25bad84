"""Training runs started from the app: their data, validation split and configuration.

Qt-free. A run lives in its own directory under ``<AppDataLocation>/runs/``::

    run.json       the plan (modality, preset, the full TrainConfig, the base model) and status
    config.json    the TrainConfig fields, passed to ``python -m recognizers train --config``
    data/          the training and validation files made from the chosen sources
    state.pt, last.pt, best.pt, history.json, loss.jsonl     written by the training process
    figures.json   before/after figures on the validation data (app/training_eval.py)

Stopped runs are tidied up by recognizers/workspace/run_tidying.py.

Validation is always data the run does not train on. For files the user chose (their own
samples, imported folders or manifests, a dataset file) the app holds out one item in ten
(at most 300 per source) into ``data/*-val.*`` and trains on the rest. When the only data
is synthetic, the validation set is synthetic too, but never from the training fonts or
voices: handwriting in the held-out font (kaushanscript), speech from the flite voices.
A UNIPEN spec (for those who have the shared data) keeps the shipped model's held-out
writers. A validation file named by the user replaces all of this.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from recognizers.ink import read_ink_samples
from recognizers.manifest import iter_manifest_entries
from recognizers.modality import Modality
from recognizers.paths import work_data_dir
from recognizers.training.saved_state import read_saved_step
from recognizers.workspace.holdout import default_val_count, split_records

SPEECH_SYNTH_DIR = work_data_dir() / "speech_synth"  # the synthetic voices cache (docs/speech-data.md)
SYNTH_INK_N = 2000  # synthetic words per run (replay while fine-tuning, or training data)

PRESET_CHOICES = [
    ("quick-finetune", "Quick fine-tune of the active model"),
    ("full", "Full training from scratch"),
    ("tiny", "Tiny run (try the pipeline in seconds)"),
]


def recognizer_preset(modality: str, preset: str) -> dict:
    """The TrainConfig fields of a panel preset: the modality's recipe, then the preset's."""
    from recognizers.training.presets import PRESETS, quick_finetune

    cfg = dict(PRESETS[modality])
    if preset == "quick-finetune":
        cfg.update(quick_finetune(modality))
    elif preset == "tiny":
        cfg.update(PRESETS[f"tiny-{modality}"])
    elif preset != "full":
        raise ValueError(f"unknown preset {preset!r}")
    return cfg


# -- synthetic data -----------------------------------------------------------------------


def synthetic_status(modality: str) -> tuple[bool, str]:
    """Whether the built-in synthetic data can be used here, and a line saying what it is."""
    if modality == Modality.HANDWRITING:
        try:
            from recognizers.synth.fonts import ALL_FONTS, VALIDATION_FONT, font_available, training_font_names

            training = training_font_names()
        except Exception as exc:  # the optional font tools are missing
            return False, f"synthetic handwriting is unavailable ({exc.__class__.__name__}: {exc})"
        if not training:
            return False, "no font for synthetic handwriting is installed (pip install hershey-fonts)"
        line = f"{SYNTH_INK_N} synthetic words written in {len(training)} fonts"
        if not font_available(VALIDATION_FONT):  # said before the run starts, not only after
            line += f"; the held-out validation font {VALIDATION_FONT} is not installed ({ALL_FONTS[VALIDATION_FONT].package}), so validation falls back to the training fonts"
        return True, line
    manifest = SPEECH_SYNTH_DIR / "train.jsonl"
    if manifest.exists():
        n = count_items(manifest)
        return True, f"{n} synthetic utterances ({SPEECH_SYNTH_DIR})"
    return False, f"no synthetic speech cache at {SPEECH_SYNTH_DIR} (python -m recognizers.synth.speech makes one)"


def synthetic_spec(modality: str) -> str | None:
    ok, _ = synthetic_status(modality)
    if not ok:
        return None
    if modality == Modality.HANDWRITING:
        return f"synth-ink:{SYNTH_INK_N}"
    return f"speech:{SPEECH_SYNTH_DIR / 'train.jsonl'}"


@dataclass
class SyntheticValidation:
    spec: str | None  # a data spec, or None when there is none to be had here
    description: str = ""  # what it is, in words (the run's "figures on")
    note: str = ""  # why it is not the held-out kind, or why there is none


def synthetic_validation(modality: str, out_dir: Path, n: int = 200) -> SyntheticValidation:
    """Synthetic validation data from fonts/voices the synthetic training data never uses.

    Handwriting without the held-out font (kaushanscript, Debian fonts-kaushanscript) falls
    back to other words in the training fonts, and says so: those figures flatter the model.
    """
    if modality == Modality.SPEECH:
        p = SPEECH_SYNTH_DIR / "val_flite.jsonl"
        if p.exists():
            return SyntheticValidation(f"speech:{p}", "synthetic speech in held-out voices")
        return SyntheticValidation(None, note=f"the synthetic speech cache has no held-out-voice validation set ({p}; python -m recognizers.synth.speech makes one)")
    try:
        from recognizers.ink import write_ink_jsonl
        from recognizers.synth.fonts import ALL_FONTS, VALIDATION_FONT, font_available, training_font_names
        from recognizers.synth.ink import synth_ink_samples

        package = ALL_FONTS[VALIDATION_FONT].package
        path = out_dir / "synth-val.jsonl"
        if font_available(VALIDATION_FONT):
            write_ink_jsonl(path, synth_ink_samples(n, seed=2, fonts=[VALIDATION_FONT], exclude_fonts=[]))
            return SyntheticValidation(f"ink:{path}", "synthetic data in held-out fonts")
        missing = f"the held-out validation font {VALIDATION_FONT} is not installed (Debian package {package})"
        if not training_font_names():
            return SyntheticValidation(None, note=f"{missing}, and no font for synthetic handwriting is")
        # other words (another seed) in the training fonts: not held out, and said so
        write_ink_jsonl(path, synth_ink_samples(n, seed=10_002))
        return SyntheticValidation(
            f"ink:{path}",
            "synthetic data in the training fonts (not held out)",
            f"{missing[0].upper()}{missing[1:]}: validating on other synthetic words in the training fonts instead, "
            f"so the figures will look better than on real handwriting. Install {package} for held-out figures.",
        )
    except Exception as exc:  # the optional font tools are missing or broken
        return SyntheticValidation(None, note=f"synthetic handwriting is unavailable ({exc.__class__.__name__}: {exc})")


# -- user files ---------------------------------------------------------------------------


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.name.endswith(".gz") else open(path, encoding="utf-8")


def read_records(modality: str, path: str | os.PathLike) -> list[str]:
    """One JSON text per sample of a user's file or folder (ink samples, or manifest entries
    with the audio path made absolute so the line can move elsewhere), read by the project's
    one ink reader and one manifest reader; damaged lines (a torn last line) are skipped."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: {p}")
    if Modality(modality).is_ink:
        return [json.dumps(s.to_json()) for s in read_ink_samples(p, tolerant=True)]
    return [json.dumps({**e, "audio": str(Path(e["audio"]).resolve())}) for e in iter_manifest_entries(p, tolerant=True)]


def count_items(path: str | os.PathLike) -> int:
    """Samples in a .jsonl / manifest (lines), or .json files in a folder; 0 when absent."""
    p = Path(path)
    try:
        if p.is_dir():
            return sum(1 for f in p.rglob("*.json"))
        with _open_text(p) as fh:
            return sum(1 for line in fh if line.strip())
    except (OSError, ValueError):
        return 0


def spec_for(modality: str, path: str | os.PathLike) -> str:
    return f"{'ink' if modality == 'handwriting' else 'speech'}:{Path(path)}"


def write_records(path: Path, records: list[str]) -> None:
    from recognizers.atomic import atomic_write_text

    atomic_write_text(path, "".join(r + "\n" for r in records))


@dataclass
class DataSource:
    kind: str  # "synthetic", "file" (a path to split), or "spec" (a data spec used as it is)
    value: str = ""
    label: str = ""


@dataclass
class PreparedData:
    data: list[str] = field(default_factory=list)
    val_data: list[str] = field(default_factory=list)
    holdout: list[str] = field(default_factory=list)
    n_train: int = 0  # items in the files (synthetic and spec data not counted)
    n_val: int = 0
    val_description: str = ""
    notes: list[str] = field(default_factory=list)


def prepare_data(modality: str, sources: list[DataSource], out_dir: str | os.PathLike, val_path: str | None = None, seed: int = 0) -> PreparedData:
    """Training and validation specs for `sources`; split files are written into `out_dir`.

    Raises ValueError when there is nothing to train on or nothing to validate on, a chosen
    file holds no samples, or a data spec the training command could not read
    (FileNotFoundError: a path or data folder is missing).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    prep = PreparedData()
    val_bits: list[str] = []
    ext = ".jsonl"
    for k, src in enumerate(sources):
        if src.kind == "synthetic":
            spec = synthetic_spec(modality)
            if spec is None:
                prep.notes.append(synthetic_status(modality)[1])
                continue
            prep.data.append(spec)
        elif src.kind == "spec":
            # checked now, by the parser the run reads it with: a bad spec is refused before
            # a process starts, not reported by a run that failed
            from recognizers.training.datasets import PATH_SPEC_KINDS, check_data_spec

            kind, arg = check_data_spec(modality, src.value)
            # the run's process works in its own folder: a relative path would mean another file
            # there, so it is made absolute; links are not followed (a manifest's relative audio
            # paths are read from the folder it is named in), and an absolute spec stays as it is
            relative = kind in PATH_SPEC_KINDS and not Path(arg).is_absolute()
            prep.data.append(f"{kind}:{Path(arg).absolute()}" if relative else src.value)
            if src.value.startswith("unipen") and not val_path:
                from recognizers.training.presets import PRESETS

                prep.holdout = list(PRESETS["handwriting"].get("holdout", []))
                val_bits.append(f"UNIPEN writers {', '.join(prep.holdout)}")
        elif src.kind == "file":
            records = read_records(modality, src.value)
            if not records:
                # refused, not skipped: a run on the other sources alone (the synthetic data)
                # would spend minutes and teach nothing of what this file was chosen for
                raise ValueError(f"{src.value} holds no samples that can be read: choose another file, or remove it from the training data")
            name = f"{k:02d}-{Path(src.value).name.split('.')[0] or 'data'}"
            if val_path:
                train, val = records, []
            else:
                train, val = split_records(records, default_val_count(len(records)), seed + k)
            write_records(out / f"{name}-train{ext}", train)
            prep.data.append(spec_for(modality, out / f"{name}-train{ext}"))
            prep.n_train += len(train)
            if val:
                write_records(out / f"{name}-val{ext}", val)
                prep.val_data.append(spec_for(modality, out / f"{name}-val{ext}"))
                prep.n_val += len(val)
                val_bits.append(f"{len(val)} held-out samples of {src.label or Path(src.value).name}")
        else:
            raise ValueError(f"unknown data source kind {src.kind!r}")
    if not prep.data:  # what was chosen and why it gave nothing (an empty file, no synthetic data yet)
        why = f" ({'; '.join(prep.notes)})" if prep.notes else ""
        raise ValueError(f"there is no data to train on{why}: tick the synthetic data or your samples, or add a file or a dataset")
    if val_path:
        prep.val_data = [spec_for(modality, val_path)]
        prep.n_val = count_items(val_path)
        val_bits = [f"{Path(val_path).name}"]
    elif not prep.val_data and not prep.holdout:
        syn = synthetic_validation(modality, out)
        if syn.spec is None:
            why = f" ({syn.note})" if syn.note else ""
            raise ValueError(f"there is no validation data{why}: add at least five samples of your own, or name a validation file")
        prep.val_data.append(syn.spec)
        val_bits.append(syn.description)
        if syn.note:
            prep.notes.append(syn.note)
    prep.val_description = "; ".join(val_bits)
    return prep


# -- the plan of a run ----------------------------------------------------------------------


@dataclass
class RunPlan:
    modality: str
    preset: str  # quick-finetune, full, tiny, enrolment
    run_dir: str
    config: dict  # TrainConfig fields (out_dir = run_dir)
    base_model: str | None = None  # the model fine-tuned, and the "before" of the figures
    base_name: str = ""
    base_figures: dict = field(default_factory=dict)  # its stored figures (fallback for "before")
    origin: str = "trained"  # trained or fine-tuned (registry origin of the result)
    figures_on: str = ""  # what the validation data is, in words
    title: str = ""  # one line for the panel
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M"))
    status: str = "new"  # new, running, cancelled, failed, finished, kept, discarded
    steps_done: int = 0
    # the training process while it runs (its id on this host): another window must neither
    # offer a run that is still training nor remove its folder
    pid: int = 0
    host: str = ""

    @property
    def dir(self) -> Path:
        return Path(self.run_dir)

    @property
    def saved_step(self) -> int:
        """The step a resume goes on from: that of the state saved last, as the training
        process wrote it (`saved_state`), else the step this record last heard of."""
        saved = read_saved_step(self.dir) if (self.dir / "state.pt").exists() else None
        return saved["step"] if saved else self.steps_done

    @property
    def config_path(self) -> Path:
        return self.dir / "config.json"

    def save(self) -> None:
        from recognizers.atomic import atomic_write_text

        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.config_path, json.dumps(self.config, indent=1) + "\n")
        atomic_write_text(self.dir / "run.json", json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def load(cls, run_dir: str | os.PathLike) -> "RunPlan":
        d = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
        known = set(cls.__dataclass_fields__)
        plan = cls(**{k: v for k, v in d.items() if k in known})
        plan.run_dir = str(Path(run_dir))
        return plan

    @property
    def resumable(self) -> bool:
        """A stopped run with a saved state. "running" counts too (a window that crashed never
        recorded the end), unless its training process is still alive."""
        return self.status in ("running", "cancelled", "failed") and (self.dir / "state.pt").exists() and not self.process_alive()

    def process_alive(self) -> bool:
        """Whether the training process recorded for this run is still running: a process of
        this id on this host, of this user, that runs ``python -m recognizers train`` in this
        run's folder (an id the system has since given to another program, or to another
        run's training, does not count). Where there is no /proc (macOS) the id alone decides;
        on Windows, where signal 0 would be a Ctrl+C, nothing counts as alive (as before)."""
        try:
            pid = int(self.pid or 0)
        except (TypeError, ValueError):  # a hand-edited run.json
            return False
        if self.status != "running" or pid <= 0 or self.host != socket.gethostname() or os.name == "nt":
            return False
        try:
            os.kill(pid, 0)
        except OSError:  # gone, or another user's process (the app starts its runs as its own user)
            return False
        proc = Path(f"/proc/{pid}")
        if not Path("/proc/self").exists():
            return True
        try:
            if b"\0-m\0recognizers\0train\0" not in b"\0" + (proc / "cmdline").read_bytes():
                return False
            return os.path.samefile(os.readlink(proc / "cwd"), self.dir)  # the app starts it in the run's folder
        except OSError:  # gone meanwhile, or not ours to read
            return False


def new_run_dir(runs_dir: str | os.PathLike, modality: str) -> Path:
    base = Path(runs_dir) / f"{modality}-{time.strftime('%Y%m%d-%H%M%S')}"
    d, k = base, 2
    while d.exists():
        d = base.with_name(f"{base.name}-{k}")
        k += 1
    return d


def make_config(
    modality: str,
    preset: str,
    prepared: PreparedData,
    run_dir: str | os.PathLike,
    base_model: str | None = None,
    total_steps: int | None = None,
    lr: float | None = None,
    batch_frames: int | None = None,
    replay: bool = True,
    name: str = "",
) -> dict:
    """The TrainConfig fields of a run: the preset, the prepared data, the user's overrides."""
    cfg = recognizer_preset(modality, "quick-finetune" if preset == "enrolment" else preset)
    cfg.update(data=list(prepared.data), val_data=list(prepared.val_data), holdout=list(prepared.holdout), out_dir=str(run_dir), replay_data=[], init_from=None)
    if preset in ("quick-finetune", "enrolment"):
        if not base_model:
            raise ValueError(f"a fine-tune needs a {modality} model to start from, and none is active")
        cfg["init_from"] = str(base_model)
        syn = synthetic_spec(modality) if replay else None
        if syn and syn not in cfg["data"]:
            cfg["replay_data"] = [syn]  # base data mixed in, so nothing else is forgotten
    if total_steps:
        cfg["total_steps"] = int(total_steps)
    if lr:
        cfg["lr"] = float(lr)
    if batch_frames:
        cfg["batch_frames"] = int(batch_frames)
    cfg["warmup_steps"] = min(int(cfg.get("warmup_steps", 300)), max(1, cfg["total_steps"] // 5))
    if not cfg.get("threads"):
        cfg["threads"] = max(1, (os.cpu_count() or 2) - 1)  # leave a core to the window
    cfg["name"] = name or f"{modality}-{time.strftime('%Y%m%d-%H%M')}"
    cfg["modality"] = modality
    return cfg


def find_runs(runs_dir: str | os.PathLike) -> list[RunPlan]:
    """The runs under `runs_dir`, newest first (unreadable ones skipped)."""
    out = []
    d = Path(runs_dir)
    if not d.is_dir():
        return out
    for sub in d.iterdir():
        if (sub / "run.json").exists():
            try:
                out.append(RunPlan.load(sub))
            except (OSError, ValueError, TypeError):
                continue
    out.sort(key=lambda p: (p.created, p.run_dir), reverse=True)
    return out
