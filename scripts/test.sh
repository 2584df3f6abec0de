#!/usr/bin/env bash
# Set everything up and run every test: lint, jest (TypeScript logic), pytest (server extension
# and the local Messages API), Galata (real JupyterLab + ipykernel + Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
source .venv/bin/activate

if [ -z "${CHROMIUM_PATH:-}" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "==> installing Chromium from Debian's packages"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  export CHROMIUM_PATH="$(command -v chromium)"
fi

echo "==> lint (Prettier, ESLint, ruff)"
jlpm lint

echo "==> jest"
jlpm test

echo "==> pytest"
# The hub test drives Chromium with ui-tests' playwright-core: it runs after that is installed.
python -m pytest -q --ignore=tests/test_hub.py

echo "==> Galata (browser tests)"
cd ui-tests
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
jlpm install --immutable 2>/dev/null || jlpm install

echo "==> JupyterHub (two users in Chromium through a real hub)"
(cd .. && python -m pytest -q tests/test_hub.py)

# Keep test servers' temporary files inside the test folder.
mkdir -p .tmp
export TMPDIR="$PWD/.tmp" JUPYTER_RUNTIME_DIR="$PWD/.tmp/runtime"
jlpm playwright test
