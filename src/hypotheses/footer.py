# jupyterlab-claude: report `result` to the hypothesis ledger (added automatically; keep it last).
def _report_hypothesis_result(result, hypothesis_id):
    import math

    from IPython.display import display

    def number(value, kind=float):
        # A plain float or int (numpy scalars are not JSON); None if missing, NaN or infinite.
        try:
            value = kind(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return value if math.isfinite(value) else None

    ci = result.get("ci")
    payload = {
        "hypothesis_id": hypothesis_id,
        "statistic": number(result.get("statistic")),
        "statistic_name": str(result.get("statistic_name") or ""),
        "p_value": number(result.get("p_value")),
        "effect_size": number(result.get("effect_size")),
        "ci": [number(ci[0]), number(ci[1])] if ci is not None and len(ci) == 2 else None,
        "ci_level": number(result.get("ci_level")),
        "n": number(result.get("n"), int),
    }

    def shown(value):
        return "NaN" if value is None else f"{value:.4g}"

    summary = (
        f"{hypothesis_id}: {payload['statistic_name'] or 'statistic'} = {shown(payload['statistic'])}, "
        f"p = {shown(payload['p_value'])}, effect = {shown(payload['effect_size'])}, n = {payload['n']}"
    )
    display({"application/vnd.jupyterlab-claude.hypothesis-result+json": payload, "text/plain": summary}, raw=True)


_report_hypothesis_result(result, "HYPOTHESIS_ID")
