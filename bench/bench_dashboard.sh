#!/usr/bin/env bash
# The dashboard under load: `scalelab serve` on loopback, then DashboardLoad (bench/java/org/scalelab/web):
# 50 concurrent clients, 12,000 GET requests in 5 rounds over /api/health, /api/results, a result's view,
# /api/runs, /api/overview (those that answer) and any extra paths given; p50/p99 per endpoint, and the
# server's heap after GC, native memory (NMT) and resident set between rounds. Bounded: it stops by itself.
# Each request asks for gzip as browsers do (Accept-Encoding: gzip) and reads and inflates the whole answer;
# the table shows each answer's size as sent and as decoded.
#   bench/bench_dashboard.sh                         a small lab built here by the CLI (fits, a forecast)
#   bench/bench_dashboard.sh LAB [EXTRA_PATH...]     an existing lab, e.g. bench/make_big_lab.sh's:
#     bench/bench_dashboard.sh big '/api/curves?run=c0001-seed0&metric=loss' '/api/curves?run=c0000-seed0&metric=loss&points=2000'
# Needs `mvn -DskipTests package` first (bin/scalelab). REQUESTS, CLIENTS, ROUNDS override the defaults.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  lab="$1"
  shift
else
  lab="$work/lab"
  data="$root/data/chinchilla_hoffmann2022_fig4.csv"
  echo "bench_dashboard: building a small lab in $lab" >&2
  "$root/bin/scalelab" fit chinchilla --data "$data" --grid coarse --bootstrap 50 --lab "$lab" > /dev/null
  "$root/bin/scalelab" fit power --data "$data" --x-col compute --bootstrap 50 --lab "$lab" > /dev/null
  "$root/bin/scalelab" forecast --data "$data" --grid coarse --bootstrap 50 --compute 1e21,1e23 --lab "$lab" > /dev/null
fi
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" "$root/bench/java/org/scalelab/web/DashboardLoad.java"
log="$work/serve.log"
SCALELAB_JAVA_OPTS="${SCALELAB_JAVA_OPTS:--Xmx2g} -XX:NativeMemoryTracking=summary" \
  "$root/bin/scalelab" serve --lab "$lab" --port 0 > "$log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 600); do
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "bench_dashboard: serve printed no address" >&2; exit 1; }
echo "bench_dashboard: serving $lab at $url (pid $server); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
java -Xmx512m -cp "$work/classes" org.scalelab.web.DashboardLoad "$url" "$server" \
  "${REQUESTS:-12000}" "${CLIENTS:-50}" "${ROUNDS:-5}" "$@"
