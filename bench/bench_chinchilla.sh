#!/usr/bin/env bash
# Chinchilla fit: scipy reference procedure (bench/chinchilla_scipy.py) vs ScaleLab, same machine, same data.
#   grid fit:  4,500 L-BFGS(-B) starts, best converged start (Hoffmann et al. 2022 App. D.2 / Epoch AI 2024)
#   bootstrap: 4,000 pairs-bootstrap refits from the best fit (scipy: BFGS, as in the Epoch notebook)
# Wall times include interpreter / JVM start. Usage: bench/bench_chinchilla.sh [--skip-scipy] [--repeat R]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
DATA=data/chinchilla_hoffmann2022_fig4.csv
REPS=4000
SKIP_SCIPY=0
REPEAT=3
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-scipy) SKIP_SCIPY=1 ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
jsonval() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }

echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- Java side: the CLI when it has `fit chinchilla`, else the bench main class on the test classpath.
if [ -x bin/scalelab ] && bin/scalelab fit chinchilla --help >/dev/null 2>&1; then
  java_fit() { bin/scalelab fit chinchilla --data "$DATA" --json --no-store "$@"; }
  JAVA_HOW="bin/scalelab fit chinchilla"
else
  mvn -q -o -pl scalelab-core test-compile >/dev/null 2>&1
  CPFILE=scalelab-core/target/bench-classpath.txt
  [ -s "$CPFILE" ] || mvn -q -o -pl scalelab-core dependency:build-classpath -Dmdep.outputFile="$PWD/$CPFILE" >/dev/null 2>&1
  CP=scalelab-core/target/classes:scalelab-core/target/test-classes:$(cat "$CPFILE")
  java_fit() { java -cp "$CP" org.scalelab.laws.ChinchillaBench "$DATA" "$@" 2>/dev/null; }
  JAVA_HOW="java org.scalelab.laws.ChinchillaBench"
fi
echo "java: $JAVA_HOW ($(java -version 2>&1 | head -1))"

# Best of R runs for the JVM (noisy shared machine); each run is a fresh JVM.
best_java_grid=999; best_java_boot=999
for r in $(seq "$REPEAT"); do
  t0=$(now); out=$(java_fit --bootstrap 0); t1=$(now)
  g=$(elapsed "$t0" "$t1")
  best_java_grid=$(awk -v a="$best_java_grid" -v b="$g" 'BEGIN{print (b<a)?b:a}')
  t0=$(now); outb=$(java_fit --bootstrap "$REPS"); t1=$(now)
  bt=$(echo "$outb" | jsonval "['bootstrap_seconds']")
  best_java_boot=$(awk -v a="$best_java_boot" -v b="$bt" 'BEGIN{print (b<a)?b:a}')
  echo "java run $r: grid fit $g s wall (JVM included); bootstrap $REPS refits $bt s"
done
echo "java params: $(echo "$out" | jsonval "['params']")  objective $(echo "$out" | jsonval "['objective']")"
echo "java bootstrap se: $(echo "$outb" | jsonval "['se']")"

if [ "$SKIP_SCIPY" = 1 ]; then exit 0; fi

# --- scipy reference (one run each; ~10 s and ~25 s).
t0=$(now); ref=$("$PY" bench/chinchilla_scipy.py --data "$DATA"); t1=$(now)
scipy_grid=$(elapsed "$t0" "$t1")
echo "scipy grid fit: $scipy_grid s wall (python start included; $(echo "$ref" | jsonval "['seconds']") s in minimize)"
echo "scipy params: $(echo "$ref" | jsonval "['params']")  objective $(echo "$ref" | jsonval "['objective']")"
refb=$("$PY" bench/chinchilla_scipy.py --data "$DATA" --bootstrap "$REPS")
scipy_boot=$(echo "$refb" | jsonval "['bootstrap_seconds']")
echo "scipy bootstrap $REPS BFGS refits: $scipy_boot s"
echo "scipy bootstrap se: $(echo "$refb" | jsonval "['se']")"

echo
printf "grid fit   speed-up (scipy wall / best java wall): %.1fx\n" "$(awk -v a="$scipy_grid" -v b="$best_java_grid" 'BEGIN{print a/b}')"
printf "bootstrap  speed-up (scipy / best java):           %.1fx\n" "$(awk -v a="$scipy_boot" -v b="$best_java_boot" 'BEGIN{print a/b}')"
