"""Reference adjusted p-values for src/hypotheses/correction.ts, computed with statsmodels.

Run from the repository root (needs statsmodels):

    python src/hypotheses/__tests__/reference/make_reference.py

It writes reference.json beside this file; the jest tests compare against it, so jest needs
no Python. A missing p-value (null in the JSON) is left out of the family, as the extension
does: statsmodels adjusts the others and null is put back in its place.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import statsmodels
from statsmodels.stats.multitest import multipletests

CASES = {
    "a tenth test at 0.04 among nine with p >= 0.2": [0.2, 0.31, 0.45, 0.52, 0.6, 0.68, 0.74, 0.83, 0.91, 0.04],
    "ties": [0.01, 0.02, 0.02, 0.03, 0.03, 0.03, 0.5],
    "all equal": [0.03, 0.03, 0.03, 0.03],
    "a single value": [0.03],
    "values at 1": [1.0, 0.001, 1.0, 0.2],
    "unsorted": [0.049, 0.001, 0.3, 0.0125, 0.02, 0.8, 0.0004, 0.04],
    "small and large": [1e-10, 3.2e-7, 0.0049, 0.051, 0.9999],
    "adjusted values above 1 are capped": [0.4, 0.5, 0.6, 0.7],
    "missing p-values are left out of the family": [0.01, None, 0.04, None, 0.03],
    "zero": [0.0, 0.05, 0.01],
}


def adjust(p_values, method):
    present = [i for i, p in enumerate(p_values) if p is not None and math.isfinite(p)]
    adjusted = [None] * len(p_values)
    if present:
        _, corrected, _, _ = multipletests([p_values[i] for i in present], method=method)
        for i, value in zip(present, corrected, strict=True):
            adjusted[i] = float(value)
    return adjusted


def main() -> None:
    cases = [
        {
            "name": name,
            "p_values": p_values,
            "holm": adjust(p_values, "holm"),
            "bh": adjust(p_values, "fdr_bh"),
        }
        for name, p_values in CASES.items()
    ]
    out = Path(__file__).with_name("reference.json")
    document = {"statsmodels": statsmodels.__version__, "cases": cases}
    out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
