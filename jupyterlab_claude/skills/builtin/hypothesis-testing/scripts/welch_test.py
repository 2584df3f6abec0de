"""Two-group comparison done carefully: Welch's t and Mann-Whitney U, Hedges' g with a bootstrap CI.

Usage: python welch_test.py data.csv value_column group_column [group_a group_b] [--seed N]
Prints the `result` dict the hypothesis ledger reads (statistic, p_value, effect_size, ci, ...).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
from scipy import stats


def hedges_g(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = len(a), len(b)
    pooled = np.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
    d = (a.mean() - b.mean()) / pooled
    return float(d * (1 - 3 / (4 * (na + nb) - 9)))


def compare(a: np.ndarray, b: np.ndarray, seed: int = 0, n_boot: int = 2000) -> dict:
    rng = np.random.default_rng(seed)
    t = stats.ttest_ind(a, b, equal_var=False)
    u = stats.mannwhitneyu(a, b, alternative="two-sided")
    g = hedges_g(a, b)
    boots = [hedges_g(rng.choice(a, len(a)), rng.choice(b, len(b))) for _ in range(n_boot)]
    low, high = np.percentile(boots, [2.5, 97.5])
    return {
        "statistic": float(t.statistic),
        "statistic_name": "Welch t",
        "p_value": float(t.pvalue),
        "effect_size": g,
        "effect_size_name": "Hedges g",
        "ci": [float(low), float(high)],
        "ci_level": 0.95,
        "n": int(len(a) + len(b)),
        "n_per_group": [int(len(a)), int(len(b))],
        "mann_whitney_p": float(u.pvalue),
        "rank_biserial": float(1 - 2 * u.statistic / (len(a) * len(b))),
        "skew": [float(stats.skew(a)), float(stats.skew(b))],
        "variance_ratio": float(a.var(ddof=1) / b.var(ddof=1)),
        "seed": seed,
    }


def main(argv: list[str]) -> dict:
    seed = 0
    if "--seed" in argv:
        i = argv.index("--seed")
        seed = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    path, value, group = argv[:3]
    df = pd.read_csv(path)
    labels = df[group].astype(str)
    levels = argv[3:5] or sorted(labels[df[group].notna()].unique().tolist())[:2]
    a = df.loc[labels == levels[0], value].dropna().to_numpy(float)
    b = df.loc[labels == levels[1], value].dropna().to_numpy(float)
    result = compare(a, b, seed)
    result["groups"] = [str(x) for x in levels]
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=1))
