"""Flag gaps, spikes, flat runs and clock problems in time series; changes no value.

Usage: python qc_series.py panel.csv            (World Bank style: one column per year, one row per series)
       python qc_series.py data.csv time value  (a time column and a value column)
Prints JSON.
"""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pandas as pd


def robust_spikes(values: pd.Series, window: int = 7, k: float = 5.0) -> list:
    median = values.rolling(window, center=True, min_periods=3).median()
    mad = (values - median).abs().rolling(window, center=True, min_periods=3).median()
    scale = 1.4826 * mad.replace(0, np.nan)
    flags = ((values - median).abs() / scale) > k
    return [idx for idx, flag in flags.items() if bool(flag)]


def gaps(index: pd.Index, step: float) -> list[dict]:
    diffs = np.diff(np.asarray(index, dtype=float))
    return [
        {"after": float(index[i]), "before": float(index[i + 1]), "missing_steps": int(round(d / step)) - 1}
        for i, d in enumerate(diffs)
        if d > 1.5 * step
    ]


def flat_runs(values: pd.Series, min_run: int = 4) -> list[dict]:
    runs, start = [], 0
    v = values.to_numpy()
    for i in range(1, len(v) + 1):
        if i == len(v) or v[i] != v[start]:
            if i - start >= min_run:
                runs.append({"from": values.index[start], "to": values.index[i - 1], "value": float(v[start])})
            start = i
    return runs


def qc_one(series: pd.Series, step: float = 1.0) -> dict:
    present = series.dropna()
    expected = int(round((series.index.max() - series.index.min()) / step)) + 1 if len(series) else 0
    out = {
        "samples": int(len(present)),
        "expected": expected,
        "coverage": round(len(present) / expected, 3) if expected else 0.0,
        "first": float(present.index.min()) if len(present) else None,
        "last": float(present.index.max()) if len(present) else None,
        "gaps": gaps(present.index, step) if len(present) > 1 else [],
        "spikes": [float(i) for i in robust_spikes(present)] if len(present) >= 5 else [],
        "flat_runs": flat_runs(present) if len(present) >= 4 else [],
    }
    return out


def qc_panel(path: str) -> dict:
    df = pd.read_csv(path)
    years = [c for c in df.columns if re.match(r"^\d{4}", str(c))]
    report = {}
    for _, row in df.iterrows():
        label = " | ".join(str(row[c]) for c in df.columns[:3] if c not in years)
        values = pd.to_numeric(row[years], errors="coerce")
        values.index = [int(str(c)[:4]) for c in years]
        report[label] = qc_one(values)
    return {"series": report, "years": [int(str(years[0])[:4]), int(str(years[-1])[:4])]}


def qc_table(path: str, time: str, value: str) -> dict:
    df = pd.read_csv(path)
    t = pd.to_datetime(df[time], errors="coerce", utc=True)
    order_breaks = int((t.diff().dt.total_seconds() < 0).sum())
    duplicates = int(t.duplicated().sum())
    # Seconds since the epoch, whatever resolution pandas stores the times in.
    seconds = (t - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    step = float(np.median(np.diff(seconds.dropna().to_numpy()))) if len(t) > 1 else 1.0
    series = pd.Series(pd.to_numeric(df[value], errors="coerce").to_numpy(), index=seconds).sort_index()
    series = series[~series.index.duplicated()]
    report = qc_one(series, step)
    report.update({"step_seconds": step, "steps_backwards": order_breaks, "duplicate_times": duplicates})
    return report


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(qc_panel(args[0]) if len(args) == 1 else qc_table(*args[:3]), indent=1, default=str))
