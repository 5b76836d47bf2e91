#!/usr/bin/env bash
# Runs the README's commands and the demo with REPO's built CLI, on fixed seeds, into OUT:
# OUT/GROUP/NAME.json (stdout of --json runs) and OUT/GROUP/NAME.txt (stdout of text runs).
# usage: run.sh REPO OUT [GROUP...]    groups: runs laws testtime geometry runtime world demo
set -uo pipefail
REPO=$(cd "$1" && pwd); OUT=$2; shift 2
groups=("$@"); [ ${#groups[@]} -eq 0 ] && groups=(runs laws testtime geometry runtime world demo)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd); echo "$REPO" > "$OUT/repo.path"
S="$REPO/bin/scalelab"
W="$OUT/work"; rm -rf "$W"; mkdir -p "$W"; cd "$W"; export SCALELAB_LAB="$W/lab"
export SCALELAB_PROGRESS=0
fail=0
# r GROUP NAME ARGS... : stdout → OUT/GROUP/NAME.(json|txt); rc recorded
r() { local g=$1 n=$2; shift 2; mkdir -p "$OUT/$g"; local ext=txt; for a in "$@"; do [ "$a" = --json ] && ext=json; done
  "$S" "$@" > "$OUT/$g/$n.$ext" 2> "$OUT/$g/$n.err"; local rc=$?; echo "$rc" > "$OUT/$g/$n.rc"
  [ $rc -ne 0 ] && { echo "  $g/$n exit $rc: $(tail -1 "$OUT/$g/$n.err")"; }; return 0; }
has() { local x; for x in "${groups[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }

# shared inputs: the demo's synthetic data (law part only: seconds)
"$S" demo --no-world --lab "$W/data-lab" --seed 1 --bootstrap 20 > /dev/null 2> "$W/data.err" || { echo "data demo failed: $(tail -2 "$W/data.err")"; }
D="$W/data-lab/demo-data"; CH="$REPO/data/chinchilla_hoffmann2022_fig4.csv"
L="$W/lab"

if has runs; then
  r runs import-chin runs import "$CH" --lab "$L" --json
  r runs import-demo runs import "$D/runs.csv" --metric loss=loss --metric accuracy=accuracy --metric distractor=distractor --model-col model --family-col family --lab "$L" --json
  r runs list runs list --limit 20 --lab "$L" --json
  r runs list-txt runs list --limit 20 --lab "$L"
  r runs sql runs sql "SELECT model, params, tokens, loss FROM points ORDER BY loss, model LIMIT 10" --lab "$L" --json
  r runs sql-txt runs sql "SELECT model, params, tokens, loss FROM points ORDER BY loss, model LIMIT 10" --lab "$L"
  r runs imports runs sql "SELECT * FROM imports" --lab "$L" --json
fi
if has laws; then
  r laws chin fit chinchilla --data "$CH" --drop-highest-loss 5 --bootstrap 200 --seed 1 --json
  r laws chin-txt fit chinchilla --data "$CH" --drop-highest-loss 5 --bootstrap 200 --seed 1
  r laws chin-huber fit chinchilla --data "$D/runs.csv" --reduce mean --huber-delta 1e-4 --bootstrap 50 --seed 2 --json
  r laws chin-grid fit chinchilla --data "$D/runs.csv" --grid "alpha=0:2:0.5,beta=0:2:0.5,e=-1:1:0.5,a=0:25:5,b=0:25:5" --bootstrap 20 --json
  r laws forecast forecast --data "$CH" --drop-highest-loss 5 --compute 1e21,1e23,5.76e23 --bootstrap 100 --seed 1 --json
  r laws forecast-txt forecast --data "$CH" --drop-highest-loss 5 --compute 1e21,1e23,5.76e23 --bootstrap 100 --seed 1
  "$S" fit chinchilla --data "$D/runs.csv" --keep-replicates --bootstrap 50 --seed 1 --json > "$W/fit.json" 2>/dev/null
  r laws forecast-fit forecast --fit "$W/fit.json" --params 7e10 --tokens 1.4e12 --json
  r laws power fit power --data "$CH" --x compute --y-col loss --forecast 1e24 --bootstrap 200 --seed 1 --json
  r laws power-txt fit power --data "$CH" --x compute --y-col loss --forecast 1e24 --bootstrap 200 --seed 1
  r laws power-nooff fit power --data "$CH" --x params --y-col loss --no-offset --bootstrap 100 --seed 1 --json
  r laws bnsl fit bnsl --data "$CH" --x compute --y-col loss --breaks 2 --bootstrap 50 --seed 1 --json
  r laws bnsl-bend fit bnsl --data "$D/bend.csv" --x-col x --y-col y --bootstrap 50 --seed 1 --json
  r laws bnsl-txt fit bnsl --data "$D/bend.csv" --x-col x --y-col y --bootstrap 50 --seed 1
  r laws sigmoid fit sigmoid --data "$D/runs.csv" --x params --y-col accuracy --floor 0.25 --ceiling 1 --bootstrap 200 --seed 1 --json
  r laws sigmoid-txt fit sigmoid --data "$D/runs.csv" --x params --y-col accuracy --floor 0.25 --ceiling 1 --bootstrap 200 --seed 1
  r laws shape fit shape --data "$D/runs.csv" --x params --y-col distractor --alpha 0.05 --bootstrap 200 --seed 1 --json
  r laws shape-txt fit shape --data "$D/runs.csv" --x params --y-col distractor --alpha 0.05 --bootstrap 200 --seed 1
  /usr/bin/python3 - "$W/posttrain.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(5); f = np.logspace(15, 21, 14)
loss = 1.2 + 40 * f ** -0.1 * np.exp(rng.normal(0, 0.01, f.size)); acc = 0.25 + 0.7 / (1 + np.exp(-2.2 * (np.log10(f) - 18.3))) + rng.normal(0, 0.01, f.size)
open(sys.argv[1], "w").write("finetune_flops,loss,accuracy\n" + "".join(f"{a:.6g},{b:.6g},{c:.6g}\n" for a, b, c in zip(f, loss, acc)))
PY
  r laws posttrain testtime posttrain --data "$W/posttrain.csv" --y-col loss --bootstrap 100 --seed 1 --json
  r laws posttrain-sig testtime posttrain --law sigmoid --data "$W/posttrain.csv" --y-col accuracy --floor 0.25 --bootstrap 100 --seed 1 --json
  r laws posttrain-txt testtime posttrain --data "$W/posttrain.csv" --y-col loss --bootstrap 100 --seed 1
  r laws report fit power --data "$CH" --x compute --y-col loss --bootstrap 50 --seed 1 --out "$W/reports/power" --json
  ls "$W/reports/power" > "$OUT/laws/report-files.txt" 2>/dev/null
fi
if has testtime; then
  r testtime passk testtime passk --data "$D/counts-small.csv" --k 1,10,100 --json
  r testtime passk-txt testtime passk --data "$D/counts-small.csv" --k 1,10,100
  r testtime coverage testtime coverage --data "$D/counts-small.csv" --target 0.9 --bootstrap 200 --seed 1 --json
  r testtime coverage-txt testtime coverage --data "$D/counts-large.csv" --target 0.9 --bootstrap 200 --seed 1
  /usr/bin/python3 - "$W/samples.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(3)
with open(sys.argv[1], "w") as f:
    f.write("problem,answer,correct\n")
    for p in range(40):
        q = 0.2 + 0.6 * rng.random()
        for _ in range(64):
            a = "a" if rng.random() < q else str(rng.choice(list("bcd")))
            f.write(f"p{p},{a},{int(a == 'a')}\n")
PY
  r testtime majority testtime majority --data "$W/samples.csv" --k 1,4,16,64 --json
  r testtime budget testtime budget --model 8B,2.1,0.42,1.6e13 --model 70B,1.2,0.35,1.4e14 --budgets 1e14:1e18:41 --json
  r testtime budget-txt testtime budget --model 8B,2.1,0.42,1.6e13 --model 70B,1.2,0.35,1.4e14 --budgets 1e14:1e18:41
  r testtime rel-p reliability --p 0.99,0.999,0.9999 --steps 10,100,1000 --json
  r testtime rel-p-txt reliability --p 0.99,0.999,0.9999 --steps 10,100,1000
  r testtime rel-target reliability --target 0.9 --steps 1000 --json
  r testtime rel-rho reliability --p 0.999 --steps 1000 --rho 0.1 --json
fi
if has geometry; then
  /usr/bin/python3 - "$W" <<'PY'
import sys, numpy as np
w = sys.argv[1]; rng = np.random.default_rng(11)
n, d = 600, 24
x = (rng.normal(size=(n, 6)) @ rng.normal(size=(6, d)) + 0.1 * rng.normal(size=(n, d))).astype(np.float32)
np.save(f"{w}/acts.npy", x)
np.save(f"{w}/bad-offsets.npy", np.arange(0, n + 1, 20, dtype=np.int64))
np.save(f"{w}/offsets.npy", np.arange(0, n, 20, dtype=np.int64))
np.save(f"{w}/domain.npy", np.repeat(np.array([0, 1, 2] * 10, dtype=np.int64), 20))
np.savez(f"{w}/acts.npz", x=x)
PY
  r geometry npy geometry --npy "$W/acts.npy" --trajectories "$W/offsets.npy" --labels "$W/domain.npy" --seed 1 --null-replicates 5 --json
  r geometry npy-txt geometry --npy "$W/acts.npy" --trajectories "$W/offsets.npy" --labels "$W/domain.npy" --seed 1 --null-replicates 5
  r geometry err-offsets geometry --npy "$W/acts.npy" --trajectories "$W/bad-offsets.npy" --json
  r geometry npz geometry --npy "$W/acts.npz" --null-replicates 5 --seed 1 --json
  r geometry npy-report geometry --npy "$W/acts.npy" --trajectories "$W/offsets.npy" --labels "$W/domain.npy" --seed 1 --null-replicates 3 --out "$W/geo-report" --json
  ls "$W/geo-report" > "$OUT/geometry/report-files.txt" 2>/dev/null
fi
if has runtime || has geometry; then
  M="$W/models"; mkdir -p "$M"
  "$S" model init --family qwen2 --d-model 64 --layers 2 --heads 4 --kv-heads 2 --vocab 512 --seed 1 --out "$M/tiny-qwen2" > /dev/null 2>&1
  "$S" model init --family qwen2 --d-model 96 --layers 2 --heads 4 --kv-heads 2 --vocab 512 --seed 2 --out "$M/tiny-qwen2b" > /dev/null 2>&1
  /usr/bin/python3 - "$W/prompts.jsonl" <<'PY'
import sys, json
doms = {"math": ["two plus two is four", "seven times six is forty two", "the square root of nine is three"],
        "law": ["the contract was signed by both parties", "a tort is a civil wrong", "the court dismissed the appeal"]}
with open(sys.argv[1], "w") as f:
    for d, ps in doms.items():
        for i, p in enumerate(ps): f.write(json.dumps({"id": f"{d}{i}", "text": p, "domain": d}) + "\n")
PY
  "$S" capture --model "$M/tiny-qwen2" --prompts "$W/prompts.jsonl" --hooks 'blocks.*.hook_resid_post' --out "$W/acts-a" > /dev/null 2>"$W/cap-a.err"
  "$S" capture --model "$M/tiny-qwen2b" --prompts "$W/prompts.jsonl" --hooks 'blocks.*.hook_resid_post' --out "$W/acts-b" > /dev/null 2>"$W/cap-b.err"
fi
if has runtime; then
  r runtime init model init --family gemma2 --d-model 64 --layers 2 --heads 4 --kv-heads 2 --head-dim 32 --vocab 512 --seed 1 --out "$M/tiny-gemma2" --json
  r runtime info model info "$M/tiny-qwen2" --json
  r runtime info-txt model info "$M/tiny-qwen2"
  r runtime capture capture --model "$M/tiny-qwen2" --prompts "$W/prompts.jsonl" --hooks 'blocks.*.hook_resid_post,blocks.0.hook_attn_out' --out "$W/acts-c" --json
  cp "$W/acts-c/manifest.json" "$OUT/runtime/manifest-c.json" 2>/dev/null
  (cd "$W/acts-c" 2>/dev/null && sha256sum shard-* > "$OUT/runtime/shards-c.sha256")
  r runtime direction direction --set "$W/acts-a" --hook blocks.1.hook_resid_post --positive domain=math --negative domain=law --out "$W/dir.npy"
  sha256sum < "$W/dir.npy" > "$OUT/runtime/dir.sha256" 2>/dev/null
  r runtime gen generate --model "$M/tiny-qwen2" --prompt "Once upon a time" --max-tokens 20
  r runtime gen-steer generate --model "$M/tiny-qwen2" --prompt "Once upon a time" --max-tokens 10 --ablate "$W/dir.npy" --at blocks.1.hook_resid_post
  r runtime gen-gemma generate --model "$M/tiny-gemma2" --prompts "$W/prompts.jsonl" --max-tokens 8
  r runtime init-neox model init --family gpt_neox --d-model 64 --layers 2 --heads 4 --vocab 257 --seed 1 --out "$M/tiny-rope" --json
  /usr/bin/python3 - "$W/train.jsonl" <<'PY'
import sys, json
with open(sys.argv[1], "w") as f:
    for i in range(64): f.write(json.dumps({"text": f"the cat {i % 7} sat on the mat {i % 5} and the dog ran"}) + "\n")
PY
  r runtime train train --model "$M/tiny-rope" --data "$W/train.jsonl" --out "$W/run-tiny" --steps 30 --batch 4 --seed 1 --json
  cp "$W/run-tiny/train_log.jsonl" "$OUT/runtime/train_log.jsonl" 2>/dev/null
fi
if has geometry; then
  r geometry acts geometry --acts "$W/acts-a" --acts "$W/acts-b" --by domain --compare-sizes --seed 1 --null-replicates 3 --json
  r geometry acts-txt geometry --acts "$W/acts-a" --acts "$W/acts-b" --by domain --compare-sizes --seed 1 --null-replicates 3
fi
if has world; then
  r world gen world generate --out "$W/worlds/small" --entities 64 --relations 8 --seed 1 --json
  cp "$W/worlds/small/world.json" "$OUT/world/world.json" 2>/dev/null
  r world sweep world sweep --lab "$L" --experiment small --entities 64 --widths 32,64 --depths 1 --seeds 2 --steps 150 --lr 3e-3 --json
  r world report world report --lab "$L" --experiment small --null-replicates 100 --json
  r world report-txt world report --lab "$L" --experiment small --null-replicates 100
  r world capture world capture --lab "$L" --experiment small --json
fi
if has demo; then
  mkdir -p "$OUT/demo"
  "$S" demo --lab "$W/demo-lab" --seed 1 > "$OUT/demo/demo.txt" 2> "$OUT/demo/demo.err"; echo $? > "$OUT/demo/demo.rc"
  (cd "$W/demo-lab/reports/demo" 2>/dev/null && find . -name '*.json' | sort | while read -r f; do mkdir -p "$OUT/demo/$(dirname "$f")"; cp "$f" "$OUT/demo/$f"; done)
  "$S" results list --lab "$W/demo-lab" --json > "$OUT/demo/results-list.json" 2>/dev/null
fi
echo "done: $OUT"
