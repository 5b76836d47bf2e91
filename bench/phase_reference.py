"""Capability-phase benchmark: synthetic activation sets, and the phase analyses written with numpy/scikit-learn.

  make DIR --dims 256,512,768,1024 --layers 8 --per-class 2000 [--seed 0]
      writes one activation set per width (DIR/size-<d>/manifest.json + shard-00000.safetensors, the
      scalelab-activations v1 format, by hand: no safetensors module needed) with hooks
      blocks.<l>.hook_resid_post, one row per prompt (its last token), labels truth=true|false and pair.
      Rows: a large shared mean + anisotropic noise (a few columns 20x larger, like residual-stream outliers)
      + a class shift along a random direction whose strength grows with the layer.
  directions --set DIR [--set DIR ...] [--holdout 0.25 --resamples 200 --c 1.0 --seed 0]
      per set and layer, the same computation as `scalelab phase directions`: centred difference of means,
      top right singular vector of the paired differences (numpy.linalg.svd), an L2 logistic probe
      (sklearn.linear_model.LogisticRegression(C)) on every prompt and on a stratified training split,
      held-out accuracies with Wilson intervals, and stability (cosine between the mean differences of
      random halves). Prints one JSON line per (set, layer) and the wall time on stderr.
Further analyses (coupling) add their own subcommand here.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np


def write_set(folder, d, layers, per_class, seed):
    rng = np.random.default_rng(seed + d)
    n = 2 * per_class
    os.makedirs(folder, exist_ok=True)
    hooks = ["blocks.%d.hook_resid_post" % l for l in range(layers)]
    scale = np.ones(d)
    scale[rng.choice(d, size=max(1, d // 64), replace=False)] = 20.0
    mean = rng.normal(size=d) * 3.0
    positive = np.arange(n) % 2 == 0  # pairs (2k, 2k+1): positive then negative
    header, offset, blobs = {}, 0, []
    for l, hook in enumerate(hooks):
        u = rng.normal(size=d)
        u /= np.linalg.norm(u)
        strength = 0.5 + 4.0 * l / max(1, layers - 1)
        x = mean + rng.normal(size=(n, d)) * scale + np.where(positive, 0.5, -0.5)[:, None] * strength * u
        b = x.astype("<f4").tobytes()
        header[hook] = {"dtype": "F32", "shape": [n, d], "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    for name, values, dtype, code in [("trajectory_index", np.arange(n), "<i4", "I32"),
                                      ("token_position", np.full(n, 7), "<i4", "I32"),
                                      ("token_id", np.full(n, 1), "<i4", "I32")]:
        b = values.astype(dtype).tobytes()
        header[name] = {"dtype": code, "shape": [n], "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(folder, "shard-00000.safetensors"), "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)
    trajectories = [{"index": i, "id": "p%d" % i, "domain": "truth",
                     "labels": {"truth": "true" if positive[i] else "false", "pair": "q%d" % (i // 2)},
                     "token_count": 8, "shard": 0, "row_start": i, "rows": 1, "first_position": 7, "step_boundaries": []}
                    for i in range(n)]
    manifest = {"format": "scalelab-activations", "format_version": 1, "model": "models/size-%d" % d, "family": "gpt2",
                "parameter_count": 12 * layers * d * d, "d_model": d, "n_layers": layers, "hooks": hooks, "dtype": "F32",
                "positions": "last", "interventions": [], "complete": True,
                "shards": [{"file": "shard-00000.safetensors", "rows": n, "first_trajectory": 0, "trajectory_count": n}],
                "trajectories": trajectories}
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f)


def read_set(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    path = os.path.join(folder, manifest["shards"][0]["file"])
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    tensors = {}
    for hook in manifest["hooks"]:
        a, b = header[hook]["data_offsets"]
        tensors[hook] = np.frombuffer(data[a:b], dtype="<f4").reshape(header[hook]["shape"])
    return manifest, tensors


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (2 * n * p + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / (2 * (n + z * z))
    return [centre - half, centre + half]


def directions(x, y, pairs, holdout, resamples, c, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    pos, neg = x[y], x[~y]
    md = pos.mean(0) - neg.mean(0)
    # pairs by label: positive minus negative of each pair
    order = {}
    for i, p in enumerate(pairs):
        order.setdefault(p, [None, None])[0 if y[i] else 1] = i
    idx = np.array(list(order.values()))
    delta = x[idx[:, 0]] - x[idx[:, 1]]
    vt = np.linalg.svd(delta, full_matrices=False)[2][0]
    vt = vt if vt @ md > 0 else -vt
    probe = LogisticRegression(C=c, max_iter=1000).fit(x, y)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=holdout, stratify=y, random_state=seed)
    held = LogisticRegression(C=c, max_iter=1000).fit(xtr, ytr)
    k_probe = int((held.predict(xte) == yte).sum())
    mp, mn = xtr[ytr].mean(0), xtr[~ytr].mean(0)
    d = mp - mn
    k_md = int((((xte @ d) > (mp + mn) @ d / 2) == yte).sum())
    rng = np.random.default_rng(seed)
    ip, ineg = np.flatnonzero(y), np.flatnonzero(~y)
    cos = []
    for _ in range(resamples):
        a, b = rng.permutation(ip), rng.permutation(ineg)
        ha, hb = len(a) // 2, len(b) // 2
        d1 = x[a[:ha]].mean(0) - x[b[:hb]].mean(0)
        d2 = x[a[ha:]].mean(0) - x[b[hb:]].mean(0)
        cos.append(d1 @ d2 / (np.linalg.norm(d1) * np.linalg.norm(d2)))
    w = probe.coef_[0]
    return {"mean_diff_norm": float(np.linalg.norm(md)), "pca_diff": vt, "probe": w / np.linalg.norm(w),
            "probe_acc": k_probe / len(yte), "probe_ci": wilson(k_probe, len(yte)),
            "mean_diff_acc": k_md / len(yte), "mean_diff_ci": wilson(k_md, len(yte)),
            "stability": float(np.mean(cos)), "stability_ci": np.percentile(cos, [2.5, 97.5]).tolist()}


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make")
    mk.add_argument("dir")
    mk.add_argument("--dims", default="256,512,768,1024")
    mk.add_argument("--layers", type=int, default=8)
    mk.add_argument("--per-class", type=int, default=2000)
    mk.add_argument("--seed", type=int, default=0)
    dr = sub.add_parser("directions")
    dr.add_argument("--set", action="append", required=True)
    dr.add_argument("--holdout", type=float, default=0.25)
    dr.add_argument("--resamples", type=int, default=200)
    dr.add_argument("--c", type=float, default=1.0)
    dr.add_argument("--seed", type=int, default=0)
    dr.add_argument("--save", help="write each probe and pca_diff unit vector here as <set>.<hook>.<method>.npy")
    a = ap.parse_args()
    if a.cmd == "make":
        for d in [int(s) for s in a.dims.split(",")]:
            write_set(os.path.join(a.dir, "size-%d" % d), d, a.layers, a.per_class, a.seed)
        return
    start = time.perf_counter()
    cpu = time.process_time()
    for folder in a.set:
        manifest, tensors = read_set(folder)
        y = np.array([t["labels"]["truth"] == "true" for t in manifest["trajectories"]])
        pairs = [t["labels"]["pair"] for t in manifest["trajectories"]]
        for hook in manifest["hooks"]:
            x = np.asarray(tensors[hook], dtype=np.float64)
            r = directions(x, y, pairs, a.holdout, a.resamples, a.c, a.seed)
            if a.save:
                for m in ("pca_diff", "probe"):
                    np.save(os.path.join(a.save, "%s.%s.%s.npy" % (os.path.basename(folder), hook, m)), r[m].astype(np.float32))
            r.pop("pca_diff")
            r.pop("probe")
            print(json.dumps({"set": os.path.basename(folder), "hook": hook, **r}))
    print("python seconds %.3f cpu %.3f" % (time.perf_counter() - start, time.process_time() - cpu), file=sys.stderr)


if __name__ == "__main__":
    main()
