#!/usr/bin/env bash
# Times GET /api/curves on a large lab (bench/make_big_lab.sh): `scalelab serve` on loopback, then with curl
#   - the 1,000,000-point curve of c0000-seed0 downsampled to 2,000 points (first request, then the best of 5),
#   - 20 runs at once (c0000-seed0 .. c0003-seed4), 2,000 points per curve (first, then the best of 5),
#   - the same 1,000,000-point curve smoothed (read whole, smoothed, then downsampled in Java).
# Needs `mvn -DskipTests package` first (bin/scalelab). Prints seconds per request and the answer's counts.
#   bench/bench_curves.sh LAB [PORT]          (default: a free port)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lab="${1:?usage: bench/bench_curves.sh LAB [PORT]}"
log="$(mktemp)"
"$root/bin/scalelab" serve --lab "$lab" --port "${2:-0}" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
base=""
for _ in $(seq 1 150); do
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" || true)
  [ -n "$base" ] && break
  sleep 0.2
done
twenty=""
for c in 0 1 2 3; do for s in 0 1 2 3 4; do twenty="$twenty&run=c000$c-seed$s"; done; done
time_it() { # label, query
  local first best t
  first=$(curl -s -o /tmp/bench_curves.json -w '%{time_total}' "$base/api/curves?$2")
  best=""
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' "$base/api/curves?$2")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
  done
  counts=$(/usr/bin/python3 -c 'import json,sys; a=json.load(open("/tmp/bench_curves.json")); print("points", a["points"], "shown", a["shown"], "series", len(a["chart"]["series"]))')
  printf '%-46s first %6.3f s  best of 5 %6.3f s  (%s)\n' "$1" "$first" "$best" "$counts"
}
time_it "1,000,000 points -> 2,000" "run=c0000-seed0&metric=loss&points=2000"
time_it "20 runs at once, 2,000 points each" "${twenty#&}&metric=loss&points=2000"
time_it "1,000,000 points smoothed 0.9 -> 2,000" "run=c0000-seed0&metric=loss&points=2000&smooth=0.9"
time_it "5 seeds grouped (band)" "run=c0001-seed0&run=c0001-seed1&run=c0001-seed2&run=c0001-seed3&run=c0001-seed4&metric=loss&group=seeds"
