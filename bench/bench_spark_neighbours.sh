#!/usr/bin/env bash
# Sampled TwoNN as a Spark job on local[2] for 1×, 2×, 4× N rows (same sample: work linear in the rows),
# each beside the single-machine out-of-core engine on the same points; prints a table with the ratio
# and the load average (the machine is shared).
# Usage: bench/bench_spark_neighbours.sh [N] [D] [SAMPLE]     (defaults 20000 256 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}; D=${2:-256}; SAMPLE=${3:-1000}
mvn -B -q -o -Dscalelab.cds.skip -pl scalelab-spark -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/scalelab-spark/target/bench-classpath.txt" >&2
cp="scalelab-spark/target/test-classes:scalelab-spark/target/classes:scalelab-core/target/classes:scalelab-nn/target/classes:$(cat scalelab-spark/target/bench-classpath.txt)"
opens=$(sed -n 's:.*<spark.jvm.options>\(.*\)</spark.jvm.options>.*:\1:p' scalelab-spark/pom.xml)
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
SPARK_LOCAL_IP=127.0.0.1 java -Xmx6g $opens -cp "$cp" org.scalelab.spark.SparkNeighboursBench "$N" "$D" "$SAMPLE"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
