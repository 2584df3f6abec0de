"""How much latency the Jupyter proxy adds to a streamed Claude answer.

Starts the mock Messages API and a real ``jupyter server`` with the extension
(both subprocesses on free loopback ports), then streams the same long answer
(about 200 events, 5 ms apart by default) ``--runs`` times straight from the
mock and through ``/claude/v1/messages``, alternating the two. Reports time to
first byte, whole-stream time, and the per-event delay the proxy adds, with
proxy/direct ratios from the same run.

Goal: at most 2 ms added per event at the median.

    .venv/bin/python bench/proxy_latency.py [--runs 20] [--events 200] [--delay-ms 5] [--json]
"""

from __future__ import annotations

import argparse
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
GOAL_MS_PER_EVENT = 2.0
BODY = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 1024,
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not become ready within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def stream_once(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[float, list[float], bytes]:
    """Time to first byte (ms) and the ``time.monotonic()`` at which each complete SSE event arrived."""
    t0 = time.monotonic()
    ttfb, arrivals, body = None, [], bytearray()
    with client.stream("POST", url, headers=headers, json=BODY) as r:
        if r.status_code != 200:
            raise RuntimeError(f"{url} answered {r.status_code}: {r.read()[:300]!r}")
        scan = 0
        for chunk in r.iter_raw():
            now = time.monotonic()
            if ttfb is None:
                ttfb = (now - t0) * 1000
            body += chunk
            while True:
                end = body.find(b"\n\n", scan)
                if end < 0:
                    break
                arrivals.append(now)
                scan = end + 2
    return ttfb or 0.0, arrivals, bytes(body)


def summarise(ttfbs: list[float], totals: list[float], lags: list[float]) -> dict[str, float]:
    return {
        "ttfb_ms_median": statistics.median(ttfbs),
        "ttfb_ms_p95": percentile(ttfbs, 0.95),
        "total_ms_median": statistics.median(totals),
        "total_ms_p95": percentile(totals, 0.95),
        "event_lag_ms_median": statistics.median(lags),
        "event_lag_ms_p95": percentile(lags, 0.95),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="measured streams per route (default 20)")
    parser.add_argument("--events", type=int, default=200, help="text deltas per stream (default 200)")
    parser.add_argument("--delay-ms", type=float, default=5, help="mock delay between events (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured streams per route first")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 500))  # bounded, whatever is asked

    key = "sk-ant-bench-" + secrets.token_hex(12)
    token = secrets.token_hex(16)
    mock_port, jp_port = free_port(), free_port()
    mock_url, jp_url = f"http://127.0.0.1:{mock_port}", f"http://127.0.0.1:{jp_port}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("ANTHROPIC_API_KEY", None)
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="claude-bench-") as tmp:
        env.update(JUPYTER_CONFIG_DIR=tmp, JUPYTER_RUNTIME_DIR=tmp, JUPYTER_DATA_DIR=tmp)
        try:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "mock_api", "--port", str(mock_port), "--api-key", key],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "jupyter_server",
                        "--no-browser",
                        "--allow-root",
                        f"--port={jp_port}",
                        "--ServerApp.ip=127.0.0.1",
                        "--ServerApp.port_retries=0",
                        f"--ServerApp.root_dir={tmp}",
                        f"--IdentityProvider.token={token}",
                        "--ServerApp.jpserver_extensions={'jupyterlab_claude': True}",
                        f"--ClaudeProxy.base_url={mock_url}",
                        f"--ClaudeProxy.api_key={key}",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            auth = {"Authorization": f"token {token}"}
            wait_until(lambda: httpx.get(mock_url + "/_mock/health").status_code == 200, 30, "mock API")
            wait_until(
                lambda: httpx.get(jp_url + "/claude/status", headers=auth).json()["key_configured"],
                60,
                "Jupyter server",
            )
            results = run(args, runs, mock_url, jp_url, key, auth)
        finally:
            for proc in reversed(procs):
                stop(proc)

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return 0


def run(args, runs: int, mock_url: str, jp_url: str, key: str, auth: dict[str, str]) -> dict:
    api = {"anthropic-version": "2023-06-01", "content-type": "application/json"}
    routes = {
        "direct": (mock_url + "/v1/messages", {**api, "x-api-key": key}),
        "proxy": (jp_url + "/claude/v1/messages", {**api, **auth}),
    }
    overrides = {"fixture": "hello", "event_delay_ms": args.delay_ms, "repeat_text_deltas": args.events}
    ttfbs: dict[str, list[float]] = {"direct": [], "proxy": []}
    totals: dict[str, list[float]] = {"direct": [], "proxy": []}
    # Per event: arrival at the client minus the moment the mock wrote it (same host clock).
    lags: dict[str, list[float]] = {"direct": [], "proxy": []}
    bodies: dict[str, bytes] = {}
    n_events = None
    with httpx.Client(timeout=60) as control, httpx.Client(timeout=60) as direct, httpx.Client(timeout=60) as proxied:
        clients = {"direct": direct, "proxy": proxied}
        for i in range(args.warmup + runs):
            # Alternate which route goes first so drift affects both alike.
            order = ("direct", "proxy") if i % 2 == 0 else ("proxy", "direct")
            for name in order:
                control.post(mock_url + "/_mock/reset").raise_for_status()
                control.post(mock_url + "/_mock/queue", json=overrides).raise_for_status()
                t_start = time.monotonic()
                ttfb, arrivals, body = stream_once(clients[name], *routes[name])
                sent = control.get(mock_url + "/_mock/requests").json()["requests"][-1]["events_sent_monotonic"]
                if len(sent) != len(arrivals):
                    raise RuntimeError(f"{name}: {len(arrivals)} events arrived, {len(sent)} sent")
                bodies[name] = body
                n_events = len(arrivals)
                if i >= args.warmup:
                    ttfbs[name].append(ttfb)
                    totals[name].append((arrivals[-1] - t_start) * 1000)
                    lags[name].extend((a - s) * 1000 for a, s in zip(arrivals, sent, strict=False))
    if bodies["direct"] != bodies["proxy"]:
        raise RuntimeError("proxied stream differs from the direct one")
    direct = summarise(ttfbs["direct"], totals["direct"], lags["direct"])
    proxy = summarise(ttfbs["proxy"], totals["proxy"], lags["proxy"])
    added_median = proxy["event_lag_ms_median"] - direct["event_lag_ms_median"]
    return {
        "runs": runs,
        "events_per_stream": n_events,
        "event_delay_ms": args.delay_ms,
        "direct": direct,
        "proxy": proxy,
        "ratio_proxy_over_direct": {k: proxy[k] / direct[k] if direct[k] else None for k in direct},
        "added_ms_per_event_median": added_median,
        "added_ms_per_event_p95": proxy["event_lag_ms_p95"] - direct["event_lag_ms_p95"],
        "goal_ms_per_event": GOAL_MS_PER_EVENT,
        "goal_met": added_median <= GOAL_MS_PER_EVENT,
    }


def print_table(r: dict) -> None:
    print(
        f"Claude proxy latency: {r['runs']} streams per route, {r['events_per_stream']} events, "
        f"{r['event_delay_ms']:g} ms apart (loopback)"
    )
    print(f"{'metric':<18}{'direct':>12}{'proxy':>12}{'ratio':>9}")
    for key, label in [
        ("ttfb_ms_median", "TTFB median ms"),
        ("ttfb_ms_p95", "TTFB p95 ms"),
        ("total_ms_median", "stream median ms"),
        ("total_ms_p95", "stream p95 ms"),
        ("event_lag_ms_median", "event lag median"),
        ("event_lag_ms_p95", "event lag p95"),
    ]:
        ratio = r["ratio_proxy_over_direct"][key]
        print(f"{label:<18}{r['direct'][key]:>12.2f}{r['proxy'][key]:>12.2f}{ratio:>9.2f}")
    print(
        f"added per event (proxy lag - direct lag): median {r['added_ms_per_event_median']:.3f} ms, "
        f"p95 {r['added_ms_per_event_p95']:.3f} ms "
        f"(goal <= {r['goal_ms_per_event']:g} ms at the median: {'met' if r['goal_met'] else 'NOT met'})"
    )


if __name__ == "__main__":
    sys.exit(main())
