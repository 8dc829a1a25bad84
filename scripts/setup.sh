#!/usr/bin/env bash
# Set up Scrivox on a Debian/Ubuntu machine: system packages, a .venv, the project.
#
#   scripts/setup.sh run    what the app needs at run time (`make run`)
#   scripts/setup.sh test   that, plus the tests, training and data synthesis (`make test`; the default)
#
# Safe to run again: each step is skipped when its result is already there. A `test` install
# satisfies `run`. tests/test_system_packages.py reads the package lists below: every system
# file or program the code or the tests use must come from a package in RUN_APT or TEST_APT,
# from one in LEFT_OUT, which code and tests do without (saying so), from PREREQS, or from an
# Essential package (coreutils, bash, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE="${1:-test}"
case "$PROFILE" in run|test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2 ;; esac

# What the README's two commands need before this script can run (not installed here):
PREREQS=(
  make                               # `make run`, `make test`
  python3                            # 3.10 or newer; PYTHON=... picks another
)
RUN_APT=(
  python3-venv                       # `python3 -m venv` on Debian's own Python
  libportaudio2                      # sounddevice's PortAudio
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0   # Qt
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0      # Qt's xcb platform
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  wamerican                          # /usr/share/dict/words: enrolment prompts leave out names
)
TEST_APT=(
  espeak-ng                          # speech synthesis: test speech, training data
  flite                              # the held-out synthetic validation voices
  festival festvox-kallpc16k festvox-us-slt-hts   # training voices
  wordnet-base                       # /usr/share/wordnet: example sentences for synthetic speech
  fortunes dict-devil                # running English for the word bigrams (scripts/build_lm.py)
  fonts-bwht fonts-ecolier-court fonts-femkeklaver  # outline handwriting fonts for synthetic ink
  fonts-kaushanscript                # the held-out validation font of handwriting training
  fonts-dancingscript                # a second held-out font, a check only (DESIGN.md: never trained on)
  xvfb                               # an X server for the "Send to window" test
)
# Deliberately not installed; what uses them does without and says so:
LEFT_OUT=(
  libttspico-utils                   # pico2wave: Debian non-free (not enabled on a stock system); the pico voices are skipped
  pulseaudio pulseaudio-utils        # paplay: the live-microphone test is opt-in (SCRIVOX_TEST_PULSE=1, see DESIGN.md)
  xdotool                            # "Send to window" types through XTest (python-xlib); xdotool is a fallback where present
  wtype ydotool                      # Wayland typing, used where present; else the text goes to the clipboard
)

want_apt=("${RUN_APT[@]}")
[ "$PROFILE" = test ] && want_apt+=("${TEST_APT[@]}")
missing=()
for p in "${want_apt[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# torch's CUDA libraries are several GB from PyPI, and a download cut off midway has failed a
# fresh install (CI, 2026-12-05): pip resumes a cut download, and the whole step is tried three
# times; pip's cache keeps the wheels already fetched, so a retry fetches only what is missing.
pip_install() {
  local try resume=()
  # --resume-retries came with pip 25.1; the venv's first pip (the one that upgrades pip) may be older
  .venv/bin/pip install --help | grep -- --resume-retries >/dev/null && resume=(--resume-retries 10)
  for try in 1 2 3; do
    .venv/bin/pip install -q "${resume[@]}" "$@" && return 0
    echo "pip install $* failed (try $try of 3)" >&2
    [ "$try" -lt 3 ] && sleep $((try * 10))
  done
  return 1
}

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# The stamp holds a hash of what the Python install depends on, and the profile installed.
stamp=".venv/.scrivox-installed"
PIP_STEPS_VERSION=3  # bump when the pip steps below change
want="$( (cat pyproject.toml; echo "$PIP_STEPS_VERSION") | sha256sum | cut -c1-16)"
have_hash=""; have_profile=""
[ -f "$stamp" ] && read -r have_hash have_profile < "$stamp" || true
if [ "${have_hash:-}" != "$want" ] || { [ "$PROFILE" = test ] && [ "${have_profile:-run}" != test ]; }; then
  pip_install --upgrade pip
  # torch first and alone, pinned, so no resolver step can pick a newer multi-GB build
  pip_install "torch==2.9.1"
  if [ "$PROFILE" = test ]; then
    pip_install -e ".[test,synth]"
  else
    pip_install -e .
  fi
  echo "$want $PROFILE" > "$stamp"
fi
