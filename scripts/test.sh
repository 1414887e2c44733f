#!/usr/bin/env bash
# The test suite: set up (including Chromium for the browser tests), lint, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "all,dev"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium not found; browser tests will be skipped" >&2
  fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# one process per core (two on the project's machine); worksteal balances
# the long statistical tests
exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
