"""The worked examples of the built-in skills, run as a scientist would run them (the script,
on real DiscoveryBench data from examples/data), checked against independent computations."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jupyterlab_claude.skills.catalog import BUILTIN_DIR

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "examples", "data", "discoverybench")
NLS = os.path.join(DATA, "nls_incarceration", "nls_incarceration_processed.csv")
WORLDBANK = os.path.join(DATA, "worldbank_education_gdp", "worldbank_education_gdp.csv")
NOTEBOOK = os.path.join(ROOT, "src", "context", "__tests__", "fixtures", "nls_incarceration.ipynb")


def run(skill: str, script: str, *args: str) -> str:
    path = os.path.join(BUILTIN_DIR, skill, "scripts", script)
    done = subprocess.run([sys.executable, path, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def load(skill: str, script: str):
    spec = importlib.util.spec_from_file_location(script[:-3], os.path.join(BUILTIN_DIR, skill, "scripts", script))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_first_look_on_the_incarceration_survey():
    report = json.loads(run("first-look-dataset", "first_look.py", NLS))
    df = pd.read_csv(NLS)
    assert (report["rows"], report["columns"]) == df.shape == (12013, 6)
    assert report["missing"] == {}
    # Many respondents share identical rows (zero wealth, same group): reported, not dropped.
    assert report["duplicate_rows"] == int(df.duplicated().sum()) > 1000
    assert report["low_cardinality_numeric"] == ["ever_jailed"]
    wealth = df["composite_wealth_1996"]
    q1, q3 = np.percentile(wealth, [25, 75])
    far = wealth[(wealth < q1 - 3 * (q3 - q1)) | (wealth > q3 + 3 * (q3 - q1))]
    assert report["outliers_beyond_3_iqr"]["composite_wealth_1996"]["count"] == len(far)


def test_hypothesis_test_on_wealth_by_incarceration():
    out = run("hypothesis-testing", "welch_test.py", NLS, "composite_wealth_1996", "ever_jailed", "0", "1")
    result = json.loads(out)
    df = pd.read_csv(NLS)
    never = df.loc[df.ever_jailed == 0, "composite_wealth_1996"].to_numpy(float)
    jailed = df.loc[df.ever_jailed == 1, "composite_wealth_1996"].to_numpy(float)
    assert result["n_per_group"] == [len(never), len(jailed)] == [11724, 289]
    welch = stats.ttest_ind(never, jailed, equal_var=False)
    assert result["p_value"] == pytest.approx(welch.pvalue) and result["p_value"] < 1e-10
    low, high = result["ci"]
    assert 0 < low < result["effect_size"] < high
    # The skew the skill warns about is there, and the rank test agrees on the direction.
    assert min(result["skew"]) > 3 and result["mann_whitney_p"] < 1e-10
    # The result dict has what the ledger reads, and a seed makes it repeatable.
    for key in ("statistic", "statistic_name", "p_value", "effect_size", "ci", "ci_level", "n"):
        assert key in result
    assert json.loads(run("hypothesis-testing", "welch_test.py", NLS, "composite_wealth_1996", "ever_jailed"))[
        "ci"
    ] == [low, high]


def test_time_series_qc_on_the_world_bank_panel():
    report = json.loads(run("timeseries-qc", "qc_series.py", WORLDBANK))
    assert report["years"] == [1975, 2015]
    gni = report["series"]["Sub-Saharan Africa | SSF | GNI per capita (constant 2015 USdollar)"]
    assert (gni["first"], gni["samples"], gni["expected"]) == (2011.0, 5, 41)
    df = pd.read_csv(WORLDBANK)
    years = [c for c in df.columns if c[:4].isdigit()]
    for label, qc in report["series"].items():
        code, name = label.split(" | ")[1:3]
        row = df[(df["Country Code"] == code) & (df["Series Name"] == name)].iloc[0]
        present = [int(c[:4]) for c in years if pd.notna(pd.to_numeric(row[c], errors="coerce"))]
        assert qc["samples"] == len(present)
        internal = sum(b - a - 1 for a, b in zip(present, present[1:], strict=False))
        assert sum(g["missing_steps"] for g in qc["gaps"]) == internal


def test_time_series_qc_flags_clock_problems_and_spikes(tmp_path):
    qc = load("timeseries-qc", "qc_series.py")
    times = pd.date_range("2024-03-01", periods=60, freq="10min", tz="UTC").astype(str).tolist()
    values = list(np.sin(np.arange(60) / 5.0))
    values[30] = 25.0  # a spike
    times[40] = times[38]  # a clock step back and a duplicate
    del times[50:55], values[50:55]  # a gap
    path = tmp_path / "logger.csv"
    pd.DataFrame({"time": times, "value": values}).to_csv(path, index=False)
    report = qc.qc_table(str(path), "time", "value")
    assert report["step_seconds"] == 600
    assert report["steps_backwards"] == 1 and report["duplicate_times"] == 1
    assert len(report["spikes"]) == 1
    # The sample whose clock stepped back leaves its slot empty; then the real gap of five.
    assert [g["missing_steps"] for g in report["gaps"]] == [1, 5]


def test_units_and_uncertainty_on_education_spending():
    result = json.loads(run("units-uncertainty", "propagate.py", WORLDBANK, "SSF", "2014"))
    df = pd.read_csv(WORLDBANK).set_index("Series Code")
    ssf = df[df["Country Code"] == "SSF"]
    gni = float(ssf.loc["NY.GNP.PCAP.KD", "2014 [YR2014]"])
    share = float(ssf.loc["NY.ADJ.AEDU.GN.ZS", "2014 [YR2014]"])
    assert result["spend_per_person"] == pytest.approx(gni * share / 100)
    assert result["unit"] == "USD_2015 / person / year"
    # Linear propagation: relative variances add for a product.
    rel = np.hypot(0.03, 0.2 / share)
    assert result["linear"]["sigma"] == pytest.approx(gni * share / 100 * rel, rel=1e-6)
    assert result["monte_carlo"]["sigma"] == pytest.approx(result["linear"]["sigma"], rel=0.03)
    assert result["reported"].startswith("53 ± 4 ")
    # A year without data is refused, not filled in.
    path = os.path.join(BUILTIN_DIR, "units-uncertainty", "scripts", "propagate.py")
    done = subprocess.run([sys.executable, path, WORLDBANK, "SSF", "1990"], capture_output=True, text=True)
    assert done.returncode != 0 and "nothing is made up" in done.stderr


@pytest.mark.parametrize(
    "value,sigma,expected",
    [(1234.5678, 23.4, ("1235", "23")), (0.012345, 0.00067, ("0.0123", "0.0007")), (52.76, 3.6, ("53", "4"))],
)
def test_significant_figures(value, sigma, expected):
    assert load("units-uncertainty", "propagate.py").round_sig(value, sigma) == expected


def test_reproducible_report_of_a_real_notebook(tmp_path):
    with open(NOTEBOOK, encoding="utf-8") as f:
        nb = json.load(f)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[1]["metadata"]["claude"] = {
        "proposal_id": "p1",
        "model": "claude-opus-4-7",
        "time": "2026-12-01",
        "edited": True,
    }
    code[2]["source"] = "rng = np.random.default_rng(20261202)\n"
    nb["metadata"]["claude"] = {"hypotheses": [{"id": "h1", "statement": "Jailed respondents hold less wealth"}]}
    path = tmp_path / "analysis.ipynb"
    path.write_text(json.dumps(nb))
    report = run("reproducible-report", "report.py", str(path), NLS)
    with open(NLS, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    assert f"`{digest}`" in report
    assert f"pandas {pd.__version__}" in report
    assert "Seeds set in the code: 20261202" in report
    assert "Cell 3: proposed by claude-opus-4-7 at 2026-12-01, edited by the scientist" in report
    assert "- Jailed respondents hold less wealth: untested" in report
