# QD Explorer. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp-install
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: install run test lint pytest bench browser demo-pool clean

install: $(STAMP)

# torch is pinned in requirements.txt (a CPU wheel on the machines' disk); an unpinned
# torch would pull a multi-gigabyte CUDA build. requirements-ray.txt adds the optional Ray
# extra (ray + msgpack only) so `make test` runs tests/distributed/test_ray.py too;
# `make install RAY=0` leaves it out (the Ray tests then skip, saying why).
RAY ?= 1
REQUIREMENTS := requirements.txt $(if $(filter 1,$(RAY)),requirements-ray.txt)
$(STAMP): $(REQUIREMENTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(foreach r,$(REQUIREMENTS),-r $(r))
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .   # the `qdx` command
	@touch $@

run: install
	$(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

lint: install
	$(PY) -m ruff check .

pytest: install browser
	$(PY) -m pytest -q

test: lint pytest

# Debian's chromium for the real-browser tests (playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Quick figures on data every checkout has (../shared/data, synthetic pools). The 50k MiniLM
# workspace runs (benchmarks/build_pool50k.py, then --workspace bench-out/pool50k) and the
# browser latency run (ui_latency.py) take longer: see README.md "Benchmarks".
bench: install
	$(PY) benchmarks/embed.py --rows 1000
	$(PY) benchmarks/select.py --synthetic
	$(PY) benchmarks/metrics.py --synthetic
	$(PY) benchmarks/scale.py --rows 200000 --skip embed

demo-pool: install
	$(PY) assets/make_demo_pool.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
