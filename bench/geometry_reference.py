#!/usr/bin/env python3
"""Reference values of ScaleLab's geometry metrics, written independently from their published
definitions with numpy / scikit-learn (float64 throughout). Used by GeometryReferenceTest and by hand:

  /usr/bin/python3 bench/geometry_reference.py POINTS.npy [--trajectories T.npy] [--labels L.npy [L2.npy ...]
                                               [--silhouette-exact]]
                                               [--epsilon E] [--cka Y.npy]
                                               [--kmeans K [--kmeans-init C.npy | --n-init N --seed S]]

Prints one JSON object; a metric that does not apply is absent.

--silhouette-exact adds, per labels file, sklearn's silhouette_score and silhouette_samples on
precomputed distances from scipy's cdist (direct differences, sqrt(sum((x - y)**2))). sklearn's
euclidean path expands |x|^2 + |y|^2 - 2 x.y in float64 without centring, which cancels when
clusters are tight next to their distance from the origin (offset 1e3, spread 1e-3: off by ~1e-5);
the precomputed path evaluates the same definition on exact distances.
"""
import argparse
import json

import numpy as np


def participation_and_dims(x):
    c = np.cov(x, rowvar=False)
    lam = np.clip(np.linalg.eigvalsh(c)[::-1], 0, None)
    frac = np.cumsum(lam) / lam.sum()
    return {
        "participation_ratio": float(lam.sum() ** 2 / (lam ** 2).sum()),
        "d90": int(np.searchsorted(frac, 0.90) + 1),
        "d95": int(np.searchsorted(frac, 0.95) + 1),
        "total_variance": float(np.trace(c)),
    }


def twonn(x, discard_fraction=0.1):
    # Facco et al. 2017 as in scikit-dimension's TwoNN: mu = r2 / r1, drop the top 10 %, fit through 0.
    from sklearn.neighbors import NearestNeighbors
    dist, _ = NearestNeighbors(n_neighbors=3).fit(x).kneighbors(x)
    mu = np.sort(dist[:, 2] / dist[:, 1])
    n = len(mu)
    m = int(n * (1 - discard_fraction))
    xs = np.log(mu[:m])
    ys = -np.log(1 - np.arange(m) / n)
    return float((xs * ys).sum() / (xs * xs).sum())


def trajectories(x, offsets):
    bounds = list(offsets) + [len(x)]
    return [x[bounds[k]:bounds[k + 1]] for k in range(len(offsets))]


def step_cosine(trajs):
    cs = []
    for t in trajs:
        s = np.diff(t, axis=0)
        for a, b in zip(s[:-1], s[1:]):
            cs.append(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    return float(np.mean(cs))


def alignment(trajs):
    u = np.array([t[-1] - t[0] for t in trajs if len(t) >= 2])
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    g = u @ u.T
    k = len(u)
    return float((g.sum() - np.trace(g)) / (k * (k - 1)))


def tangling(trajs, eps):
    # Russo et al. 2018: Q(t) = max_t' |dx_t - dx_t'|^2 / (|x_t - x_t'|^2 + eps), over all times of all trajectories.
    states = np.concatenate([t[:-1] for t in trajs])
    derivs = np.concatenate([np.diff(t, axis=0) for t in trajs])
    sx = ((states[:, None, :] - states[None, :, :]) ** 2).sum(-1)
    sd = ((derivs[:, None, :] - derivs[None, :, :]) ** 2).sum(-1)
    q = (sd / (sx + eps)).max(axis=1)
    return {"tangling": float(q.mean()), "tangling_median": float(np.median(q)),
            "tangling_p90": float(np.percentile(q, 90)), "tangling_epsilon": float(eps)}


def linear_cka(x, y):
    # Kornblith et al. 2019, eq. 5 with column-centred X and Y.
    x = x - x.mean(0)
    y = y - y.mean(0)
    return float(np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("points")
    ap.add_argument("--trajectories")
    ap.add_argument("--labels", nargs="+")
    ap.add_argument("--silhouette-exact", action="store_true")
    ap.add_argument("--epsilon", type=float)
    ap.add_argument("--cka")
    ap.add_argument("--no-twonn", action="store_true")
    ap.add_argument("--kmeans", type=int)
    ap.add_argument("--kmeans-init")
    ap.add_argument("--n-init", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    x = np.load(a.points).astype(np.float64)
    out = participation_and_dims(x)
    if not a.no_twonn:
        out["twonn"] = twonn(x)
    if a.labels:
        from sklearn.metrics import silhouette_samples, silhouette_score
        out["silhouette"] = float(silhouette_score(x, np.load(a.labels[0]), metric="euclidean"))
        if a.silhouette_exact:
            from scipy.spatial.distance import cdist
            dist = cdist(x, x)
            out["silhouette_euclidean"] = [float(silhouette_score(x, np.load(f), metric="euclidean")) for f in a.labels]
            out["silhouette_exact"] = [float(silhouette_score(dist, np.load(f), metric="precomputed")) for f in a.labels]
            out["silhouette_samples_exact"] = [silhouette_samples(dist, np.load(f), metric="precomputed").tolist() for f in a.labels]
    if a.trajectories:
        trajs = trajectories(x, np.load(a.trajectories))
        out["step_cosine"] = step_cosine(trajs)
        out["alignment"] = alignment(trajs)
        eps = a.epsilon if a.epsilon is not None else 0.1 * out["total_variance"]
        out.update(tangling(trajs, eps))
    if a.kmeans:
        # sklearn.cluster.KMeans (Lloyd, k-means++ seeding, tol 1e-4 relative to the mean feature variance).
        from sklearn.cluster import KMeans
        if a.kmeans_init:
            km = KMeans(n_clusters=a.kmeans, init=np.load(a.kmeans_init).astype(np.float64), n_init=1, algorithm="lloyd").fit(x)
        else:
            km = KMeans(n_clusters=a.kmeans, n_init=a.n_init, random_state=a.seed, algorithm="lloyd").fit(x)
        out["kmeans_inertia"] = float(km.inertia_)
        out["kmeans_labels"] = km.labels_.tolist()
        out["kmeans_iterations"] = int(km.n_iter_)
    if a.cka:
        out["cka"] = linear_cka(x, np.load(a.cka).astype(np.float64))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
