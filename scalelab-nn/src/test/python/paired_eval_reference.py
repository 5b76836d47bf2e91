"""Reference for `scalelab eval compare`: two evaluations' per-example records compared pairedly on
every multiple-choice metric, written from the definitions (not from ScaleLab's code).

  python3 paired_eval_reference.py A.jsonl B.jsonl NORM LEVEL REPLICATES SEED

A and B: --examples-out files ({"task", "id", "logprobs", "chars", "bytes", "tokens", "gold", ...} per line),
the same examples in both. NORM: chars, bytes or tokens, what acc_norm divides a choice's log-prob by.
Prints {task: {"n": n, metric: {...}}} with, for the 0/1 metrics acc, acc_norm, mc1:
  "a", "b" (the accuracies), "difference" (a - b), "p" (McNemar's exact test: the binomial test of the
  b01 examples only A gets right among the b01 + b10 discordant ones, p = 1/2, two-sided, scipy's
  binomtest; 1 when there is no discordant example), "low", "high" (Newcombe's 1998 method 10 interval
  of the paired difference, from paired_reference.py);
and for mc2 (Sum_gold exp(ll) / Sum_all exp(ll), TruthfulQA's process_results_mc2):
  "a", "b", "difference", "se" (the standard error of the mean difference, sd(d) / sqrt(n)), and the
  paired bootstrap of Efron & Tibshirani (1993): REPLICATES resamples of the examples with replacement
  (numpy's generator seeded with SEED), both models' values kept together; "low", "high" the
  percentile interval of the resampled mean differences (numpy's linear quantiles, ch. 13), "p" the
  centred bootstrap test's two-sided p-value (1 + #{|mean* - mean| >= |mean|}) / (REPLICATES + 1) (ch. 16).
Per example: acc = argmax(ll) in gold, acc_norm = argmax(ll / length) in gold, mc1 = argmax(ll) == gold[0]
(numpy's argmax: the first on ties), as lm-evaluation-harness's process_results.
"""
import json
import math
import os
import sys

import numpy as np
from scipy.stats import binomtest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "scalelab-core", "src", "test", "python"))
from paired_reference import newcombe  # noqa: E402


def read(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out.setdefault(r["task"], {})[r["id"]] = r
    return out


def values(r, norm):
    ll = np.array(r["logprobs"], dtype=np.float64)
    length = np.array(r[norm], dtype=np.float64)
    gold = list(r["gold"])
    pred = int(np.argmax(ll))
    pred_norm = int(np.argmax(ll / length))
    p = np.exp(ll - ll.max())
    mc2 = float(p[gold].sum() / p.sum())
    return {"acc": float(pred in gold), "acc_norm": float(pred_norm in gold), "mc1": float(pred == gold[0]), "mc2": mc2}


def mcnemar(x, y, level):
    x = np.asarray(x, dtype=bool)
    y = np.asarray(y, dtype=bool)
    a = int(np.sum(x & y))
    b = int(np.sum(x & ~y))
    c = int(np.sum(~x & y))
    d = int(np.sum(~x & ~y))
    p = binomtest(b, b + c, 0.5).pvalue if b + c > 0 else 1.0
    low, high = newcombe(a, b, c, d, level)
    n = len(x)
    return {"a": (a + b) / n, "b": (a + c) / n, "difference": (b - c) / n, "p": p, "low": low, "high": high}


def bootstrap(x, y, level, replicates, seed):
    d = np.asarray(x) - np.asarray(y)
    n = len(d)
    observed = d.mean()
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, n, (replicates, n))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    p = (1 + np.sum(np.abs(means - observed) >= abs(observed))) / (replicates + 1)
    se = d.std(ddof=1) / math.sqrt(n)
    return {"a": float(np.mean(x)), "b": float(np.mean(y)), "difference": float(observed), "se": float(se),
            "low": float(low), "high": float(high), "p": float(p)}


def main():
    a, b = read(sys.argv[1]), read(sys.argv[2])
    norm, level, replicates, seed = sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    out = {}
    for task, ra in a.items():
        rb = b[task]
        ids = list(ra)
        va = [values(ra[i], norm) for i in ids]
        vb = [values(rb[i], norm) for i in ids]
        res = {"n": len(ids)}
        for m in ("acc", "acc_norm", "mc1"):
            res[m] = mcnemar([v[m] for v in va], [v[m] for v in vb], level)
        res["mc2"] = bootstrap([v["mc2"] for v in va], [v["mc2"] for v in vb], level, replicates, seed)
        out[task] = res
    print(json.dumps(out))


if __name__ == "__main__":
    main()
