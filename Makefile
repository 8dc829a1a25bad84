# The two commands of the README: `make run` and `make test`. Both set up first (quick when done).
.PHONY: setup run test bench

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/python -m app

test: setup
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q

bench: setup
	.venv/bin/python scripts/bench_handwriting.py
