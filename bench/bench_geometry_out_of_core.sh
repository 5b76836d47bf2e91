#!/usr/bin/env bash
# Out-of-core geometry: `scalelab geometry --memory SIZE` on a synthetic activation set of N x D float32
# (default 1,000,000 x 4,096 = 16 GB on disk: more than the default heap holds), with its peak RSS, against a
# reference in the same run: the first REF rows of the same set (a set generated with the same seed, so its
# rows are the big set's first rows), analysed (1) in memory, as without a bound, and (2) streamed (a bound
# of REF_MEMORY, default 100m, below what the in-memory engine needs for them, forces it). Prints each run's
# wall time, CPU and peak RSS, then the ratios:
#   streamed N / streamed REF, per row  (linear in the rows when close to 1; JVM start-up weighs on small
#                                        runs; the big set is read from disk, the subset from the page cache)
#   streamed REF / in memory REF        (what streaming the same rows costs)
# and checks that the streamed and in-memory runs on REF give the same participation ratio, d90, d95,
# alignment, step cosine and TwoNN (REF at most 20,000 rows: the exact limit of the streamed TwoNN). Above
# 20,000 rows the streamed TwoNN is estimated from a seeded sample of 5,000 points scored against all points
# (one more pass, 5,000 x N distances). The sets are generated here, in DIR (not in CI), with
# bench/java/org/scalelab/geometry/LayerProfileBench.java (one hook, 100-row random-walk trajectories, 256 MB shards).
# Settings of every run: no null baselines, k-means off, tangling skipped (--tangling-max-times 2).
# The CLI runs with bin/scalelab's default heap (-Xmx8g) unless SCALELAB_JAVA_OPTS says otherwise.
# Usage: bench/bench_geometry_out_of_core.sh [--n 1000000] [--d 4096] [--memory 8g] [--ref 20000] [--ref-memory 100m] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

N=1000000; D=4096; MEMORY=8g; REF=20000; REF_MEMORY=100m; DIR=${TMPDIR:-/tmp}/scalelab-bench-out-of-core
while [ $# -gt 0 ]; do
  case "$1" in
    --n) N=$2; shift ;;
    --d) D=$2; shift ;;
    --memory) MEMORY=$2; shift ;;
    --ref) REF=$2; shift ;;
    --ref-memory) REF_MEMORY=$2; shift ;;
    --dir) DIR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$REF" -gt "$N" ]; then REF=$N; fi
load() { cut -d' ' -f1-3 /proc/loadavg; }
RSS_FILE=$(mktemp)
trap 'rm -f "$RSS_FILE"' EXIT
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, load average $(load)"
if [ ! -d scalelab-app/target/lib ]; then
  echo "build first: mvn -o -q -Dscalelab.cds.skip -DskipTests package" >&2
  exit 2
fi
CP=$(bench/classpath.sh)
generate() {
  local rows=$1 set=$DIR/set_${1}x${D}
  if [ ! -f "$set/manifest.json" ]; then
    mkdir -p "$DIR"
    echo "generating $set ($rows x $D float32, $(( rows * D * 4 / 1000000 )) MB)" >&2
    java -Xmx3g -cp "$CP" org.scalelab.geometry.LayerProfileBench generate "$set" 1 "$rows" "$D" >&2
  fi
  echo "$set"
}
BIG=$(generate "$N")
SMALL=$(generate "$REF")
echo "sets: $(du -sh "$BIG" | cut -f1) ($N rows), $(du -sh "$SMALL" | cut -f1) ($REF rows)"
run() {
  local name=$1 set=$2 memory=$3 rows=$4
  /usr/bin/time -o "$RSS_FILE" -f "%e %M %U %S" bin/scalelab geometry --acts "$set" --memory "$memory" --null-replicates 0 \
      --k-range 0 --tangling-max-times 2 --json --no-store > "$DIR/$name.json"
  read -r wall rss user sys < <(tail -1 "$RSS_FILE")
  echo "$name" "$rows" "$wall" >> "$DIR/times.txt"
  local engine
  engine=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(', '.join(r['provenance']['options']['engines'].values()))" "$DIR/$name.json")
  echo "$name: $rows rows, --memory $memory, engine $engine: ${wall} s wall, CPU ${user} s user + ${sys} s system, peak RSS $(( rss / 1024 )) MB (load $(load))"
}
rm -f "$DIR/times.txt"
run in-memory-ref "$SMALL" 8g "$REF"
run streamed-ref "$SMALL" "$REF_MEMORY" "$REF"
run streamed-big "$BIG" "$MEMORY" "$N"
python3 - "$DIR" <<'PYEOF'
import json, sys
d = sys.argv[1]
t = {}
for line in open(f"{d}/times.txt"):
    name, rows, wall = line.split()
    t[name] = (int(rows), float(wall))
per = {k: v[1] / v[0] for k, v in t.items()}
print(f"ratio per row, streamed big / streamed ref: {per['streamed-big'] / per['streamed-ref']:.2f} "
      f"({per['streamed-big'] * 1e6:.1f} against {per['streamed-ref'] * 1e6:.1f} us a row)")
print(f"ratio, streamed ref / in memory ref: {t['streamed-ref'][1] / t['in-memory-ref'][1]:.2f}")
a = json.load(open(f"{d}/in-memory-ref.json"))["groups"][0]
b = json.load(open(f"{d}/streamed-ref.json"))["groups"][0]
for m in ["participation_ratio", "d90", "d95", "alignment", "step_cosine", "twonn"]:
    if a[m] != b[m]:
        print(f"MISMATCH {m}: in memory {a[m]}, streamed {b[m]}")
        sys.exit(1)
big = json.load(open(f"{d}/streamed-big.json"))["groups"][0]
print(f"exact metrics equal on the reference rows; big set: participation ratio {big['participation_ratio']:.3f}, "
      f"d90 {big['d90']}, d95 {big['d95']}, alignment {big['alignment']:.4f}, step cosine {big['step_cosine']:.4f}, TwoNN {big['twonn']}")
print("big set's engine note:", big["reasons"].get("engine"))
if "twonn_sample" in big["reasons"]:
    print("big set's TwoNN:", big["reasons"]["twonn_sample"])
PYEOF
