# Tailor — the two commands: `make demo` and `make test`. Everything else is a friend of theirs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TAILOR_HOME := $(CURDIR)
export PYSPARK_PYTHON := $(CURDIR)/$(BIN)/python
export SPARK_LOCAL_IP := 127.0.0.1
export MPLBACKEND := Agg
# Airflow: SQLite metadata DB and logs under the project, our dags/ only.
export AIRFLOW_HOME := $(CURDIR)/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
# every Tailor task is retried once after 30 s (the DAG files read no config of their own)
export AIRFLOW__CORE__DEFAULT_TASK_RETRIES := 1
export AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY := 30
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL := http://127.0.0.1:8780/execution/
# API on 8780, not 8793: the scheduler's worker log server listens on 8793
export AIRFLOW__API__PORT := 8780
export AIRFLOW__API__HOST := 127.0.0.1

# Demo world size (printed by the demo). Fits in well under 15 minutes on 2 cores.
USERS ?= 3000
DAYS ?= 45
SEED ?= 42
BENCH_ARGS ?= --pin
DATA ?= sim

.PHONY: help install demo lint test test-full test-cluster test-fast cluster cluster-stop airflow serve bench clean

help:
	@echo "make demo    - install, simulate a world, run the daily DAG in Airflow, publish, serve, show decisions"
	@echo "make test    - install, lint (ruff + mypy), run the test suite but the slow tests (what CI runs)"
	@echo "make test-full - every test, the slow ones too (a second DAG run, schemathesis, ...; about 25 minutes more)"
	@echo "make test-fast - unit tests only: no DAG run, nothing slow"
	@echo "make test-cluster - the tests that run Spark on a local standalone cluster"
	@echo "make lint    - ruff and the type check only"
	@echo "make cluster - a Spark standalone cluster (master + 2 workers) and PostgreSQL on 127.0.0.1; TAILOR_ENV=standalone uses them; make cluster-stop"
	@echo "make airflow - airflow standalone on this project's DAGs (UI on http://127.0.0.1:8780)"
	@echo "make serve   - the lookup server on the published snapshot"
	@echo "make bench   - serving benchmark vs Feast and a bare ceiling (needs wrk; ~20 min)"
	@echo "make clean   - remove generated data (lakehouse, landing, serving, mlflow, airflow, runs)"

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# then the class archive of this Java and Spark (tailor/spark_classes.py): about a minute the
# first time, a no-op after; Spark works without it, only its JVMs start slower
install: $(STAMP)
	@$(BIN)/tailor spark archive || echo "warning: no Spark class archive (see above); continuing without it"

demo: install
	$(BIN)/python -m tailor.demo --users $(USERS) --days $(DAYS) --seed $(SEED) --data $(DATA)

lint: install  # ruff (pyproject.toml [tool.ruff]) and a type check of the public modules
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint  # what CI runs: everything but the tests marked slow (CI has 45 minutes on 2 cores)
	$(BIN)/python -m pytest -m "not slow"

test-full: lint  # every test, the slow ones too (a second DAG run, simulated-world equivalence)
	$(BIN)/python -m pytest

test-cluster: install  # the tests that start a Spark standalone cluster (and PostgreSQL) on 127.0.0.1
	$(BIN)/python -m pytest -m cluster

test-fast: install  # unit tests only: no DAG run, nothing slow (a few minutes)
	$(BIN)/python -m pytest -m "not slow and not e2e"

cluster: install  # a Spark standalone master + 2 workers and PostgreSQL on 127.0.0.1 (tailor/spark_cluster.py, tailor/postgres.py)
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null || \
	  { echo "installing Debian's postgresql (apt-get)"; apt-get install -y -q postgresql >/dev/null; }
	$(BIN)/tailor cluster start
	$(BIN)/tailor postgres start

cluster-stop: install
	$(BIN)/tailor cluster stop
	$(BIN)/tailor postgres stop

airflow: install  # standalone starts its components as `airflow ...` subprocesses: venv on PATH
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/airflow standalone

serve: install
	$(BIN)/tailor serve

bench: install  # servers on CPU 0, wrk on CPU 1 (bench/README.md); BENCH_ARGS= to share cores
	$(BIN)/python bench/serve.py $(BENCH_ARGS)

clean:
	rm -rf lakehouse landing ground_truth world.json serving runs mlflow airflow spark-warehouse
