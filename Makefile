# Hearthline: `make run` installs and starts the service; `make test` installs and runs every check.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := espeak-ng libsndfile1 chromium
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install system catalogs extract lint typecheck bench worker clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[ko,postgres,redis,dev]'
	touch $(STAMP)

install: system $(STAMP) catalogs

# Debian packages the speech, audio and browser tests need; installed only when missing.
system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Compile the .po catalogs into .mo; fails on a broken catalog.
catalogs: $(STAMP)
	$(BIN)/python -m prompts.compile

# Write i18n/locales/<domain>.pot from the keys the code uses; lists keys missing from the catalogs (fails)
# and catalog keys no code uses. Then give new static prompts their stable phone numbers (append-only).
extract: $(STAMP)
	$(BIN)/python -m prompts.extract
	$(BIN)/python -m prompts.catalog

# On the embedded defaults nothing reaches the real Twilio: the simulator starts a local stand-in of its REST
# API at this address (recordings, outgoing texts). A deployment sets real settings instead (README).
run: export HEARTHLINE_TWILIO_API_BASE ?= http://127.0.0.1:5099
run: install
	$(BIN)/flask --app app prompts render --quiet || echo "prompt audio not rendered: callers hear Twilio <Say> instead"
	@echo "Hearthline on http://$(HOST):$(PORT)/  (phone simulator: http://$(HOST):$(PORT)/simulator/, staff console: http://$(HOST):$(PORT)/console/)"
	@# The local Twilio stand-in (texts and calls go there, not to Twilio) and the notification worker run beside
	@# the web app and stop with it.
	$(BIN)/flask --app app standin & standin=$$!; \
	$(BIN)/flask --app app worker & worker=$$!; trap 'kill $$worker $$standin 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/flask --app app worker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs twice, the passes side by side on the machine's two cores (tests/passes.py: output kept apart,
# then a summary of each pass's failures and a closing line with all the counts): on SQLite, and on the
# production path (every app on a PostgreSQL schema as fresh as a new one, its job queue on Redis, at
# HEARTHLINE_TEST_POSTGRES_URL and HEARTHLINE_TEST_REDIS_URL), skipped, saying why, when either server does not
# answer. The second pass leaves out the `slow` tests (Vosk recognition, headless Chromium): they exercise speech
# and pages over the same storage code the other tests cover; on SQLite they run apart, on whichever core frees
# first. Nothing else is left out. A test's database is ready-made instead of 40-odd tables being created for each
# test: copied from a SQLite file the app's start-up made once, or a PostgreSQL schema emptied and reused only
# while its shape is exactly the app's (tests/fresh_storage.py).
# Measured on 4 Dec 2026 (night), `time bash .ci/run` in a fresh clone on the 2-core machine, idle: 10 min 15 s in
# all (install, ruff, mypy: under 1 min; the SQLite pass 5 min 52 s, then its 48 slow tests 3 min 43 s, on one
# core; the production path 8 min 8 s on the other; 3,491 passed, 1 skipped). One pass after the other, with a
# schema built per test, it took 26 min 35 s on the machine idle (4 Dec, with fewer tests).
test: install lint typecheck
	$(BIN)/python -m tests.passes

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
