"""Reference for org.scalelab.curves, written from the formulas (not from the Java code).

Input file (argv[1]), one item per line, numbers separated by spaces:
  points N           the downsampling budget
  weight W           the smoothing weight
  steps s1 s2 ...    the curve to downsample and smooth
  values v1 v2 ...
  seed s1 s2 ... | v1 v2 ...    one line per seed: its steps, a bar, its values
Output, one item per line: "keep i1 i2 ..." (indices kept), "ema x1 x2 ...", and for the seeds
"band_steps", "band_mean", "band_lo", "band_hi", "band_n".
"""
import sys

import numpy as np
from scipy import stats


def m4(steps, values, points):
    """M4 (Jugel et al. 2014): N//4 equal-width step buckets, keep first, last, min, max of each."""
    n = len(steps)
    if n <= points:
        return list(range(n))
    buckets = points // 4
    first, span = steps[0], steps[-1] - steps[0] + 1
    bucket = ((steps - first) * buckets) // span
    keep = set()
    for b in np.unique(bucket):
        idx = np.nonzero(bucket == b)[0]
        keep.add(int(idx[0]))
        keep.add(int(idx[-1]))
        v = values[idx]
        finite = ~np.isnan(v)
        if finite.any():
            fv = np.where(finite, v, np.inf)
            keep.add(int(idx[np.argmin(fv)]))  # argmin: first index of the minimum
            fv = np.where(finite, v, -np.inf)
            keep.add(int(idx[np.argmax(fv)]))
    return sorted(keep)


def ema(values, w):
    """TensorBoard's debiased EMA: m = w m + (1-w) x over finite x, divided by 1 - w^t."""
    out = np.empty_like(values)
    m, t = 0.0, 0
    for i, x in enumerate(values):
        if not np.isfinite(x):
            out[i] = x
            continue
        m = w * m + (1 - w) * x
        t += 1
        out[i] = m / (1 - w ** t)
    return out


def band(seeds):
    """Mean and Student-t 95 % interval across seeds at the steps every seed logged (NaN values left out)."""
    common = seeds[0][0]
    for s, _ in seeds[1:]:
        common = np.intersect1d(common, s)
    mean, lo, hi, n = [], [], [], []
    for step in common:
        vals = np.array([v[np.searchsorted(s, step)] for s, v in seeds])
        vals = vals[~np.isnan(vals)]
        k = len(vals)
        mean.append(vals.mean() if k else np.nan)
        if k >= 3:
            half = stats.t.ppf(0.975, k - 1) * vals.std(ddof=1) / np.sqrt(k)
            lo.append(vals.mean() - half)
            hi.append(vals.mean() + half)
        else:
            lo.append(np.nan)
            hi.append(np.nan)
        n.append(k)
    return common, mean, lo, hi, n


def main():
    items, seeds = {}, []
    with open(sys.argv[1]) as f:
        for line in f:
            key, _, rest = line.strip().partition(" ")
            if key == "seed":
                s, _, v = rest.partition("|")
                seeds.append((np.array(s.split(), dtype=np.int64), np.array(v.split(), dtype=np.float64)))
            else:
                items[key] = rest.split()
    steps = np.array(items["steps"], dtype=np.int64)
    values = np.array(items["values"], dtype=np.float64)
    show = lambda key, xs: print(key, " ".join(repr(float(x)) if not isinstance(x, (int, np.integer)) else str(x) for x in xs))
    print("keep", " ".join(str(i) for i in m4(steps, values, int(items["points"][0]))))
    show("ema", ema(values, float(items["weight"][0])))
    if seeds:
        common, mean, lo, hi, n = band(seeds)
        print("band_steps", " ".join(str(int(s)) for s in common))
        show("band_mean", mean)
        show("band_lo", lo)
        show("band_hi", hi)
        print("band_n", " ".join(str(k) for k in n))


main()
