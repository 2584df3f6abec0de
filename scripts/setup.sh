#!/usr/bin/env bash
# Set everything up inside the checkout: a virtual environment (.venv), the Node packages,
# the built extension, installed in development mode. Nothing global is touched.
# Needs: Python >= 3.9 with venv, Node.js >= 20.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate

echo "==> Python packages"
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -r requirements-dev.txt
# The LiteLLM gateway the provider = "gateway" tests run, in its own environment (its pins clash with ours).
echo "==> LiteLLM gateway (.venv-litellm)"
[ -x .venv-litellm/bin/python ] || python3 -m venv .venv-litellm
.venv-litellm/bin/python -m pip install --quiet --upgrade pip
.venv-litellm/bin/python -m pip install --quiet -r requirements-gateway.txt -c requirements-gateway.lock

echo "==> Node packages"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
jlpm install --immutable 2>/dev/null || jlpm install
# MCP servers the tests run (the reference server-everything), from the committed lock file.
npm ci --prefix tests/mcp_servers --no-audit --no-fund --loglevel=error
# JupyterHub's proxy (configurable-http-proxy) for the hub test, from its committed lock file.
npm ci --prefix tests/hub --no-audit --no-fund --loglevel=error

echo "==> building the extension"
jlpm build

echo "==> installing the extension in development mode"
python -m pip install --quiet --no-build-isolation -e .
jupyter-builder develop --overwrite . >/dev/null
# Read the lists whole: grep -q closing the pipe early would fail under pipefail.
labextensions="$(jupyter labextension list 2>&1)"
serverextensions="$(jupyter server extension list 2>&1)"
grep -q "jupyterlab-claude.*enabled.*OK" <<<"$labextensions" || { echo "$labextensions"; exit 1; }
grep -q "jupyterlab_claude.*enabled" <<<"$serverextensions" || { echo "$serverextensions"; exit 1; }
echo "==> set up"
