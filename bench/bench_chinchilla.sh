#!/usr/bin/env bash
# Chinchilla fit: scipy reference procedure (bench/chinchilla_scipy.py) vs ScaleLab, same machine, same data.
#   grid fit:  4,500 L-BFGS(-B) starts, best converged start (Hoffmann et al. 2022 App. D.2 / Epoch AI 2024)
#   bootstrap: 4,000 pairs-bootstrap refits from the best fit (scipy: BFGS, as in the Epoch notebook)
# Java is timed three ways: the CLI end to end (if built: `mvn -q -DskipTests package`), a bare JVM running
# org.scalelab.laws.ChinchillaBench (JVM start + CSV + fit + JSON), and the fit alone (as reported by the fit).
# The bare JVM runs with a class-data sharing archive of the classes it loads (as bin/scalelab does with
# its own archive), built here from jars of scalelab-core's classes; --no-cds runs it without.
# Usage: bench/bench_chinchilla.sh [--skip-scipy] [--repeat R] [--no-cds]    (best of R fresh JVMs, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
DATA=data/chinchilla_hoffmann2022_fig4.csv
REPS=4000
SKIP_SCIPY=0
REPEAT=3
CDS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-scipy) SKIP_SCIPY=1 ;;
    --repeat) REPEAT=$2; shift ;;
    --no-cds) CDS=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
minimum() { awk -v a="$1" -v b="$2" 'BEGIN { print (b < a) ? b : a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
jsonval() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }

echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1) (bare JVM with CDS: $([ "$CDS" = 1 ] && echo yes || echo no)); python: $("$PY" -c 'import sys, numpy, scipy; print(sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__)')"

CP=$(bench/classpath.sh)
# the JVM options bin/scalelab runs with (JIT settings), so that the bare JVM runs the same JVM as a command
JOPTS=()
while IFS= read -r line; do
  case "$line" in ''|'#'*) ;; *) JOPTS+=("$line") ;; esac
done < bin/jvm.options
if [ "$CDS" = 1 ]; then
  # CDS takes jars only: pack the class folders, list the classes one run loads, dump them (a few seconds).
  cds=scalelab-core/target/bench-cds
  rm -rf "$cds" && mkdir -p "$cds"
  jar cf "$cds/core.jar" -C scalelab-core/target/classes . && jar cf "$cds/bench.jar" -C bench/target/classes .
  CP="$cds/core.jar:$cds/bench.jar:$(bench/classpath.sh --dependencies)"
  java -XX:DumpLoadedClassList="$cds/classes.lst" -cp "$CP" org.scalelab.laws.ChinchillaBench "$DATA" --grid coarse --bootstrap 20 >/dev/null 2>&1
  java -Xshare:dump -XX:SharedClassListFile="$cds/classes.lst" -XX:SharedArchiveFile="$cds/bench.jsa" -cp "$CP" >"$cds/dump.log" 2>&1
  JOPTS+=("-XX:SharedArchiveFile=$cds/bench.jsa")
fi
bare_fit() { java "${JOPTS[@]}" -cp "$CP" org.scalelab.laws.ChinchillaBench "$DATA" "$@" 2>/dev/null; }
HAVE_CLI=0
if [ -x bin/scalelab ] && bin/scalelab fit chinchilla --help >/dev/null 2>&1; then HAVE_CLI=1; fi
cli_fit() { bin/scalelab fit chinchilla --data "$DATA" --json --no-store --no-backtest "$@"; }

best_cli=999; best_bare=999; best_fit=999; best_boot=999
for r in $(seq "$REPEAT"); do
  t0=$(now); out=$(bare_fit --bootstrap 0); t1=$(now)
  bare=$(elapsed "$t0" "$t1"); fit=$(echo "$out" | jsonval "['seconds']")
  best_bare=$(minimum "$best_bare" "$bare"); best_fit=$(minimum "$best_fit" "$fit")
  outb=$(bare_fit --bootstrap "$REPS"); boot=$(echo "$outb" | jsonval "['bootstrap_seconds']")
  best_boot=$(minimum "$best_boot" "$boot")
  line="java run $r: bare JVM $bare s (fit alone $fit s); bootstrap $REPS refits $boot s"
  if [ "$HAVE_CLI" = 1 ]; then
    t0=$(now); cli_fit --bootstrap 0 >/dev/null; t1=$(now)
    cli=$(elapsed "$t0" "$t1"); best_cli=$(minimum "$best_cli" "$cli")
    line="$line; CLI end to end $cli s"
  fi
  echo "$line"
done
echo "java params: $(echo "$out" | jsonval "['params']")  objective $(echo "$out" | jsonval "['objective']")"
echo "java work over the grid: $(echo "$out" | jsonval "['grid_iterations']") iterations, $(echo "$out" | jsonval "['evaluations']") evaluations of value and gradient"
echo "java bootstrap se: $(echo "$outb" | jsonval "['se']")"

if [ "$SKIP_SCIPY" = 1 ]; then exit 0; fi

t0=$(now); ref=$("$PY" bench/chinchilla_scipy.py --data "$DATA"); t1=$(now)
scipy_wall=$(elapsed "$t0" "$t1"); scipy_fit=$(echo "$ref" | jsonval "['seconds']")
echo "scipy grid fit: $scipy_wall s wall ($scipy_fit s in the minimize loop)"
echo "scipy params: $(echo "$ref" | jsonval "['params']")  objective $(echo "$ref" | jsonval "['objective']")"
echo "scipy work over the grid: $(echo "$ref" | jsonval "['total_nit']") iterations (nit), $(echo "$ref" | jsonval "['total_nfev']") evaluations (nfev)"
t0=$(now); refn=$("$PY" bench/chinchilla_scipy.py --data "$DATA" --objective notebook); t1=$(now)
notebook_wall=$(elapsed "$t0" "$t1"); notebook_fit=$(echo "$refn" | jsonval "['seconds']")
echo "scipy grid fit, notebook objective (scipy.special.logsumexp + huber): $notebook_wall s wall ($notebook_fit s in the minimize loop), objective $(echo "$refn" | jsonval "['objective']")"
refb=$("$PY" bench/chinchilla_scipy.py --data "$DATA" --bootstrap "$REPS")
scipy_boot=$(echo "$refb" | jsonval "['bootstrap_seconds']")
echo "scipy bootstrap $REPS BFGS refits: $scipy_boot s"
echo "scipy bootstrap se: $(echo "$refb" | jsonval "['se']")"

echo
echo "speed-ups (scipy / best java):"
echo "  grid fit, process wall (python start vs bare JVM start): $(ratio "$scipy_wall" "$best_bare")"
echo "  grid fit, fit loop alone:                                $(ratio "$scipy_fit" "$best_fit")"
if [ "$HAVE_CLI" = 1 ]; then
echo "  grid fit, CLI end to end (picocli, CSV reader, JSON):    $(ratio "$scipy_wall" "$best_cli")"
fi
echo "  against the notebook objective, process wall / fit loop:  $(ratio "$notebook_wall" "$best_bare") / $(ratio "$notebook_fit" "$best_fit")"
echo "  bootstrap $REPS refits:                                 $(ratio "$scipy_boot" "$best_boot")"
