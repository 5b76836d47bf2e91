"""Independent PyTorch reference forward pass for the GPT-NeoX family (sequential residual,
full rotary), the GPT-2-like pre-LN block with RoPE that ScaleLab trains for the controlled world.

Written from the published architecture (Black et al. 2022, GPT-NeoX-20B, §2.1; rotary
embeddings: Su et al. 2021, in Hugging Face's rotate_half layout) and Hugging Face's parameter
names, not from ScaleLab's Java code; float64. Same interface and outputs as
reference_forward.py, whose safetensors reader, attention and greedy loop it reuses.

usage: reference_neox.py MODEL_DIR PROMPTS_JSON OUT_DIR [NEW_TOKENS]
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_forward as ref  # noqa: E402


def gpt_neox(cfg, w, ids, hooks):
    assert cfg.get("use_parallel_residual") is False and cfg.get("rotary_pct", 0.25) == 1.0
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // nh
    eps = cfg.get("layer_norm_eps", 1e-5)
    theta = cfg.get("rope_theta", cfg.get("rotary_emb_base", 10000.0))
    act = cfg.get("hidden_act", "gelu")
    t = len(ids)

    def ln(x, name, hook=None):
        mu = x.mean(-1, keepdim=True)
        scale = torch.sqrt(((x - mu) ** 2).mean(-1, keepdim=True) + eps)
        return ref.norm_hooks(hooks, hook, scale, (x - mu) / scale * w[name + ".weight"] + w[name + ".bias"])

    def gelu(x):
        if act == "gelu":
            return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))

    half = hd // 2
    freq = theta ** (-torch.arange(half, dtype=torch.float64) * 2.0 / hd)
    ang = torch.arange(t, dtype=torch.float64)[:, None] * freq[None, :]
    dtype = w["gpt_neox.embed_in.weight"].dtype  # float64 here; float32 when train_reference.py trains it
    cos, sin = torch.cos(ang).to(dtype), torch.sin(ang).to(dtype)

    def rope(x):  # [heads, T, hd]: dimension i rotates with i + hd/2
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)

    def linear(x, name):  # nn.Linear: [out, in]
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    x = w["gpt_neox.embed_in.weight"][ids]
    hooks["hook_embed"] = x
    for i in range(cfg["num_hidden_layers"]):
        b = "gpt_neox.layers.%d." % i
        hooks["blocks.%d.hook_resid_pre" % i] = x
        qkv = linear(ln(x, b + "input_layernorm", "blocks.%d.ln1" % i), b + "attention.query_key_value")  # [T, 3d]
        qkv = qkv.reshape(t, nh, 3 * hd)  # [T, heads, 3·hd]: per head q | k | v
        q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
        for name, value in (("q", q), ("k", k), ("v", v)):
            hooks["blocks.%d.attn.hook_%s" % (i, name)] = value  # [T, heads, hd], before RoPE
        q, k, v = rope(q.transpose(0, 1)), rope(k.transpose(0, 1)), v.transpose(0, 1)
        hooks["blocks.%d.attn.hook_rot_q" % i] = q.transpose(0, 1)
        hooks["blocks.%d.attn.hook_rot_k" % i] = k.transpose(0, 1)
        z = ref.causal_attention(q, k, v, hooks, i)
        ref.head_results(z, w[b + "attention.dense.weight"].T, hooks, i)
        y = z.transpose(0, 1).reshape(t, d)
        attn = linear(y, b + "attention.dense")
        hooks["blocks.%d.hook_attn_out" % i] = attn
        x = x + attn
        hooks["blocks.%d.hook_resid_mid" % i] = x
        pre = linear(ln(x, b + "post_attention_layernorm", "blocks.%d.ln2" % i), b + "mlp.dense_h_to_4h")
        hooks["blocks.%d.mlp.hook_pre" % i] = pre
        hooks["blocks.%d.mlp.hook_post" % i] = gelu(pre)
        m = linear(gelu(pre), b + "mlp.dense_4h_to_h")
        hooks["blocks.%d.hook_mlp_out" % i] = m
        x = x + m
        hooks["blocks.%d.hook_resid_post" % i] = x
    x = ln(x, "gpt_neox.final_layer_norm", "ln_final")
    head = w["gpt_neox.embed_in.weight"] if cfg.get("tie_word_embeddings", False) else w["embed_out.weight"]
    return x @ head.T


def main(model_dir, prompts_json, out_dir, new_tokens=None):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    w = ref.load_weights(model_dir)
    with open(prompts_json) as f:
        prompts = json.load(f)
    for i, ids in enumerate(prompts):
        hooks = {}
        with torch.no_grad():
            hooks["logits"] = gpt_neox(cfg, w, torch.tensor(ids, dtype=torch.long), hooks)
        d = os.path.join(out_dir, "p%d" % i)
        os.makedirs(d, exist_ok=True)
        for name, value in hooks.items():
            np.save(os.path.join(d, name + ".npy"), value.unsqueeze(0).numpy().astype(np.float32))
    if new_tokens is not None:
        with open(os.path.join(out_dir, "greedy.json"), "w") as f:
            json.dump([ref.greedy(cfg, w, gpt_neox, ids, int(new_tokens)) for ids in prompts], f)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(*sys.argv[1:5])
