#!/usr/bin/env bash
# Evaluation throughput: ScaleLab's multiple-choice scorer (org.scalelab.eval.EvalBench: contexts
# once into the KV cache, choices batched continuing them, examples batched in ragged batches)
# against two PyTorch loops on the same model and threads (bench/bench_eval.py): (a) every choice
# scored by its own full forward, (b) the same prefix reuse, one example at a time. A Llama of a few
# million parameters from `scalelab model init` (d_model 256, 4 layers, 4 heads, vocab 8192),
# 4 choices per example, contexts of 64 tokens. Each number is the best of --repeat passes after a
# warm-up; peak RSS per process. The "check" columns (sum of choice-0 log-probs) must agree.
# Usage: bench/bench_eval.sh [--examples N] [--repeat R] [--threads T] [--dir DIR]
#          [--model DIR] [--batches "1 8 32"] [--ways full,prefix]
# --model scores an existing Llama checkpoint (e.g. one of a real size) instead of the small one made here; the
# PyTorch loops then read its weights memory-mapped, as ScaleLab does (bench_eval.py --mapped), and warm up on
# 4 examples. At a real size, e.g.: bench/bench_eval.sh --model DIR --examples 16 --repeat 1 --batches "1 8" --ways prefix
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
EXAMPLES=200; REPEAT=3; THREADS=2; DIR=${TMPDIR:-/tmp}/scalelab-bench-eval
MODEL=; BATCHES="1 8 32"; WAYS=full,prefix
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) EXAMPLES=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --dir) DIR=$2; shift ;;
    --model) MODEL=$2; shift ;;
    --batches) BATCHES=$2; shift ;;
    --ways) WAYS=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
mkdir -p "$DIR"
PYOPTS=(--ways "$WAYS")
if [ -n "$MODEL" ]; then
  PYOPTS+=(--mapped --warmup 4)
  DESCRIBE="model: $MODEL ($(stat -c %s "$MODEL/model.safetensors") bytes of weights)"
else
  MODEL=$DIR/model
  DESCRIBE="model: llama, d_model 256, 4 layers, 4 heads, vocab 8192"
  if [ ! -f "$MODEL/config.json" ]; then
    bin/scalelab model init --family llama --d-model 256 --layers 4 --heads 4 --vocab 8192 --max-positions 256 --seed 1 --out "$MODEL" >/dev/null
  fi
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
echo "$DESCRIBE; $EXAMPLES examples, 4 choices of 5-11 tokens, contexts of 64 tokens; $THREADS threads"
CP=$(bench/classpath.sh)
source bin/allocator.sh  # the C allocator bin/scalelab runs with
OUT=$DIR/results.jsonl
: > "$OUT"
for batch in $BATCHES; do
  DJL_OFFLINE=true OPT_OUT_TRACKING=true java -Xmx4g -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
    -cp "$CP" org.scalelab.eval.EvalBench "$MODEL" "$TASK" "$batch" "$REPEAT" 2>/dev/null | tee -a "$OUT"
  echo "load average $(load)"
done
"$PY" bench/bench_eval.py "$MODEL" "$TASK" "$REPEAT" "$THREADS" "${PYOPTS[@]}" | tee -a "$OUT"
echo "load average $(load)"
"$PY" - "$OUT" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def rate(prefix):
    return next((r["examples_per_s"] for r in rows if r["what"].startswith(prefix)), None)
def ratio(r, ref):
    return "%9.2fx" % (r["examples_per_s"] / ref) if ref else "%10s" % "-"
full, pre = rate("full"), rate("prefix")
print("%-42s %12s %10s %10s %9s %14s" % ("", "examples/s", "vs full", "vs prefix", "peak RSS", "check"))
for r in rows:
    name = ("ScaleLab eval, " if r["side"] == "scalelab" else "PyTorch, ") + r["what"]
    print("%-42s %12.3f %s %s %6d MB %14.6f" % (name, r["examples_per_s"], ratio(r, full), ratio(r, pre), r["peak_rss_mb"], r["check"]))
PYEOF
