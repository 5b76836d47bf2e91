#!/usr/bin/env python3
"""compare.py EXPECTED ACTUAL [GROUP...]: JSON equal up to 1e-9 relative (volatile keys ignored, key renames
from renames.txt applied to EXPECTED), text/rc/sha equal after path normalisation. Prints differences."""
import json, math, os, re, sys
exp_root, act_root = sys.argv[1], sys.argv[2]
groups = sys.argv[3:] or sorted(d for d in os.listdir(exp_root) if os.path.isdir(os.path.join(exp_root, d)) and d != "work")
VOLATILE = {"created", "created_at", "timestamp", "time", "elapsed", "elapsed_s", "elapsed_seconds", "seconds", "wall_s",
            "started", "finished", "duration_s", "steps_per_s", "tokens_per_s", "version", "scalelab_version", "java",
            "host", "pid", "ms", "wall_seconds", "started_at", "finished_at", "updated_at", "imported_at", "at", "when", "steps_per_second", "tokens_per_second", "examples_per_second"}
here = os.path.dirname(os.path.abspath(__file__))
renames = {}
rp = os.path.join(here, "renames.txt")
if os.path.exists(rp):
    for line in open(rp):
        line = line.split("#")[0].strip()
        if "->" in line:
            a, b = (x.strip() for x in line.split("->")); renames[a] = b
def norm_str(s, root):
    s = s.replace(os.path.abspath(root), "$OUT")
    s = re.sub(r"result \d+", "result N", s)
    s = re.sub(r"\.tmp-[0-9a-f]+", ".tmp-X", s)
    repo = os.path.join(root, "repo.path")
    if os.path.exists(repo):
        s = s.replace(open(repo).read().strip() + "/", "$REPO/")
    return s
def rename(o):
    if isinstance(o, dict): return {renames.get(k, k): rename(v) for k, v in o.items()}
    if isinstance(o, list): return [rename(v) for v in o]
    return o
diffs = []
ISO = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z?")
CUR = [""]
def cmp(a, b, path):
    if len(diffs) > 400: return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in VOLATILE or k.endswith("_seconds") or k.endswith("_ms"): continue
            if k not in b: diffs.append(f"{path}.{k}: missing in actual"); continue
            if k not in a: diffs.append(f"{path}.{k}: new in actual"); continue
            cmp(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b): diffs.append(f"{path}: list length {len(a)} vs {len(b)}"); return
        for i, (x, y) in enumerate(zip(a, b)): cmp(x, y, f"{path}[{i}]")
    elif isinstance(a, bool) or isinstance(b, bool) or not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        if isinstance(a, str) and isinstance(b, str) and ISO.fullmatch(a) and ISO.fullmatch(b): return
        if path.endswith(".sha256") and any(x in CUR[0] for x in ("/world/", "/geometry/acts", "/laws/forecast-fit", "/demo/geometry/", "/demo/forecast/")): return
        if a != b: diffs.append(f"{path}: {str(a)[:120]!r} vs {str(b)[:120]!r}")
    else:
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b): return
        if a != b and not abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-300:
            diffs.append(f"{path}: {a!r} vs {b!r}")
def load_json(p, root):
    txt = norm_str(open(p).read(), root)
    try: return json.loads(txt)
    except Exception:
        return [json.loads(l) for l in txt.splitlines() if l.strip()]
TIME = re.compile(r"\b\d+(\.\d+)?\s?(s|ms|min)\b|\d+:\d\d(:\d\d)?|\b\d{4}-\d\d-\d\dT[\d:.]+Z?")
bad = 0
for g in groups:
    ed = os.path.join(exp_root, g)
    if not os.path.isdir(ed): print(f"[{g}] no expected outputs"); continue
    for dp, _, files in os.walk(ed):
        for f in sorted(files):
            ep = os.path.join(dp, f); rel = os.path.relpath(ep, exp_root); ap = os.path.join(act_root, rel)
            if f.endswith(".err") or f == "repo.path": continue
            if not os.path.exists(ap): print(f"MISSING {rel}"); bad += 1; continue
            diffs.clear(); CUR[0] = "/" + rel
            if f.endswith(".json") or f.endswith(".jsonl"):
                try: cmp(rename(load_json(ep, exp_root)), load_json(ap, act_root), "$")
                except Exception as e: diffs.append(f"unreadable: {e}")
            else:
                a = TIME.sub("<t>", norm_str(open(ep, errors="replace").read(), exp_root))
                b = TIME.sub("<t>", norm_str(open(ap, errors="replace").read(), act_root))
                a, b = (re.sub(r"-{3,}", "---", re.sub(r" {2,}", "  ", x)) for x in (a, b))
                if a != b:
                    al, bl = a.splitlines(), b.splitlines()
                    for i in range(max(len(al), len(bl))):
                        x = al[i] if i < len(al) else "<none>"; y = bl[i] if i < len(bl) else "<none>"
                        if x != y: diffs.append(f"line {i+1}: {x[:150]!r}\n      vs  {y[:150]!r}")
                        if len(diffs) > 5: break
            if diffs:
                bad += 1; print(f"DIFF {rel}"); [print("   ", d) for d in diffs[:12]]
                if len(diffs) > 12: print(f"    … {len(diffs) - 12} more")
print("golden: OK" if bad == 0 else f"golden: {bad} file(s) differ")
sys.exit(1 if bad else 0)
