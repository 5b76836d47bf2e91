#!/usr/bin/env python3
"""Linear CKA of a layer profile, from the activation sets on disk and the documented formulas only.

Reads each set's manifest.json and safetensors shards with numpy (u64 header length, JSON header,
little-endian data), takes every blocks.L.hook_resid_post in block order, and prints as JSON:
  consecutive: CKA between consecutive layers of each set (all its rows, trajectories in manifest order);
  across_sizes: for consecutive sets by parameter count, each layer L of the smaller set against the
  larger's layer nearest in relative depth L / (n_layers - 1) (the shallower on a tie), on the rows of
  the trajectories with the same id and row count in both.
Linear CKA (Kornblith et al. 2019, eq. 5): with column-centred X, Y, ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F).
Usage: layer_cka_reference.py SET_DIR...
"""
import json
import re
import struct
import sys

import numpy as np


def read_set(path):
    with open(f"{path}/manifest.json") as f:
        m = json.load(f)
    shards = []
    for s in m["shards"]:
        with open(f"{path}/{s['file']}", "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        data = raw[8 + n:]
        tensors = {}
        for name, t in header.items():
            if name == "__metadata__" or t["dtype"] != "F32":
                continue
            a, b = t["data_offsets"]
            tensors[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(t["shape"])
        shards.append(tensors)
    hooks = sorted((h for h in m["hooks"] if re.fullmatch(r"blocks\.\d+\.hook_resid_post", h)), key=lambda h: int(h.split(".")[1]))
    trajs = [t for t in m["trajectories"] if t["rows"] > 0]
    layers = {}
    for h in hooks:
        layers[int(h.split(".")[1])] = [shards[t["shard"]][h][t["row_start"]:t["row_start"] + t["rows"]].astype(np.float64) for t in trajs]
    return {"model": m["model"], "params": m["parameter_count"], "n_layers": m["n_layers"], "ids": [t["id"] for t in trajs], "layers": layers}


def cka(x, y):
    x = x - x.mean(0)
    y = y - y.mean(0)
    return float(np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))


def depth(layer, n):
    return 1.0 if n <= 1 else layer / (n - 1)


def main():
    sets = [read_set(p) for p in sys.argv[1:]]
    out = []
    for s in sets:
        ls = sorted(s["layers"])
        for a, b in zip(ls, ls[1:]):
            out.append({"kind": "consecutive", "from_model": s["model"], "from_layer": a, "to_model": s["model"], "to_layer": b,
                        "cka": cka(np.vstack(s["layers"][a]), np.vstack(s["layers"][b]))})
    sets.sort(key=lambda s: (s["params"], s["model"]))
    for small, large in zip(sets, sets[1:]):
        large_layers = sorted(large["layers"])
        large_depths = [depth(l, large["n_layers"]) for l in large_layers]
        index = {i: k for k, i in enumerate(large["ids"])}
        for a in sorted(small["layers"]):
            d = depth(a, small["n_layers"])
            j = min(range(len(large_layers)), key=lambda k: (abs(large_depths[k] - d), k))
            b = large_layers[j]
            xs, ys = [], []
            for k, i in enumerate(small["ids"]):
                m = index.get(i)
                if m is not None and len(small["layers"][a][k]) == len(large["layers"][b][m]):
                    xs.append(small["layers"][a][k])
                    ys.append(large["layers"][b][m])
            out.append({"kind": "across_sizes", "from_model": small["model"], "from_layer": a, "to_model": large["model"], "to_layer": b,
                        "cka": cka(np.vstack(xs), np.vstack(ys))})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
