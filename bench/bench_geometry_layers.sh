#!/usr/bin/env bash
# Every layer at once: `LayerProfile` (one pass over the shards for all hooks) against a loop that runs the
# one-hook geometry analysis once per hook (each opening the set and reading its shards), on the same
# activation set, in separate processes so each peak RSS is its own. Prints each run's time and peak RSS,
# then the ratio profile / loop. The set is generated here (not in CI): LAYERS blocks, POINTS rows of
# width D, 100-row random-walk trajectories (bench/java/org/scalelab/geometry/LayerProfileBench.java).
# Settings (both sides): null replicates --nulls (default 0), bootstrap --bootstrap (default 0), k-means
# silhouette off, tangling skipped (O(times²) per layer), TwoNN and PCA metrics computed. The profile also
# computes linear CKA between consecutive layers, which the loop does not; --cka off leaves it out so
# both sides do the same work. A third side is the loop as a user runs it: one
# `bin/scalelab geometry --acts SET --hook blocks.L.hook_resid_post --json` process per hook (same
# settings, --no-store), each paying a JVM start besides opening the set; its CPU seconds are the
# processes' sum. Then the reading alone: every hook gathered in one pass over the shards against, per
# hook, opening the set and gathering that hook. --only read skips the analyses.
# On a shared machine the wall times follow the load; the CPU seconds of each process are printed beside them.
# Usage: bench/bench_geometry_layers.sh [--layers 12] [--points 20000] [--d 1024] [--nulls N] [--bootstrap B] [--cka on|off]
#                                      [--only read] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

LAYERS=12; POINTS=20000; D=1024; NULLS=0; BOOT=0; CKA=on; ONLY=all; DIR=${TMPDIR:-/tmp}/scalelab-bench-layers
while [ $# -gt 0 ]; do
  case "$1" in
    --layers) LAYERS=$2; shift ;;
    --points) POINTS=$2; shift ;;
    --d) D=$2; shift ;;
    --nulls) NULLS=$2; shift ;;
    --bootstrap) BOOT=$2; shift ;;
    --cka) CKA=$2; shift ;;
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
case "$CKA" in on|off) ;; *) echo "--cka: '$CKA' is not on or off" >&2; exit 2 ;; esac
run() {
  local mode=$1
  /usr/bin/time -o "$RSS_FILE" -f "%M %U %S" java -Xmx6g -XX:MaxDirectMemorySize=8g -cp "$CP" org.scalelab.geometry.LayerProfileBench "$mode" "$SET" \
      --nulls "$NULLS" --bootstrap "$BOOT" --cka "$CKA" > "$DIR/$mode.json"
  read -r rss user sys < <(tail -1 "$RSS_FILE")
  echo "$(cat "$DIR/$mode.json")  peak RSS $(( rss / 1024 )) MB, CPU ${user} s user + ${sys} s system  (load $(load))"
}
# One `bin/scalelab geometry` process per hook, as a user loops over layers today; the checksum adds each
# result's participation ratio and TwoNN, as the in-process sides do.
run_cli() {
  [ -x bin/scalelab ] && [ -f scalelab-app/target/scalelab-app.jar ] || { echo "bin/scalelab: build the app first (mvn -DskipTests package)" >&2; exit 1; }
  local out=$DIR/cli-per-hook
  rm -rf "$out"; mkdir -p "$out"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -o "$RSS_FILE" -f "%M %U %S" bash -c '
    set -euo pipefail
    for ((l = 0; l < $1; l++)); do
      bin/scalelab geometry --acts "$2" --hook "blocks.$l.hook_resid_post" --null-replicates "$3" --bootstrap "$4" --k-range 0 \
          --tangling-max-times 2 --seed 1 --no-store --lab "$5/lab" --json > "$5/$l.json"
    done' _ "$LAYERS" "$SET" "$NULLS" "$BOOT" "$out"
  end=$(date +%s.%N)
  read -r rss user sys < <(tail -1 "$RSS_FILE")
  python3 - "$out" "$LAYERS" "$NULLS" "$BOOT" "$start" "$end" > "$DIR/cli-per-hook.json" <<'PYEOF'
import json, sys
out, layers, nulls, boot, start, end = sys.argv[1:]
checksum = 0.0
for l in range(int(layers)):
    g = json.load(open(f"{out}/{l}.json"))["groups"][0]
    checksum += g["participation_ratio"] + g["twonn"]
print(json.dumps({"mode": "cli-per-hook", "layers": int(layers), "null_replicates": int(nulls), "bootstrap": int(boot),
                  "seconds": round(float(end) - float(start), 3), "checksum": checksum}))
PYEOF
  echo "$(cat "$DIR/cli-per-hook.json")  peak RSS $(( rss / 1024 )) MB (largest process), CPU ${user} s user + ${sys} s system (all processes)  (load $(load))"
}
ratio() {
python3 - "$DIR/$1.json" "$DIR/$2.json" <<'PYEOF'
import json, sys
p, l = (json.load(open(f)) for f in sys.argv[1:])
print(f"ratio {p['mode']} / {l['mode']}: {p['seconds'] / l['seconds']:.3f} ({p['seconds']:.1f} s against {l['seconds']:.1f} s, {p['layers']} layers)")
# In-process sides agree bit for bit; the command line's processes agree to about 1e-9 relative, not bit for bit.
tolerance = 1e-8 if "cli-per-hook" in (p["mode"], l["mode"]) else 1e-12
if abs(p["checksum"] - l["checksum"]) > tolerance * abs(l["checksum"]):
    print(f"MISMATCH: {p['mode']} checksum {p['checksum']} != {l['mode']} {l['checksum']}")
PYEOF
}
if [ "$ONLY" = all ]; then
  echo "profile: consecutive-layer CKA $CKA"
  run loop
  run profile
  run_cli
  ratio profile loop
  ratio profile cli-per-hook
  ratio loop cli-per-hook
fi
run read-per-hook
run read-once
ratio read-once read-per-hook
