#!/usr/bin/env bash
# Geometry kernels: ScaleLab (OpenBLAS via bytedeco) vs numpy / scikit-learn on the same .npy files.
#   PR + d90/d95 on 25,000 x 4,096 float32: numpy at its best = centre, X.T @ X (float32 syrk), eigvalsh (float32),
#   and the notebook way, np.cov (float64) + eigvalsh, once per kernel.
#   silhouette with labels on 20,000 x 4,096 float32: sklearn.metrics.silhouette_score (euclidean).
#   k-means, k = 8, on the same 20,000 x 4,096 float32: sklearn.cluster.KMeans (Lloyd, k-means++, n_init=1).
# Every measurement runs twice, ScaleLab's and numpy's/sklearn's: each OpenBLAS's own kernel choice
# ("default") and OPENBLAS_CORETYPE=$CORETYPE. "default" unsets OPENBLAS_CORETYPE: an inherited value (e.g. Haswell)
# would also force ScaleLab's OpenBLAS onto that kernel.
# The load average is printed with every number (the machine is shared).
# Usage: bench/bench_geometry.sh [--only pr|silhouette|kmeans] [--n-pr N] [--n-sil N] [--d D] [--repeat R] [--skip-python] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
N_PR=25000; N_SIL=20000; D=4096; REPEAT=2; SKIP_PY=0; ONLY=all; DIR=${TMPDIR:-/tmp}/scalelab-bench-geometry
CORETYPE=${CORETYPE:-SkylakeX}
while [ $# -gt 0 ]; do
  case "$1" in
    --n-pr) N_PR=$2; shift ;;
    --n-sil) N_SIL=$2; shift ;;
    --d) D=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --skip-python) SKIP_PY=1 ;;
    --only) ONLY=$2; shift ;;
    --dir) DIR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
# "default" is OpenBLAS's own choice: OPENBLAS_CORETYPE removed from the environment, not inherited.
kernel() { if [ "$1" = default ]; then echo "-u OPENBLAS_CORETYPE"; else echo "OPENBLAS_CORETYPE=$1"; fi; }
# Peak resident memory of the last timed process (GNU time), in MB.
RSS_FILE=$(mktemp)
timed() { if [ -x /usr/bin/time ]; then /usr/bin/time -o "$RSS_FILE" -f %M "$@"; else "$@"; fi; }
peak() { if [ -s "$RSS_FILE" ]; then echo "  peak RSS $(( $(tail -1 "$RSS_FILE") / 1024 )) MB"; fi; }

echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
echo "OpenBLAS environment: $(env | grep '^OPENBLAS_' | tr '\n' ' ')(\"default\" runs drop OPENBLAS_CORETYPE)"
echo "java: $(java -version 2>&1 | head -1); python: $("$PY" -c 'import sys, numpy, sklearn; print(sys.version.split()[0], "numpy", numpy.__version__, "sklearn", sklearn.__version__)')"

mkdir -p "$DIR"
PR_FILE=$DIR/pr_${N_PR}x${D}.npy
SIL_FILE=$DIR/sil_${N_SIL}x${D}.npy
SIL_LABELS=$DIR/sil_${N_SIL}_labels.npy
"$PY" - "$PR_FILE" "$SIL_FILE" "$SIL_LABELS" "$N_PR" "$N_SIL" "$D" <<'PYEOF'
import os, sys
import numpy as np
pr_file, sil_file, sil_labels, n_pr, n_sil, d = sys.argv[1:]
n_pr, n_sil, d = int(n_pr), int(n_sil), int(d)
r = np.random.default_rng(0)
# Activations-like data: a power-law spectrum (lambda_k ~ 1/k), random rotation-free, offset mean.
scale = (np.arange(1, d + 1, dtype=np.float32) ** -0.5)
if not os.path.exists(pr_file):
    x = r.standard_normal((n_pr, d), dtype=np.float32); x *= scale; x += 0.5
    np.save(pr_file, x); del x
if not os.path.exists(sil_file):
    k = 8
    centres = r.standard_normal((k, d), dtype=np.float32) * 0.3
    y = r.integers(0, k, n_sil)
    x = r.standard_normal((n_sil, d), dtype=np.float32); x *= scale; x += centres[y]
    np.save(sil_file, x); np.save(sil_labels, y.astype(np.int64)); del x
PYEOF

CP=$(bench/classpath.sh)

if [ "$ONLY" = all ] || [ "$ONLY" = pr ]; then
echo "== PR + d90/d95, ${N_PR} x ${D} float32"
for core in default "$CORETYPE"; do
  timed env $(kernel "$core") java -Xmx6g -cp "$CP" org.scalelab.geometry.GeometryBench pr "$PR_FILE" --repeat "$REPEAT" \
      | while read -r line; do echo "scalelab ($core): $line  (load $(load))"; done; peak
done
if [ "$SKIP_PY" = 0 ]; then
  for core in default "$CORETYPE"; do
    timed env $(kernel "$core") "$PY" - "$PR_FILE" "$REPEAT" <<'PYEOF' | while read -r line; do echo "numpy ($core): $line  (load $(load))"; done; peak
import json, sys, time
import numpy as np
f, repeat = sys.argv[1], int(sys.argv[2])
for _ in range(repeat):
    t0 = time.perf_counter()
    x = np.load(f, mmap_mode="r")
    t1 = time.perf_counter()
    xc = x - x.mean(axis=0)
    c = xc.T @ xc / (len(xc) - 1)
    lam = np.clip(np.linalg.eigvalsh(c)[::-1], 0, None)
    frac = np.cumsum(lam, dtype=np.float64) / lam.sum(dtype=np.float64)
    pr = float(np.trace(c, dtype=np.float64) ** 2 / np.sum(c.astype(np.float64) ** 2))
    d90, d95 = int(np.searchsorted(frac, 0.90) + 1), int(np.searchsorted(frac, 0.95) + 1)
    t2 = time.perf_counter()
    print(json.dumps({"way": "float32 syrk + eigvalsh", "load_seconds": round(t1 - t0, 3), "seconds": round(t2 - t1, 3), "participation_ratio": pr, "d90": d90, "d95": d95}))
    del xc, c
# The notebook way: np.cov (float64) and eigvalsh of it.
t0 = time.perf_counter()
lam = np.clip(np.linalg.eigvalsh(np.cov(x, rowvar=False))[::-1], 0, None)
frac = np.cumsum(lam) / lam.sum()
pr = float(lam.sum() ** 2 / (lam ** 2).sum())
d95 = int(np.searchsorted(frac, 0.95) + 1)
print(json.dumps({"way": "np.cov float64 + eigvalsh", "seconds": round(time.perf_counter() - t0, 3), "participation_ratio": pr, "d95": d95}))
PYEOF
  done
fi

fi

if [ "$ONLY" = all ] || [ "$ONLY" = kmeans ]; then
echo "== k-means, k = 8, ${N_SIL} x ${D} float32 (k-means++ seeding, Lloyd, tol 1e-4, one init)"
for core in default "$CORETYPE"; do
  timed env $(kernel "$core") java -Xmx6g -cp "$CP" org.scalelab.geometry.GeometryBench kmeans "$SIL_FILE" 8 --repeat "$REPEAT" \
      | while read -r line; do echo "scalelab ($core): $line  (load $(load))"; done; peak
done
if [ "$SKIP_PY" = 0 ]; then
  for core in default "$CORETYPE"; do
    timed env $(kernel "$core") "$PY" - "$SIL_FILE" "$REPEAT" <<'PYEOF' | while read -r line; do echo "sklearn ($core): $line  (load $(load))"; done; peak
import json, sys, time
import numpy as np
from sklearn.cluster import KMeans
x = np.load(sys.argv[1])
for seed in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    km = KMeans(n_clusters=8, n_init=1, random_state=seed, algorithm="lloyd").fit(x)
    s = time.perf_counter() - t0
    print(json.dumps({"seconds": round(s, 3), "inertia": float(km.inertia_), "iterations": int(km.n_iter_),
                      "seconds_per_iteration": round(s / km.n_iter_, 4)}))
PYEOF
  done
fi
fi

if [ "$ONLY" = all ] || [ "$ONLY" = silhouette ]; then
echo "== silhouette with labels, ${N_SIL} x ${D} float32"
# ScaleLab's OpenBLAS (bytedeco 0.3.26) picks its AVX-512 kernel on this CPU by itself (about 1.8x the
# sgemm rate of the Haswell kernel that OPENBLAS_CORETYPE=Haswell forces); both kernels, like numpy/sklearn.
for core in default "$CORETYPE"; do
  for precision in "" --float32; do
    timed env $(kernel "$core") java -Xmx6g -cp "$CP" org.scalelab.geometry.GeometryBench \
        silhouette "$SIL_FILE" "$SIL_LABELS" $precision --repeat "$REPEAT" | while read -r line; do echo "scalelab ($core): $line  (load $(load))"; done; peak
  done
done
if [ "$SKIP_PY" = 0 ]; then
  for core in default "$CORETYPE"; do
    timed env $(kernel "$core") "$PY" - "$SIL_FILE" "$SIL_LABELS" <<'PYEOF' | while read -r line; do echo "sklearn ($core): $line  (load $(load))"; done; peak
import json, sys, time
import numpy as np
from sklearn.metrics import silhouette_score
x = np.load(sys.argv[1]); y = np.load(sys.argv[2])
t0 = time.perf_counter()
s = silhouette_score(x, y, metric="euclidean")
print(json.dumps({"seconds": round(time.perf_counter() - t0, 3), "silhouette": float(s)}))
PYEOF
  done
fi
fi
