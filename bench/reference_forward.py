"""Independent PyTorch reference forward pass for ScaleLab's model runtime.

Written from the published architectures, not from ScaleLab's Java code nor from Hugging Face
`transformers` (not installed): GPT-2 (Radford et al. 2019) and Llama (Touvron et al. 2023) with
Hugging Face's parameter names and layouts. Runs in float64 so that it is the "truth" the float32
Java runtime is compared against.

usage: reference_forward.py MODEL_DIR PROMPTS_JSON OUT_DIR [NEW_TOKENS]
  PROMPTS_JSON: [[token ids], ...]
  writes OUT_DIR/p{i}/{name}.npy for logits and every TransformerLens hook (float32, [1, seq, ...]),
  and OUT_DIR/index.json listing them; with NEW_TOKENS, also OUT_DIR/greedy.json: for each prompt
  the NEW_TOKENS tokens of greedy decoding, recomputing the whole sequence at every step (no cache).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2")}


def load_safetensors(path):
    """Reads a .safetensors file by hand (8-byte LE header length, JSON header, data)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = body[b:end]
        if e["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=DTYPES[e["dtype"]]).astype(np.float32)
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy()).double()
    return out


def load_weights(model_dir):
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        w = {}
        for s in shards:
            w.update(load_safetensors(os.path.join(model_dir, s)))
        return w
    return load_safetensors(os.path.join(model_dir, "model.safetensors"))


def causal_attention(q, k, v, hooks, layer):
    """q: [heads, T, hd]; k, v: [heads, T, hd]. softmax(q k^T / sqrt(hd), causal) v."""
    t = q.shape[1]
    scores = torch.einsum("htd,hsd->hts", q, k) / math.sqrt(q.shape[-1])
    future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    scores = scores.masked_fill(future, float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    hooks["blocks.%d.attn.hook_pattern" % layer] = probs  # [heads, query, key]
    return torch.einsum("hts,hsd->htd", probs, v)


def gpt2(cfg, w, ids, hooks):
    d, nh = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    p = "transformer." if "transformer.wte.weight" in w else ""
    t = len(ids)

    def ln(x, name):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]

    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))

    tok = w[p + "wte.weight"][ids]
    pos = w[p + "wpe.weight"][:t]
    hooks["hook_embed"] = tok
    hooks["hook_pos_embed"] = pos
    x = tok + pos
    for i in range(cfg["n_layer"]):
        b = p + "h.%d." % i
        hooks["blocks.%d.hook_resid_pre" % i] = x
        a = ln(x, b + "ln_1")
        # Conv1D weights are [in, out]: y = x @ W + b
        qkv = a @ w[b + "attn.c_attn.weight"] + w[b + "attn.c_attn.bias"]
        q, k, v = (qkv[:, j * d:(j + 1) * d].reshape(t, nh, d // nh).transpose(0, 1) for j in range(3))
        y = causal_attention(q, k, v, hooks, i).transpose(0, 1).reshape(t, d)
        attn = y @ w[b + "attn.c_proj.weight"] + w[b + "attn.c_proj.bias"]
        hooks["blocks.%d.hook_attn_out" % i] = attn
        x = x + attn
        hooks["blocks.%d.hook_resid_mid" % i] = x
        m = gelu_new(ln(x, b + "ln_2") @ w[b + "mlp.c_fc.weight"] + w[b + "mlp.c_fc.bias"])
        m = m @ w[b + "mlp.c_proj.weight"] + w[b + "mlp.c_proj.bias"]
        hooks["blocks.%d.hook_mlp_out" % i] = m
        x = x + m
        hooks["blocks.%d.hook_resid_post" % i] = x
    x = ln(x, p + "ln_f")
    hooks["ln_final.hook_normalized"] = x
    return x @ w[p + "wte.weight"].T


def llama(cfg, w, ids, hooks):
    d = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    hd = cfg.get("head_dim", d // nh)
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    t = len(ids)

    def rms(x, name):
        return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w[name]

    # RoPE, HF convention: dimension i pairs with i + hd/2, angle pos * theta^(-2i/hd)
    half = hd // 2
    freq = theta ** (-torch.arange(half, dtype=torch.float64) * 2.0 / hd)
    scaling = cfg.get("rope_scaling")
    if scaling:
        # Llama 3.1 (Meta's apply_scaling): long wavelengths slowed down by `factor`, short ones
        # kept, a linear blend in (original context / wavelength) between the two thresholds.
        assert scaling.get("rope_type", scaling.get("type")) == "llama3"
        old = scaling["original_max_position_embeddings"]
        lo, hi, factor = scaling["low_freq_factor"], scaling["high_freq_factor"], scaling["factor"]
        scaled = []
        for f in freq.tolist():
            wavelen = 2 * math.pi / f
            if wavelen < old / hi:
                scaled.append(f)
            elif wavelen > old / lo:
                scaled.append(f / factor)
            else:
                s = (old / wavelen - lo) / (hi - lo)
                scaled.append((1 - s) * f / factor + s * f)
        freq = torch.tensor(scaled, dtype=torch.float64)
    ang = torch.arange(t, dtype=torch.float64)[:, None] * freq[None, :]  # [T, half]
    cos, sin = torch.cos(ang), torch.sin(ang)

    def rope(x):  # [heads, T, hd]
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)

    x = w["model.embed_tokens.weight"][ids]
    hooks["hook_embed"] = x
    for i in range(cfg["num_hidden_layers"]):
        b = "model.layers.%d." % i
        hooks["blocks.%d.hook_resid_pre" % i] = x
        a = rms(x, b + "input_layernorm.weight")
        # nn.Linear weights are [out, in]: y = x @ W^T
        q = (a @ w[b + "self_attn.q_proj.weight"].T).reshape(t, nh, hd).transpose(0, 1)
        k = (a @ w[b + "self_attn.k_proj.weight"].T).reshape(t, nkv, hd).transpose(0, 1)
        v = (a @ w[b + "self_attn.v_proj.weight"].T).reshape(t, nkv, hd).transpose(0, 1)
        q, k = rope(q), rope(k)
        k = torch.repeat_interleave(k, nh // nkv, dim=0)
        v = torch.repeat_interleave(v, nh // nkv, dim=0)
        y = causal_attention(q, k, v, hooks, i).transpose(0, 1).reshape(t, nh * hd)
        attn = y @ w[b + "self_attn.o_proj.weight"].T
        hooks["blocks.%d.hook_attn_out" % i] = attn
        x = x + attn
        hooks["blocks.%d.hook_resid_mid" % i] = x
        m = rms(x, b + "post_attention_layernorm.weight")
        g = m @ w[b + "mlp.gate_proj.weight"].T
        m = (g * torch.sigmoid(g) * (m @ w[b + "mlp.up_proj.weight"].T)) @ w[b + "mlp.down_proj.weight"].T
        hooks["blocks.%d.hook_mlp_out" % i] = m
        x = x + m
        hooks["blocks.%d.hook_resid_post" % i] = x
    x = rms(x, "model.norm.weight")
    hooks["ln_final.hook_normalized"] = x
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def greedy(cfg, w, forward, ids, n):
    ids = list(ids)
    out = []
    for _ in range(n):
        with torch.no_grad():
            logits = forward(cfg, w, torch.tensor(ids, dtype=torch.long), {})
        token = int(torch.argmax(logits[-1]))  # first maximum on ties
        out.append(token)
        ids.append(token)
    return out


def main(model_dir, prompts_json, out_dir, new_tokens=None):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    w = load_weights(model_dir)
    with open(prompts_json) as f:
        prompts = json.load(f)
    forward = {"gpt2": gpt2, "llama": llama}[cfg["model_type"]]
    index = []
    for i, ids in enumerate(prompts):
        hooks = {}
        with torch.no_grad():
            logits = forward(cfg, w, torch.tensor(ids, dtype=torch.long), hooks)
        hooks["logits"] = logits
        d = os.path.join(out_dir, "p%d" % i)
        os.makedirs(d, exist_ok=True)
        for name, value in hooks.items():
            np.save(os.path.join(d, name + ".npy"), value.unsqueeze(0).numpy().astype(np.float32))
        index.append(sorted(hooks))
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f)
    if new_tokens is not None:
        with open(os.path.join(out_dir, "greedy.json"), "w") as f:
            json.dump([greedy(cfg, w, forward, ids, int(new_tokens)) for ids in prompts], f)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(*sys.argv[1:5])
