#!/usr/bin/env bash
# Runs the test suite against a real, throwaway PostgreSQL 15 and Redis: bash scripts/test.sh
#
# Arguments go to pytest, e.g. bash scripts/test.sh tests/mentoring -x -q
# Installs what is missing first (the virtualenv, Redis, Chromium, PostgreSQL 15 — the last three
# with apt, only when absent), then starts both services, runs pytest and stops them again. The
# exit status is pytest's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --system
exec bash scripts/services.sh .venv/bin/pytest "$@"
