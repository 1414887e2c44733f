#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install hfsim with the given extras.
# Usage: scripts/setup.sh [extras]   (default extras: all)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-all}"

# Pythons that pyenv has installed but not activated, if pyenv is there; oldest first, so
# the first one >= 3.12 (the version CI tests) wins over newer ones.
pyenv_pythons() {
  command -v pyenv >/dev/null 2>&1 || return 0
  local root; root="$(pyenv root)"
  pyenv versions --bare 2>/dev/null | grep -E '^3\.[0-9]+\.[0-9]+$' | sort -V |
    while read -r v; do echo "$root/versions/$v/bin/python3"; done
}

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3 $(pyenv_pythons); do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py="$(find_python)" || { echo "hfsim needs Python >= 3.12 (set PYTHON=/path/to/python3.12)" >&2; exit 2; }
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[${extras}]"
