# The two commands of the README: `make run` and `make test`. Both set up first (quick when done):
# `make run` installs what the app needs at run time, `make test` adds the tests, training and
# data synthesis (scripts/setup.sh run|test; docs/install.md has the sizes and times).
.PHONY: setup setup-run run test bench install uninstall

setup:
	@bash scripts/setup.sh test

setup-run:
	@bash scripts/setup.sh run

run: setup-run
	.venv/bin/python -m app

test: setup
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q

bench: setup
	.venv/bin/python scripts/bench_handwriting.py

# Desktop integration for the current user: a menu entry, its icon and a `scrivox` launcher
# in ~/.local (scripts/desktop.sh); `make uninstall` removes them.
install: setup-run
	@bash scripts/desktop.sh install

uninstall:
	@bash scripts/desktop.sh uninstall
