"""The footer the extension appends to a hypothesis' test cell (src/hypotheses/footer.py), run
after a real test in a real ipykernel, as the scientist's click runs it.

The cell source is built as `testCellSource` builds it in src/hypotheses/result.ts: Claude's code,
a blank line, then the footer with the hypothesis id in place of "HYPOTHESIS_ID".
"""

from __future__ import annotations

import json
import math
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
from jupyter_client.manager import start_new_kernel  # noqa: E402
from kernel_code import ROOT  # noqa: E402

MIME = "application/vnd.jupyterlab-claude.hypothesis-result+json"
FOOTER = (ROOT / "src" / "hypotheses" / "footer.py").read_text(encoding="utf-8")
DATA = ROOT / "examples" / "data" / "discoverybench" / "nls_incarceration" / "nls_incarceration_processed.csv"

WELCH = f"""
import pandas as pd
from scipy import stats

df = pd.read_csv({str(DATA)!r})
jailed = df.loc[df.ever_jailed == 1, "composite_wealth_1996"]
never = df.loc[df.ever_jailed == 0, "composite_wealth_1996"]
t = stats.ttest_ind(jailed, never, equal_var=False)
ci = t.confidence_interval(0.95)
result = {{
    "statistic": t.statistic,
    "statistic_name": "t",
    "p_value": t.pvalue,
    "effect_size": jailed.mean() - never.mean(),
    "ci": [ci.low, ci.high],
    "ci_level": 0.95,
    "n": len(jailed) + len(never),
}}
"""


def test_cell_source(code: str, hypothesis_id: str) -> str:
    footer = FOOTER.replace('"HYPOTHESIS_ID"', json.dumps(hypothesis_id)).rstrip() + "\n"
    return code.rstrip() + "\n\n" + footer


test_cell_source.__test__ = False  # a helper, not a test


def run_cell(kc, code: str, timeout: float = 120) -> tuple[list[dict], dict]:
    msg_id = kc.execute(code, store_history=True, allow_stdin=False)
    messages = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
        if reply["parent_header"].get("msg_id") == msg_id:
            return messages, reply


def bundles(messages: list[dict]) -> list[dict]:
    return [m["content"]["data"] for m in messages if m["msg_type"] in ("display_data", "execute_result")]


@pytest.fixture(scope="module")
def kc():
    km, client = start_new_kernel(kernel_name="python3")
    yield client
    client.stop_channels()
    km.shutdown_kernel(now=True)


def test_a_welch_t_test_reports_one_bundle_with_plain_json_numbers(kc):
    stats = pytest.importorskip("scipy.stats")
    pd = pytest.importorskip("pandas")
    messages, reply = run_cell(kc, test_cell_source(WELCH, "h-3f9a1c"))
    assert reply["content"]["status"] == "ok", [m["content"] for m in messages if m["msg_type"] == "error"]

    [data] = bundles(messages)
    payload = data[MIME]
    # Strict JSON: the kernel's serialiser would have failed on numpy scalars; no NaN either.
    json.dumps(payload, allow_nan=False)

    df = pd.read_csv(DATA)
    jailed = df.loc[df.ever_jailed == 1, "composite_wealth_1996"]
    never = df.loc[df.ever_jailed == 0, "composite_wealth_1996"]
    t = stats.ttest_ind(jailed, never, equal_var=False)
    ci = t.confidence_interval(0.95)
    assert payload["hypothesis_id"] == "h-3f9a1c"
    assert payload["statistic_name"] == "t"
    assert payload["statistic"] == pytest.approx(float(t.statistic), rel=1e-12)
    assert payload["p_value"] == pytest.approx(float(t.pvalue), rel=1e-9)
    assert payload["effect_size"] == pytest.approx(float(jailed.mean() - never.mean()), rel=1e-12)
    assert payload["ci"] == pytest.approx([float(ci.low), float(ci.high)], rel=1e-12)
    assert payload["ci_level"] == 0.95
    assert payload["n"] == len(jailed) + len(never) and isinstance(payload["n"], int)
    # Those ever jailed had less wealth in 1996: a clear, negative difference.
    assert payload["effect_size"] < 0 and payload["p_value"] < 0.05

    summary = data["text/plain"]
    assert summary.startswith("h-3f9a1c: t = ")
    assert f"n = {payload['n']}" in summary
    assert "\n" not in summary.strip()


def test_nan_and_numpy_values_become_null_or_plain_numbers(kc):
    pytest.importorskip("numpy")
    code = (
        "import numpy as np\n"
        "result = {'statistic': np.float64('nan'), 'statistic_name': 'chi2', 'p_value': np.nan,\n"
        "          'effect_size': np.float32(0.25), 'ci': None, 'ci_level': None, 'n': np.int64(40)}\n"
    )
    messages, reply = run_cell(kc, test_cell_source(code, "h-00beef"))
    assert reply["content"]["status"] == "ok"
    [data] = bundles(messages)
    assert data[MIME] == {
        "hypothesis_id": "h-00beef",
        "statistic": None,
        "statistic_name": "chi2",
        "p_value": None,
        "effect_size": 0.25,
        "ci": None,
        "ci_level": None,
        "n": 40,
    }
    assert data["text/plain"] == "h-00beef: chi2 = NaN, p = NaN, effect = 0.25, n = 40"


def test_an_interval_with_an_infinite_end_keeps_its_finite_end(kc):
    code = "result = {'p_value': 0.5, 'effect_size': 1.0, 'ci': (float('-inf'), 2.5), 'n': 10}\n"
    messages, _ = run_cell(kc, test_cell_source(code, "h-0000aa"))
    payload = bundles(messages)[0][MIME]
    assert payload["ci"] == [None, 2.5]
    assert payload["statistic"] is None and payload["statistic_name"] == ""
    assert not any(isinstance(v, float) and math.isnan(v) for v in payload.values())


def test_a_test_that_fails_leaves_an_error_and_no_bundle(kc):
    code = "del result\nresult_of_a_typo = {'p_value': 0.01}\n"
    run_cell(kc, "result = {}")
    messages, reply = run_cell(kc, test_cell_source(code, "h-0000ab"))
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "NameError"
    assert bundles(messages) == []
