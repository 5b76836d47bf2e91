"""Capability coupling written with numpy and scikit-learn, for bench/bench_phase_coupling.sh.

  gen DIR SIZES LAYERS N DIMS   writes size{k}_layer{l}_{a,b}.npy (float32 [N, DIMS[k]]) and labels_{a,b}.npy;
                                DIMS: one width for every size, or one per size (256,512,768,1024)
  run DIR SIZES LAYERS R MODE   times the analysis and prints one JSON line; MODE:
      matmul  - replicate weights @ X (numpy at its best: one BLAS product per replicate set)
      index   - the notebook way: X[rows].mean(0) per class per replicate

Per size and layer, as ScaleLab's `phase coupling` computes it: centred cosine between the two
difference-of-means directions, a stratified bootstrap of it (R replicates), a label-shuffled null (R
shuffles of both labels), the uncentred cosine of the two sets' mean states, and a
sklearn.linear_model.LogisticRegression(C=1) fit on A read on B, with a bootstrap of its accuracy
over B's prompts.
"""
import json
import os
import sys
import time

import numpy as np


def gen(d_, sizes, layers, n, dims):
    widths = [int(w) for w in dims.split(",")]
    widths = widths * sizes if len(widths) == 1 else widths
    rng = np.random.default_rng(0)
    os.makedirs(d_, exist_ok=True)
    ya = np.arange(n) % 2 == 0
    yb = np.arange(n) % 3 == 0
    np.save(os.path.join(d_, "labels_a.npy"), ya.astype(np.int64))
    np.save(os.path.join(d_, "labels_b.npy"), yb.astype(np.int64))
    for k in range(sizes):
        d = widths[k]
        scale = (np.arange(1, d + 1, dtype=np.float32) ** -0.5) * 3
        mean = rng.standard_normal(d).astype(np.float32) * 0.3 + 4
        planted = -0.6 + 1.2 * k / max(1, sizes - 1)
        for l in range(layers):
            u = np.zeros(d, np.float32); u[0] = 1
            v = np.zeros(d, np.float32); v[0] = planted; v[1] = np.sqrt(1 - planted ** 2)
            for name, y, direction in (("a", ya, u), ("b", yb, v)):
                x = rng.standard_normal((n, d), dtype=np.float32) * scale + mean
                x += np.where(y, 0.5, -0.5)[:, None].astype(np.float32) * direction * 2
                np.save(os.path.join(d_, f"size{k}_layer{l}_{name}.npy"), x)


def weights_observed(y):
    return np.where(y, 1.0 / y.sum(), -1.0 / (~y).sum())


def run(d_, sizes, layers, reps, mode):
    from sklearn.linear_model import LogisticRegression
    ya = np.load(os.path.join(d_, "labels_a.npy")).astype(bool)
    yb = np.load(os.path.join(d_, "labels_b.npy")).astype(bool)
    data = {}
    for k in range(sizes):
        for l in range(layers):
            data[k, l] = [np.load(os.path.join(d_, f"size{k}_layer{l}_{s}.npy")).astype(np.float64) for s in "ab"]
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()

    def draws(y):
        pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
        return [np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]) for _ in range(reps)]

    def shuffles(y):
        return [rng.permutation(y) for _ in range(reps)]

    def cos(a, b):
        return float(a @ b / np.sqrt((a @ a) * (b @ b)))

    def rowcos(a, b):
        return (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))

    cells = []
    for k in range(sizes):
        da, db, sa, sb = draws(ya), draws(yb), shuffles(ya), shuffles(yb)
        if mode == "matmul":
            def wmat(y, rows):
                w = np.zeros((reps, len(y)))
                for r, idx in enumerate(rows):
                    np.add.at(w[r], idx, np.where(y[idx], 1.0 / y.sum(), -1.0 / (~y).sum()))
                return w
            wba, wbb = wmat(ya, da), wmat(yb, db)
            wsa = np.array([weights_observed(s) for s in sa])
            wsb = np.array([weights_observed(s) for s in sb])
        for l in range(layers):
            xa, xb = data[k, l]
            centred = cos(weights_observed(ya) @ xa, weights_observed(yb) @ xb)
            uncentred = cos(xa.mean(0), xb.mean(0))
            if mode == "matmul":
                boot = rowcos(wba @ xa, wbb @ xb)
                null = rowcos(wsa @ xa, wsb @ xb)
            else:
                boot = np.array([cos(xa[ia][ya[ia]].mean(0) - xa[ia][~ya[ia]].mean(0), xb[ib][yb[ib]].mean(0) - xb[ib][~yb[ib]].mean(0))
                                 for ia, ib in zip(da, db)])
                null = np.array([cos(xa[s].mean(0) - xa[~s].mean(0), xb[t].mean(0) - xb[~t].mean(0)) for s, t in zip(sa, sb)])
            ci = np.percentile(boot, [2.5, 97.5])
            p95 = np.percentile(np.abs(null), 95)
            probe = LogisticRegression(C=1.0, max_iter=10000).fit(xa, ya)
            hit = probe.predict(xb) == yb
            acc = hit.mean()
            acc_ci = np.percentile([hit[ib].mean() for ib in db], [2.5, 97.5])
            cells.append([centred, uncentred, float(acc), float(ci[0]), float(ci[1]), float(p95), acc_ci.tolist()])
    print(json.dumps({"seconds": time.perf_counter() - t0, "cells": cells}))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
