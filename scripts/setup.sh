#!/usr/bin/env bash
# Prepares a checkout to run or test: the virtualenv, the Python packages, the front-end build.
# Safe to run again at any time, and quick when nothing changed.
#
#   bash scripts/setup.sh            .venv + pip install -e '.[dev]' (only when pyproject.toml changed)
#                                    + scripts/build_static.sh
#   bash scripts/setup.sh --system   also installs, with apt and only when missing, what the test
#                                    run needs from the machine: PostgreSQL 15, Redis, Chromium
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'setup: %s\n' "$*" >&2
  exit 1
}

want_system=false
for arg in "$@"; do
  case "$arg" in
    --system) want_system=true ;;
    -h | --help)
      sed -n '2,9p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) die "unknown option: $arg (try --help)" ;;
  esac
done

# System packages the test run needs, each installed only when its program is missing.
ensure_system_packages() {
  local missing=()
  [[ -x /usr/lib/postgresql/15/bin/initdb ]] || missing+=(postgresql-15)
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  if ((${#missing[@]} == 0)); then
    return
  fi
  [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}: install them with apt (needs root)"
  say "Installing ${missing[*]} with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts the packaged services; the test run starts its own throwaway ones instead.
  if [[ " ${missing[*]} " == *" redis-server "* ]] && command -v service >/dev/null; then
    service redis-server stop >/dev/null 2>&1 || true
  fi
  if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && command -v service >/dev/null; then
    service postgresql stop >/dev/null 2>&1 || true
  fi
}

# The machine's Python 3.11: pyenv's shim if it has one, else Debian 12's own python3.11.
find_python() {
  local candidate
  for candidate in python3.11 /root/.pyenv/versions/3.11*/bin/python3.11 /usr/bin/python3.11; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  return 1
}

if $want_system; then
  ensure_system_packages
fi

if [[ ! -x .venv/bin/python ]]; then
  python=$(find_python) || die "Python 3.11 not found (pyenv install 3.11, or apt-get install python3.11-venv)"
  say "Creating .venv with $python"
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

stamp=.venv/.installed-pyproject.sha256
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  say "Python packages are up to date with pyproject.toml"
else
  say "Installing Python packages (pyproject.toml changed since the last install)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$wanted" >"$stamp"
fi

# The front end is rebuilt only when its inputs changed or an output is missing (sass takes seconds).
static_inputs_hash() {
  {
    sha256sum package-lock.json scripts/build_static.sh
    find static/src -type f -print0 | sort -z | xargs -0 -r sha256sum
  } | sha256sum | cut -d' ' -f1
}
if [[ ! -f scripts/build_static.sh ]]; then
  say "scripts/build_static.sh is not there yet: skipping the front-end build"
else
  static_stamp=node_modules/.setup-static-inputs.sha256
  inputs=$(static_inputs_hash)
  if [[ -f $static_stamp && "$(cat "$static_stamp")" == "$inputs" && -f static/css/app.css &&
    -d static/vendor/nhsuk && -f node_modules/axe-core/axe.min.js ]]; then
    say "Front end is up to date"
  else
    say "Building the front end"
    bash scripts/build_static.sh
    echo "$inputs" >"$static_stamp"
  fi
fi
