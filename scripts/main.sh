#!/usr/bin/env bash
# The main job: set up, then compare Housing First with shelter-first on the default
# municipality (Aarhus). Extra arguments are passed to `hfsim compare`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh all
exec .venv/bin/hfsim compare "$@"
