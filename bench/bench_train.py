"""PyTorch eager side of bench/bench_train.sh: the same 4-layer d=512 model as ScaleLab's
TrainBench (gpt2: learned positions, GELU-tanh; gpt_neox: GPT-2's block with exact GELU and
RoPE), written with plain torch ops (no torch.compile, no fused attention: torch 1.13 has none),
timed the same way: forward tokens/s at batch 1 and 32 (seq 128, torch.no_grad), and training
steps/s (batch 32 x 128, cross-entropy on every next token, backward, clip_grad_norm_(1.0),
AdamW with weight decay on matrices, zero_grad). Prints one JSON object per measurement.

usage: bench_train.py FAMILY VOCAB REPEAT THREADS [all|forward|train]
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, heads, rope):
        super().__init__()
        self.heads, self.rope = heads, rope
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
        self.up, self.down = torch.nn.Linear(d, 4 * d), torch.nn.Linear(4 * d, d)

    def attn(self, x, cos, sin, mask):
        b, t, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, hd).transpose(1, 2) for z in (q, k, v))
        if self.rope:
            def rot(z):
                z1, z2 = z[..., :hd // 2], z[..., hd // 2:]
                return z * cos + torch.cat([-z2, z1], dim=-1) * sin
            q, k = rot(q), rot(k)
        s = q @ k.transpose(-1, -2) / math.sqrt(hd) + mask
        y = torch.softmax(s, dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, cos, sin, mask):
        x = x + self.attn(self.ln1(x), cos, sin, mask)
        # gpt_neox: exact GELU (GPT-NeoX's default, ModelConfig.gptNeoX); gpt2: the tanh approximation
        return x + self.down(F.gelu(self.up(self.ln2(x)), approximate="none" if self.rope else "tanh"))


class Model(torch.nn.Module):
    def __init__(self, vocab, d, layers, heads, rope, positions=1024):
        super().__init__()
        self.rope, self.d, self.heads = rope, d, heads
        self.wte = torch.nn.Embedding(vocab, d)
        self.wpe = None if rope else torch.nn.Embedding(positions, d)
        self.blocks = torch.nn.ModuleList(Block(d, heads, rope) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(d)

    def forward(self, ids):
        b, t = ids.shape
        x = self.wte(ids)
        cos = sin = None
        if self.rope:
            hd = self.d // self.heads
            inv = 1.0 / (10000 ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
            ang = torch.arange(t, dtype=torch.float32)[:, None] * inv[None, :]
            ang = torch.cat([ang, ang], dim=-1)
            cos, sin = ang.cos(), ang.sin()
        else:
            x = x + self.wpe(torch.arange(t))
        mask = torch.full((t, t), float("-inf")).triu(1)
        for blk in self.blocks:
            x = blk(x, cos, sin, mask)
        return self.ln_f(x) @ self.wte.weight.T  # tied unembedding


def best_of(repeat, rounds, fn):
    """The fastest of repeat x rounds single calls after rounds // 2 warmup calls (as TrainBench)."""
    for _ in range(max(1, rounds // 2)):
        fn()
    best = float("inf")
    for _ in range(repeat * rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(family, vocab, repeat, threads, only="all"):
    torch.set_num_threads(int(threads))
    torch.manual_seed(1)
    vocab, repeat = int(vocab), int(repeat)
    seq = 128
    model = Model(vocab, 512, 4, 8, rope=(family == "gpt_neox"))
    print(json.dumps({"side": "pytorch", "what": "setup", "torch": torch.__version__, "torch_threads": torch.get_num_threads()}))
    for batch in ((1, 32) if only != "train" else ()):
        ids = torch.randint(0, vocab, (batch, seq))
        rounds = 20 if batch == 1 else 3

        def fwd():
            with torch.no_grad():
                model(ids)
        s = best_of(repeat, rounds, fwd)
        print(json.dumps({"side": "pytorch", "what": "forward", "batch": batch, "seq": seq, "tokens_per_s": batch * seq / s, "seconds": s}))
    if only == "forward":
        return
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=1e-4)
    ids = torch.randint(0, vocab, (32, seq))

    def step():
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        return float(loss)
    s = best_of(repeat, 3, step)
    print(json.dumps({"side": "pytorch", "what": "train_step", "batch": 32, "seq": seq, "steps_per_s": 1 / s, "seconds": s}))


if __name__ == "__main__":
    main(*sys.argv[1:6])
