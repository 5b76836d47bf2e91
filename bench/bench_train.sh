#!/usr/bin/env bash
# Transformer runtime vs PyTorch eager on the same model and thread count:
# forward tokens/s at batch 1 and 32 (seq 128) and training steps/s (batch 32 x 128, AdamW + clipping)
# for a 4-layer d=512 model (8 heads, 4x MLP, tied embeddings). ScaleLab runs DJL 0.35.1 + libtorch
# 2.7.1 (org.scalelab.train.TrainBench); the reference is bench/bench_train.py on Debian's torch.
# Each number is the fastest single call among --repeat rounds (20 calls per round at batch 1, 3 otherwise) after a
# warmup: on a shared machine the minimum estimates the uncontended time. The load average is printed.
# --paired N: instead, N alternating pairs of training-only runs (ScaleLab, then PyTorch, back to back), each pair's
# ratio printed: on a busy machine the load changes between the two halves of a full run, not within a pair.
# Usage: bench/bench_train.sh [--family gpt_neox|gpt2|llama] [--vocab N] [--repeat R] [--threads T] [--dir DIR] [--paired N]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${SCALELAB_PYTHON:-/usr/bin/python3}
FAMILY=gpt_neox; VOCAB=8192; REPEAT=3; THREADS=2; DIR=${TMPDIR:-/tmp}/scalelab-bench-train; PAIRED=0
while [ $# -gt 0 ]; do
  case "$1" in
    --family) FAMILY=$2; shift ;;
    --vocab) VOCAB=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --dir) DIR=$2; shift ;;
    --paired) PAIRED=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, load average $(load)"
echo "model: $FAMILY, 4 layers, d_model 512, 8 heads, vocab $VOCAB, seq 128; $THREADS threads on both sides"
mkdir -p "$DIR"

CP=$(bench/classpath.sh)
runjava() { DJL_OFFLINE=true OPT_OUT_TRACKING=true java -Xmx6g -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$CP" org.scalelab.train.TrainBench "$DIR" "$FAMILY" "$VOCAB" "$@"; }
if [ "$PAIRED" -gt 0 ]; then
  for i in $(seq "$PAIRED"); do
    s=$(runjava 1 train 2>/dev/null | grep train_step | sed 's/.*"steps_per_s":\([0-9.]*\).*/\1/')
    p=$("$PY" bench/bench_train.py "$FAMILY" "$VOCAB" 1 "$THREADS" train | grep train_step | sed 's/.*"steps_per_s": \([0-9.]*\).*/\1/')
    "$PY" -c "import sys; s, p = float(sys.argv[1]), float(sys.argv[2]); print('pair %s: training steps/s scalelab %.3f, pytorch %.3f, ratio %.2fx (load %s)' % (sys.argv[3], s, p, s / p, sys.argv[4]))" "$s" "$p" "$i" "$(load)"
  done
  exit 0
fi
OUT=$DIR/results.jsonl
: > "$OUT"
runjava "$REPEAT" | tee -a "$OUT"
echo "load average $(load)"
"$PY" bench/bench_train.py "$FAMILY" "$VOCAB" "$REPEAT" "$THREADS" | tee -a "$OUT"
echo "load average $(load)"
"$PY" - "$OUT" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def get(side, what, batch=None):
    for r in rows:
        if r["side"] == side and r["what"] == what and (batch is None or r.get("batch") == batch):
            return r
print("%-34s %12s %12s %8s" % ("", "scalelab", "pytorch", "ratio"))
for batch in (1, 32):
    p = get("pytorch", "forward", batch)["tokens_per_s"]
    for what, label in (("forward", "forward tokens/s"), ("forward_api", "forward tokens/s (logits to Java)")):
        s = get("scalelab", what, batch)["tokens_per_s"]
        print("%-34s %12.0f %12.0f %7.2fx" % ("%s, batch %d" % (label, batch), s, p, s / p))
s = get("scalelab", "train_step")["steps_per_s"]; p = get("pytorch", "train_step")["steps_per_s"]
print("%-34s %12.3f %12.3f %7.2fx" % ("training steps/s, batch 32x128", s, p, s / p))
PYEOF
