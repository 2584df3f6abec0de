"""Benchmark: the share of input tokens read from the prompt cache over a 10-turn session.

A scripted session on a real notebook (src/context/__tests__/fixtures/nls_incarceration.ipynb):
ten questions, with tool calls (reading cells and outputs, proposing and running cells, several
rounds in one answer, two calls in one message) and edits of the notebook between questions.
The client is the extension's own code (bench/prompt_cache_session.js runs src/claude/conversation.ts,
which builds every request with src/claude/request.ts, the real tools and context builder, and the
Anthropic SDK); the server is mock_api, which computes cache reads and writes from each request
with the published rules (mock_api/cache.py).

Reported: per turn, the input tokens (uncached + cache write + cache read) and the share read from
the cache; and the share over turns 2-10 (goal: at least 80%). The same session is then run with
``--move-breakpoint`` (a client bug that puts the conversation's breakpoint on the first message):
its share must be lower, or the benchmark fails.

    .venv/bin/python bench/prompt_cache.py [--json]
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

from mock_api import start_mock_server  # noqa: E402
from mock_api.fixtures import DEFAULT_FIXTURES_DIR  # noqa: E402

NOTEBOOK = ROOT / "src" / "context" / "__tests__" / "fixtures" / "nls_incarceration.ipynb"
GOAL = 0.80
MODEL = "claude-sonnet-5-5"
KEY = "bench-prompt-cache-key"


def sse(blocks: list[dict], stop: str) -> str:
    """A recorded stream with text and tool_use blocks (usage is filled in by the server)."""
    events = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_bench",
                    "type": "message",
                    "role": "assistant",
                    "model": MODEL,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 0, "output_tokens": 1},
                },
            },
        )
    ]
    for i, block in enumerate(blocks):
        if block["type"] == "text":
            events.append(
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}},
                )
            )
            delta = {"type": "text_delta", "text": block["text"]}
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            events.append(("content_block_start", {"type": "content_block_start", "index": i, "content_block": start}))
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        events.append(("content_block_delta", {"type": "content_block_delta", "index": i, "delta": delta}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 120},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def answer(text: str) -> list[dict]:
    return [{"type": "text", "text": text}]


def tool(n: int, name: str, **input: object) -> dict:
    return {"type": "tool_use", "id": f"toolu_bench{n:04d}", "name": name, "input": input}


PROSE = (
    "The composite wealth measure is right-skewed, so the median tells the story better than the mean; "
    "the groups differ most in the upper quartile, and the change between 1985 and 1996 is larger for "
    "respondents who were never jailed. "
)


def session() -> tuple[list[dict], list[list[tuple[list[dict], str]]]]:
    """The turns (question, active cell, edits before) and each turn's scripted responses."""
    c = [f"nls-incarceration-{i}" for i in range(7)]
    n = iter(range(1, 100))
    turns = [
        {"question": "Summarise what this notebook does.", "activeCellId": c[1]},
        {"question": "What does the groupby cell compute?", "activeCellId": c[3]},
        {"question": "Make the summary table easier to read.", "activeCellId": c[2]},
        {
            "question": "Why is the wealth change larger for one group?",
            "activeCellId": c[5],
            "editsBefore": [
                {
                    "cell_id": c[5],
                    "source": "df['wealth_change'] = df['composite_wealth_1996'] - df['composite_wealth_1985']\n"
                    "df['wealth_change'].median()",
                }
            ],
        },
        {"question": "Add a cell with the median wealth change per group, and run it.", "activeCellId": c[5]},
        {"question": "Is the difference likely to be significant?", "activeCellId": c[5]},
        {"question": "Compare the dtypes with the describe() table.", "activeCellId": c[6]},
        {
            "question": "I renamed the column; does the analysis still hold?",
            "activeCellId": c[3],
            "editsBefore": [
                {
                    "cell_id": c[3],
                    "source": "df.groupby(['race', 'ever_jailed'])['composite_wealth_1996']"
                    ".agg(['median', 'mean', 'count'])",
                }
            ],
        },
        {"question": "Check the groupby cell and tidy it.", "activeCellId": c[3]},
        {"question": "Write a short conclusion cell at the end.", "activeCellId": c[6]},
    ]
    responses = [
        [(answer(PROSE * 3), "end_turn")],
        [([tool(next(n), "read_cell", cell_id=c[3])], "tool_use"), (answer(PROSE * 2), "end_turn")],
        [
            ([tool(next(n), "replace_cell", cell_id=c[2], source="df.describe().round(1).T")], "tool_use"),
            (answer("Transposed and rounded. " + PROSE), "end_turn"),
        ],
        [([tool(next(n), "read_output", cell_id=c[5], output_index=0)], "tool_use"), (answer(PROSE * 2), "end_turn")],
        [
            (
                [
                    tool(
                        next(n),
                        "insert_cell",
                        cell_id=c[5],
                        cell_type="code",
                        source="df.groupby('ever_jailed')['wealth_change'].median()",
                    )
                ],
                "tool_use",
            ),
            ([tool(next(n), "run_cell", cell_id="bench-7")], "tool_use"),
            (answer("The medians differ by about 0.42. " + PROSE), "end_turn"),
        ],
        [(answer(PROSE * 4), "end_turn")],
        [
            (
                [tool(next(n), "read_cell", cell_id=c[6]), tool(next(n), "read_output", cell_id=c[2], output_index=0)],
                "tool_use",
            ),
            (answer(PROSE * 2), "end_turn"),
        ],
        [(answer(PROSE * 2), "end_turn")],
        [
            ([tool(next(n), "read_cell", cell_id=c[3])], "tool_use"),
            (
                [
                    tool(
                        next(n),
                        "replace_cell",
                        cell_id=c[3],
                        source="(df.groupby(['race', 'ever_jailed'])['composite_wealth_1996']\n"
                        "   .agg(['median', 'mean', 'count']))",
                    )
                ],
                "tool_use",
            ),
            (answer("Tidied. " + PROSE), "end_turn"),
        ],
        [
            (
                [tool(next(n), "insert_cell", cell_id=c[6], cell_type="markdown", source="## Conclusion\n\n" + PROSE)],
                "tool_use",
            ),
            (answer("Added the conclusion. " + PROSE), "end_turn"),
        ],
    ]
    return turns, responses


def run(move_breakpoint: bool) -> list[dict]:
    turns, responses = session()
    with tempfile.TemporaryDirectory(prefix="prompt-cache-bench-") as tmp:
        fixtures = Path(tmp) / "fixtures"
        fixtures.mkdir()
        shutil.copy(DEFAULT_FIXTURES_DIR / "models.json", fixtures / "models.json")
        names = []
        for t, steps in enumerate(responses):
            for s, (blocks, stop) in enumerate(steps):
                name = f"turn{t + 1}_{s}"
                (fixtures / f"{name}.sse").write_text(sse(blocks, stop), encoding="utf-8")
                (fixtures / f"{name}.json").write_text(
                    json.dumps({"description": name, "sse": f"{name}.sse"}), encoding="utf-8"
                )
                names.append(name)
        script = Path(tmp) / "script.json"
        script.write_text(json.dumps({"turns": turns}), encoding="utf-8")
        mock = start_mock_server(api_key=KEY, fixtures_dir=fixtures)
        try:
            for name in names:
                mock.state.enqueue("/v1/messages", name)
            command = ["node", str(ROOT / "bench" / "prompt_cache_session.js"), "--url", mock.url, "--key", KEY]
            command += ["--notebook", str(NOTEBOOK), "--script", str(script)]
            if move_breakpoint:
                command.append("--move-breakpoint")
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
            if done.returncode:
                raise SystemExit(f"the session failed:\n{done.stderr}")
            if mock.state.queued():
                raise SystemExit(f"responses left unused: {mock.state.queued()}")
            return json.loads(done.stdout.strip().splitlines()[-1])["turns"]
        finally:
            mock.stop()


def share(turns: list[dict]) -> float:
    read = sum(t["cacheReadInputTokens"] for t in turns)
    total = sum(t["inputTokens"] + t["cacheCreationInputTokens"] + t["cacheReadInputTokens"] for t in turns)
    return read / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    options = parser.parse_args()
    good, moved = run(False), run(True)
    result = {
        "turns": good,
        "share_turns_2_10": share(good[1:]),
        "share_turns_2_10_moved_breakpoint": share(moved[1:]),
        "goal": GOAL,
    }
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        print("turn  requests  input  cache write  cache read  read share")
        for i, t in enumerate(good, 1):
            total = t["inputTokens"] + t["cacheCreationInputTokens"] + t["cacheReadInputTokens"]
            print(
                f"{i:>4}  {t['requests']:>8}  {t['inputTokens']:>5}  {t['cacheCreationInputTokens']:>11}"
                f"  {t['cacheReadInputTokens']:>10}  {t['cacheReadInputTokens'] / total:>10.1%}"
            )
        print(f"share of input read from the cache, turns 2-10: {result['share_turns_2_10']:.1%} (goal ≥ {GOAL:.0%})")
        print(f"the same with one breakpoint moved (client bug): {result['share_turns_2_10_moved_breakpoint']:.1%}")
    failed = (
        result["share_turns_2_10"] < GOAL or result["share_turns_2_10_moved_breakpoint"] >= result["share_turns_2_10"]
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
