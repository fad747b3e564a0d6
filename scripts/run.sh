#!/usr/bin/env bash
# Starts a working system with demo data on this machine: bash scripts/run.sh
#
# Embedded mode unless the environment says otherwise: SQLite in var/, Celery tasks run in-process,
# e-mail printed to the console, DEBUG off, static files served by WhiteNoise. Extra arguments go to
# runserver (default 127.0.0.1:8000), e.g. bash scripts/run.sh 0.0.0.0:8080
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

export DJANGO_SETTINGS_MODULE=mentoring.settings
manage=(.venv/bin/python manage.py)

for name in DATABASE_URL REDIS_URL; do
  if [[ -n "${!name:-}" ]]; then
    echo "==> Using $name from the environment"
  fi
done
if [[ -n "${REDIS_URL:-}" ]]; then
  echo "    (tasks go to the broker: start a worker too: .venv/bin/celery -A mentoring worker)"
fi

echo "==> Migrating the database"
"${manage[@]}" migrate --noinput
echo "==> Demo data"
"${manage[@]}" seed_demo
echo "==> Collecting static files"
"${manage[@]}" collectstatic --noinput --verbosity 0

if (($# == 0)); then
  set -- 127.0.0.1:8000
fi
echo "==> runserver $* (Ctrl-C to stop)"
exec "${manage[@]}" runserver "$@"
