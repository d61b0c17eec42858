#!/usr/bin/env bash
# Shared setup for scripts/run and scripts/test: Python 3.10 venv, pinned install, Dutch spaCy
# base, and a trained model (only when its inputs changed). Safe to run again and again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export TF_CPP_MIN_LOG_LEVEL=3 PYTHONDONTWRITEBYTECODE=1 SQLALCHEMY_SILENCE_UBER_WARNING=1

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python310() {
  # Rasa 3.6 runs on Python 3.10 only; the machine's default python3 may be newer.
  local candidates=("${PYTHON310:-}" "$(command -v python3.10 || true)")
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for dir in "$root"/versions/3.10*; do candidates+=("$dir/bin/python3.10"); done
  for py in "${candidates[@]}"; do
    if [ -n "$py" ] && [ -x "$py" ] && "$py" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    log "Installing Python 3.10 with pyenv" >&2
    pyenv install -s 3.10 >&2 && echo "$(pyenv root)/versions/$(pyenv latest 3.10)/bin/python3.10" && return 0
  fi
  echo "Python 3.10 not found: install it (pyenv install 3.10) or set PYTHON310=/path/to/python3.10" >&2
  return 1
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
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

ensure_chromium() {
  # Browser tests drive Debian's Chromium through Playwright (`playwright install` cannot
  # download browsers here). CHROMIUM=/path/to/chrome uses another build.
  local chromium="${CHROMIUM:-/usr/bin/chromium}"
  if [ -x "$chromium" ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium not found at $chromium: install Debian's chromium package or set CHROMIUM" >&2
    return 1
  fi
  log "Installing Debian's chromium for the browser tests"
  # An install interrupted earlier (Ctrl-C) leaves dpkg half-configured; finish it first.
  DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null 2>&1 || true
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null
}

ensure_spacy_base() {
  (cd "$ROOT" && "$VENV/bin/python" -m burnout_assistant.language.spacy_base)
}

ensure_model() {
  MODEL="$(cd "$ROOT" && "$VENV/bin/python" -m burnout_assistant.apps.training | tail -n 1)"
  export MODEL
}

setup_all() {
  ensure_venv
  ensure_spacy_base
  ensure_model
  log "Model: ${MODEL#"$ROOT/"}"
}
