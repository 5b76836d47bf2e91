"""PyTorch reference loop for `scalelab world bench`: the same GPT-2-like pre-LN model with rotary
positions (GPT-NeoX layout with a sequential residual and full rotary, as ScaleLab's gpt_neox
family: LayerNorm with biases, 4x exact-GELU MLP, tied unembedding; Black et al. 2022, Su et al.
2021), the same training examples (the world's "train" split, loss on the target tokens only,
batches right-padded to their longest example), AdamW (weight decay 0.1 on matrices only,
lr 1e-3 constant) with gradient clipping at norm 1, in float32 eager mode. Written from the
published architecture, not from ScaleLab's Java code.

usage: world_train_bench.py WORLD_DIR --widths 64,128 --depth 2 --heads 4 --batch 64 --steps 50 --warmup 5 --threads 1
prints one JSON object per width: {"width", "depth", "parameters", "threads", "steps", "seconds", "steps_per_second"}
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, cos, sin, mask):
        b, t, d = x.shape
        qkv = self.qkv(self.ln1(x)).view(b, t, self.heads, 3 * self.hd).transpose(1, 2)  # [b, h, t, 3·hd]
        q, k, v = qkv.split(self.hd, dim=-1)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask  # [b, h, t, t]
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x))))  # exact GELU, GPT-NeoX's default


def rope(x, cos, sin):  # rotate_half layout: dimension i pairs with i + hd/2
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Model(nn.Module):
    def __init__(self, vocab, d, layers, heads):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.hd = d // heads
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids):
        t = ids.shape[1]
        half = self.hd // 2
        freq = 10000.0 ** (-torch.arange(half, dtype=torch.float32) * 2.0 / self.hd)
        ang = torch.arange(t, dtype=torch.float32)[:, None] * freq[None, :]
        cos, sin = torch.cos(ang), torch.sin(ang)
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed(ids)
        for b in self.blocks:
            x = b(x, cos, sin, mask)
        return self.ln(x) @ self.embed.weight.T  # tied unembedding


def examples(world_dir):
    with open(os.path.join(world_dir, "vocab.json")) as f:
        ids = {tok: i for i, tok in enumerate(json.load(f)["tokens"])}
    out = []
    with open(os.path.join(world_dir, "world.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e["split"] != "train":
                continue
            prompt = [ids[w] for w in e["text"].split()]
            target = [ids[w] for w in e["target"].split()]
            out.append((prompt + target, len(prompt)))
    return out, len(ids)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("world")
    p.add_argument("--widths", default="64,128,256,512")
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    data, vocab = examples(a.world)
    rng = random.Random(0)
    for width in [int(w) for w in a.widths.split(",")]:
        torch.manual_seed(0)
        model = Model(vocab, width, a.depth, a.heads)
        decay = [q for q in model.parameters() if q.dim() >= 2]
        rest = [q for q in model.parameters() if q.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=1e-3)

        def step():
            batch = [data[rng.randrange(len(data))] for _ in range(a.batch)]
            longest = max(len(s) for s, _ in batch)
            ids = torch.zeros(len(batch), longest, dtype=torch.long)
            target = torch.full((len(batch), longest), -100, dtype=torch.long)
            for i, (s, plen) in enumerate(batch):
                ids[i, :len(s)] = torch.tensor(s)
                target[i, plen - 1:len(s) - 1] = torch.tensor(s[plen:])  # position j-1 predicts token j
            logits = model(ids)
            loss = F.cross_entropy(logits.reshape(-1, vocab), target.reshape(-1), ignore_index=-100)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

        for _ in range(a.warmup):
            step()
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        s = time.perf_counter() - t0
        print(json.dumps({"width": width, "depth": a.depth, "parameters": sum(q.numel() for q in model.parameters()),
                          "threads": a.threads, "steps": a.steps, "seconds": s, "steps_per_second": a.steps / s}), flush=True)


if __name__ == "__main__":
    main()
