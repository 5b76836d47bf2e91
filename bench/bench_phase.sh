#!/usr/bin/env bash
# Capability phases: `scalelab phase …` against the same computation written with numpy / scikit-learn,
# on synthetic activation sets (bench/phase_reference.py make): by default 4 widths (256, 512, 768, 1024)
# × 8 layers × 2,000 prompts per class, one row per prompt.
#   directions: per set and layer, difference of means, pair-difference PC, logistic probe (all prompts and a
#   training split), held-out accuracies, 200 stability halvings. Python: numpy + sklearn LogisticRegression.
# Each side runs once per repeat, end to end (JVM start and reading the sets included on ScaleLab's side,
# interpreter start and imports excluded on Python's: it reports the time of its analysis loop).
# The load average is printed with every number (the machine may be shared).
# Usage: bench/bench_phase.sh [--dims 256,512,768,1024] [--layers 8] [--per-class 2000] [--repeat 1] [--dir DIR] [--skip-python]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
DIMS=256,512,768,1024; LAYERS=8; PER_CLASS=2000; REPEAT=1; SKIP_PY=0; DIR=${TMPDIR:-/tmp}/scalelab-bench-phase
while [ $# -gt 0 ]; do
  case "$1" in
    --dims) DIMS=$2; shift ;;
    --layers) LAYERS=$2; shift ;;
    --per-class) PER_CLASS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --dir) DIR=$2; shift ;;
    --skip-python) SKIP_PY=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }

echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
DATA="$DIR/sets-$DIMS-$LAYERS-$PER_CLASS"
if [ ! -f "$DATA/.done" ]; then
  rm -rf "$DATA"
  "$PY" bench/phase_reference.py make "$DATA" --dims "$DIMS" --layers "$LAYERS" --per-class "$PER_CLASS"
  touch "$DATA/.done"
fi
SETS=(); for d in ${DIMS//,/ }; do SETS+=(--set "$DATA/size-$d"); done
echo "sets: $(( ${#SETS[@]} / 2 )) widths ($DIMS) × $LAYERS layers × $PER_CLASS prompts per class, under $DATA"

# directions
for r in $(seq 1 "$REPEAT"); do
  OUT="$DIR/directions-out"; rm -rf "$OUT"
  TIMES=$(mktemp)
  /usr/bin/time -o "$TIMES" -f "%e %U %S" bin/scalelab phase directions "${SETS[@]}" --hook 'blocks.*.hook_resid_post' \
      --positive labels.truth=true --negative labels.truth=false --resamples 200 --no-store --out "$OUT" --json \
      > "$DIR/directions-scalelab.json"
  read -r JAVA_S JAVA_U JAVA_SYS < <(tail -1 "$TIMES")
  JAVA_CPU=$(echo "$JAVA_U + $JAVA_SYS" | bc -l)
  echo "directions  scalelab       wall $(printf %.2f "$JAVA_S") s  cpu $(printf %.2f "$JAVA_CPU") s  (load $(load))"
  if [ "$SKIP_PY" = 0 ]; then
    read -r _ _ PY_S _ PY_CPU < <("$PY" bench/phase_reference.py directions "${SETS[@]}" --resamples 200 2>&1 \
        >"$DIR/directions-python.jsonl" | grep '^python seconds')
    echo "directions  numpy+sklearn  wall $(printf %.2f "$PY_S") s  cpu $(printf %.2f "$PY_CPU") s  (load $(load))"
    echo "directions  ratio scalelab / python: wall $(printf %.2f "$(echo "$JAVA_S / $PY_S" | bc -l)"), cpu $(printf %.2f "$(echo "$JAVA_CPU / $PY_CPU" | bc -l)")"
  fi
done

# coupling: CapabilityCoupling.analyze against numpy + sklearn on .npy files of the same shapes (2 × PER_CLASS
# prompts per capability, one width per size), file reading excluded on both sides; see bench/bench_phase_coupling.sh
for r in $(seq 1 "$REPEAT"); do
  bench/bench_phase_coupling.sh --dims "$DIMS" --layers "$LAYERS" --n $((2 * PER_CLASS)) --resamples 1000 --numpy matmul \
      --dir "$DIR/coupling" $([ "$SKIP_PY" = 1 ] && echo --skip-python) | grep -v '^machine\|^java'
done
