#!/usr/bin/env bash
# Sampled TwoNN read in blocks against the in-memory TwoNN of every point, on one synthetic set in one
# process: prints both values, the sample's 95 % interval, each time and their ratio (streamed / in memory),
# with the load average (the machine is shared).
# Usage: bench/bench_sampled.sh [N] [D] [SAMPLE] [BLOCK_ROWS]     (defaults 20000 1024 5000 4096)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}; D=${2:-1024}; SAMPLE=${3:-5000}; BLOCK=${4:-4096}
cp=$(bench/classpath.sh)
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx8g -cp "$cp" org.scalelab.geometry.SampledTwoNNBench "$N" "$D" "$SAMPLE" "$BLOCK"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
