#!/usr/bin/env bash
# The long fuzzing run of every user-file reader (ReaderFuzzTest): TRIES malformed inputs per reader
# (default 100,000), seeded by jqwik from a corpus of valid files. The ordinary test run tries 300
# per reader (scalelab-app/src/test/resources/junit-platform.properties).
#
#   bench/fuzz_readers.sh                 # every reader, 100,000 inputs each
#   TRIES=20000 bench/fuzz_readers.sh     # fewer
#   bench/fuzz_readers.sh tokenizer       # one reader (a method of ReaderFuzzTest)
#
# A failing input is saved under scalelab-app/target/fuzz-failures/; jqwik prints the seed that
# reproduces it. If the JVM dies (a native library aborting), the input it died on is the file
# under scalelab-app/target/fuzz-work/ named after the reader's file.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIES="${TRIES:-100000}"
TEST="ReaderFuzzTest${1:+#$1}"
mvn -o -q -Dscalelab.cds.skip test -pl scalelab-app -am -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djqwik.tries.default="$TRIES" -Djqwik.reporting.onlyfailures=false 2>&1 \
  | grep -E "ReaderFuzzTest:|^tries =|^checks =|AssertionError|: input |Tests run|FAIL" || true
