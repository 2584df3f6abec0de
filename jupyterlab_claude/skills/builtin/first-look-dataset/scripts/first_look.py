"""First look at a CSV: shape, types, missingness, sentinel codes, duplicates, outliers.

Usage: python first_look.py data.csv [key columns...]   (or %run in a notebook)
Prints one JSON object. Changes nothing, drops nothing.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd

SENTINELS = (-999, -99, 999, 9999, -9999)


def first_look(path: str, key: list[str] | None = None) -> dict:
    df = pd.read_csv(path)
    report: dict = {"rows": int(df.shape[0]), "columns": int(df.shape[1]), "types": {}, "missing": {}}
    for col in df.columns:
        s = df[col]
        report["types"][col] = str(s.dtype)
        n_missing = int(s.isna().sum())
        if n_missing:
            report["missing"][col] = {"count": n_missing, "share": round(n_missing / len(df), 4)}
    numeric = df.select_dtypes("number")
    sentinels = {}
    for col in numeric.columns:
        hits = {str(v): int((numeric[col] == v).sum()) for v in SENTINELS if (numeric[col] == v).any()}
        if hits:
            sentinels[col] = hits
    report["sentinel_candidates"] = sentinels
    text_numbers = [
        c
        for c in df.columns
        if df[c].dtype == object and pd.to_numeric(df[c].str.replace(",", ""), errors="coerce").notna().mean() > 0.9
    ]
    report["numbers_stored_as_text"] = text_numbers
    report["duplicate_rows"] = int(df.duplicated().sum())
    if key:
        report["duplicate_keys"] = int(df.duplicated(subset=key).sum())
    outliers = {}
    for col in numeric.columns:
        s = numeric[col].dropna()
        if len(s) < 8:
            continue
        q1, q3 = np.percentile(s, [25, 75])
        iqr = q3 - q1
        if iqr == 0:
            continue
        far = s[(s < q1 - 3 * iqr) | (s > q3 + 3 * iqr)]
        if len(far):
            outliers[col] = {"count": int(len(far)), "min": float(far.min()), "max": float(far.max())}
    report["outliers_beyond_3_iqr"] = outliers
    report["constant_columns"] = [c for c in df.columns if df[c].nunique(dropna=False) <= 1]
    report["low_cardinality_numeric"] = [c for c in numeric.columns if numeric[c].nunique() <= 2]
    return report


if __name__ == "__main__":
    print(json.dumps(first_look(sys.argv[1], sys.argv[2:] or None), indent=1))
