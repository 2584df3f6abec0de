"""How much latency the MCP bridge adds to a tool call, and the memory of an idle stdio server.

Starts a real ``jupyter server`` with the extension and the example instrument configured
(stdio), and, beside it, the same instrument through the SDK's own client. Calls the small,
read-only ``get_status`` tool ``--runs`` times each way, alternating, and reports the median
and 90th percentile of both, the added milliseconds and the bridge/direct ratio from the same
run, then the resident memory of the idle instrument process the bridge started.

Goal: at most 5 ms added at the median for a small result.

    .venv/bin/python bench/mcp_latency.py [--runs 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from measure import free_port, percentile

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = str(ROOT / "examples" / "mcp" / "uvvis_instrument.py")
GOAL_MS = 5.0
MARK = "JLC_MCP_BENCH_MARK"


def rss_kib_of_marked(mark: str) -> list[int]:
    sizes = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"{MARK}={mark}".encode() not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]))
        except OSError:
            continue
    return sizes


async def measure(runs: int, jp_url: str, auth: dict[str, str]) -> dict[str, list[float]]:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=[INSTRUMENT])
    times: dict[str, list[float]] = {"direct": [], "bridge": []}
    url = jp_url + "/claude/mcp/servers/uvvis/tools/get_status"
    body = json.dumps({"arguments": {}})
    async with Client(params) as direct, httpx.AsyncClient(timeout=60) as http:
        for i in range(runs + 5):
            t0 = time.perf_counter()
            result = await direct.call_tool("get_status", {})
            t1 = time.perf_counter()
            r = await http.post(url, headers=auth, content=body)
            t2 = time.perf_counter()
            assert not result.is_error and r.status_code == 200, r.text
            if i >= 5:  # warm-up first
                times["direct"].append((t1 - t0) * 1000)
                times["bridge"].append((t2 - t1) * 1000)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 2000))
    token = secrets.token_hex(16)
    mark = secrets.token_hex(8)
    port = free_port()
    jp_url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"token {token}"}
    with tempfile.TemporaryDirectory(prefix="claude-mcp-bench-") as tmp:
        servers = {"uvvis": {"command": sys.executable, "args": [INSTRUMENT], "env": {MARK: mark}}}
        with open(os.path.join(tmp, "claude_mcp.json"), "w") as f:
            json.dump({"mcpServers": servers}, f)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=tmp, JUPYTER_RUNTIME_DIR=tmp, JUPYTER_DATA_DIR=tmp)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}",
                "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={tmp}",
                f"--IdentityProvider.token={token}", "--ServerApp.jpserver_extensions={'jupyterlab_claude': True}",
                f"--ClaudeMCP.config_file={os.path.join(tmp, 'claude_mcp.json')}",
            ],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(jp_url + "/claude/mcp/servers", headers=auth).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            times = asyncio.run(measure(runs, jp_url, auth))
            time.sleep(1.0)
            rss = rss_kib_of_marked(mark)
        finally:
            proc.terminate()
            proc.wait(30)
    direct, bridge = statistics.median(times["direct"]), statistics.median(times["bridge"])
    results = {
        "runs": runs,
        "direct_ms": {"median": round(direct, 3), "p90": round(percentile(times["direct"], 0.9), 3)},
        "bridge_ms": {"median": round(bridge, 3), "p90": round(percentile(times["bridge"], 0.9), 3)},
        "added_ms_median": round(bridge - direct, 3),
        "ratio_median": round(bridge / direct, 2) if direct else None,
        "goal_added_ms": GOAL_MS,
        "goal_met": bridge - direct <= GOAL_MS,
        "idle_stdio_server_rss_mib": round(rss[0] / 1024, 1) if rss else None,
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        d, b = results["direct_ms"], results["bridge_ms"]
        print(f"get_status, {runs} calls each way (after 5 warm-up calls)")
        print(f"  direct (SDK client):   median {d['median']:.2f} ms, p90 {d['p90']:.2f} ms")
        print(f"  through the bridge:    median {b['median']:.2f} ms, p90 {b['p90']:.2f} ms")
        verdict = "met" if results["goal_met"] else "NOT met"
        print(
            f"  added at the median:   {results['added_ms_median']:.2f} ms "
            f"(ratio {results['ratio_median']}; goal <= {GOAL_MS} ms: {verdict})"
        )
        print(f"  idle stdio server RSS: {results['idle_stdio_server_rss_mib']} MiB (the example instrument, Python)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
