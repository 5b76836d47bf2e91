#!/usr/bin/env bash
# Time from starting `bin/scalelab serve` to its address printed and /api/health answering, N times
# (default 5), on an empty lab; prints each run and the median. Needs the built app (mvn -DskipTests package).
#   bench/serve_start.sh [N]
# Also prints the CPU time the server used until then, which a busy machine disturbs less than wall time.
# SCALELAB_SERVE_NO_CDS=1 moves the class-data archive aside for the run, to measure without it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
lab="$(mktemp -d)"
trap 'rm -rf "$lab"' EXIT
archive="$root/scalelab-app/target/cds/scalelab.jsa"
if [ "${SCALELAB_SERVE_NO_CDS:-}" = 1 ] && [ -f "$archive" ]; then
  mv "$archive" "$archive.off"
  trap 'mv "$archive.off" "$archive"; rm -rf "$lab"' EXIT
fi
times=()
for i in $(seq "$runs"); do
  out="$lab/out-$i"
  t0=$(date +%s%N)
  "$root/bin/scalelab" serve --lab "$lab" --port 0 > "$out" 2>&1 &
  pid=$!
  url=""
  while [ -z "$url" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "serve ended early:"; cat "$out"; exit 1; }
    url=$(grep -o 'http://[^ ]*' "$out" || true)
    [ -n "$url" ] || sleep 0.01
  done
  t1=$(date +%s%N)
  curl -sf "${url}api/health" > /dev/null
  t2=$(date +%s%N)
  # CPU time the server used until then (user + system, in clock ticks): on a busy machine wall time
  # measures the other processes as much as this one.
  cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill -TERM "$pid"
  wait "$pid" || true
  ms=$(( (t2 - t0) / 1000000 ))
  times+=("$ms")
  echo "run $i: address printed after $(( (t1 - t0) / 1000000 )) ms, /api/health answered after $ms ms, $(( cpu * 1000 / $(getconf CLK_TCK) )) ms of CPU"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median start to /api/health answering: $median ms over $runs runs"
