"""Reads a ScaleLab activation set with json + struct + numpy only (no ScaleLab, no safetensors
package), to show the format is usable from Python as documented:

  manifest.json                 trajectories with shard, row_start, rows, first_position
  shard-NNNNN.safetensors       8-byte little-endian header length, JSON header, data region;
                                one F32 [rows, d_model] tensor per hook ([rows, *shape] for a hook
                                the manifest's optional hook_shapes lists), I32 [rows]
                                trajectory_index, token_position, token_id

  read_activation_set.py DIR HOOK ID          prints {"rows": [[...]], "positions": [...], "index_ok": bool,
                                              "row_shape": [...], "shape_ok": bool}
  read_activation_set.py diff DIR HOOK A B     prints mean(rows of domain A) - mean(rows of domain B), float64
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "I32": np.int32}


def read_shard(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin:base + end], dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        tensors[name] = arr.reshape(info["shape"])
    return tensors


def main(folder, hook, wanted):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    traj = next(t for t in manifest["trajectories"] if t["id"] == wanted)
    shard = read_shard(os.path.join(folder, manifest["shards"][traj["shard"]]["file"]))
    # Rows found through the index tensors, independently of the manifest's row span.
    mask = shard["trajectory_index"] == traj["index"]
    rows = shard[hook][mask]
    positions = shard["token_position"][mask]
    span = shard[hook][traj["row_start"]:traj["row_start"] + traj["rows"]]
    print(json.dumps({
        "rows": rows.astype(float).tolist(),
        "positions": positions.tolist(),
        "index_ok": bool(np.array_equal(rows, span)) and int(positions[0]) == traj["first_position"],
        "d_model": int(shard[hook].shape[1]) if shard[hook].ndim == 2 else -1,
        "row_shape": list(shard[hook].shape[1:]),
        # absent from hook_shapes: a d_model-wide hook
        "shape_ok": list(shard[hook].shape[1:]) == manifest.get("hook_shapes", {}).get(hook, [manifest["d_model"]]),
    }))


def diff(folder, hook, a, b):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    domain = {t["index"]: t["domain"] for t in manifest["trajectories"]}
    rows = {a: [], b: []}
    for shard in manifest["shards"]:
        tensors = read_shard(os.path.join(folder, shard["file"]))
        for row, index in zip(tensors[hook], tensors["trajectory_index"]):
            if domain[int(index)] in rows:
                rows[domain[int(index)]].append(row.astype(np.float64))
    print(json.dumps((np.mean(rows[a], axis=0) - np.mean(rows[b], axis=0)).tolist()))


if __name__ == "__main__":
    if sys.argv[1] == "diff":
        diff(*sys.argv[2:6])
    else:
        main(sys.argv[1], sys.argv[2], sys.argv[3])
