#!/usr/bin/env bash
# Sets up a virtual environment with ClinicOps and serves the dashboard on the embedded
# SQLite default (created and filled with demo data on first start): http://127.0.0.1:8050
# Usage: scripts/run.sh   (VENV=path to choose the environment's folder)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e .
exec "$VENV/bin/python" app.py
