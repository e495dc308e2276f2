# Olympiad: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app contest

.PHONY: run test test-js install lint messages translations clean serve bench cluster cluster-stop faults

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate translations

translations: $(BIN)/activate
	@if [ -d contest/translations ]; then $(BIN)/pybabel -q compile --use-fuzzy -d contest/translations; fi

run: install
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(BIN)/python wsgi.py

test: install
	$(BIN)/python -m pytest -q -n 2 -m "not postgres and not browser and not server and not faults"

# nginx on http://127.0.0.1:8080 in front of one answering process per core and a board process, on PostgreSQL
# (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/olympiad) and Redis (REDIS_URL). SEED=10000 seeds.
cluster: install
	$(BIN)/python deploy/cluster.py start $(if $(SEED),--seed $(SEED)) $(if $(WORKERS),--workers $(WORKERS))

cluster-stop:
	$(BIN)/python deploy/cluster.py stop

# The front end's pure parts (contest/static/js, native ES modules) under Node's own test runner: no npm, no build.
# Fails when a test fails and when none ran (node --test itself exits 0 on an empty folder).
NODE ?= node
test-js:
	@log=$$(mktemp) && { $(NODE) --test --test-reporter=tap tests/js/ > $$log 2>&1; rc=$$?; cat $$log; \
	  passed=$$(sed -n 's/^# pass //p' $$log); failed=$$(sed -n 's/^# fail //p' $$log); rm -f $$log; \
	  echo "$${passed:-0} passed, $${failed:-0} failed (node --test)"; \
	  [ $$rc -eq 0 ] && [ "$${passed:-0}" -gt 0 ]; }

# The app alone, as configured (instance/config.py, OLYMPIAD_* and DATABASE_URL/REDIS_URL), without seeding.
serve: install
	$(FLASK) db upgrade
	$(BIN)/python wsgi.py

# The capacity run of bench/RESULTS.md against a running `make cluster SEED=…`: ENTRANTS entrants answering every
# THINK seconds, starting at RAMP a second, then the bare server under the same load; one JSON line on stdout.
ENTRANTS ?= 10000
THINK ?= 10
RAMP ?= 500
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgresql://postgres@127.0.0.1:5432/olympiad)
bench: install
	$(BIN)/python -m bench.harness --url http://127.0.0.1:8080 $$(for pid in instance/cluster/answer-*.pid; do echo --server-pid $$(cat $$pid); done) \
	    --bare --round-id auto --entrants $(ENTRANTS) --think $(THINK) --ramp $(RAMP) --login-rate 40 \
	    --sessions instance/cluster/bench-sessions.json --database-url "$(BENCH_DATABASE_URL)"

# The fault stage (.ci/run stage e): private PostgreSQL, Redis and nginx; prints each fault's recovery times.
faults: install
	$(BIN)/python -m pytest -q -s -m faults tests/faults

lint: install
	$(BIN)/ruff check .

messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_ngettext:1,2 --no-location -o contest/translations/messages.pot .
	$(BIN)/pybabel update -i contest/translations/messages.pot -d contest/translations --no-fuzzy-matching --width 120

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The browser's Socket.IO client, committed under contest/static/vendor (no CDN, no npm for the quick start).
# `make vendor` refreshes it from the npm registry: bump SOCKETIO_CLIENT and commit the result.
SOCKETIO_CLIENT ?= 4.8.4
SOCKETIO_VENDOR := contest/static/vendor/socket.io
.PHONY: vendor
vendor:
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent socket.io-client@$(SOCKETIO_CLIENT) >/dev/null && \
	tar xzf socket.io-client-$(SOCKETIO_CLIENT).tgz && cd - >/dev/null && \
	cp $$tmp/package/dist/socket.io.min.js $$tmp/package/LICENSE $(SOCKETIO_VENDOR)/ && rm -rf $$tmp
	sed -i 's/^Version: .*/Version: $(SOCKETIO_CLIENT)/' $(SOCKETIO_VENDOR)/README.md
	sha256sum $(SOCKETIO_VENDOR)/socket.io.min.js
