#!/usr/bin/env bash
# Capability coupling (`scalelab phase coupling`'s analysis, CapabilityCoupling.analyze) vs the same
# computation in numpy + scikit-learn (bench/phase_coupling_numpy.py) on the same .npy files:
# SIZES sizes x LAYERS layers x N prompts per capability x D wide, R bootstrap replicates and R label
# shuffles per cell, a LogisticRegression(C=1) transfer probe per cell. numpy runs twice: "matmul"
# (replicate weights @ X, numpy at its best) and "index" (X[rows].mean(0) per replicate, the notebook way).
# ScaleLab's time is the best of REPEAT runs in one JVM (the first includes JIT warm-up); file loading is
# excluded on both sides. The answers are compared: centred and uncentred cosines to 1e-9, the probe's
# transfer accuracy to 0.01 (two solvers of the same objective). The load average is printed (shared machine).
# Usage: bench/bench_phase_coupling.sh [--sizes 4] [--layers 8] [--n 2000] [--d 512 | --dims 256,512,768,1024] [--resamples 1000]
#        [--repeat 2] [--numpy "matmul index"] [--skip-python] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
SIZES=4; LAYERS=8; N=2000; D=512; R=1000; REPEAT=2; MODES="matmul index"; SKIP_PY=0; DIR=${TMPDIR:-/tmp}/scalelab-bench-coupling
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=$2; shift ;;
    --layers) LAYERS=$2; shift ;;
    --n) N=$2; shift ;;
    --d) D=$2; shift ;;
    --dims) D=$2; SIZES=$(echo "$2" | tr ',' '\n' | wc -l); shift ;;
    --numpy) MODES=$2; shift ;;
    --skip-python) SKIP_PY=1 ;;
    --resamples) R=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --dir) DIR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
echo "java: $(java -version 2>&1 | head -1); python: $("$PY" -c 'import sys, numpy, sklearn; print(sys.version.split()[0], "numpy", numpy.__version__, "sklearn", sklearn.__version__)')"
echo "data: $SIZES sizes x $LAYERS layers x $N prompts per capability x d $D, $R resamples"
DATA=$DIR/s${SIZES}_l${LAYERS}_n${N}_d${D//,/-}
[ -f "$DATA/labels_b.npy" ] || "$PY" bench/phase_coupling_numpy.py gen "$DATA" "$SIZES" "$LAYERS" "$N" "$D"
CP=$(bench/classpath.sh)
OUT=$(mktemp -d)
java -Xmx6g -cp "$CP" org.scalelab.phase.CouplingBench "$DATA" "$SIZES" "$LAYERS" "$R" "$REPEAT" > "$OUT/java.json"
echo "ScaleLab done, load average $(load)"
if [ "$SKIP_PY" = 1 ]; then
  "$PY" -c 'import json, sys; print("ScaleLab  %.2f s  (runs %s)" % (min(json.load(open(sys.argv[1]))["seconds"]), json.load(open(sys.argv[1]))["seconds"]))' "$OUT/java.json"
  exit 0
fi
for mode in $MODES; do
  "$PY" bench/phase_coupling_numpy.py run "$DATA" "$SIZES" "$LAYERS" "$R" "$mode" > "$OUT/$mode.json"
  echo "numpy $mode done, load average $(load)"
done
"$PY" - "$OUT" <<'PYEOF'
import json, os, sys
d = sys.argv[1]
j = json.load(open(d + "/java.json")); m = json.load(open(d + "/matmul.json"))
x = json.load(open(d + "/index.json")) if os.path.exists(d + "/index.json") else None
best = min(j["seconds"])
dc = max(abs(a[0] - b[0]) for a, b in zip(j["cells"], m["cells"]))
du = max(abs(a[1] - b[1]) for a, b in zip(j["cells"], m["cells"]))
da = max(abs(a[2] - b[2]) for a, b in zip(j["cells"], m["cells"]))
print(f"ScaleLab  {best:8.2f} s  (runs {j['seconds']})")
print(f"numpy matmul + sklearn {m['seconds']:8.2f} s   ratio ScaleLab/numpy {best / m['seconds']:.2f}")
if x:
    print(f"numpy index  + sklearn {x['seconds']:8.2f} s   ratio ScaleLab/numpy {best / x['seconds']:.2f}")
print(f"max |diff| centred cos {dc:.2e}, uncentred cos {du:.2e}, transfer accuracy {da:.4f}")
ok = dc < 1e-9 and du < 1e-9 and da <= 0.01
print("answers agree" if ok else "ANSWERS DIFFER")
sys.exit(0 if ok else 1)
PYEOF
