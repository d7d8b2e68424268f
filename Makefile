# The front door: `make run` and `make test` are all a newcomer needs.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-pg e2e lint install demo bench bench-web bench-import bench-notify bench-scale typecheck worker beat clean messages makemessages api-check deploy-check

install: $(VENV)/.installed

# The English texts of the resident's pages: the committed .po compiled into the .mo that
# Django reads (git-ignored). Needs GNU gettext's msgfmt (apt-get install gettext).
# Japanese needs no catalog: it is the source text.
# やさしい日本語 (locale/ja_Easy) is compiled by its own command, which marks its readings.
MESSAGES_MO := locale/en/LC_MESSAGES/django.mo locale/ja_Easy/LC_MESSAGES/django.mo
messages: $(MESSAGES_MO)

locale/ja_Easy/LC_MESSAGES/django.mo: locale/ja_Easy/LC_MESSAGES/django.po | $(VENV)/.installed
	$(PY) manage.py compile_easy_japanese

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po | $(VENV)/.installed
	$(PY) manage.py compilemessages -l en --ignore=.venv --ignore=var --ignore=e2e --ignore=bench

# After changing a text in a template or in the code: collect the new and changed texts
# into the .po, then give each its English (no entry may stay empty or fuzzy: a test checks).
makemessages: install
	$(PY) manage.py makemessages -l en -l ja_Easy --add-location=file \
		--ignore=.venv --ignore=var --ignore=e2e --ignore=bench --ignore=static --ignore='*.egg-info'

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

# Links in mail and the hints printed by seed_demo follow the address the portal runs on.
export SITE_URL ?= http://$(HOST):$(PORT)

demo: install $(MESSAGES_MO)
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install $(MESSAGES_MO)
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL, as CI runs it.
test-pg:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(MAKE) test

# Only the end-to-end tests (e2e/): the portal in a real headless Chromium on a phone
# screen, mail through a real SMTP server. Needs Debian's chromium (see README).
e2e: install $(MESSAGES_MO)
	$(PY) -m pytest e2e -m e2e $(PYTEST_ARGS)

# Schemathesis against the API's served document (scripts/api_check.py): gunicorn on a
# throw-away database with two towns, a fixed budget of examples per operation.
api-check: install
	$(PY) scripts/api_check.py

# The portal run as deploy/ runs it (the systemd units' and the compose file's commands):
# migrate, collectstatic, two gunicorns with deploy/gunicorn.conf.py, a Celery worker and
# beat, on a throw-away PostgreSQL database and the test Redis (the `deploy` marker).
deploy-check: install $(MESSAGES_MO)
	DEPLOY_TESTS=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
		$(PY) -m pytest -m deploy waterportal/tests/test_deploy_stack.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(MAKE) typecheck

typecheck: install
	$(VENV)/bin/mypy waterportal

# Benchmarks print figures (see bench/README.md); PostgreSQL and Redis on this machine.
bench: bench-web bench-import bench-notify

bench-web: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_web} $(PY) bench/web/run.py

bench-import: install
	$(PY) bench/import/run.py

bench-notify: install
	$(PY) bench/notify/run.py

# 200 towns, 5,000,000 contracts, 60,000,000 bills: the first run fills its database
# (about 25 minutes, 30 GB; kept for the next run). SIZE=small for a quick run.
bench-scale: install
	$(PY) bench/scale/run.py --size $${SIZE:-full}

worker: install
	$(VENV)/bin/celery -A waterportal worker -l info

beat: install
	$(VENV)/bin/celery -A waterportal beat -l info

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
