"""PyTorch baselines for ScaleLab's evaluation benchmark (bench/bench_eval.sh): multiple-choice
scoring by log-likelihood of a Llama checkpoint written by `scalelab model init`, in float32 eager
PyTorch on the same threads, two ways:

  full    every choice scored by its own full forward over context + continuation (batch 1),
          all positions' logits computed, as a plain lm-eval-style loop does;
  prefix  the same prefix reuse as ScaleLab: the context (but its last token) runs once into a KV
          cache, then the example's choices run as one batch continuing it (right-padded: causal
          attention keeps padding after a row's real tokens from reaching them), with only the
          continuation positions unembedded.

The Llama forward (RMSNorm, rotate_half RoPE, grouped-query attention, SwiGLU) is written from the
published architecture with Hugging Face's parameter names; the byte-level tokenizer `model init`
writes maps each UTF-8 byte to its own id, so contexts and choices are encoded here as their bytes.
Prints one JSON line per way: examples per second (best of REPEAT passes after a warm-up) and the
process's peak RSS.

usage: bench_eval.py MODEL_DIR TASK.jsonl REPEAT THREADS [--ways full,prefix] [--mapped] [--warmup N]
  --ways    which loops to run (default both)
  --mapped  weights memory-mapped from model.safetensors (float32 checkpoints) instead of copied into
            memory, as bench/real_size_reference.py maps them: at a real model size both sides then hold
            the file's pages once, and the peak RSS over the file is the loop's own memory
  --warmup  examples run before the timed passes (default 16)
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_forward as ref  # noqa: E402


class Llama:
    def __init__(self, model_dir, mapped=False):
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        if mapped:
            from real_size_reference import mapped_weights
            self.w = mapped_weights(model_dir)
        else:
            self.w = {k: v.to(torch.float32).contiguous() for k, v in ref.load_weights(model_dir).items()}
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.hd = c["hidden_size"] // self.heads
        self.eps = c["rms_norm_eps"]
        self.head = self.w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else self.w["lm_head.weight"]
        inv = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, self.hd, 2, dtype=torch.float32) / self.hd))
        ang = torch.outer(torch.arange(c["max_position_embeddings"], dtype=torch.float32), inv)
        self.cos = torch.cat([ang.cos(), ang.cos()], -1)
        self.sin = torch.cat([ang.sin(), ang.sin()], -1)

    def rms(self, x, name):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w[name]

    def rope(self, x, start):  # x [B, H, T, hd]
        t = x.shape[2]
        cos, sin = self.cos[start:start + t], self.sin[start:start + t]
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def hidden(self, ids, cache=None):
        """ids [B, T]; cache: list of (k, v) per layer or None; returns final-norm hidden [B, T, d] and the new cache."""
        b, t = ids.shape
        start = 0 if cache is None else cache[0][0].shape[2]
        x = self.w["model.embed_tokens.weight"][ids]
        mask = torch.full((t, start + t), float("-inf")).triu(start + 1)
        out_cache = []
        for i in range(self.layers):
            p = "model.layers.%d." % i
            h = self.rms(x, p + "input_layernorm.weight")
            q = (h @ self.w[p + "self_attn.q_proj.weight"].T).view(b, t, self.heads, self.hd).transpose(1, 2)
            k = (h @ self.w[p + "self_attn.k_proj.weight"].T).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
            v = (h @ self.w[p + "self_attn.v_proj.weight"].T).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
            q, k = self.rope(q, start), self.rope(k, start)
            if cache is not None:
                k = torch.cat([cache[i][0], k], 2)
                v = torch.cat([cache[i][1], v], 2)
            out_cache.append((k, v))
            rep = self.heads // self.kv_heads
            kk, vv = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
            att = torch.softmax(q @ kk.transpose(-1, -2) / self.hd ** 0.5 + mask, -1)
            x = x + (att @ vv).transpose(1, 2).reshape(b, t, -1) @ self.w[p + "self_attn.o_proj.weight"].T
            h = self.rms(x, p + "post_attention_layernorm.weight")
            g = torch.nn.functional.silu(h @ self.w[p + "mlp.gate_proj.weight"].T) * (h @ self.w[p + "mlp.up_proj.weight"].T)
            x = x + g @ self.w[p + "mlp.down_proj.weight"].T
        return self.rms(x, "model.norm.weight"), out_cache


def encode(text):
    return list(text.encode("utf-8"))


def full(model, ex):
    ctx = encode(ex["context"])
    scores = []
    for choice in ex["choices"]:
        cont = encode(" " + choice)
        ids = torch.tensor([ctx + cont[:-1]])
        h, _ = model.hidden(ids)
        logp = torch.log_softmax(h[0] @ model.head.T, -1)  # every position's logits, [T, vocab]
        scores.append(sum(float(logp[len(ctx) - 1 + j, tok]) for j, tok in enumerate(cont)))
    return scores


def prefix(model, ex):
    ctx = encode(ex["context"])
    conts = [encode(" " + c) for c in ex["choices"]]
    _, cache = model.hidden(torch.tensor([ctx[:-1]]))
    n = len(conts)
    cache = [(k.expand(n, -1, -1, -1), v.expand(n, -1, -1, -1)) for k, v in cache]
    m = max(len(c) for c in conts)
    rows = [[ctx[-1]] + c[:-1] + [0] * (m - len(c)) for c in conts]
    h, _ = model.hidden(torch.tensor(rows), cache)
    sel_r = torch.tensor([r for r, c in enumerate(conts) for _ in c])
    sel_t = torch.tensor([t for c in conts for t in range(len(c))])
    tgt = torch.tensor([tok for c in conts for tok in c])
    logp = torch.log_softmax(h[sel_r, sel_t] @ model.head.T, -1).gather(1, tgt[:, None])[:, 0]
    scores, at = [], 0
    for c in conts:
        scores.append(float(logp[at:at + len(c)].sum()))
        at += len(c)
    return scores


def main(model_dir, task, repeat, threads, *options):
    ways, mapped, warmup = ["full", "prefix"], False, 16
    rest = list(options)
    while rest:
        o = rest.pop(0)
        if o == "--ways":
            ways = rest.pop(0).split(",")
        elif o == "--mapped":
            mapped = True
        elif o == "--warmup":
            warmup = int(rest.pop(0))
        else:
            sys.exit("unknown option " + o)
    torch.set_num_threads(int(threads))
    model = Llama(model_dir, mapped)
    examples = [json.loads(l) for l in open(task) if l.strip()]
    loops = {"full": ("full forward per choice", full), "prefix": ("prefix reuse (KV cache)", prefix)}
    with torch.no_grad():
        for name, fn in (loops[w] for w in ways):
            for ex in examples[:warmup]:
                fn(model, ex)
            best, check = float("inf"), 0.0
            for _ in range(int(repeat)):
                start = time.perf_counter()
                s = [fn(model, ex) for ex in examples]
                best = min(best, time.perf_counter() - start)
                check = sum(x[0] for x in s)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(json.dumps({"side": "pytorch", "what": name, "examples": len(examples), "seconds": round(best, 4),
                              "examples_per_s": round(len(examples) / best, 4), "peak_rss_mb": rss, "check": round(check, 6)}))
            sys.stdout.flush()


if __name__ == "__main__":
    main(*sys.argv[1:])
