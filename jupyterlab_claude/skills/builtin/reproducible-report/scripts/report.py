"""A reproducibility report of a notebook as Markdown: environment, data hashes, seeds,
cell provenance and the hypothesis ledger.

Usage: python report.py notebook.ipynb [data files...]
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import sys

SEED_PATTERN = re.compile(r"(?:seed|default_rng|RandomState|random_state)\s*[=(]\s*(\d+)")
IMPORT_PATTERN = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_][\w]*)", re.M)


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def version(module: str) -> str | None:
    names = {"sklearn": "scikit-learn", "PIL": "Pillow", "yaml": "PyYAML"}
    try:
        return importlib.metadata.version(names.get(module, module))
    except importlib.metadata.PackageNotFoundError:
        return None


def collect(notebook_path: str, data: list[str]) -> dict:
    with open(notebook_path, encoding="utf-8") as f:
        nb = json.load(f)
    cells = nb.get("cells", [])
    code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    imports = sorted({m for src in code for m in IMPORT_PATTERN.findall(src)} - set(sys.builtin_module_names))
    counts = [c.get("execution_count") for c in cells if c.get("cell_type") == "code"]
    ran = [n for n in counts if n is not None]
    provenance = []
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("claude")
        if isinstance(meta, dict) and meta.get("proposal_id"):
            provenance.append({"cell": i + 1, **{k: meta.get(k) for k in ("model", "time", "edited", "kind")}})
    ledger = (nb.get("metadata", {}).get("claude") or {}).get("hypotheses") or []
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {m: version(m) for m in imports if version(m)},
        "data": [{"path": p, "bytes": os.path.getsize(p), "sha256": sha256(p)} for p in data],
        "seeds": sorted({int(s) for src in code for s in SEED_PATTERN.findall(src)}),
        "cells": len(cells),
        "code_cells": len(code),
        "never_run": counts.count(None),
        "out_of_order": ran != sorted(ran),
        "provenance": provenance,
        "hypotheses": ledger,
    }


def markdown(info: dict, notebook: str) -> str:
    lines = [f"# Reproducibility report: {os.path.basename(notebook)}", "", "## Environment", ""]
    lines.append(f"- Python {info['python']} on {info['platform']}")
    lines += [f"- {name} {ver}" for name, ver in sorted(info["packages"].items())]
    lines += ["", "## Data files", "", "| file | bytes | SHA-256 |", "| --- | --- | --- |"]
    lines += [f"| {d['path']} | {d['bytes']} | `{d['sha256']}` |" for d in info["data"]]
    lines += ["", "## Randomness", ""]
    lines.append(f"- Seeds set in the code: {', '.join(map(str, info['seeds']))}" if info["seeds"] else "- No seed set")
    lines += ["", "## Cells", ""]
    lines.append(f"- {info['code_cells']} code cells of {info['cells']}; {info['never_run']} never run")
    if info["out_of_order"]:
        lines.append("- Cells were run out of order: restart and run all before trusting the outputs")
    for p in info["provenance"]:
        edited = ", edited by the scientist" if p.get("edited") else ""
        lines.append(f"- Cell {p['cell']}: proposed by {p.get('model')} at {p.get('time')}{edited}")
    lines += ["", "## Hypothesis ledger", ""]
    if not info["hypotheses"]:
        lines.append("- No hypotheses recorded")
    for h in info["hypotheses"]:
        lines.append(f"- {h.get('statement', h.get('id'))}: {h.get('status', 'untested')}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    nb_path, *files = sys.argv[1:]
    print(markdown(collect(nb_path, files), nb_path))
