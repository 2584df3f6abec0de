"""Benchmark: tokens per completed plan step on a scripted 10-step task, with and without
clearing old tool results and compaction.

The task is what a long analysis looks like: Claude proposes a 10-step plan on a real notebook
and dataset (DiscoveryBench's NLS incarceration data, examples/data/discoverybench/), the
scientist approves it, and each step reads the data file's head, inserts a cell, runs it (its
output is a wide table, about 16,000 characters), pages through that output and marks the step
done with the cell (complete_plan_step). The scientist says "Continue" every two steps, so the
task is five questions. The client is the extension's own code (bench/plan_task_session.js runs
src/claude/conversation.ts with the real tool registry, tools and plans model); the server is
mock_api, which computes input, cache-write and cache-read tokens from each request itself.

Reported per configuration: requests, compactions, tool results cleared, steps done, and per
completed step the input tokens (uncached + cache write + cache read), the same weighted by their
price relative to uncached input (cache write 1.25, cache read 0.1), and the output tokens.
Configurations: neither (clearing off, compaction off); clearing at its default (past 100,000
input tokens, the 3 latest results kept), which this task never reaches; the same policy
triggered at 40,000 tokens, as a task twice as long would meet the default; compaction at
60,000 tokens (`compactAtTokens`, a setting; its default 150,000 is not reached either); and
both. Ratios are to "neither", from one run.

    .venv/bin/python bench/plan_task.py [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from prompt_cache import answer, sse  # noqa: E402

from mock_api import start_mock_server  # noqa: E402
from mock_api.fixtures import DEFAULT_FIXTURES_DIR  # noqa: E402

NOTEBOOK = ROOT / "src" / "context" / "__tests__" / "fixtures" / "nls_incarceration.ipynb"
DATA = ROOT / "examples" / "data" / "discoverybench" / "nls_incarceration"
KEY = "bench-plan-task-key"
STEPS = [
    ("Load the data and check the columns", "the head of the frame"),
    ("Count respondents by race and incarceration", "a count table"),
    ("Describe composite wealth in 1985", "a describe() table"),
    ("Describe composite wealth in 1990", "a describe() table"),
    ("Describe composite wealth in 1996", "a describe() table"),
    ("Compute the wealth change from 1985 to 1996", "the change column's summary"),
    ("Compare the change by incarceration", "medians per group"),
    ("Compare the change by race and incarceration", "medians per group"),
    ("Test the difference with a Mann-Whitney U test", "the statistic and p-value"),
    ("Summarise the findings", "a summary table"),
]
WRITE = {
    "cache_write": 1.25,
    "cache_read": 0.1,
}


def tool(tool_id: str, name: str, **input: object) -> dict:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": input}


def script() -> tuple[list[str], dict[str, str], list[str]]:
    """The questions, the responses (name -> SSE) in the order they are used, and that order."""
    responses: dict[str, str] = {}
    order: list[str] = []

    def add(name: str, blocks: list[dict], stop: str) -> None:
        responses[name] = sse(blocks, stop)
        order.append(name)

    add(
        "plan",
        [
            {"type": "text", "text": "This is a long analysis; here is the plan."},
            tool(
                "toolu_plan",
                "propose_plan",
                title="Wealth and incarceration in the NLS data",
                steps=[{"goal": g, "evidence": e} for g, e in STEPS],
            ),
        ],
        "tool_use",
    )
    # The notebook has 7 cells; the k-th inserted cell (from 0) is bench-(7 + k) after cell bench-(6 + k).
    for k, (goal, _evidence) in enumerate(STEPS):
        s = k + 1
        after = "nls-incarceration-6" if k == 0 else f"bench-{6 + k}"
        cell = f"bench-{7 + k}"
        add(
            f"s{s}_head",
            [
                {"type": "text", "text": f"Step {s}: {goal}. First the data."},
                tool(f"toolu_s{s}a", "read_file_head", path="nls_incarceration_processed.csv", lines=200),
            ],
            "tool_use",
        )
        code = (
            f"# Step {s}: {goal}\nresult_{s} = df.groupby(['race', 'ever_jailed']).describe()\n"
            f"print(result_{s}.to_string())"
        )
        add(
            f"s{s}_insert",
            [tool(f"toolu_s{s}b", "insert_cell", cell_id=after, cell_type="code", source=code)],
            "tool_use",
        )
        add(f"s{s}_run", [tool(f"toolu_s{s}c", "run_cell", cell_id=cell)], "tool_use")
        add(
            f"s{s}_page",
            [tool(f"toolu_s{s}d", "read_output", cell_id=cell, output_index=0, page=1)],
            "tool_use",
        )
        add(
            f"s{s}_done",
            [tool(f"toolu_s{s}e", "complete_plan_step", step=s, cell_id=cell, note=f"{goal}: see the table")],
            "tool_use",
        )
        if s % 2 == 0:
            add(f"after_s{s}", answer(f"Steps {s - 1} and {s} are done; the tables are in the notebook."), "end_turn")
    questions = ["Analyse composite wealth by incarceration, step by step, with a plan."] + [
        "Continue with the plan."
    ] * 4
    responses["summary"] = sse(
        answer(
            "Summary: the scientist asked for a 10-step analysis of composite wealth by incarceration in the NLS "
            "data (nls_incarceration_processed.csv); the plan was approved; the steps done so far inserted and ran "
            "cells bench-7 onwards, each marked done with its cell; the remaining steps follow the plan. " * 4
        ),
        "end_turn",
    )
    return questions, responses, order


def run(no_clearing: bool, compact_at: int, clear_at: int = 0) -> dict:
    questions, responses, order = script()
    with tempfile.TemporaryDirectory(prefix="plan-task-bench-") as tmp:
        fixtures = Path(tmp) / "fixtures"
        fixtures.mkdir()
        shutil.copy(DEFAULT_FIXTURES_DIR / "models.json", fixtures / "models.json")
        for name, text in responses.items():
            (fixtures / f"{name}.sse").write_text(text, encoding="utf-8")
            (fixtures / f"{name}.json").write_text(
                json.dumps({"description": name, "sse": f"{name}.sse"}), encoding="utf-8"
            )
        path = Path(tmp) / "script.json"
        path.write_text(json.dumps({"questions": questions, "responses": order, "summary": "summary"}), "utf-8")
        mock = start_mock_server(api_key=KEY, fixtures_dir=fixtures)
        try:
            command = ["node", str(ROOT / "bench" / "plan_task_session.js"), "--url", mock.url, "--key", KEY]
            command += ["--notebook", str(NOTEBOOK), "--data", str(DATA), "--script", str(path)]
            command += ["--compact-at", str(compact_at)] + (["--no-clearing"] if no_clearing else [])
            command += ["--clear-at", str(clear_at)] if clear_at else []
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
            if done.returncode:
                raise SystemExit(f"the task failed:\n{done.stderr}")
            return json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            mock.stop()


def per_step(result: dict) -> dict:
    usage = result["usage"]
    uncached = sum(u["inputTokens"] for u in usage)
    write = sum(u["cacheCreationInputTokens"] for u in usage)
    read = sum(u["cacheReadInputTokens"] for u in usage)
    output = sum(u["outputTokens"] for u in usage)
    steps = max(1, result["stepsDone"])
    return {
        "input_per_step": (uncached + write + read) / steps,
        "weighted_input_per_step": (uncached + WRITE["cache_write"] * write + WRITE["cache_read"] * read) / steps,
        "output_per_step": output / steps,
        "cache_read_share": read / max(1, uncached + write + read),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    options = parser.parse_args()
    configurations = {
        "neither": run(no_clearing=True, compact_at=0),
        "clearing (default)": run(no_clearing=False, compact_at=0),
        "clearing at 40k": run(no_clearing=False, compact_at=0, clear_at=40000),
        "compaction at 60k": run(no_clearing=True, compact_at=60000),
        "clearing at 40k + compaction 60k": run(no_clearing=False, compact_at=60000, clear_at=40000),
    }
    base = per_step(configurations["neither"])
    results = {}
    for name, result in configurations.items():
        measured = per_step(result)
        results[name] = {
            **{k: result[k] for k in ("requests", "compactions", "clearedToolResults", "stepsDone", "steps")},
            **measured,
            "input_ratio": measured["input_per_step"] / base["input_per_step"],
            "weighted_ratio": measured["weighted_input_per_step"] / base["weighted_input_per_step"],
        }
    if options.json:
        print(json.dumps(results, indent=2))
    else:
        print(
            f"{'configuration':<30} {'requests':>8} {'compact':>7} {'cleared':>7} {'steps':>5} "
            f"{'input/step':>10} {'ratio':>6} {'weighted/step':>13} {'ratio':>6} {'cache read':>10}"
        )
        for name, r in results.items():
            print(
                f"{name:<30} {r['requests']:>8} {r['compactions']:>7} {r['clearedToolResults']:>7} "
                f"{r['stepsDone']:>2}/{r['steps']:<2} {r['input_per_step']:>10,.0f} {r['input_ratio']:>6.2f} "
                f"{r['weighted_input_per_step']:>13,.0f} {r['weighted_ratio']:>6.2f} {r['cache_read_share']:>10.1%}"
            )
    if any(r["stepsDone"] != r["steps"] for r in results.values()):
        sys.exit("not every step was done")


if __name__ == "__main__":
    main()
