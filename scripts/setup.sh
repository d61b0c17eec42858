#!/usr/bin/env bash
# Shared setup for scripts/run and scripts/test: Python 3.10 venv, pinned install, Dutch spaCy
# base, and a trained model (only when its inputs changed). Safe to run again and again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
# Compiled bytecode (in the ignored __pycache__ folders) makes every later run start faster,
# pytest's rewritten test modules included.
unset PYTHONDONTWRITEBYTECODE

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

is_python310() {
  # The interpreter's own version line, so no Python hides in this shell script.
  [ -n "$1" ] && [ -x "$1" ] && [[ "$("$1" --version 2>&1)" == "Python 3.10."* ]]
}

find_python310() {
  # Rasa 3.6 runs on Python 3.10 only; the machine's default python3 may be newer.
  local candidates=("${PYTHON310:-}" "$(command -v python3.10 || true)")
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for dir in "$root"/versions/3.10*; do candidates+=("$dir/bin/python3.10"); done
  for py in "${candidates[@]}"; do
    if is_python310 "$py"; then echo "$py"; return 0; fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    log "Installing Python 3.10 with pyenv" >&2
    pyenv install -s 3.10 >&2 && echo "$(pyenv root)/versions/$(pyenv latest 3.10)/bin/python3.10" && return 0
  fi
  echo "Python 3.10 not found: install it (pyenv install 3.10) or set PYTHON310=/path/to/python3.10" >&2
  return 1
}

ensure_venv() {
  if ! is_python310 "$VENV/bin/python"; then
    local py; py="$(find_python310)"
    log "Creating $VENV with $py"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed" want
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "Installing pinned dependencies (a few minutes the first time)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip<25" "wheel==0.45.1" "setuptools==70.3.0"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$ROOT/constraints.txt" -e "$ROOT[dev]"
    echo "$want" > "$stamp"
  fi
}

ensure_system_packages() {
  # Browser tests drive Debian's Chromium through Playwright (`playwright install` cannot
  # download browsers here; CHROMIUM=/path/to/chrome uses another build), the replica test
  # routes through a real nginx (NGINX=/path/to/nginx uses another), and the calendar tests
  # run against Xandikos as a second CalDAV server beside Radicale (XANDIKOS=/path uses
  # another). One apt-get run for all three.
  local chromium="${CHROMIUM:-/usr/bin/chromium}" nginx="${NGINX:-/usr/sbin/nginx}"
  local xandikos="${XANDIKOS:-/usr/bin/xandikos}" missing=()
  [ -x "$chromium" ] || missing+=(chromium)
  [ -x "$nginx" ] || missing+=(nginx)
  [ -x "$xandikos" ] || missing+=(xandikos)
  [ "${#missing[@]}" -gt 0 ] || return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing ${missing[*]}: install Debian's packages or set CHROMIUM / NGINX / XANDIKOS" >&2
    return 1
  fi
  log "Installing Debian's ${missing[*]} for the browser, replica and calendar tests"
  # An install interrupted earlier (Ctrl-C) leaves dpkg half-configured; finish it first.
  DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null 2>&1 || true
  apt-get update -q >/dev/null
  # No service may start (nginx would take port 80): the tests run nginx on their own ports.
  # policy-rc.d is Debian's switch for that, kept only for this install.
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
  [ -z "$made_policy" ] || rm -f "$policy"
}

ensure_spacy_base() {
  (cd "$ROOT" && "$VENV/bin/python" -m burnout_assistant.language.spacy_base)
}

ensure_model() {
  # The training module names the model in a file of its own: no parsing of its output.
  local path_file="$ROOT/models/.current"
  (cd "$ROOT" && "$VENV/bin/python" -m burnout_assistant.apps.training --path-file "$path_file")
  MODEL="$(<"$path_file")"
  export MODEL
}

setup_all() {
  ensure_venv
  ensure_spacy_base
  ensure_model
  log "Model: ${MODEL#"$ROOT/"}"
}
