"""The model registry: which models a user has, their figures, and which one is active.

Qt-free (the settings panel and the tests use it; so could a script). Layout, under the
user-data directory (``<AppDataLocation>/models``, see app/settings.py)::

    registry.json                  this registry (written atomically: temp file + rename)
    handwriting/<name>.pt          models trained or fine-tuned in the app, or imported
    speech/<name>.pt

The shipped models in ``resources/models/<modality>.pt`` appear as built-in entries with
the id ``"shipped"``; they are never copied, changed or deleted. For each modality the
registry remembers the active model and the one active before it, so an activation can be
undone ("restore the previous model"). Nothing in this module imports torch at import time:
reading a checkpoint's own figures (``info``) loads it lazily, and the built-in entries'
figures are cached in the registry, keyed by the file's size and modification time.

registry.json::

    {"format": "scrivox-models-1",
     "active":   {"handwriting": "shipped", "speech": "speech-20261128-1010"},
     "previous": {"handwriting": "handwriting-20261127-1532", "speech": "shipped"},
     "models": {"handwriting": {"<id>": {"name", "file", "origin", "date", "added",
                                        "figures": {"n", "cer", "wer", "exact"}, "figures_on",
                                        "base", "steps", "info_read"}}},
     "builtin": {"handwriting": {"size", "mtime", "name", "date", "figures", "figures_on"}}}
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from recognizers.atomic import atomic_copy, atomic_write_text
from recognizers.modality import MODALITIES
from recognizers.paths import file_sha256, resource_path
from recognizers.workspace.model_info import checkpoint_summary
from recognizers.workspace.registry_file import BUILTIN_ID, FORMAT, RegistryError, empty_registry, validated
from recognizers.workspace.userfiles import notify, set_aside

__all__ = ["BUILTIN_ID", "FORMAT", "ModelEntry", "ModelRegistry", "RegistryError", "checkpoint_summary", "safe_name"]

ORIGINS = ("shipped", "trained", "fine-tuned", "imported", "recovered")
RESOURCE_MODELS = resource_path("models")


@dataclass
class ModelEntry:
    id: str
    modality: str
    name: str
    path: str  # absolute path of the .pt file
    origin: str  # shipped, trained, fine-tuned, imported, recovered
    date: str = ""  # when the model was made ("YYYY-MM-DD HH:MM")
    figures: dict = field(default_factory=dict)  # {"n", "cer", "wer", "exact"} (rates as fractions)
    figures_on: str = ""  # what the figures were measured on
    base: str = ""  # the model it was fine-tuned from (a name or path)
    steps: int | None = None
    builtin: bool = False

    @property
    def exists(self) -> bool:
        return Path(self.path).is_file()

def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M")


def _mtime_date(path: Path) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    except OSError:
        return ""


def safe_name(name: str) -> str:
    """A file-name-safe model id."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip()).strip("-.")
    return s or "model"


class ModelRegistry:
    """The user's models and the active one per modality, kept in ``root/registry.json``.

    Every change re-reads the file first and writes it back atomically, so a second
    window (or a crash half-way) never leaves a torn registry.
    """

    def __init__(self, root: str | os.PathLike, builtin_dir: str | os.PathLike | None = None) -> None:
        self.root = Path(root)
        self.builtin_dir = Path(builtin_dir) if builtin_dir is not None else RESOURCE_MODELS
        self.path = self.root / "registry.json"
        self.data = empty_registry()
        self.reload()

    # -- storage ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read registry.json. A damaged one never stops the app: a file that is not JSON is
        set aside (timestamped) and the registry rebuilt from the model files in the folder;
        one of the wrong shape keeps what is valid, the original is set aside; either way a
        notice (recognizers.workspace.userfiles) tells the person."""
        if not self.path.exists():
            self.data = empty_registry()
            self._recover_files()
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a Scrivox model registry")
        except (OSError, ValueError, RecursionError) as exc:
            kept = set_aside(self.path)
            self.data = empty_registry()
            self._recover_files()
            found = sum(len(v) for v in self.data["models"].values())
            if kept is not None and not self._save_quietly():
                os.replace(kept, self.path)  # the rebuilt list could not be written: keep the original
                kept = None
            notify(f"The model list {self.path} was damaged ({exc.__class__.__name__}) and has been rebuilt from the {found} model file(s) in its folder; "
                   f"names, figures and the previous-model choice it held may be lost ({'the damaged file is kept as ' + kept.name if kept else 'the damaged file was left in place'}).")
            return
        self.data, problems = validated(data, self.contains)
        if problems:
            kept = set_aside(self.path)
            if kept is not None and not self._save_quietly():
                os.replace(kept, self.path)  # no repaired copy written: keep the original in place
                kept = None
            notify(f"The model list {self.path.name} held entries Scrivox could not use and has been repaired: {'; '.join(problems[:5])}"
                   f"{' ...' if len(problems) > 5 else ''} ({'the original is kept as ' + kept.name if kept else 'the original was left in place'}).")

    def contains(self, path: str | os.PathLike) -> bool:
        """Whether `path` lies inside the registry's folder (after resolving .. and links)."""
        try:
            root = self.root.resolve()
            return Path(os.path.realpath(self.root / path)).is_relative_to(root)
        except (OSError, ValueError):
            return False

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(self.data, indent=1, sort_keys=True) + "\n")

    def _recover_files(self) -> None:
        """Model files in the directory that the registry does not list (a lost registry)."""
        for m in MODALITIES:
            d = self.root / m
            if not d.is_dir():
                continue
            for f in sorted(d.glob("*.pt")):
                mid = f.stem
                if mid not in self.data["models"][m] and mid != BUILTIN_ID:
                    self.data["models"][m][mid] = {"name": mid, "file": f"{m}/{f.name}", "origin": "recovered", "date": _mtime_date(f), "added": _now(), "figures": {}, "figures_on": "", "info_read": False}

    # -- reading ----------------------------------------------------------------------

    def builtin_path(self, modality: str) -> Path:
        return self.builtin_dir / f"{modality}.pt"

    def _builtin_entry(self, modality: str, read_info: bool) -> ModelEntry | None:
        p = self.builtin_path(modality)
        if not p.is_file():
            return None
        st = p.stat()
        cache = (self.data.get("builtin") or {}).get(modality) or {}
        fresh = cache.get("size") == st.st_size and cache.get("mtime") == st.st_mtime
        if not fresh and read_info:
            try:
                s = checkpoint_summary(p)
                cache = {"size": st.st_size, "mtime": st.st_mtime, "name": s["name"], "date": s["date"], "figures": s["figures"], "figures_on": s["figures_on"], "steps": s["steps"]}
                fresh = True
                self._update_quietly(lambda data: data.setdefault("builtin", {}).__setitem__(modality, cache))
            except (RegistryError, OSError):
                cache = {}  # listed without figures; loading it says what is wrong
        if not fresh:
            cache = {}
        return ModelEntry(
            BUILTIN_ID,
            modality,
            cache.get("name") or f"shipped {modality} model",
            str(p),
            "shipped",
            cache.get("date") or _mtime_date(p),
            dict(cache.get("figures") or {}),
            cache.get("figures_on") or "",
            "",
            cache.get("steps"),
            builtin=True,
        )

    def _entry(self, modality: str, mid: str, rec: dict) -> ModelEntry:
        return ModelEntry(
            mid,
            modality,
            rec.get("name") or mid,
            str(self.root / rec.get("file", f"{modality}/{mid}.pt")),
            rec.get("origin") or "imported",
            rec.get("date") or "",
            dict(rec.get("figures") or {}),
            rec.get("figures_on") or "",
            rec.get("base") or "",
            rec.get("steps"),
        )

    def _fill_info(self, modality: str) -> None:
        """Read the figures of entries that were found on disk (recovered) once."""
        updates: dict[str, dict] = {}
        for mid, rec in self.data["models"][modality].items():
            if rec.get("info_read", True):
                continue
            try:
                s = checkpoint_summary(self.root / rec.get("file", f"{modality}/{mid}.pt"))
                updates[mid] = dict(name=s["name"], date=s["date"] or rec.get("date", ""), figures=s["figures"], figures_on=s["figures_on"], steps=s["steps"], base=s["base"], info_read=True)
            except (RegistryError, OSError) as exc:
                # said once, not at every listing; the entry stays, so the person can delete it
                updates[mid] = {"info_read": True}
                notify(f"The model file of {rec.get('name') or mid!r} could not be read ({exc}); it is listed without figures and cannot be used.")
        if not updates:
            return

        def apply(data: dict) -> None:
            for mid, fields in updates.items():
                if mid in data["models"][modality]:
                    data["models"][modality][mid].update(fields)

        apply(self.data)
        self._update_quietly(apply)

    def _save_quietly(self) -> bool:
        """Save; False when the folder cannot be written (a read-only user dir)."""
        try:
            self.save()
            return True
        except OSError:
            return False

    def _update_quietly(self, change: Callable[[dict], None]) -> None:
        """Write a cache-like change (figures read from a file) over the file as it is now, so
        that an activation or deletion made meanwhile by another window is not undone."""
        current = self.data
        if not self.path.exists():
            change(current)
            self._save_quietly()
            return
        try:
            on_disk = json.loads(self.path.read_text(encoding="utf-8"))
            base, problems = validated(on_disk, self.contains) if isinstance(on_disk, dict) and on_disk.get("format") == FORMAT else (None, ["unreadable"])
        except (OSError, ValueError, RecursionError):
            base, problems = None, ["unreadable"]
        if base is None or problems:
            # a damaged file left in place (its repair could not be written): never write over
            # it without the copy `reload` sets aside; the change lives in memory until then
            change(current)
            return
        self.data = base
        change(self.data)
        self._save_quietly()  # a read-only folder: the figures are read again next time

    def entries(self, modality: str, read_info: bool = True) -> list[ModelEntry]:
        """The built-in model (when shipped) first, then the user's models, newest first.

        `read_info` reads figures from checkpoints where the registry has none yet
        (this imports torch); without it only what the registry file holds is shown.
        """
        self._check(modality)
        if read_info:
            self._fill_info(modality)
        out: list[ModelEntry] = []
        b = self._builtin_entry(modality, read_info)
        if b is not None:
            out.append(b)
        mine = [self._entry(modality, mid, rec) for mid, rec in self.data["models"][modality].items()]
        mine.sort(key=lambda e: (e.date, e.id), reverse=True)
        return out + mine

    def get(self, modality: str, mid: str | None, read_info: bool = False) -> ModelEntry | None:
        self._check(modality)
        if mid is None:
            return None
        if mid == BUILTIN_ID:
            return self._builtin_entry(modality, read_info)
        rec = self.data["models"][modality].get(mid)
        return self._entry(modality, mid, rec) if rec is not None else None

    def active_id(self, modality: str) -> str | None:
        return self.data["active"].get(modality) or BUILTIN_ID

    def previous_id(self, modality: str) -> str | None:
        return self.data["previous"].get(modality)

    def active(self, modality: str, read_info: bool = False) -> ModelEntry | None:
        """The active model; the shipped one when the active file has gone missing."""
        e = self.get(modality, self.active_id(modality), read_info)
        if e is None or not e.exists:
            return self._builtin_entry(modality, read_info)
        return e

    def active_path(self, modality: str) -> str | None:
        """The file the app should load for `modality` (None: nothing, not even a shipped one)."""
        e = self.active(modality)
        return e.path if e is not None else None

    def previous(self, modality: str) -> ModelEntry | None:
        e = self.get(modality, self.previous_id(modality))
        return e if e is not None and e.exists else None

    def find_by_path(self, modality: str, path: str | os.PathLike | None) -> ModelEntry | None:
        if not path:
            return None
        try:
            want = Path(path).resolve()
        except OSError:
            return None
        for e in self.entries(modality, read_info=False):
            if Path(e.path).resolve() == want:
                return e
        return None

    # -- changing ---------------------------------------------------------------------

    def add_model(
        self,
        modality: str,
        source: str | os.PathLike,
        origin: str,
        name: str | None = None,
        figures: dict | None = None,
        figures_on: str = "",
        base: str = "",
        steps: int | None = None,
    ) -> ModelEntry:
        """Copy a model file into the registry's folder and list it.

        Name, date, steps and figures default to what the checkpoint itself says. The
        new model is not made active (see `activate`). The copy is written whole (synced, then
        renamed) before the list names it, and removed again when the list cannot be saved,
        so a crash or a full disk leaves the source in place and no half model behind.
        """
        self._check(modality)
        if origin not in ORIGINS or origin == "shipped":
            raise RegistryError(f"origin must be one of trained, fine-tuned, imported (not {origin!r})")
        source = Path(source)
        summary = checkpoint_summary(source)  # also proves it is a readable Scrivox model
        if summary["modality"] != modality:
            raise RegistryError(f"{source} is a {summary['modality']} model, not a {modality} model")
        self.reload()
        if origin == "imported" and (same := self._same_file(modality, source)) is not None:
            raise RegistryError(f"{source} is already in the list, as {same.name}: the same file, byte for byte")
        name = name or summary["name"]
        mid = base_id = safe_name(name)
        k = 2
        while mid in self.data["models"][modality] or mid == BUILTIN_ID or (self.root / modality / f"{mid}.pt").exists():
            mid = f"{base_id}-{k}"
            k += 1
        dest = self.root / modality / f"{mid}.pt"
        atomic_copy(source, dest)
        self.data["models"][modality][mid] = {
            "name": name,
            "file": f"{modality}/{dest.name}",
            "origin": origin,
            "date": summary["date"] or _now(),
            "added": _now(),
            "figures": dict(figures) if figures else summary["figures"],
            "figures_on": figures_on or summary["figures_on"],
            "base": base or summary["base"],
            "steps": steps if steps is not None else summary["steps"],
            "info_read": True,
        }
        try:
            self.save()
        except BaseException:
            self.data["models"][modality].pop(mid, None)
            dest.unlink(missing_ok=True)  # never a file the list does not name (it would come back as "recovered")
            raise
        return self._entry(modality, mid, self.data["models"][modality][mid])

    def _same_file(self, modality: str, source: Path) -> ModelEntry | None:
        """The listed model whose file has the same bytes as `source`, if any."""
        size = source.stat().st_size
        digest = None
        for e in self.entries(modality, read_info=False):
            p = Path(e.path)
            try:
                if not e.exists or p.stat().st_size != size:
                    continue
                digest = digest or file_sha256(source)
                if file_sha256(p) == digest:
                    return e
            except OSError:
                continue
        return None

    def activate(self, modality: str, mid: str) -> ModelEntry:
        """Make `mid` the active model; the one active before becomes 'previous'."""
        self._check(modality)
        self.reload()
        e = self.get(modality, mid)
        if e is None or not e.exists:
            raise RegistryError(f"no {modality} model {mid!r}")
        cur = self.active_id(modality)
        if cur != mid:
            self.data["previous"][modality] = cur
            self.data["active"][modality] = mid
            self.save()
        return e

    def restore_previous(self, modality: str) -> ModelEntry:
        """Swap back to the model that was active before the last activation."""
        prev = self.previous(modality)
        if prev is None:
            raise RegistryError(f"there is no previous {modality} model to go back to")
        return self.activate(modality, prev.id)

    def delete(self, modality: str, mid: str) -> None:
        """Remove a model of the user's (its file too). The shipped and the active one stay."""
        self._check(modality)
        self.reload()
        if mid == BUILTIN_ID:
            raise RegistryError("the shipped model cannot be deleted")
        if mid == self.active_id(modality):
            raise RegistryError("the active model cannot be deleted; activate another one first")
        rec = self.data["models"][modality].get(mid)
        if rec is None:
            raise RegistryError(f"no {modality} model {mid!r}")
        file = rec.get("file", f"{modality}/{mid}.pt")
        if not isinstance(file, str) or not self.contains(file):  # never remove a file outside the models folder
            raise RegistryError(f"the file of {mid!r} lies outside the models folder; it was not deleted")
        self.data["models"][modality].pop(mid)
        if self.data["previous"].get(modality) == mid:
            self.data["previous"][modality] = None
        self.save()
        try:
            (self.root / file).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            notify(f"{rec.get('name') or mid!r} was removed from the model list, but its file {self.root / file} could not be deleted ({exc}); delete it by hand to free the space.")

    @staticmethod
    def _check(modality: str) -> None:
        if modality not in MODALITIES:
            raise RegistryError(f"unknown modality {modality!r}")
