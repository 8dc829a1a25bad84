#!/usr/bin/env bash
# Desktop integration for the current user (`make install` / `make uninstall`):
#   ~/.local/bin/scrivox                                       a launcher for this checkout's .venv
#   ~/.local/share/applications/scrivox.desktop                the menu entry (Exec = that launcher)
#   ~/.local/share/icons/hicolor/scalable/apps/scrivox.svg     its icon
# ($XDG_DATA_HOME replaces ~/.local/share when set.) Nothing outside $HOME is touched; uninstall
# removes only files that install wrote (they carry a marker).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
ACTION="${1:-}"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN="$HOME/.local/bin"
LAUNCHER="$BIN/scrivox"
DESKTOP="$DATA/applications/scrivox.desktop"
ICON="$DATA/icons/hicolor/scalable/apps/scrivox.svg"
MARK="installed by Scrivox's make install"

refresh() {  # menu and icon caches, where the tools are there (optional)
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$DATA/applications" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" 2>/dev/null || true
}

case "$ACTION" in
  install)
    [ -x "$REPO/.venv/bin/python" ] || { echo "no .venv: run scripts/setup.sh run (or make install) first" >&2; exit 1; }
    mkdir -p "$BIN" "$(dirname "$DESKTOP")" "$(dirname "$ICON")"
    printf '#!/bin/sh\n# %s from %s\nexec "%s" -m app "$@"\n' "$MARK" "$REPO" "$REPO/.venv/bin/python" > "$LAUNCHER"
    chmod 755 "$LAUNCHER"
    { echo "# $MARK from $REPO"; sed "s|^Exec=.*|Exec=$LAUNCHER|" resources/desktop/scrivox.desktop; } > "$DESKTOP"
    cp resources/icons/scrivox.svg "$ICON"
    refresh
    echo "installed: $LAUNCHER, $DESKTOP, $ICON"
    case ":$PATH:" in *":$BIN:"*) ;; *) echo "note: $BIN is not on your PATH; the menu entry works anyway" ;; esac
    ;;
  uninstall)
    for f in "$LAUNCHER" "$DESKTOP"; do
      if [ -f "$f" ]; then
        if grep -q "$MARK" "$f"; then rm -f "$f"; echo "removed $f"; else echo "left $f: not written by make install" >&2; fi
      fi
    done
    if [ -f "$ICON" ]; then rm -f "$ICON"; echo "removed $ICON"; fi
    refresh
    ;;
  *) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
