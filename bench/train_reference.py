"""Independent PyTorch reference for ScaleLab's trainer (org.scalelab.train).

Trains the same initial weights on the same batches with torch.optim.AdamW,
torch.nn.utils.clip_grad_norm_ and a LambdaLR schedule written here from its published
definition (linear warmup, then constant or half-cosine to min_ratio * peak), in float32, and
writes the parameters after every listed step. The forward pass is bench/reference_forward.py's
(or reference_neox.py's for gpt_neox), written from the published architectures, one unpadded
sequence at a time.

usage: train_reference.py MODEL_DIR BATCHES_JSON SPEC_JSON OUT_DIR
  BATCHES_JSON: [[{"tokens": [...], "mask": [0/1 per token]}, ...] per step]
  SPEC_JSON: {"kind": "cosine"|"constant", "lr", "warmup", "total", "min_ratio", "beta1", "beta2",
              "eps", "weight_decay", "decay_scope": "all"|"matrices", "clip", "save_steps": [..]}
  writes OUT_DIR/step-{n}.safetensors (float32 parameters under their checkpoint names) and
  OUT_DIR/log.json: [{"step", "loss", "lr", "grad_norm"}] per step.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_forward as ref  # noqa: E402
import reference_neox  # noqa: E402


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def lr_factor(spec):
    w, kind, total, r = spec["warmup"], spec["kind"], spec["total"], spec["min_ratio"]

    def f(s):  # s: 0-based update index
        if s < w:
            return (s + 1) / w
        if kind == "constant":
            return 1.0
        p = min(1.0, (s - w) / max(1, total - w))
        return r + (1 - r) * 0.5 * (1 + math.cos(math.pi * p))
    return f


def main(model_dir, batches_json, spec_json, out_dir):
    torch.set_num_threads(1)
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    with open(batches_json) as f:
        batches = json.load(f)
    with open(spec_json) as f:
        spec = json.load(f)
    forward = {"gpt2": ref.gpt2, "llama": ref.llama, "gpt_neox": reference_neox.gpt_neox}[cfg["model_type"]]
    w = {k: v.float().requires_grad_(True) for k, v in ref.load_weights(model_dir).items()}
    names = list(w)
    if spec["decay_scope"] == "all":
        groups = [{"params": [w[n] for n in names], "weight_decay": spec["weight_decay"]}]
    else:  # "matrices": tensors with two or more dimensions only
        groups = [{"params": [w[n] for n in names if w[n].dim() >= 2], "weight_decay": spec["weight_decay"]},
                  {"params": [w[n] for n in names if w[n].dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=spec["lr"], betas=(spec["beta1"], spec["beta2"]), eps=spec["eps"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor(spec))
    os.makedirs(out_dir, exist_ok=True)
    log = []
    for step, batch in enumerate(batches, start=1):
        opt.zero_grad()
        total, count = 0.0, 0
        for ex in batch:
            ids = torch.tensor(ex["tokens"], dtype=torch.long)
            logits = forward(cfg, w, ids, {})  # [T, vocab]
            targets = [j for j, m in enumerate(ex["mask"]) if m]
            rows = torch.tensor([j - 1 for j in targets])
            nll = torch.nn.functional.cross_entropy(logits[rows], ids[targets], reduction="sum")
            total = total + nll
            count += len(targets)
        loss = total / count
        loss.backward()
        lr = opt.param_groups[0]["lr"]
        clip = spec["clip"]
        params = [w[n] for n in names]
        if clip > 0:
            norm = float(torch.nn.utils.clip_grad_norm_(params, clip))
        else:
            norm = float(torch.norm(torch.stack([torch.norm(p.grad) for p in params])))
        opt.step()
        sched.step()
        log.append({"step": step, "loss": float(loss), "lr": lr, "grad_norm": norm})
        if step in spec["save_steps"]:
            write_safetensors(os.path.join(out_dir, "step-%d.safetensors" % step), w)
    with open(os.path.join(out_dir, "log.json"), "w") as f:
        json.dump(log, f)


if __name__ == "__main__":
    main(*sys.argv[1:5])
