#!/usr/bin/env bash
# Training throughput of the controlled world's model: `scalelab world bench` (DJL + PyTorch from Java)
# vs bench/world_train_bench.py (the same model, examples, batch and AdamW in a plain PyTorch loop),
# same thread count. The load average is printed with every line (the machine is shared).
# Usage: bench/bench_world_train.sh [--widths 64,128,256,512] [--depth 2] [--steps 50] [--threads 1] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${SCALELAB_PYTHON:-/usr/bin/python3}
WIDTHS=64,128,256,512; DEPTH=2; STEPS=50; THREADS=1; DIR=${TMPDIR:-/tmp}/scalelab-bench-world
while [ $# -gt 0 ]; do
  case "$1" in
    --widths) WIDTHS=$2; shift ;;
    --depth) DEPTH=$2; shift ;;
    --steps) STEPS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --dir) DIR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
echo "python: $("$PY" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__)')"
bin/scalelab world generate --out "$DIR/world" > /dev/null
echo "== ScaleLab (DJL + PyTorch $THREADS thread(s)), load $(load)"
bin/scalelab world bench --world "$DIR/world" --widths "$WIDTHS" --depth "$DEPTH" --steps "$STEPS" --threads "$THREADS" --json > "$DIR/java.json"
cat "$DIR/java.json"
echo "== PyTorch eager loop ($THREADS thread(s)), load $(load)"
"$PY" bench/world_train_bench.py "$DIR/world" --widths "$WIDTHS" --depth "$DEPTH" --steps "$STEPS" --threads "$THREADS" | tee "$DIR/torch.jsonl"
"$PY" - "$DIR/java.json" "$DIR/torch.jsonl" <<'PYEOF'
import json, sys
java = {r["width"]: r for r in json.load(open(sys.argv[1]))}
torch = {r["width"]: r for r in map(json.loads, open(sys.argv[2]))}
print("| width | parameters (ScaleLab / torch) | ScaleLab steps/s | PyTorch steps/s | ratio |")
print("|---|---|---|---|---|")
for w in sorted(java):
    j, t = java[w], torch[w]
    print(f"| {w} | {j['parameters']:,} / {t['parameters']:,} | {j['steps_per_second']:.1f} | {t['steps_per_second']:.1f} | {j['steps_per_second'] / t['steps_per_second']:.2f}x |")
PYEOF
