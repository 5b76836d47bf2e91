#!/usr/bin/env bash
# Compiles the benchmark and probe mains in bench/java against the modules' classes, and prints the
# classpath that runs them: bench's classes, scalelab-core's and scalelab-nn's, then their dependencies.
#   java -cp "$(bench/classpath.sh)" org.scalelab.model.GeluProbe
#   bench/classpath.sh --dependencies     the third-party jars alone (to pack the rest into jars, for CDS)
# The benchmarks are not part of the Maven build: they need a quiet machine, not a test run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=bench/target
mkdir -p "$out/classes"
# One reactor run, so scalelab-core resolves to its target/classes (it is never installed).
mvn -B -q -o -Dstyle.color=never -pl scalelab-nn -am test-compile dependency:build-classpath -Dmdep.outputFile="$root/$out/dependencies.txt" >&2
deps=$(tr ':' '\n' < "$out/dependencies.txt" | grep -v -e '/target/classes$' -e '/target/test-classes$' | paste -sd: -)
if [ "${1:-}" = --dependencies ]; then
  echo "$deps"
  exit 0
fi
modules="$root/scalelab-core/target/classes:$root/scalelab-nn/target/classes"
find bench/java -name '*.java' > "$out/sources.txt"
javac -nowarn -d "$out/classes" -cp "$modules:$deps" @"$out/sources.txt" >&2
echo "$root/$out/classes:$modules:$deps"
