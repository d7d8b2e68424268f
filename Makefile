# The front door: `make run` and `make test` are all a newcomer needs.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-pg e2e lint install demo bench worker beat clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

# Links in mail and the hints printed by seed_demo follow the address the portal runs on.
export SITE_URL ?= http://$(HOST):$(PORT)

demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Only the end-to-end tests (e2e/): the portal in a real headless Chromium on a phone
# screen, mail through a real SMTP server. Needs Debian's chromium (see README).
e2e: install
	$(PY) -m pytest e2e -m e2e $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Type checking with django-stubs; not yet part of lint (see the issue notes).
typecheck: install
	$(VENV)/bin/mypy waterportal tenants accounts contracts billing audit exchange

worker: install
	$(VENV)/bin/celery -A waterportal worker -l info

beat: install
	$(VENV)/bin/celery -A waterportal beat -l info

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
