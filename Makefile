# OneWindow — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || echo python3.12)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEBIAN_PACKAGES := fonts-noto-cjk chromium chromium-l10n poppler-utils postgresql-15 postgresql-contrib

.PHONY: setup system-packages demo serve test test-sqlite test-postgres test-browser bench bench-quick lint format clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), sys.version' \
	  || { echo "需要 Python 3.12（见 .python-version）: $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

setup: system-packages $(VENV)/.installed

# Debian packages the platform needs (CJK fonts for PDFs, Chromium for browser tests,
# PostgreSQL 15 for `make test-postgres`). Installed when running as root; otherwise a
# message names the one command to run.
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "安装系统软件包: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "缺少系统软件包，请先运行: sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo_accounts
	@echo "一窗通已启动: http://$(HOST):$(PORT)/  （管理后台 /admin/，接口文档 /api/v1/docs）"
	$(VENV)/bin/gunicorn onewindow.wsgi:application --bind $(HOST):$(PORT) --workers 2 --access-logfile -

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

test-postgres: setup
	scripts/with-postgres.sh $(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) -m bench

bench-quick: setup
	$(PY) -m bench --quick

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy onewindow

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache
