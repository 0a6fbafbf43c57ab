#!/usr/bin/env bash
# Sets up a virtual environment with ClinicOps and its test extras, then runs every test
# (unit, integration on SQLite and PostgreSQL, browser in headless Chromium) and the linters.
# Usage: scripts/test.sh [pytest args...]   (VENV=path to choose the environment's folder)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
exec "$VENV/bin/python" -m pytest -n 2 "$@"
