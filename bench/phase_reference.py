#!/usr/bin/python3
"""Independent numpy/scipy reference for the score-table statistics of `scalelab phase scores`.

Usage: phase_reference.py DATA.csv
DATA.csv has a header with columns family,model,params,a,b (scores in columns a and b). Prints one
JSON object:
  quadratic  numpy.polyfit(log10 params, b, 2) over all rows -> [a, b, c], and vertex = -b/(2a)
  pearson    per family: scipy.stats.pearsonr(a, b).statistic, and the Fisher-z 95 % interval
             tanh(atanh r +- 1.959964/sqrt(n-3)) (null for n <= 3)
  gamma      per family: models sorted by params, (b[i+1]-b[i]) / (a[i+1]-a[i]) for consecutive pairs
"""
import csv
import json
import sys

import numpy as np
from scipy import stats


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    params = np.array([float(r["params"]) for r in rows])
    b = np.array([float(r["b"]) for r in rows])
    qa, qb, qc = np.polyfit(np.log10(params), b, 2)
    out = {"quadratic": [qa, qb, qc], "vertex": -qb / (2 * qa), "pearson": {}, "gamma": {}}
    families = []
    for r in rows:
        if r["family"] not in families:
            families.append(r["family"])
    for f in families:
        fam = sorted([r for r in rows if r["family"] == f], key=lambda r: float(r["params"]))
        a = np.array([float(r["a"]) for r in fam])
        y = np.array([float(r["b"]) for r in fam])
        n = len(fam)
        r = float(stats.pearsonr(a, y)[0]) if n >= 2 else None
        ci = None
        if n > 3:
            half = stats.norm.ppf(0.975) / np.sqrt(n - 3)
            ci = [float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))]
        out["pearson"][f] = {"r": r, "ci95": ci}
        out["gamma"][f] = [float((y[i + 1] - y[i]) / (a[i + 1] - a[i])) for i in range(n - 1)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
