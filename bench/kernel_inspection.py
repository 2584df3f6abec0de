"""Benchmark: does kernel inspection cost grow with rows, and how much memory does it take?

Runs src/kernel/inspector.py in a real ipykernel exactly as the front end does (silent,
history-free execute request, reply read from iopub) and compares a 10,000,000-row pandas
frame with a 1,000-row one of the same columns: median time of several inspections (inside the
kernel and round trip), their ratio (goal: at most 2x), and the kernel's extra memory while
inspecting (peak RSS after resetting the peak, minus RSS before; Linux /proc).

    .venv/bin/python bench/kernel_inspection.py [--runs 15] [--rows 10000000] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from kernel_code import REPLY_PREFIX, inspector_code  # noqa: E402

GOAL_RATIO = 2.0


class Kernel:
    def __init__(self) -> None:
        self.km, self.kc = start_new_kernel(kernel_name="python3")
        self.pid = self.km.provisioner.process.pid

    def execute(self, code: str, silent: bool) -> str:
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent)
        out = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=300)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                raise RuntimeError("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        while self.kc.get_shell_msg(timeout=300)["parent_header"].get("msg_id") != msg_id:
            pass
        return "".join(out)

    def inspect(self) -> dict[str, Any]:
        started = time.perf_counter()
        text = self.execute(inspector_code(), silent=True)
        wall = time.perf_counter() - started
        line = next(line for line in text.splitlines() if line.startswith(REPLY_PREFIX))
        reply = json.loads(line)
        return {"wall_s": wall, "kernel_ms": reply["elapsed_ms"], "reply_bytes": len(line.encode()), "reply": reply}

    def status_kb(self, field: str) -> int | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return None

    def reset_peak(self) -> bool:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            return True
        except OSError:
            return False

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def build_frame(kernel: Kernel, rows: int) -> None:
    kernel.execute(
        "import numpy as np, pandas as pd\n"
        "for _name in [n for n in globals() if n.startswith('frame')]:\n"
        "    del globals()[_name]\n"
        "import gc; gc.collect()\n"
        f"_n = {rows}\n"
        "_rng = np.random.default_rng(0)\n"
        "frame = pd.DataFrame({\n"
        "    'id': np.arange(_n),\n"
        "    'value': _rng.random(_n),\n"
        "    'group': pd.Categorical.from_codes(np.arange(_n) % 4, ['a', 'b', 'c', 'd']),\n"
        "    'day': pd.date_range('2020-01-01', periods=_n, freq='s'),\n"
        "    'label': pd.array(np.array(['north', 'south', 'east'])[np.arange(_n) % 3], dtype='str'),\n"
        "})\n",
        silent=False,
    )


def measure(kernel: Kernel, rows: int, runs: int) -> dict[str, Any]:
    build_frame(kernel, rows)
    kernel.inspect()  # warm up
    samples: list[dict[str, Any]] = []
    extra_kb: list[int] = []
    retained_kb: list[int] = []
    for _ in range(runs):
        before = kernel.status_kb("VmRSS")
        peak_reset = kernel.reset_peak()
        sample = kernel.inspect()
        peak = kernel.status_kb("VmHWM")
        after = kernel.status_kb("VmRSS")
        if before is not None and peak is not None and peak_reset:
            extra_kb.append(max(peak - before, 0))
        if before is not None and after is not None:
            retained_kb.append(after - before)
        samples.append(sample)
    frame = samples[-1]["reply"]["variables"][0]
    assert frame["name"] == "frame" and frame["shape"][0] == rows, frame
    return {
        "rows": rows,
        "kernel_ms_median": statistics.median(s["kernel_ms"] for s in samples),
        "round_trip_ms_median": round(statistics.median(s["wall_s"] for s in samples) * 1000, 1),
        "round_trip_ms_min": round(min(s["wall_s"] for s in samples) * 1000, 1),
        "reply_bytes": samples[-1]["reply_bytes"],
        "frame_memory_mb": round(frame["memory_bytes"] / 2**20, 2),
        "kernel_rss_mb": round((kernel.status_kb("VmRSS") or 0) / 1024, 1),
        "extra_peak_kb_max": max(extra_kb) if extra_kb else None,
        "retained_kb_median": statistics.median(retained_kb) if retained_kb else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--small-rows", type=int, default=1_000)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    kernel = Kernel()
    try:
        small = measure(kernel, args.small_rows, args.runs)
        big = measure(kernel, args.rows, args.runs)
    finally:
        kernel.shutdown()
    ratio = big["round_trip_ms_median"] / small["round_trip_ms_median"]
    min_ratio = big["round_trip_ms_min"] / small["round_trip_ms_min"]
    kernel_ratio = big["kernel_ms_median"] / max(small["kernel_ms_median"], 1)
    result = {
        "runs": args.runs,
        "small": small,
        "big": big,
        "round_trip_ratio": round(ratio, 2),
        "round_trip_fastest_ratio": round(min_ratio, 2),
        "kernel_time_ratio": round(kernel_ratio, 2),
        "goal_ratio": GOAL_RATIO,
        "meets_goal": ratio <= GOAL_RATIO,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        keys = [
            ("rows", "rows"),
            ("kernel_ms_median", "inspection in kernel, median (ms)"),
            ("round_trip_ms_median", "round trip, median (ms)"),
            ("round_trip_ms_min", "round trip, fastest (ms)"),
            ("reply_bytes", "reply (bytes)"),
            ("frame_memory_mb", "frame memory, shallow (MiB)"),
            ("kernel_rss_mb", "kernel RSS (MiB)"),
            ("extra_peak_kb_max", "extra peak RSS while inspecting, max (KiB)"),
            ("retained_kb_median", "RSS retained after, median (KiB)"),
        ]
        width = max(len(label) for _, label in keys)
        print(f"{'':<{width}}  {'small':>14}  {'big':>14}")
        for key, label in keys:
            print(f"{label:<{width}}  {str(small[key]):>14}  {str(big[key]):>14}")
        print(
            f"\nround-trip ratio big/small: {ratio:.2f}x median, {min_ratio:.2f}x fastest "
            f"(inside the kernel {kernel_ratio:.2f}x); "
            f"goal <= {GOAL_RATIO:.0f}x: {'met' if result['meets_goal'] else 'NOT met'} ({args.runs} runs each)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
