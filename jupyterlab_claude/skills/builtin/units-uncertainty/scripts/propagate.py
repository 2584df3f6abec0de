"""Education spending per person with units and uncertainty, two ways, honestly rounded.

Usage: python propagate.py worldbank_education_gdp.csv [country code] [year]
Assumed input uncertainties (stated, not measured): GNI per capita 3% (1 sigma), education
expenditure share 0.2 percentage points (1 sigma), independent.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pandas as pd
import pint
from uncertainties import ufloat

GNI_REL_SIGMA = 0.03
SHARE_SIGMA_PP = 0.2
GNI_SERIES = "NY.GNP.PCAP.KD"
SHARE_SERIES = "NY.ADJ.AEDU.GN.ZS"


def round_sig(value: float, sigma: float) -> tuple[str, str]:
    """Round sigma to 2 significant figures if it starts with 1 or 2, else 1; the value to match."""
    if sigma <= 0 or not math.isfinite(sigma):
        return f"{value:g}", f"{sigma:g}"
    exponent = math.floor(math.log10(sigma))
    first = int(sigma / 10**exponent)
    digits = 2 if first in (1, 2) else 1
    decimals = -(exponent - digits + 1)
    if decimals > 0:
        return f"{round(value, decimals):.{decimals}f}", f"{round(sigma, decimals):.{decimals}f}"
    q = 10 ** (-decimals)
    return f"{round(value / q) * q:.0f}", f"{round(sigma / q) * q:.0f}"


def inputs(path: str, code: str, year: int) -> tuple[float, float]:
    df = pd.read_csv(path)
    col = next(c for c in df.columns if str(c).startswith(str(year)))
    row = df[df["Country Code"] == code].set_index("Series Code")
    gni, share = float(row.loc[GNI_SERIES, col]), float(row.loc[SHARE_SERIES, col])
    if not (math.isfinite(gni) and math.isfinite(share)):
        raise SystemExit(f"{code} has no GNI per capita or education share for {year}: nothing is made up.")
    return gni, share


def propagate(gni: float, share_pct: float, seed: int = 0, n: int = 100_000) -> dict:
    ureg = pint.UnitRegistry()
    ureg.define("USD_2015 = [currency]")
    ureg.define("person = [population]")
    gni_q = gni * ureg("USD_2015 / person / year")
    share_q = share_pct * ureg.percent
    spend = (gni_q * share_q).to("USD_2015 / person / year")
    linear = ufloat(gni, GNI_REL_SIGMA * gni) * ufloat(share_pct, SHARE_SIGMA_PP) / 100
    rng = np.random.default_rng(seed)
    draws = rng.normal(gni, GNI_REL_SIGMA * gni, n) * rng.normal(share_pct, SHARE_SIGMA_PP, n) / 100
    lo, med, hi = np.percentile(draws, [2.5, 50, 97.5])
    value, sigma = round_sig(linear.nominal_value, linear.std_dev)
    return {
        "gni_per_capita": gni,
        "education_share_percent": share_pct,
        "spend_per_person": float(spend.magnitude),
        "unit": str(spend.units),
        "linear": {"value": linear.nominal_value, "sigma": linear.std_dev},
        "monte_carlo": {"median": float(med), "sigma": float(draws.std()), "ci95": [float(lo), float(hi)], "n": n},
        "reported": f"{value} ± {sigma} USD_2015 per person per year (1 sigma)",
        "seed": seed,
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    code = args[1] if len(args) > 1 else "SSF"
    year = int(args[2]) if len(args) > 2 else 2014
    print(json.dumps(propagate(*inputs(args[0], code, year)), indent=1))
