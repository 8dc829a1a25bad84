"""Stopped training runs do not pile up: which run folders the app removes, and which it never
touches (recognizers/workspace/runs.py; the panel's side is in tests/app/test_train_panel.py)."""

from __future__ import annotations

import json
import os

from recognizers.workspace.run_tidying import config_paths, remove_if_nothing_saved, remove_replaced_runs, removable_run
from recognizers.workspace.runs import RunPlan, find_runs


def make_run(runs, name, modality="handwriting", preset="quick-finetune", status="cancelled", created="2026-12-01 10:00", state=True) -> RunPlan:
    plan = RunPlan(modality=modality, preset=preset, run_dir=str(runs / name), config={"total_steps": 300}, status=status, created=created)
    plan.save()
    if state:
        (plan.dir / "state.pt").write_bytes(b"state")
        (plan.dir / "last.pt").write_bytes(b"model")
    return plan


def test_older_stopped_runs_of_the_same_kind_go_once_a_newer_one_saved_its_state(tmp_path):
    runs = tmp_path / "runs"
    gone = [
        make_run(runs, "handwriting-20261201-100000"),  # cancelled, resumable: replaced
        make_run(runs, "handwriting-20261201-100500", status="failed", state=False),  # failed with nothing saved
    ]
    kept = [
        make_run(runs, "handwriting-20261201-101000", preset="full"),  # another kind: a full training is not replaced by a fine-tune
        make_run(runs, "speech-20261201-101500", modality="speech"),  # another recognizer
        make_run(runs, "handwriting-20261201-102000", status="running"),  # maybe another window's process writes there
        make_run(runs, "handwriting-20261201-102500", status="finished"),  # a trained model not yet kept or discarded
        make_run(runs, "handwriting-20261201-103000"),  # holds the model the window runs (File ▸ Open model…)
        make_run(runs, "handwriting-20261201-103500"),  # holds a file the current run reads
        make_run(runs, "handwriting-20261201-130000", created="2026-12-01 13:00"),  # newer than the current run
    ]
    in_use = kept[4].dir / "last.pt"
    current = make_run(runs, "handwriting-20261201-120000", created="2026-12-01 12:00", status="running")
    current.config = {"init_from": str(kept[5].dir / "last.pt"), "data": ["ink:/elsewhere/a.jsonl", "synth-ink:2000"]}
    removed = remove_replaced_runs(current, runs, keep=[str(in_use)] + config_paths(current.config))
    assert sorted(p.dir.name for p in removed) == sorted(p.dir.name for p in gone)
    assert not any(p.dir.exists() for p in gone)
    assert all((p.dir / "run.json").exists() for p in kept + [current])
    assert in_use.exists()


def test_a_run_that_saved_nothing_is_removed_and_nothing_else_is(tmp_path):
    runs = tmp_path / "runs"
    empty = make_run(runs, "handwriting-a", state=False)
    saved = make_run(runs, "handwriting-b")
    running = make_run(runs, "handwriting-c", status="running", state=False)
    samples = runs / "handwriting-d"  # someone's samples folder set inside the runs folder
    make_run(runs, "handwriting-d", state=False)
    assert remove_if_nothing_saved(empty.dir, runs) and not empty.dir.exists()
    assert not remove_if_nothing_saved(saved.dir, runs) and (saved.dir / "state.pt").exists()  # it can be resumed
    assert not remove_if_nothing_saved(running.dir, runs) and running.dir.exists()  # its process may still write
    assert not remove_if_nothing_saved(samples, runs, keep=[str(samples / "samples.jsonl")]) and samples.exists()
    assert runs.exists()


def test_only_real_run_folders_directly_in_the_runs_folder_are_removed(tmp_path):
    runs = tmp_path / "runs"
    outside = make_run(tmp_path / "elsewhere", "handwriting-x", state=False)  # a run.json outside the runs folder
    assert not remove_if_nothing_saved(outside.dir, runs) and outside.dir.exists()
    runs.mkdir(exist_ok=True)
    link = runs / "handwriting-link"
    os.symlink(outside.dir, link)  # a link into somewhere else is never followed
    assert not remove_if_nothing_saved(link, runs) and outside.dir.exists() and link.is_symlink()
    (runs / "plain").mkdir()  # no run.json: not a run
    (runs / "plain" / "notes.txt").write_text("mine")
    assert not remove_if_nothing_saved(runs / "plain", runs) and (runs / "plain" / "notes.txt").exists()
    broken = runs / "handwriting-broken"
    broken.mkdir()
    (broken / "run.json").write_text("{not json")
    assert not remove_if_nothing_saved(broken, runs) and broken.exists()
    # a registry that cannot be read keeps the whole runs folder (the panel passes it as kept)
    empty = make_run(runs, "handwriting-e", state=False)
    assert not remove_if_nothing_saved(empty.dir, runs, keep=[str(runs)]) and empty.dir.exists()
    assert {p.dir.name for p in find_runs(runs)} == {"handwriting-e", "handwriting-link"}
    assert json.loads((empty.dir / "run.json").read_text())["status"] == "cancelled"


def test_paths_are_compared_as_written_and_with_links_followed(tmp_path):
    """A reviewer: `removable_run` compared resolved paths only. A kept path that is a link in
    a run's folder (to a model elsewhere), or a run reached through a link to the runs folder,
    is now kept too."""
    runs = tmp_path / "runs"
    run = make_run(runs, "handwriting-a", state=False)
    (tmp_path / "model.pt").write_bytes(b"model")
    os.symlink(tmp_path / "model.pt", run.dir / "in-use.pt")  # the window runs it by this name
    assert not remove_if_nothing_saved(run.dir, runs, keep=[str(run.dir / "in-use.pt")]) and run.dir.exists()
    os.symlink(runs, tmp_path / "runs-link")
    through = tmp_path / "runs-link" / "handwriting-a"  # the same folder, another way there
    assert removable_run(through, runs) is None and removable_run(run.dir, tmp_path / "runs-link") is None
    assert not remove_if_nothing_saved(through, runs) and run.dir.exists()
    assert remove_if_nothing_saved(run.dir, runs) and not run.dir.exists() and (tmp_path / "model.pt").exists()
