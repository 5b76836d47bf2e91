#!/usr/bin/env bash
# Every layer at once: `LayerProfile` (one pass over the shards for all hooks) against a loop that runs the
# one-hook geometry analysis once per hook (each opening the set and reading its shards), on the same
# activation set, in separate processes so each peak RSS is its own. Prints each run's time and peak RSS,
# then the ratio profile / loop. The set is generated here (not in CI): LAYERS blocks, POINTS rows of
# width D, 100-row random-walk trajectories (bench/java/org/scalelab/geometry/LayerProfileBench.java).
# Settings (both sides): null replicates --nulls (default 0), bootstrap --bootstrap (default 0), k-means
# silhouette off, tangling skipped (O(times²) per layer), TwoNN and PCA metrics computed. The profile also
# computes linear CKA between consecutive layers, which the loop does not. Then the reading alone: every
# hook gathered in one pass over the shards against, per hook, opening the set and gathering that hook.
# --only read skips the analyses.
# On a shared machine the wall times follow the load; the CPU seconds of each process are printed beside them.
# Usage: bench/bench_geometry_layers.sh [--layers 12] [--points 20000] [--d 1024] [--nulls N] [--bootstrap B] [--only read] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

LAYERS=12; POINTS=20000; D=1024; NULLS=0; BOOT=0; ONLY=all; DIR=${TMPDIR:-/tmp}/scalelab-bench-layers
while [ $# -gt 0 ]; do
  case "$1" in
    --layers) LAYERS=$2; shift ;;
    --points) POINTS=$2; shift ;;
    --d) D=$2; shift ;;
    --nulls) NULLS=$2; shift ;;
    --bootstrap) BOOT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --dir) DIR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
RSS_FILE=$(mktemp)
trap 'rm -f "$RSS_FILE"' EXIT
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
CP=$(bench/classpath.sh)
SET=$DIR/set_${LAYERS}x${POINTS}x${D}
if [ ! -f "$SET/manifest.json" ]; then
  mkdir -p "$DIR"
  echo "generating $SET ($LAYERS layers x $POINTS points x $D)"
  java -Xmx3g -cp "$CP" org.scalelab.geometry.LayerProfileBench generate "$SET" "$LAYERS" "$POINTS" "$D"
fi
echo "set: $(du -sh "$SET" | cut -f1); warming the page cache so neither side pays the disk"
cat "$SET"/*.safetensors > /dev/null
run() {
  local mode=$1
  /usr/bin/time -o "$RSS_FILE" -f "%M %U %S" java -Xmx6g -XX:MaxDirectMemorySize=8g -cp "$CP" org.scalelab.geometry.LayerProfileBench "$mode" "$SET" \
      --nulls "$NULLS" --bootstrap "$BOOT" > "$DIR/$mode.json"
  read -r rss user sys < <(tail -1 "$RSS_FILE")
  echo "$(cat "$DIR/$mode.json")  peak RSS $(( rss / 1024 )) MB, CPU ${user} s user + ${sys} s system  (load $(load))"
}
ratio() {
python3 - "$DIR/$1.json" "$DIR/$2.json" <<'PYEOF'
import json, sys
p, l = (json.load(open(f)) for f in sys.argv[1:])
print(f"ratio {p['mode']} / {l['mode']}: {p['seconds'] / l['seconds']:.3f} ({p['seconds']:.1f} s against {l['seconds']:.1f} s, {p['layers']} layers)")
if abs(p["checksum"] - l["checksum"]) > 1e-9 * abs(l["checksum"]):
    print(f"MISMATCH: {p['mode']} checksum {p['checksum']} != {l['mode']} {l['checksum']}")
PYEOF
}
if [ "$ONLY" = all ]; then
  run loop
  run profile
  ratio profile loop
fi
run read-per-hook
run read-once
ratio read-once read-per-hook
