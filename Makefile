# Thin aliases for dev.py, which does the work (and needs only Python and pip).
PYTHON ?= python3

.PHONY: demo test lint lock bench docs ci

demo:
	$(PYTHON) dev.py demo

test:
	$(PYTHON) dev.py test

lint:
	$(PYTHON) dev.py lint

bench:
	$(PYTHON) dev.py bench

docs:
	$(PYTHON) dev.py docs

ci:
	bash .ci/run

lock:
	$(PYTHON) dev.py lock
