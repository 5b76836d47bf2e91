#!/usr/bin/env python3
"""Reference for geometry on reasoning steps, written from the documented definitions with numpy
(float64 throughout). Used by StepUnitReferenceTest:

  /usr/bin/python3 bench/step_reference.py DIR mean|last

DIR holds .npy files: tokens.npy [rows, d] (every captured row of every trajectory, in order),
first.npy / rows.npy (per trajectory: the token position of its first row, its row count),
bcount.npy / bounds.npy (per trajectory: how many step boundaries, then all boundaries in order),
labels.npy (per trajectory: an integer label), and optionally attn_L.npy / mlp_L.npy for layers
L = 0, 1, … (the attention and MLP outputs, rows as in tokens.npy).

Definitions: row r of a trajectory is token position first + r. Step i is the positions
[b_i, b_{i+1}) (the last one up to the trajectory's last row); positions before b_0 belong to no
step; a trajectory without boundaries has no steps and is left out. A step's point is the mean of
its rows (mean) or its last row (last). The metrics are geometry_reference.py's, on the step points
with one trajectory per prompt; tangling's epsilon is 0.1 x the total variance of the step points.
Oscillation coherence: a step's attention size at layer l is the norm of its pooled attn_out row
(pooled like the points), the same for the MLP; with two or more layers the changes are taken layer
to layer, Pearson's r over every (step, layer pair) of every trajectory.

Prints one JSON object: the step points, their trajectory offsets and the metrics.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import geometry_reference as ref  # noqa: E402


def steps_of(first, rows, bounds):
    """(start, end) row ranges of each step of one trajectory, from token positions."""
    positions = first + np.arange(rows)
    out = []
    for i, b in enumerate(bounds):
        end = bounds[i + 1] if i + 1 < len(bounds) else first + rows
        idx = np.nonzero((positions >= b) & (positions < end))[0]
        out.append(idx)
    return out


def pool(x, idx, how):
    return x[idx].mean(axis=0) if how == "mean" else x[idx[-1]]


def main():
    folder, how = sys.argv[1], sys.argv[2]
    load = lambda name: np.load(os.path.join(folder, name))
    tokens = load("tokens.npy").astype(np.float64)
    first, rows, bcount, bounds, labels = load("first.npy"), load("rows.npy"), load("bcount.npy"), load("bounds.npy"), load("labels.npy")
    layers = []
    while os.path.exists(os.path.join(folder, "attn_%d.npy" % len(layers))):
        layers.append((load("attn_%d.npy" % len(layers)).astype(np.float64), load("mlp_%d.npy" % len(layers)).astype(np.float64)))
    points, offsets, point_labels, dx, dy = [], [], [], [], []
    row0, b0 = 0, 0
    for k in range(len(first)):
        bs = bounds[b0:b0 + bcount[k]]
        b0 += bcount[k]
        x = tokens[row0:row0 + rows[k]]
        if len(bs) > 0:
            offsets.append(len(points))
            steps = steps_of(first[k], rows[k], bs)
            for idx in steps:
                points.append(pool(x, idx, how))
                point_labels.append(labels[k])
            if layers:
                a = np.array([[np.linalg.norm(pool(at[row0:row0 + rows[k]], idx, how)) for idx in steps] for at, _ in layers])
                m = np.array([[np.linalg.norm(pool(ml[row0:row0 + rows[k]], idx, how)) for idx in steps] for _, ml in layers])
                if len(layers) >= 2:
                    dx.extend(np.diff(a, axis=0).ravel())
                    dy.extend(np.diff(m, axis=0).ravel())
                else:
                    dx.extend(np.diff(a[0]))
                    dy.extend(np.diff(m[0]))
        row0 += rows[k]
    p = np.array(points)
    out = {"points": p.tolist(), "offsets": offsets}
    out.update(ref.participation_and_dims(p))
    out["twonn"] = ref.twonn(p)
    trajs = ref.trajectories(p, offsets)
    out["step_cosine"] = ref.step_cosine(trajs)
    out["alignment"] = ref.alignment(trajs)
    out.update(ref.tangling(trajs, 0.1 * out["total_variance"]))
    from sklearn.metrics import silhouette_score
    out["silhouette"] = float(silhouette_score(p, np.array(point_labels), metric="euclidean"))
    if layers:
        out["oscillation_coherence"] = float(np.corrcoef(dx, dy)[0, 1])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
