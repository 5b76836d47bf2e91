#!/usr/bin/env bash
# The Transformer runtime at a real model size against a plain PyTorch forward pass over the same
# memory-mapped float32 weights (bench/real_size_reference.py), same thread count:
#   capture: PROMPTS prompts of TOKENS tokens, one hook (the middle layer's hook_resid_post), at batch 1, 8, 16
#            (the PyTorch side computes no logits either: a capture needs none);
#   generate: GEN_PROMPTS prompts of GEN_PROMPT_TOKENS tokens, GEN_NEW new tokens each, greedy, with a KV cache.
# Every run is its own process under /usr/bin/time -v: wall time (start-up and weight mapping included) and
# peak resident set size (the weights' mapped pages count in it, on both sides, once read). Activation memory is
# the peak RSS minus the weights a run reads: PyTorch's capture never reads a tied embedding's rows beyond the
# prompts' tokens (no unembedding), so there it is the file minus the embedding; ScaleLab reads the whole file at
# load (its non-finite check), and generate reads all of it on both sides.
# The load average is printed next to each run: run it on a quiet machine.
# Usage: bench/bench_real_size.sh MODEL_DIR [WORK_DIR]   (a llama checkpoint, e.g. from `scalelab model init`)
# Environment: SCALELAB (launcher, default bin/scalelab of this checkout), THREADS (2), PROMPTS (16), TOKENS (128),
#   BATCHES ("1 8 16"), GEN_PROMPTS (4), GEN_PROMPT_TOKENS (16), GEN_NEW (32), SIDES ("pytorch scalelab"),
#   PARTS ("capture generate").
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: bench/bench_real_size.sh MODEL_DIR [WORK_DIR]}
WORK=${2:-${TMPDIR:-/tmp}/scalelab-bench-real-size}
PY=${SCALELAB_PYTHON:-/usr/bin/python3}
SCALELAB=${SCALELAB:-bin/scalelab}
THREADS=${THREADS:-2}; PROMPTS=${PROMPTS:-16}; TOKENS=${TOKENS:-128}; BATCHES=${BATCHES:-1 8 16}
GEN_PROMPTS=${GEN_PROMPTS:-4}; GEN_PROMPT_TOKENS=${GEN_PROMPT_TOKENS:-16}; GEN_NEW=${GEN_NEW:-32}
SIDES=${SIDES:-pytorch scalelab}; PARTS=${PARTS:-capture generate}
export OMP_NUM_THREADS=$THREADS THREADS
mkdir -p "$WORK"
load() { cut -d' ' -f1-3 /proc/loadavg; }
layers=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['num_hidden_layers'])" "$MODEL/config.json")
layer=$((layers / 2))
hook="blocks.$layer.hook_resid_post"
weights=$(stat -c %s "$MODEL/model.safetensors")
embedding=$("$PY" -c "import json,sys; c = json.load(open(sys.argv[1])); print(4 * c['vocab_size'] * c['hidden_size'] if c.get('tie_word_embeddings') else 0)" "$MODEL/config.json")
echo "machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $THREADS threads"
echo "model: $MODEL, weights $(awk -v b="$weights" 'BEGIN {printf "%.2f GB", b / 1e9}'); capture $PROMPTS x $TOKENS tokens of $hook"

# Prompts of exactly N bytes: N tokens under ScaleLab's byte-level tokenizer (it adds no special token).
prompts() { "$PY" - "$1" "$2" "$3" <<'PYEOF'
import json, random, sys
n, length, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(0)
with open(path, "w") as f:
    for i in range(n):
        text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(length))
        f.write(json.dumps({"id": "p%d" % i, "text": text}) + "\n")
PYEOF
}
prompts "$PROMPTS" "$TOKENS" "$WORK/capture.jsonl"
prompts "$GEN_PROMPTS" "$GEN_PROMPT_TOKENS" "$WORK/generate.jsonl"

RESULTS=$WORK/results.tsv
: > "$RESULTS"
# timed NAME COMMAND...: runs COMMAND under /usr/bin/time -v, prints and records wall seconds and peak RSS.
timed() {
  local name=$1; shift
  local before; before=$(load)
  /usr/bin/time -v -o "$WORK/time.txt" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || { echo "$name failed:"; tail -5 "$WORK/$name.err"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident/ {print $2 * 1024}' "$WORK/time.txt")
  printf '%s\t%s\t%s\n' "$name" "$wall" "$rss" >> "$RESULTS"
  printf '%-22s wall %7.1f s   peak RSS %6.2f GB   (load before %s, after %s)  %s\n' "$name" "$wall" "$(awk -v r="$rss" 'BEGIN {print r / 1e9}')" \
    "$before" "$(load)" "$(tail -1 "$WORK/$name.out" | cut -c1-120)"
}

for part in $PARTS; do
  for side in $SIDES; do
    if [ "$part" = capture ]; then
      for b in $BATCHES; do
        if [ "$side" = pytorch ]; then
          timed "pytorch-capture-b$b" "$PY" bench/real_size_reference.py capture "$MODEL" "$b" "$PROMPTS" "$TOKENS" "$layer"
        else
          rm -rf "$WORK/acts"
          timed "scalelab-capture-b$b" "$SCALELAB" capture --model "$MODEL" --prompts "$WORK/capture.jsonl" --hooks "$hook" \
            --batch "$b" --out "$WORK/acts" --json
        fi
      done
    else
      if [ "$side" = pytorch ]; then
        timed "pytorch-generate" "$PY" bench/real_size_reference.py generate "$MODEL" "$GEN_PROMPTS" "$GEN_PROMPT_TOKENS" "$GEN_NEW"
      else
        rm -rf "$WORK/gen"
        # --capture-out records every fed position, so the manifest counts the tokens actually generated.
        timed "scalelab-generate" "$SCALELAB" generate --model "$MODEL" --prompts "$WORK/generate.jsonl" --max-tokens "$GEN_NEW" \
          --capture-out "$WORK/gen" --capture-hooks "$hook"
        "$PY" - "$WORK/gen/manifest.json" "$GEN_PROMPT_TOKENS" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1]))
generated = sum(t["token_count"] - int(sys.argv[2]) for t in m["trajectories"])
print("scalelab-generate: %d tokens generated" % generated)
PYEOF
      fi
    fi
  done
done

"$PY" - "$RESULTS" "$weights" "$embedding" <<'PYEOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, wall, rss = line.split("\t")
    rows[name] = (float(wall), float(rss))
weights, embedding = float(sys.argv[2]), float(sys.argv[3])
# PyTorch's capture never touches a tied embedding beyond the prompts' rows; ScaleLab reads every weight at load
# (its non-finite check), so its resident set holds the whole file.
read = lambda name: weights - embedding if "capture" in name and name.startswith("pytorch") else weights
print("\nrun                     wall s   peak RSS GB   weights read GB   activation GB (RSS - weights read)")
for name, (wall, rss) in rows.items():
    print("%-22s %7.1f   %11.2f   %15.2f   %8.2f" % (name, wall, rss / 1e9, read(name) / 1e9, (rss - read(name)) / 1e9))
for b in ("1", "8", "16"):
    s, p = rows.get("scalelab-capture-b" + b), rows.get("pytorch-capture-b" + b)
    if s and p:
        ws, wp = read("scalelab-capture"), read("pytorch-capture")
        print("capture batch %-2s: ScaleLab/PyTorch wall %.2fx, activation memory %.2fx; peak RSS %.2f GB vs target %.2f GB (ScaleLab's weights read + 1.2 x PyTorch's activations)"
              % (b, s[0] / p[0], (s[1] - ws) / (p[1] - wp), s[1] / 1e9, (ws + 1.2 * (p[1] - wp)) / 1e9))
PYEOF
