#!/usr/bin/env bash
# Runs one command next to a throwaway PostgreSQL 15 and Redis, then removes both:
#
#   bash scripts/services.sh COMMAND [ARGS...]     e.g. bash scripts/services.sh bash
#
# Both listen on 127.0.0.1 only, on free ports, with their data in a temporary directory; the
# command sees DATABASE_URL and REDIS_URL. They are stopped and the directory removed when the
# command ends, fails or is interrupted — and, should this script itself be killed, by a small
# janitor process that outlives it. The exit status is the command's.
set -euo pipefail

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'services: %s\n' "$*" >&2
  exit 1
}

as_root() { [[ $(id -u) -eq 0 ]]; }

# PostgreSQL refuses to run as root: as root it runs as the machine's postgres user.
as_pg() {
  if as_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bin=/usr/lib/postgresql/15/bin
if [[ ! -x $pg_bin/initdb ]]; then
  pg_bin=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
fi

# Whether a process is still running (a zombie, gone but not yet reaped, is not).
running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

# Stops whatever is running from a work directory and removes it. Safe to call more than once.
stop_services() {
  local work=$1 pid
  [[ -d $work ]] || return 0
  if [[ -f $work/pg/data/postmaster.pid ]]; then
    as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  fi
  if [[ -f $work/redis/redis.pid ]]; then
    pid=$(cat "$work/redis/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      running "$pid" || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}

# Janitor mode (internal): wait for the script that started us to go, then clean up after it.
if [[ ${1:-} == --stop-after-exit ]]; then
  watched=$2 work=$3
  while kill -0 "$watched" 2>/dev/null; do sleep 1; done
  stop_services "$work"
  exit 0
fi

(($# > 0)) || die "usage: bash scripts/services.sh COMMAND [ARGS...]"
[[ -x $pg_bin/initdb && -x $pg_bin/pg_ctl ]] ||
  die "PostgreSQL 15 is not installed (bash scripts/setup.sh --system installs it)"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
  die "Redis is not installed (bash scripts/setup.sh --system installs it)"
pg_version=$("$pg_bin/initdb" --version)
[[ $pg_version == *" 15."* ]] || say "warning: expected PostgreSQL 15, found: $pg_version"

python=$(command -v python3 || true)
[[ -n $python ]] || python=$(dirname "${BASH_SOURCE[0]}")/../.venv/bin/python

# The postgres user must be able to reach its directory, so as root the work dir lives in /tmp.
base=${TMPDIR:-/tmp}
as_root && base=/tmp
work=$(mktemp -d "$base/mentoring-services.XXXXXX")
chmod 755 "$work"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_services "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
setsid bash "${BASH_SOURCE[0]}" --stop-after-exit $$ "$work" </dev/null >/dev/null 2>&1 &

# Two distinct free ports, chosen by the kernel.
read -r pg_port redis_port < <(
  "$python" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
'
) || true
[[ -n ${redis_port:-} ]] || die "could not find two free ports with $python"

show_log() {
  printf -- '---- %s ----\n' "$1" >&2
  tail -n 60 "$1" >&2 || true
  printf -- '----\n' >&2
}

# PostgreSQL: a fresh cluster, trust auth, tuned for speed over durability (it is thrown away).
started=$(date +%s%N)
mkdir -p "$work/pg"
as_root && chown postgres: "$work/pg"
chmod 700 "$work/pg"
pgdata=$work/pg/data
if ! as_pg "$pg_bin/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
  --no-sync --no-instructions >"$work/pg/initdb.log" 2>&1; then
  show_log "$work/pg/initdb.log"
  die "initdb failed"
fi
pg_options="-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg"
pg_options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
# In its own session, so a Ctrl-C meant for the command does not reach the server first.
if ! as_pg setsid -w "$pg_bin/pg_ctl" -D "$pgdata" -l "$work/pg/server.log" -w -t 60 \
  -o "$pg_options" start >/dev/null; then
  show_log "$work/pg/server.log"
  die "PostgreSQL did not start"
fi

# Redis: no persistence at all.
mkdir -p "$work/redis"
if ! redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$work/redis/redis.pid" --logfile "$work/redis/server.log" \
  --dir "$work/redis" >"$work/redis/start.log" 2>&1; then
  show_log "$work/redis/start.log"
  die "Redis did not start"
fi

wait_for() {
  local name=$1 log=$2
  shift 2
  for _ in $(seq 300); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  show_log "$log"
  die "$name did not accept connections within 30 s"
}
wait_for PostgreSQL "$work/pg/server.log" "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres
wait_for Redis "$work/redis/server.log" redis-cli -h 127.0.0.1 -p "$redis_port" ping
if ! "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres mentoring 2>"$work/pg/createdb.log"; then
  show_log "$work/pg/createdb.log"
  die "could not create the mentoring database"
fi

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/mentoring"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
say "PostgreSQL 15 on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port" \
  "(ready in $((($(date +%s%N) - started) / 1000000)) ms)"

set +e
"$@"
status=$?
set -e
exit "$status"
