#!/usr/bin/env bash
# Evaluation throughput: ScaleLab's multiple-choice scorer (org.scalelab.eval.EvalBench: contexts
# once into the KV cache, choices batched continuing them, examples batched in ragged batches)
# against two PyTorch loops on the same model and threads (bench/bench_eval.py): (a) every choice
# scored by its own full forward, (b) the same prefix reuse, one example at a time. A Llama of a few
# million parameters from `scalelab model init` (d_model 256, 4 layers, 4 heads, vocab 8192),
# 4 choices per example, contexts of 64 tokens. Each number is the best of --repeat passes after a
# warm-up; peak RSS per process. The "check" columns (sum of choice-0 log-probs) must agree.
# Usage: bench/bench_eval.sh [--examples N] [--repeat R] [--threads T] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
EXAMPLES=200; REPEAT=3; THREADS=2; DIR=${TMPDIR:-/tmp}/scalelab-bench-eval
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) EXAMPLES=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --dir) DIR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
mkdir -p "$DIR"
MODEL=$DIR/model
if [ ! -f "$MODEL/config.json" ]; then
  bin/scalelab model init --family llama --d-model 256 --layers 4 --heads 4 --vocab 8192 --max-positions 256 --seed 1 --out "$MODEL" >/dev/null
fi
TASK=$DIR/task.jsonl
"$PY" - "$TASK" "$EXAMPLES" <<'PYEOF'
import json, random, sys
r = random.Random(7)
letters = "abcdefghijklmnopqrstuvwxyz"
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        ctx = "".join(r.choice(letters + "   ") for _ in range(63)) + "?"  # 64 bytes = 64 tokens
        choices = ["".join(r.choice(letters) for _ in range(r.randint(4, 10))) for _ in range(4)]
        f.write(json.dumps({"id": str(i), "context": ctx, "choices": choices, "gold": r.randrange(4)}) + "\n")
PYEOF
echo "model: llama, d_model 256, 4 layers, 4 heads, vocab 8192; $EXAMPLES examples, 4 choices of 5-11 tokens, contexts of 64 tokens; $THREADS threads"
CP=$(bench/classpath.sh)
OUT=$DIR/results.jsonl
: > "$OUT"
for batch in 1 8 32; do
  DJL_OFFLINE=true OPT_OUT_TRACKING=true java -Xmx4g -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
    -cp "$CP" org.scalelab.eval.EvalBench "$MODEL" "$TASK" "$batch" "$REPEAT" 2>/dev/null | tee -a "$OUT"
  echo "load average $(load)"
done
"$PY" bench/bench_eval.py "$MODEL" "$TASK" "$REPEAT" "$THREADS" | tee -a "$OUT"
echo "load average $(load)"
"$PY" - "$OUT" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
full = next(r for r in rows if r["what"].startswith("full"))["examples_per_s"]
pre = next(r for r in rows if r["what"].startswith("prefix"))["examples_per_s"]
print("%-42s %12s %10s %10s %9s" % ("", "examples/s", "vs full", "vs prefix", "peak RSS"))
for r in rows:
    name = ("ScaleLab eval, " if r["side"] == "scalelab" else "PyTorch, ") + r["what"]
    print("%-42s %12.1f %9.2fx %9.2fx %6d MB" % (name, r["examples_per_s"], r["examples_per_s"] / full, r["examples_per_s"] / pre, r["peak_rss_mb"]))
PYEOF
