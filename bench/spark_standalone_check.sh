#!/usr/bin/env bash
# A Spark standalone cluster on this machine — one master, one worker of 2 cores, started from the Spark module's
# own libraries (scalelab-spark/target/lib), so executors are separate JVMs launched by the worker, as on a real
# cluster — and, against it, through bin/scalelab:
#   geometry --spark spark://127.0.0.1:PORT on a generated set, compared with local[2] and the single machine
#     (the numbers the tests hold the engines to: PR 1e-5 relative, TwoNN 1e-9, tangling 1e-5, silhouette 1e-6, ...)
#   capture --spark on a tiny Llama made here, compared row for row with a single-machine capture
# then stops the cluster. Not part of CI: it starts daemons and ships the app's jars (~175 MB) to each executor.
# Usage: bench/spark_standalone_check.sh [--dir DIR] [--port 7077]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
DIR=${TMPDIR:-/tmp}/scalelab-spark-standalone; PORT=7077
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=$2; shift ;;
    --port) PORT=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
SL=$root/scalelab-spark/target/lib
if [ ! -d "$SL" ] || [ ! -f scalelab-spark/target/scalelab-spark.jar ]; then
  echo "build first (the Spark module too): mvn -q -DskipTests package" >&2
  exit 2
fi
PY=/usr/bin/python3
rm -rf "$DIR"
mkdir -p "$DIR/home" "$DIR/work"
# The worker starts executors with Spark's launcher, which takes its jars from $SPARK_HOME/jars of a release.
ln -s "$SL" "$DIR/home/jars"
touch "$DIR/home/RELEASE"
export SPARK_HOME=$DIR/home SPARK_SCALA_VERSION=2.13
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED)
MASTER=spark://127.0.0.1:$PORT
java -Xmx512m "${OPENS[@]}" -cp "$SL/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" --webui-port 0 \
  > "$DIR/master.log" 2>&1 &
master=$!
worker=
stop() { kill $worker $master 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 60); do grep -q "I have been elected leader" "$DIR/master.log" && break; sleep 0.5; done
java -Xmx512m "${OPENS[@]}" -cp "$SL/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 6g --webui-port 0 \
  --work-dir "$DIR/work" "$MASTER" > "$DIR/worker.log" 2>&1 &
worker=$!
for _ in $(seq 60); do grep -q "Successfully registered with master" "$DIR/worker.log" && break; sleep 0.5; done
grep -q "Successfully registered with master" "$DIR/worker.log" || { echo "the worker did not register: $DIR/worker.log" >&2; exit 1; }
echo "cluster: $MASTER, one worker of 2 cores ($(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg))"

# 1. geometry on three engines
CP=$(bench/classpath.sh)
java -Xmx2g -cp "$CP" org.scalelab.geometry.GeometryScaleSet "$DIR/set" 2000 64 >/dev/null
OPTS=(geometry --acts "$DIR/set" --null-replicates 0 --k-range 2:4 --json --no-store)
timed() { local name=$1; shift; local t0=$SECONDS; "$@" > "$DIR/$name.json" 2> "$DIR/$name.err" || { echo "$name failed:"; tail -5 "$DIR/$name.err"; exit 1; }; echo "$name: $((SECONDS - t0)) s"; }
timed single bin/scalelab "${OPTS[@]}"
timed local bin/scalelab "${OPTS[@]}" --spark 'local[2]'
timed cluster bin/scalelab "${OPTS[@]}" --spark "$MASTER"
"$PY" - "$DIR" <<'EOF'
import json, sys
d = sys.argv[1]
g = {n: json.load(open(f"{d}/{n}.json"))["groups"][0] for n in ("single", "local", "cluster")}
rel = {"participation_ratio": 1e-5, "twonn": 1e-9, "tangling": 1e-5}
absolute = {"alignment": 1e-10, "step_cosine": 1e-10, "oscillation_coherence": 1e-10, "silhouette": 1e-6}
bad = 0
for other in ("local", "cluster"):
    for k in ("n_points", "dimension", "trajectories", "d90", "d95", "k"):
        if g["single"][k] != g[other][k]:
            print(f"MISMATCH {other} {k}: {g['single'][k]} vs {g[other][k]}"); bad += 1
    for k, tol in rel.items():
        if abs(g["single"][k] - g[other][k]) > tol * abs(g["single"][k]):
            print(f"MISMATCH {other} {k}: {g['single'][k]} vs {g[other][k]}"); bad += 1
    for k, tol in absolute.items():
        if abs(g["single"][k] - g[other][k]) > tol:
            print(f"MISMATCH {other} {k}: {g['single'][k]} vs {g[other][k]}"); bad += 1
    for k, v in g["single"]["silhouette_by_k"].items():
        if abs(v - g[other]["silhouette_by_k"][k]) > 1e-6:
            print(f"MISMATCH {other} silhouette k={k}: {v} vs {g[other]['silhouette_by_k'][k]}"); bad += 1
s = g["single"]
print(f"geometry: PR {s['participation_ratio']:.6f}, TwoNN {s['twonn']:.6f}, tangling {s['tangling']:.6f}, silhouette {s['silhouette']:.6f} (k {s['k']}); "
      + ("the three engines agree" if bad == 0 else f"{bad} mismatches"))
sys.exit(1 if bad else 0)
EOF

# 2. capture, single machine and cluster, row for row
bin/scalelab model init --family llama --d-model 64 --layers 2 --heads 4 --kv-heads 2 --d-mlp 128 --vocab 512 --out "$DIR/tiny" >/dev/null
"$PY" -c "
import json, sys
with open(sys.argv[1], 'w') as f:
    for i in range(40):
        f.write(json.dumps({'id': f'p{i}', 'text': f'step one {i}. step two. then three {7 * i}', 'domain': 'math' if i % 2 else 'law'}) + '\n')
" "$DIR/prompts.jsonl"
CAP=(capture --model "$DIR/tiny" --prompts "$DIR/prompts.jsonl" --hooks 'blocks.*.hook_resid_post')
timed capture-single bin/scalelab "${CAP[@]}" --out "$DIR/cap-single"
timed capture-cluster bin/scalelab "${CAP[@]}" --out "$DIR/cap-cluster" --spark "$MASTER" --partitions 4
"$PY" - "$DIR" <<'EOF'
import glob, json, struct, sys
import numpy as np
d = sys.argv[1]
def rows(folder):
    out = {}
    for f in sorted(glob.glob(f"{folder}/shard-*.safetensors")):
        b = open(f, "rb").read()
        n = struct.unpack("<Q", b[:8])[0]
        header = json.loads(b[8:8 + n])
        for name, t in header.items():
            if name != "__metadata__":
                s, e = t["data_offsets"]
                out.setdefault(name, []).append(np.frombuffer(b[8 + n + s:8 + n + e], dtype=t["dtype"].lower().replace("f32", "float32").replace("i64", "int64").replace("i32", "int32")).reshape(t["shape"]))
    return {k: np.concatenate(v) for k, v in out.items()}
a, b = rows(f"{d}/cap-single"), rows(f"{d}/cap-cluster")
same = sorted(a) == sorted(b) and all(a[k].shape == b[k].shape and np.array_equal(a[k], b[k]) for k in a)
print(f"capture: {len(a)} tensors, {next(iter(a.values())).shape[0]} rows; " + ("row for row the same on the cluster" if same else "MISMATCH"))
sys.exit(0 if same else 1)
EOF
