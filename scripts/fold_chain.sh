#!/usr/bin/env bash
# The shipped handwriting recipe (docs/handwriting.md, *Recipe*) with fold X's contributors
# held out instead of art and imp: its eight training phases on one core, resumable (a phase
# whose folder has DONE is skipped, one with a saved state is resumed), then runs/soupX.pt,
# the average of the last two phases' bests, to be read by scripts/eval_folds.py --folds X.
#   scripts/fold_chain.sh B 1      # fold B on core 1 (about 4-5 hours alone)
set -u
X=$1; CORE=$2
cd "$(dirname "$0")/.."
export SCRIVOX_SHARED_DATA=${SCRIVOX_SHARED_DATA:-../shared/data} SCRIVOX_DATA=${SCRIVOX_DATA:-$PWD/data}
mkdir -p runs
HOLD=$(.venv/bin/python -c "
import json, sys; sys.path.insert(0, 'scripts')
from eval_folds import folds, word_set_contributors
print(json.dumps(list(folds(word_set_contributors())['$X'])))") || exit 1
[ -n "$HOLD" ] || { echo "no contributors for fold $X" >&2; exit 1; }
DATA='["unipen:word,digit,upper,lower,text", "unipen-lines-varied:16000", "synth-ink:30000"]'
train() {  # name: train runs/name.json into runs/name, resuming where it stopped
  local dir=runs/$1
  [ -f "$dir/DONE" ] && return 0
  local resume=""; [ -f "$dir/state.pt" ] && resume="--resume"
  taskset -c "$CORE" .venv/bin/python -m recognizers train handwriting --config "runs/$1.json" $resume >> "runs/$1.log" 2>&1 || exit 1
  # a run stopped by its time limit also exits 0: only one that made all its steps is done
  local made total
  made=$(tr '\r' '\n' < "runs/$1.log" | grep -o "^done after [0-9]* steps" | tail -1 | grep -o "[0-9][0-9]*")
  total=$(.venv/bin/python -c "import json; print(json.load(open('runs/$1.json')).get('total_steps', 10000))")
  [ "${made:-0}" -ge "$total" ] || { echo "runs/$1 stopped at step ${made:-?} of $total: run this again to go on" >&2; exit 1; }
  touch "$dir/DONE"
}
phase() {  # name init lr warmup steps eval_every [hidden]
  local model=""; [ -n "${7:-}" ] && model="\"model\": {\"hidden\": $7}, "
  [ -f "runs/$1.json" ] || echo "{\"out_dir\": \"runs/$1\", \"init_from\": \"$2\", $model\"data\": $DATA, \"holdout\": $HOLD, \"lr\": $3, \"warmup_steps\": $4, \"total_steps\": $5, \"eval_every\": $6, \"val_limit\": 2000, \"threads\": 1, \"max_minutes\": 200}" > "runs/$1.json"
  train "$1"
}
# phase 1: the preset "handwriting" (UNIPEN, 10,000 steps from scratch) with the fold held out
[ -f "runs/hwf${X}1.json" ] || echo "{\"out_dir\": \"runs/hwf${X}1\", \"holdout\": $HOLD, \"max_minutes\": 200}" > "runs/hwf${X}1.json"
train "hwf${X}1"
phase "hwf${X}2" "runs/hwf${X}1/best.pt" 1e-3 200 7000 1000      # adding composed lines and synthetic ink
phase "hwg$X" "runs/hwf${X}2/best.pt" 5e-4 200 5000 1000
phase "hwh$X" "runs/hwg$X/best.pt" 3e-4 100 3500 700
phase "hwi$X" "runs/hwh$X/best.pt" 5e-4 200 5000 1000 192         # grown to 192 units
phase "hwj$X" "runs/hwi$X/best.pt" 3e-4 100 2500 500
phase "hwl$X" "runs/hwj$X/best.pt" 4e-4 200 5000 500 224         # grown to 224 units
phase "hwm$X" "runs/hwl$X/best.pt" 3e-4 100 2500 500
[ -f "runs/soup$X.pt" ] || .venv/bin/python scripts/average_checkpoints.py "runs/soup$X.pt" "runs/hwl$X/best.pt" "runs/hwm$X/best.pt" --name "soup$X" || exit 1
echo "fold $X done: runs/soup$X.pt"
