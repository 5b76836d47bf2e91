#!/usr/bin/env bash
# Generates a large lab for the dashboard's scale checks (Runs and curve pages, /api/curves, the load test):
#   10,000 imported runs (family "big") and as many training runs (experiment "big", named c<config>-seed<k>,
#   five seeds per configuration) holding 10,000,000 training-curve points of metric "loss" in all; run
#   c0000-seed0 alone logs 1,000,000 points (steps 1..1,000,000) with a one-step spike of +10 at step 500,017,
#   the others about 900 points each, one every 10 steps.
# The store is created by ScaleLab's own LabStore, so `scalelab serve --lab DIR` and every command open it;
# the points are written by DuckDB itself (INSERT ... SELECT over range()), a minute or two rather than hours.
# The generator is org.scalelab.store.BigLab in scalelab-core's test sources, which the scale tests share.
#   bench/make_big_lab.sh DIR [RUNS [POINTS [LONG_CURVE]]]      defaults: 10000 10000000 1000000
#   bench/bench_curves.sh DIR                                   then times /api/curves on it
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -lt 1 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
out="$1"
shift
if [ -e "$out/scalelab.duckdb" ]; then
  echo "make_big_lab: $out already holds a lab; give a new folder" >&2
  exit 2
fi
cp="$("$root/bench/classpath.sh")"
java -cp "$root/scalelab-core/target/test-classes:$cp" org.scalelab.store.BigLab "$out" "$@"
