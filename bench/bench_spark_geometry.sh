#!/usr/bin/env bash
# The whole geometry job as Spark jobs on local[2] against the single-machine engine, at 1×, 2×, 4× ROWS rows
# (default 50,000, 100,000, 200,000 × 256 float32), and the fixed cost of a Spark job on a tiny set (default 1,000 rows).
# Each run is its own process (`bin/scalelab geometry … --json --no-store` under /usr/bin/time -v): wall time, CPU
# (user + system) and peak RSS. Then, in the same script:
#   time per row, 2×/1× and 4×/2×, for each engine   (1.00: linear in the rows; a fixed cost makes it < 1)
#   a least-squares line t = a + b · rows per engine  (a: the fixed cost the sizes imply, b: the cost of a row)
#   Spark / single machine at each size, and on the tiny set (the fixed overhead of a Spark job)
#   Spark's own time line from its event log: JVM and CLI start, session start, the jobs of each metric (the
#   first ScaleLab class in each job's call stack: covariance pass, coherence, TwoNN, k-means, silhouette, tangling),
#   the driver's time between jobs, and the session's stop
# and checks that the two engines' JSON agree to the tolerances SparkGeometryTest and GeometrySparkCommandTest state
# (d90/d95, points, dimension, trajectories equal; participation ratio 1e-5 relative; explained variance 1e-6;
# alignment, step cosine, coherence 1e-10; TwoNN 1e-9 relative; tangling 1e-5 relative; silhouette (and per k) 1e-6;
# the same k, the same null metrics; the sampled TwoNN's sample, seed and interval), so that a run cannot silently time
# different work: each difference is printed (MISMATCH) and the script exits 1 after its report.
#
# The job: every metric the Spark engine computes, with `--null-replicates 0` (null baselines are not computed on
# Spark) and otherwise the command's defaults (k-means silhouette for k 2..8, best of 3 restarts; TwoNN and the
# silhouette exact up to 20,000 points, above it a seeded sample of 5,000 points scored against all points), except:
#   the scaling sets: `--tangling-max-times 2` (tangling skipped; it compares every time with every other: O(times²),
#     exact on Spark up to 50,000 times and null above, sampled above 20,000 times on the streamed single machine,
#     so with it on the sizes would neither scale linearly nor do the same work on both engines), and the single
#     machine bounded by `--memory BYTES` so that it runs its streamed engine, whose sampled TwoNN and silhouette are
#     Spark's (same seed, same points): like with like. (Without the bound the single machine holds the points in memory
#     and computes TwoNN exactly: O(rows²).) The default bound is the covariance work (64 MiB + 12 D² bytes) plus the
#     1× set's rows: a group fits in memory only when twice its rows fit beside that work, so every size streams, in
#     blocks of the 1× set's rows (at most 64 MiB). The script stops when the single machine did not stream.
#   the tiny set: tangling on (exact on both), single machine in memory (as without --memory).
# The sets are generated here, in DIR (not in CI), with bench/java/org/scalelab/geometry/GeometryScaleSet.java: one layer's
# hook_attn_out, hook_mlp_out (for the oscillation coherence) and hook_resid_post (the points), trajectories of 100 rows;
# a smaller set's trajectories are the larger sets' first ones. The CLI runs with bin/scalelab's heap (-Xmx8g); Spark's
# event log of each run goes to DIR/NAME.events (spark.eventLog.* as system properties, read by the session the engine
# starts). A group's Spark tasks are its parts of at most 64 MB of rows: below that, local[2] computes on one thread.
# Usage: bench/bench_spark_geometry.sh [--rows 50000] [--d 256] [--tiny 1000] [--memory BYTES] [--master 'local[2]'] [--dir DIR] [--report]
#   --report: no runs, only the checks and the report of the runs recorded in DIR (same --rows and --tiny)
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=50000; D=256; TINY=1000; MEMORY=""; MASTER='local[2]'; DIR=${TMPDIR:-/tmp}/scalelab-bench-spark-geometry; REPORT=
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift ;;
    --d) D=$2; shift ;;
    --tiny) TINY=$2; shift ;;
    --memory) MEMORY=$2; shift ;;
    --master) MASTER=$2; shift ;;
    --dir) DIR=$2; shift ;;
    --report) REPORT=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
if [ -z "$MEMORY" ]; then MEMORY=$(( (64 << 20) + 12 * D * D + ROWS * D * 4 )); fi
SIZES=("$ROWS" $(( 2 * ROWS )) $(( 4 * ROWS )))
if [ -z "$REPORT" ]; then
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, load average $(load), $(date -u '+%Y-%m-%d %H:%M UTC')"
if [ ! -d scalelab-app/target/lib ] || [ ! -f scalelab-spark/target/scalelab-spark.jar ]; then
  echo "build first (the Spark module too): mvn -o -q -DskipTests package" >&2
  exit 2
fi
echo "single machine on the scaling sets: --memory $MEMORY (bytes: streamed); Spark: --spark $MASTER (event logs: $DIR/*.events)"
CP=$(bench/classpath.sh)
mkdir -p "$DIR/events"
generate() {
  local rows=$1 set=$DIR/set_${1}x${D}
  if [ ! -f "$set/manifest.json" ]; then
    echo "generating $set ($rows x $D float32, 3 hooks, $(( 3 * rows * D * 4 / 1000000 )) MB)" >&2
    java -Xmx3g -cp "$CP" org.scalelab.geometry.GeometryScaleSet "$set" "$rows" "$D" >&2
  fi
  echo "$set"
}
for n in "$TINY" "${SIZES[@]}"; do generate "$n" > /dev/null; done
TIME_FILE=$(mktemp)
trap 'rm -f "$TIME_FILE"' EXIT
rm -f "$DIR/runs.txt"
SCALE_OPTS=(--null-replicates 0 --tangling-max-times 2 --json --no-store)
TINY_OPTS=(--null-replicates 0 --json --no-store)
# run NAME ROWS ENGINE OPTIONS…   (ENGINE: spark or single)
run() {
  local name=$1 rows=$2 engine=$3
  shift 3
  local set=$DIR/set_${rows}x${D} start
  rm -f "$DIR/$name".events
  start=$(date +%s.%N)
  if [ "$engine" = spark ]; then
    local before after
    before=$(ls "$DIR/events")
    SCALELAB_JAVA_OPTS="-Xmx8g -Dspark.eventLog.enabled=true -Dspark.eventLog.dir=file:$DIR/events -Dspark.eventLog.compress=false -Dspark.eventLog.rolling.enabled=false" \
      /usr/bin/time -v -o "$TIME_FILE" bin/scalelab geometry --acts "$set" "$@" --spark "$MASTER" > "$DIR/$name.json" 2> "$DIR/$name.err" \
      || { cat "$DIR/$name.err" >&2; exit 1; }
    after=$(ls "$DIR/events")
    local log
    log=$(comm -13 <(echo "$before") <(echo "$after") | head -1)
    mv "$DIR/events/$log" "$DIR/$name.events"
  else
    /usr/bin/time -v -o "$TIME_FILE" bin/scalelab geometry --acts "$set" "$@" > "$DIR/$name.json" 2> "$DIR/$name.err" \
      || { cat "$DIR/$name.err" >&2; exit 1; }
  fi
  local wall user sys rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$TIME_FILE")
  user=$(awk -F': ' '/User time/ {print $2}' "$TIME_FILE")
  sys=$(awk -F': ' '/System time/ {print $2}' "$TIME_FILE")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$TIME_FILE")
  echo "$name $rows $engine $wall $user $sys $rss $start $(load | cut -d' ' -f1)" >> "$DIR/runs.txt"
  if [ "$engine" = single ] && [ "$rows" != "$TINY" ] && ! grep -q '"streamed"' "$DIR/$name.json"; then
    echo "$name: the single machine did not stream $rows rows under --memory $MEMORY (it would compute TwoNN exactly, not Spark's sample): give a smaller --memory" >&2
    exit 2
  fi
  echo "$name: $rows x $D, $engine: ${wall} s wall, CPU ${user} s user + ${sys} s system, peak RSS $(( rss / 1024 )) MB (load $(load))"
}
run tiny-single "$TINY" single "${TINY_OPTS[@]}"
run tiny-spark "$TINY" spark "${TINY_OPTS[@]}"
for n in "${SIZES[@]}"; do
  run "single-$n" "$n" single "${SCALE_OPTS[@]}" --memory "$MEMORY"
  run "spark-$n" "$n" spark "${SCALE_OPTS[@]}"
done
echo "load average after: $(load)"
fi
python3 - "$DIR" "$TINY" "${SIZES[@]}" <<'PYEOF'
import collections, json, re, sys

d, tiny, sizes = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3:]]
runs = {}
for line in open(f"{d}/runs.txt"):
    name, rows, engine, wall, user, sys_, rss, start, load1 = line.split()
    runs[name] = dict(rows=int(rows), wall=float(wall), cpu=float(user) + float(sys_), rss=int(rss) // 1024, start=float(start), load=float(load1))

# The two engines did the same work: the JSON agrees to the tests' tolerances.
def close(a, b, tol, rel=False):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= (tol * abs(a) if rel else tol)

def sample_note(note):
    """(scored, population, seed, interval low, interval high) of a sampled metric's note, or None."""
    if note is None:
        return None
    nums = [float(t.replace(",", "")) for t in re.findall(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?", note)]
    return nums[:3] + nums[-2:]

def agree(single, spark, want_engine):
    a, b = json.load(open(f"{d}/{single}.json")), json.load(open(f"{d}/{spark}.json"))
    engines = set(a["provenance"]["options"].get("engines", {}).values())
    if engines != {want_engine}:
        sys.exit(f"{single}: the single machine ran {engines}, not {want_engine}: change --memory")
    bad = []
    for x, y in zip(a["groups"], b["groups"], strict=True):
        for k in ["name", "n_points", "dimension", "trajectories", "d90", "d95", "silhouette_source", "k", "unit"]:
            if x[k] != y[k]:
                bad.append(f"{k}: {x[k]} against {y[k]}")
        checks = [("participation_ratio", 1e-5, True), ("alignment", 1e-10, False), ("step_cosine", 1e-10, False),
                  ("oscillation_coherence", 1e-10, False), ("twonn", 1e-9, True), ("tangling", 1e-5, True),
                  ("tangling_median", 1e-5, True), ("tangling_p90", 1e-5, True), ("silhouette", 1e-6, False)]
        for k, tol, rel in checks:
            if not close(x[k], y[k], tol, rel):
                bad.append(f"{k}: {x[k]} against {y[k]}")
        for i, (u, v) in enumerate(zip(x["explained_variance"], y["explained_variance"], strict=True)):
            if not close(u, v, 1e-6):
                bad.append(f"explained_variance[{i}]: {u} against {v}")
        for kk, u in (x["silhouette_by_k"] or {}).items():
            if not close(u, (y["silhouette_by_k"] or {}).get(kk), 1e-6):
                bad.append(f"silhouette k={kk}: {u} against {(y['silhouette_by_k'] or {}).get(kk)}")
        for u, v in zip(x["silhouette_ci"] or [], y["silhouette_ci"] or []):
            if not close(u, v, 1e-6):
                bad.append(f"silhouette_ci: {x['silhouette_ci']} against {y['silhouette_ci']}")
        # The sampled TwoNN's note: the same sample size, population, seed and interval (the streamed engine prints
        # the interval to 4 significant digits, Spark in full).
        u, v = sample_note(x["reasons"].get("twonn_sample")), sample_note(y["reasons"].get("twonn_sample"))
        if (u is None) != (v is None) or u and (u[:3] != v[:3] or not all(close(p, q, 5e-4, True) for p, q in zip(u[3:], v[3:]))):
            bad.append(f"twonn_sample: {x['reasons'].get('twonn_sample')} against {y['reasons'].get('twonn_sample')}")
        nulls = sorted(k for k in ["twonn", "tangling", "silhouette", "oscillation_coherence", "alignment", "step_cosine"] if x[k] is None)
        g = x
    if bad:
        print(f"MISMATCH {single} / {spark} (beyond the tests' tolerances):\n  " + "\n  ".join(bad))
        mismatches.append(single)
    return g, nulls

mismatches = []

g, nulls = agree("tiny-single", "tiny-spark", "in memory")
print(f"JSON, tiny set ({tiny} rows): PR {g['participation_ratio']:.4f}, d90 {g['d90']}, TwoNN {g['twonn']:.4f}, "
      f"tangling {g['tangling']:.4f}, silhouette {g['silhouette']:.4f} (k {g['k']}), coherence {g['oscillation_coherence']:.4f}; null: {nulls or 'none'}")
for n in sizes:
    g, nulls = agree(f"single-{n}", f"spark-{n}", "streamed")
    print(f"JSON, {n} rows: PR {g['participation_ratio']:.4f}, d90 {g['d90']}, TwoNN {g['twonn']:.4f} "
          f"({g['reasons'].get('twonn_sample', 'exact')}), silhouette {g['silhouette']:.4f} (k {g['k']}), "
          f"coherence {g['oscillation_coherence']:.4f}; null: {nulls or 'none'}")

# Spark's time line from its event log; per metric its jobs' wall time and its tasks' run time (summed over the
# executor's threads: on local[2] up to twice the wall time when both threads are busy).
SCOPES = [("SparkTwoNN", "TwoNN"), ("SparkTangling", "tangling"), ("SparkSilhouette", "silhouette"), ("SparkKMeans", "k-means"),
          ("SparkGeometry", "covariance, alignment, step cosine"), ("ActivationSource.coherence", "coherence"), ("ActivationSource", "reading the set")]

def metric(details):
    for frame in details.split("\n"):
        for cls, label in SCOPES:
            if f"org.scalelab.spark.{cls}" in frame:
                return label
    return "other"

def timeline(name):
    events = [json.loads(l) for l in open(f"{d}/{name}.events")]
    t0 = runs[name]["start"] * 1000
    app = next(e["Timestamp"] for e in events if e["Event"] == "SparkListenerApplicationStart")
    ready = max(e["Timestamp"] for e in events if e["Event"] in ("SparkListenerExecutorAdded", "SparkListenerBlockManagerAdded"))
    end = next(e["Timestamp"] for e in events if e["Event"] == "SparkListenerApplicationEnd")
    starts = {e["Job ID"]: e for e in events if e["Event"] == "SparkListenerJobStart"}
    ends = {e["Job ID"]: e["Completion Time"] for e in events if e["Event"] == "SparkListenerJobEnd"}
    per = collections.defaultdict(lambda: [0, 0.0])
    for j, e in starts.items():
        m = metric(e["Stage Infos"][0]["Details"])
        per[m][0] += 1
        per[m][1] += (ends[j] - e["Submission Time"]) / 1000
    stage = {s["Stage ID"]: metric(e["Stage Infos"][0]["Details"]) for e in starts.values() for s in e["Stage Infos"]}
    task = collections.defaultdict(float)
    for e in events:
        if e["Event"] == "SparkListenerTaskEnd":
            task[stage[e["Stage ID"]]] += e["Task Metrics"]["Executor Run Time"] / 1000
    for m in per:
        per[m].append(task[m])
    first = min(e["Submission Time"] for e in starts.values())
    last = max(ends.values())
    jobs = sum(v[1] for v in per.values())
    # Tasks of the covariance pass: the set's parts (at most 64 MB of rows each), hence the threads a job can use.
    parts = max(s["Number of Tasks"] for e in starts.values() for s in e["Stage Infos"] if metric(e["Stage Infos"][0]["Details"]).startswith("covariance"))
    return dict(parts=parts, jvm=(app - t0) / 1000, session=(ready - app) / 1000, prepare=(first - ready) / 1000, span=(last - first) / 1000,
                jobs=jobs, driver=(last - first) / 1000 - jobs, stop=(end - last) / 1000, exit=runs[name]["wall"] - (end - t0) / 1000,
                per=dict(per), count=len(starts))

print()
print("| rows | single machine: wall, CPU, peak RSS | Spark " + "local[2]" + ": wall, CPU, peak RSS | Spark / single (wall) | load (1 min) at start |")
print("|---|---|---|---|---|")
for n, s, k in [(tiny, "tiny-single", "tiny-spark")] + [(n, f"single-{n}", f"spark-{n}") for n in sizes]:
    a, b = runs[s], runs[k]
    print(f"| {n:,} | {a['wall']:.1f} s, {a['cpu']:.1f} s, {a['rss']:,} MB | {b['wall']:.1f} s, {b['cpu']:.1f} s, {b['rss']:,} MB "
          f"| {b['wall'] / a['wall']:.2f} | {a['load']:.1f}; {b['load']:.1f} |")
print()
for engine, prefix in [("single machine (streamed)", "single"), ("Spark", "spark")]:
    t = [runs[f"{prefix}-{n}"]["wall"] for n in sizes]
    c = [runs[f"{prefix}-{n}"]["cpu"] for n in sizes]
    per_row = [t[i] / sizes[i] for i in range(3)]
    mx = sum(sizes) / 3
    my = sum(t) / 3
    b = sum((x - mx) * (y - my) for x, y in zip(sizes, t)) / sum((x - mx) ** 2 for x in sizes)
    a = my - b * mx
    worst = max(abs(y - (a + b * x)) / y for x, y in zip(sizes, t))
    print(f"{engine}: time per row 2x/1x {per_row[1] / per_row[0]:.2f}, 4x/2x {per_row[2] / per_row[1]:.2f} "
          f"(CPU per row {c[1] / sizes[1] / (c[0] / sizes[0]):.2f}, {c[2] / sizes[2] / (c[1] / sizes[1]):.2f}); "
          f"line t = {a:.1f} s + {b * 1e6:.1f} us x rows (largest residual {worst * 100:.1f} %)")
print()
print("Spark's time line (s): JVM + CLI to SparkContext | session start | reading manifests, headers until the first job "
      "| jobs | driver between jobs | stop | after stop")
for name in ["tiny-spark"] + [f"spark-{n}" for n in sizes]:
    t = timeline(name)
    print(f"  {name} ({t['parts']} parts): {t['jvm']:.1f} | {t['session']:.1f} | {t['prepare']:.1f} | {t['jobs']:.1f} ({t['count']} jobs) | "
          f"{t['driver']:.1f} | {t['stop']:.1f} | {t['exit']:.1f}")
    print("     " + "; ".join(f"{m} {v[1]:.1f} s in {v[0]} jobs ({v[2]:.1f} s of tasks)" for m, v in sorted(t["per"].items(), key=lambda kv: -kv[1][1])))
if mismatches:
    print(f"the engines' JSON differ beyond the tests' tolerances on {', '.join(mismatches)} (MISMATCH above): not the same work")
    sys.exit(1)
PYEOF
