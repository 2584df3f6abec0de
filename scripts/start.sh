#!/usr/bin/env bash
# Set everything up, then start JupyterLab with the Claude panel and the example notebook.
# The API key stays on the server: export ANTHROPIC_API_KEY (and, for a gateway,
# ANTHROPIC_BASE_URL) before running this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
source .venv/bin/activate
if [ -z "${ANTHROPIC_API_KEY:-}${ANTHROPIC_AUTH_TOKEN:-}" ]; then
  echo "Note: ANTHROPIC_API_KEY is not set; the panel will say how to set it."
fi
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
cd examples
# The example instrument (examples/mcp) is Claude's MCP server unless CLAUDE_MCP_CONFIG names another file.
exec jupyter lab "${extra[@]}" --ClaudeMCP.config_file="${CLAUDE_MCP_CONFIG:-$PWD/mcp/claude_mcp.json}" "$@" education_and_gdp.ipynb
