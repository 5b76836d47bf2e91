#!/usr/bin/env bash
# Sampled TwoNN read in blocks against the in-memory TwoNN of every point, on one synthetic set in one
# process: prints both values, the sample's 95 % interval, each time and their ratio (streamed / in memory),
# with the load average (the machine is shared).
# Usage: bench/bench_sampled.sh [N] [D] [SAMPLE] [BLOCK_ROWS]     (defaults 20000 1024 5000 4096)
#        bench/bench_sampled.sh --out-of-core [N] [D] [SAMPLE] [BLOCK_ROWS] [HEAP]   (defaults 400000 256 2000 8192 192m)
#   the sampled metrics and streamed k-means on generated points never held (each pass regenerates them),
#   with a heap smaller than the points; prints each metric's time and the process's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --out-of-core ]; then
  shift
  N=${1:-400000}; D=${2:-256}; SAMPLE=${3:-2000}; BLOCK=${4:-8192}; HEAP=${5:-192m}
  cp=$(bench/classpath.sh)
  echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  rss=$(mktemp)
  /usr/bin/time -o "$rss" -f %M java -Xmx"$HEAP" -cp "$cp" org.scalelab.geometry.OutOfCoreSampledBench "$N" "$D" "$SAMPLE" "$BLOCK"
  echo "peak RSS $(( $(tail -1 "$rss") / 1024 )) MB; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
N=${1:-20000}; D=${2:-1024}; SAMPLE=${3:-5000}; BLOCK=${4:-4096}
cp=$(bench/classpath.sh)
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx8g -cp "$cp" org.scalelab.geometry.SampledTwoNNBench "$N" "$D" "$SAMPLE" "$BLOCK"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
