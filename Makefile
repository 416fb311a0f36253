# Rally's commands. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test lint test-services e2e bench clean messages audit

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

run: install
	DEBUG=on $(BIN)/python manage.py migrate --noinput
	DEBUG=on $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Rally is starting on http://127.0.0.1:8000"
	@echo "  Sign in at http://127.0.0.1:8000/accounts/login/ with the password rally-demo as"
	@echo "    staff@example.org      (superuser, for set-up: opens http://127.0.0.1:8000/admin/)"
	@echo "    campaigns@example.org  (campaign manager: campaigns, actions, mailings)"
	@echo "    tracker@example.org    (tracker editor: the policy tracker)"
	@echo "    data@example.org       (supporter data: signatures, exports, the outbox, the audit log)"
	@echo "    supporter@example.org  (a verified supporter, opted in to everything)"
	@echo "  Emails are written to var/mail/ and shown in this console."
	@echo ""
	DEBUG=on $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings

# The embedded default, whatever servers the shell points at (make test-services uses those).
test: lint
	env -u DATABASE_URL -u REDIS_URL -u EMAIL_URL $(BIN)/pytest -n 2 -m "not services and not e2e"

test-services: install
	$(BIN)/python scripts/test_services.py

# Pinned requirements against known vulnerabilities; passes, saying so, where the advisories are out of reach.
audit: install
	$(BIN)/python scripts/audit.py

e2e: install
	$(BIN)/python scripts/e2e.py

bench: install
	$(BIN)/python bench/run.py

messages: install
	DEBUG=on $(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=var
	DEBUG=on $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
