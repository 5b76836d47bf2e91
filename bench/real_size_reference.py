"""PyTorch side of bench_real_size.sh: a plain Llama forward pass at a real model size, the
baseline ScaleLab's capture and generate are timed against.

Written from the architecture (Touvron et al. 2023, sec. 2.2: pre-norm RMSNorm, SwiGLU MLP, rotary
positions; grouped-query attention, Ainslie et al. 2023), float32, under torch.inference_mode, with
the weights memory-mapped from model.safetensors (numpy reads the format by hand: 8-byte
little-endian header length, JSON header, data), as ScaleLab maps them. No hooks: the one
activation a capture keeps is copied out to numpy, so both sides do that copy.

  capture MODEL_DIR BATCH PROMPTS TOKENS LAYER    every prompt's residual stream after LAYER
  generate MODEL_DIR PROMPTS PROMPT_TOKENS NEW    greedy, one prompt at a time, with a KV cache

Token ids are drawn with a fixed seed below 256 (ScaleLab's byte-level tokenizer maps each byte to
one id there); the cost of a pass does not depend on which ids. Prints one JSON line of timings.
"""
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def mapped_weights(model_dir):
    """Tensors over a copy-on-write memory map of model.safetensors: pages are read on first use."""
    path = os.path.join(model_dir, "model.safetensors")
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="c", offset=8 + n)
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", name + ": this benchmark reads float32 checkpoints"
        b, end = e["data_offsets"]
        out[name] = torch.from_numpy(data[b:end].view("<f4").reshape(e["shape"]))
    return out


class Llama:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.cfg = cfg = json.load(f)
        self.w = mapped_weights(model_dir)
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads", self.heads)
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        theta = cfg.get("rope_theta", 10000.0)
        assert not cfg.get("rope_scaling"), "this benchmark implements plain RoPE"
        self.inv_freq = 1.0 / theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim)
        self.unembed = self.w.get("lm_head.weight", self.w["model.embed_tokens.weight"])

    def rms(self, x, name):
        # RMSNorm (Zhang & Sennrich 2019, eq. 4): x / sqrt(mean(x^2) + eps) * w
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w[name]

    def rope(self, x, cos, sin):  # x: [batch, heads, T, hd]; rotate_half convention (Su et al. 2021, as HF's Llama)
        half = x.shape[-1] // 2
        rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
        return x * cos + rotated * sin

    def forward(self, ids, cache=None, keep_layer=None, want_logits=True):
        """ids [batch, T] at positions offset … offset + T − 1 (offset = cached positions)."""
        batch, t = ids.shape
        offset = 0 if cache is None or cache[0] is None else cache[0][0].shape[2]
        pos = torch.arange(offset, offset + t, dtype=torch.float32)
        angles = torch.outer(pos, self.inv_freq)
        emb = torch.cat((angles, angles), dim=-1)
        cos, sin = emb.cos(), emb.sin()  # [T, hd]
        keys = offset + t
        mask = torch.full((t, keys), float("-inf")).triu(offset + 1)  # query i sees keys <= offset + i
        x = self.w["model.embed_tokens.weight"][ids]  # [batch, T, d]
        kept = None
        rep = self.heads // self.kv_heads
        for i in range(self.layers):
            p = "model.layers.%d." % i
            a = self.rms(x, p + "input_layernorm.weight")
            q = F.linear(a, self.w[p + "self_attn.q_proj.weight"]).view(batch, t, self.heads, self.head_dim).transpose(1, 2)
            k = F.linear(a, self.w[p + "self_attn.k_proj.weight"]).view(batch, t, self.kv_heads, self.head_dim).transpose(1, 2)
            v = F.linear(a, self.w[p + "self_attn.v_proj.weight"]).view(batch, t, self.kv_heads, self.head_dim).transpose(1, 2)
            q, k = self.rope(q, cos, sin), self.rope(k, cos, sin)
            if cache is not None:
                if cache[i] is not None:
                    k = torch.cat((cache[i][0], k), dim=2)
                    v = torch.cat((cache[i][1], v), dim=2)
                cache[i] = (k, v)
            k = k.repeat_interleave(rep, dim=1)  # kv head j serves query heads j*rep … j*rep + rep − 1
            v = v.repeat_interleave(rep, dim=1)
            scores = q @ k.transpose(2, 3) / math.sqrt(self.head_dim) + mask  # [batch, heads, T, keys]
            z = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, t, self.heads * self.head_dim)
            x = x + F.linear(z, self.w[p + "self_attn.o_proj.weight"])
            m = self.rms(x, p + "post_attention_layernorm.weight")
            gate = F.linear(m, self.w[p + "mlp.gate_proj.weight"])
            up = F.linear(m, self.w[p + "mlp.up_proj.weight"])
            x = x + F.linear(F.silu(gate) * up, self.w[p + "mlp.down_proj.weight"])  # SwiGLU (Shazeer 2020, eq. 6)
            if i == keep_layer:
                kept = x.numpy().copy()  # the captured activation, copied out as a capture does
        if not want_logits:
            return None, kept
        last = self.rms(x[:, -1:, :], "model.norm.weight")
        return F.linear(last, self.unembed), kept  # [batch, 1, vocab]: the next token's logits only


def main():
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    mode, model_dir = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    model = Llama(model_dir)
    with torch.inference_mode():
        if mode == "capture":
            batch, prompts, tokens, layer = (int(a) for a in sys.argv[3:7])
            ids = torch.from_numpy(rng.integers(0, 256, size=(prompts, tokens)))
            rows = 0
            t1 = time.perf_counter()
            for s in range(0, prompts, batch):
                _, kept = model.forward(ids[s:s + batch], keep_layer=layer, want_logits=False)
                rows += kept.shape[0] * kept.shape[1]
            t2 = time.perf_counter()
            print(json.dumps({"mode": mode, "batch": batch, "rows": rows, "forward_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2)}))
        else:
            prompts, prompt_tokens, new = (int(a) for a in sys.argv[3:6])
            ids = rng.integers(0, 256, size=(prompts, prompt_tokens))
            generated = 0
            t1 = time.perf_counter()
            for p in range(prompts):
                cache = [None] * model.layers
                logits, _ = model.forward(torch.from_numpy(ids[p:p + 1]), cache=cache)
                for n in range(new):
                    nxt = logits[:, -1].argmax(-1, keepdim=True)  # greedy
                    generated += 1
                    if n < new - 1:  # the last token is not fed back
                        logits, _ = model.forward(nxt, cache=cache)
            t2 = time.perf_counter()
            print(json.dumps({"mode": mode, "tokens": generated, "generate_s": round(t2 - t1, 2),
                              "tokens_per_s": round(generated / (t2 - t1), 2), "total_s": round(t2 - t0, 2)}))


if __name__ == "__main__":
    main()
