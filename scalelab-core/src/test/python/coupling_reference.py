"""numpy reference for the capability coupling: centred and uncentred cosines, the bootstrap
replicate cosines from given draws and their percentile interval, and head projections.

Reads a JSON file {"a": {"x", "positive"}, "b": {...}, "draws_a": [[rows]], "draws_b": [[rows]],
"level", "heads": {"writes_a": [n][heads*d], "heads": H}} and prints JSON."""
import json
import sys

import numpy as np


def centred(x, pos):
    return x[pos].mean(axis=0) - x[~pos].mean(axis=0)


def cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def main():
    spec = json.load(open(sys.argv[1]))
    xa = np.array(spec["a"]["x"], dtype=np.float64)
    pa = np.array(spec["a"]["positive"], dtype=bool)
    xb = np.array(spec["b"]["x"], dtype=np.float64)
    pb = np.array(spec["b"]["positive"], dtype=bool)
    out = {
        "centred": cos(centred(xa, pa), centred(xb, pb)),
        "uncentred": cos(xa.mean(axis=0), xb.mean(axis=0)),
    }
    reps = []
    for da, db in zip(spec["draws_a"], spec["draws_b"]):
        da = np.array(da)
        db = np.array(db)
        reps.append(cos(centred(xa[da], pa[da]), centred(xb[db], pb[db])))
    reps = np.array(reps)
    tail = (1 - spec["level"]) / 2 * 100
    out["replicates"] = reps.tolist()
    out["ci"] = np.percentile(reps, [tail, 100 - tail]).tolist()
    if "heads" in spec:
        h = spec["heads"]["heads"]
        w = np.array(spec["heads"]["writes_a"], dtype=np.float64).reshape(len(xa), h, -1)
        u = centred(xa, pa)
        u = u / np.linalg.norm(u)
        dw = w[pa].mean(axis=0) - w[~pa].mean(axis=0)
        out["head_projections"] = (dw @ u).tolist()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
