"""Independent PyTorch reference forward pass for ScaleLab's model runtime.

Written from the published architectures, not from ScaleLab's Java code nor from Hugging Face
`transformers` (not installed): GPT-2 (Radford et al. 2019), Llama (Touvron et al. 2023), and the
families built on Llama's layer: Mistral (Jiang et al. 2023, sliding-window attention), Qwen2
(Yang et al. 2024, q/k/v biases), Gemma (Gemma Team 2024: sqrt(d)-scaled embeddings, RMSNorm
times (1 + w), GeGLU), Gemma 2 (Gemma Team 2024b: sandwich norms, soft-capped attention and
logits, alternating local/global attention) and Phi-3 (Abdin et al. 2024, fused qkv_proj and
gate_up_proj), with Hugging Face's parameter names, layouts and config.json keys. Runs in float64
so that it is the "truth" the float32 Java runtime is compared against.

usage: reference_forward.py MODEL_DIR PROMPTS_JSON OUT_DIR [NEW_TOKENS]
  PROMPTS_JSON: [[token ids], ...]
  writes OUT_DIR/p{i}/{name}.npy for logits and every TransformerLens hook (float32, [1, seq, ...];
  attention scores and pattern [1, head, query, key]; q, k, v, z, result [1, seq, head, ...]),
  and OUT_DIR/index.json listing them; with NEW_TOKENS, also OUT_DIR/greedy.json: for each prompt
  the NEW_TOKENS tokens of greedy decoding, recomputing the whole sequence at every step (no cache).
  Environment SCALELAB_REFERENCE_DTYPE=float32 or bfloat16 casts the weights, RoPE tables and
  constants to that dtype and computes in it on the CPU; float16, which torch 1.13 cannot compute
  on the CPU, is emulated: every operation runs in float32 and its result is rounded to float16
  (what libtorch's CPU half kernels do: compute in float, round the output). The default, float64,
  is the exact reference.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

REQUESTED = os.environ.get("SCALELAB_REFERENCE_DTYPE", "float64")
COMPUTE = {"float64": torch.float64, "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float32}[REQUESTED]


class Float16Rounded(torch.Tensor):
    """A float32 tensor whose every operation's floating-point result is rounded to float16."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return to_float16_rounded(super().__torch_function__(func, types, args, kwargs or {}))


def to_float16_rounded(value):
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        with torch._C.DisableTorchFunction():
            return value.half().float().as_subclass(Float16Rounded)
    if isinstance(value, (tuple, list)):
        return type(value)(to_float16_rounded(v) for v in value)
    return value


def compute(t):
    """t (float64 or float32) in the compute dtype: rounded to float16 when that is emulated."""
    t = t.to(COMPUTE)
    return to_float16_rounded(t) if REQUESTED == "float16" else t
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
        out[name] = compute(torch.from_numpy(arr.reshape(e["shape"]).copy()))
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


def causal_attention(q, k, v, hooks, layer, window=None, scale_dim=None, softcap=None):
    """q: [heads, T, hd]; k, v: [heads, T, hd]. softmax(q k^T / sqrt(hd), causal) v.

    window: query t sees key s only if t - s < window (Mistral's sliding window, Jiang et al. 2023
    §2, in transformers' convention: the window counts the query itself). scale_dim replaces hd in
    the 1/sqrt scaling (Gemma 2's query_pre_attn_scalar); softcap: scores -> c * tanh(scores / c).
    """
    t = q.shape[1]
    scores = torch.einsum("htd,hsd->hts", q, k) / math.sqrt(scale_dim or q.shape[-1])
    if softcap:
        scores = softcap * torch.tanh(scores / softcap)
    qi = torch.arange(t)[:, None]
    ki = torch.arange(t)[None, :]
    hidden = ki > qi
    if window:
        hidden = hidden | (qi - ki >= window)
    scores = scores.masked_fill(hidden, float("-inf"))
    hooks["blocks.%d.attn.hook_attn_scores" % layer] = scores  # [heads, query, key], -inf where hidden
    probs = torch.softmax(scores, dim=-1)
    hooks["blocks.%d.attn.hook_pattern" % layer] = probs  # [heads, query, key]
    z = torch.einsum("hts,hsd->htd", probs, v)
    hooks["blocks.%d.attn.hook_z" % layer] = z.transpose(0, 1)  # [T, heads, hd]
    return z


def head_results(z, w_o, hooks, layer):
    """Each head's share of the attention output: z_h @ W_O[h] (W_O as [heads * hd, d_model]), [T, heads, d_model]."""
    heads, _, hd = z.shape
    hooks["blocks.%d.attn.hook_result" % layer] = torch.einsum("htd,hdm->thm", z, w_o.reshape(heads, hd, -1))


def norm_hooks(hooks, name, scale, out):
    """A norm's divisor [T, 1] and output (learned weight and bias applied), TransformerLens' hook_scale / hook_normalized."""
    if name:
        hooks[name + ".hook_scale"] = scale
        hooks[name + ".hook_normalized"] = out
    return out


def gpt2(cfg, w, ids, hooks):
    d, nh = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    p = "transformer." if "transformer.wte.weight" in w else ""
    t = len(ids)

    def ln(x, name, hook=None):
        mu = x.mean(-1, keepdim=True)
        scale = torch.sqrt(((x - mu) ** 2).mean(-1, keepdim=True) + eps)
        return norm_hooks(hooks, hook, scale, (x - mu) / scale * w[name + ".weight"] + w[name + ".bias"])

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
        a = ln(x, b + "ln_1", "blocks.%d.ln1" % i)
        # Conv1D weights are [in, out]: y = x @ W + b
        qkv = a @ w[b + "attn.c_attn.weight"] + w[b + "attn.c_attn.bias"]
        q, k, v = (qkv[:, j * d:(j + 1) * d].reshape(t, nh, d // nh) for j in range(3))
        for name, value in (("q", q), ("k", k), ("v", v)):
            hooks["blocks.%d.attn.hook_%s" % (i, name)] = value  # [T, heads, hd]
        z = causal_attention(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), hooks, i)
        head_results(z, w[b + "attn.c_proj.weight"], hooks, i)
        y = z.transpose(0, 1).reshape(t, d)
        attn = y @ w[b + "attn.c_proj.weight"] + w[b + "attn.c_proj.bias"]
        hooks["blocks.%d.hook_attn_out" % i] = attn
        x = x + attn
        hooks["blocks.%d.hook_resid_mid" % i] = x
        pre = ln(x, b + "ln_2", "blocks.%d.ln2" % i) @ w[b + "mlp.c_fc.weight"] + w[b + "mlp.c_fc.bias"]
        hooks["blocks.%d.mlp.hook_pre" % i] = pre
        m = gelu_new(pre)
        hooks["blocks.%d.mlp.hook_post" % i] = m
        m = m @ w[b + "mlp.c_proj.weight"] + w[b + "mlp.c_proj.bias"]
        hooks["blocks.%d.hook_mlp_out" % i] = m
        x = x + m
        hooks["blocks.%d.hook_resid_post" % i] = x
    x = ln(x, p + "ln_f", "ln_final")
    return x @ w[p + "wte.weight"].T


def gelu_tanh(x):
    """GELU with the tanh approximation (Hendrycks & Gimpel 2016)."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_exact(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def layer_window(cfg, family, i):
    """The sliding window of layer i, or None for full causal attention."""
    if family in ("mistral", "phi3"):
        return cfg.get("sliding_window")
    if family == "qwen2":
        # Qwen2: the window (when enabled) applies from layer max_window_layers on.
        if cfg.get("use_sliding_window") and i >= cfg.get("max_window_layers", cfg["num_hidden_layers"]):
            return cfg["sliding_window"]
        return None
    if family == "gemma2":
        # Gemma 2 interleaves local (sliding) and global attention, starting with a local layer.
        return cfg.get("sliding_window", 4096) if i % 2 == 0 else None
    return None


def llama(cfg, w, ids, hooks):
    """Llama and the Llama-layer families, chosen by cfg["model_type"]."""
    family = cfg["model_type"]
    gemma = family in ("gemma", "gemma2")
    d = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    hd = cfg.get("head_dim", 256 if gemma else d // nh)
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    t = len(ids)
    dmlp = cfg["intermediate_size"]

    def rms(x, name, hook=None):
        scale = torch.sqrt((x * x).mean(-1, keepdim=True) + eps)
        n = x / scale
        # Gemma stores the norm scale as an offset from 1.
        return norm_hooks(hooks, hook, scale, n * (1.0 + w[name]) if gemma else n * w[name])

    if gemma:
        act_name = cfg.get("hidden_activation") or ("gelu_pytorch_tanh" if family == "gemma" else cfg.get("hidden_act"))
        act = gelu_exact if act_name == "gelu" else gelu_tanh
    else:
        assert cfg.get("hidden_act", "silu") == "silu"
        act = lambda g: g * torch.sigmoid(g)

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
    cos, sin = compute(torch.cos(ang)), compute(torch.sin(ang))

    def rope(x):  # [heads, T, hd]
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)

    x = w["model.embed_tokens.weight"][ids]
    if gemma:
        # Gemma scales embeddings by sqrt(d_model), the constant rounded to the model's dtype.
        dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[cfg.get("torch_dtype", "float32")]
        x = x * compute(torch.tensor(math.sqrt(d), dtype=dtype))
    hooks["hook_embed"] = x
    for i in range(cfg["num_hidden_layers"]):
        b = "model.layers.%d." % i
        hooks["blocks.%d.hook_resid_pre" % i] = x
        a = rms(x, b + "input_layernorm.weight", "blocks.%d.ln1" % i)
        # nn.Linear weights are [out, in]: y = x @ W^T
        if family == "phi3":
            qkv = a @ w[b + "self_attn.qkv_proj.weight"].T  # [T, (nh + 2 nkv) hd]: q, then k, then v
            q, k, v = qkv[:, :nh * hd], qkv[:, nh * hd:(nh + nkv) * hd], qkv[:, (nh + nkv) * hd:]
        else:
            q = a @ w[b + "self_attn.q_proj.weight"].T
            k = a @ w[b + "self_attn.k_proj.weight"].T
            v = a @ w[b + "self_attn.v_proj.weight"].T
        if family == "qwen2":
            q = q + w[b + "self_attn.q_proj.bias"]
            k = k + w[b + "self_attn.k_proj.bias"]
            v = v + w[b + "self_attn.v_proj.bias"]
        q = q.reshape(t, nh, hd)
        k = k.reshape(t, nkv, hd)  # grouped-query attention: the nkv key/value heads, before sharing
        v = v.reshape(t, nkv, hd)
        for name, value in (("q", q), ("k", k), ("v", v)):
            hooks["blocks.%d.attn.hook_%s" % (i, name)] = value  # [T, heads, hd], before RoPE
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        q, k = rope(q), rope(k)
        hooks["blocks.%d.attn.hook_rot_q" % i] = q.transpose(0, 1)
        hooks["blocks.%d.attn.hook_rot_k" % i] = k.transpose(0, 1)
        k = torch.repeat_interleave(k, nh // nkv, dim=0)
        v = torch.repeat_interleave(v, nh // nkv, dim=0)
        if family == "gemma2":
            y = causal_attention(q, k, v, hooks, i, layer_window(cfg, family, i), cfg.get("query_pre_attn_scalar", 256),
                                 cfg.get("attn_logit_softcapping", 50.0))
        else:
            y = causal_attention(q, k, v, hooks, i, layer_window(cfg, family, i))
        head_results(y, w[b + "self_attn.o_proj.weight"].T, hooks, i)
        attn = y.transpose(0, 1).reshape(t, nh * hd) @ w[b + "self_attn.o_proj.weight"].T
        if family == "gemma2":
            attn = rms(attn, b + "post_attention_layernorm.weight", "blocks.%d.ln1_post" % i)
        hooks["blocks.%d.hook_attn_out" % i] = attn
        x = x + attn
        hooks["blocks.%d.hook_resid_mid" % i] = x
        m = rms(x, b + ("pre_feedforward_layernorm.weight" if family == "gemma2" else "post_attention_layernorm.weight"), "blocks.%d.ln2" % i)
        if family == "phi3":
            gu = m @ w[b + "mlp.gate_up_proj.weight"].T  # [T, 2 dmlp]: gate, then up
            g, u = gu[:, :dmlp], gu[:, dmlp:]
        else:
            g = m @ w[b + "mlp.gate_proj.weight"].T
            u = m @ w[b + "mlp.up_proj.weight"].T
        hooks["blocks.%d.mlp.hook_pre" % i] = g  # the gate, which the activation reads
        hooks["blocks.%d.mlp.hook_pre_linear" % i] = u
        m = act(g) * u
        hooks["blocks.%d.mlp.hook_post" % i] = m
        m = m @ w[b + "mlp.down_proj.weight"].T
        if family == "gemma2":
            m = rms(m, b + "post_feedforward_layernorm.weight", "blocks.%d.ln2_post" % i)
        hooks["blocks.%d.hook_mlp_out" % i] = m
        x = x + m
        hooks["blocks.%d.hook_resid_post" % i] = x
    x = rms(x, "model.norm.weight", "ln_final")
    tied = cfg.get("tie_word_embeddings", gemma)
    head = w["model.embed_tokens.weight"] if tied else w["lm_head.weight"]
    logits = x @ head.T
    cap = cfg.get("final_logit_softcapping", 30.0) if family == "gemma2" else None
    if cap:
        logits = cap * torch.tanh(logits / cap)
    return logits


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
    forward = gpt2 if cfg["model_type"] == "gpt2" else llama
    index = []
    for i, ids in enumerate(prompts):
        hooks = {}
        with torch.no_grad():
            logits = forward(cfg, w, torch.tensor(ids, dtype=torch.long), hooks)
        hooks["logits"] = logits
        d = os.path.join(out_dir, "p%d" % i)
        os.makedirs(d, exist_ok=True)
        for name, value in hooks.items():
            np.save(os.path.join(d, name + ".npy"), value.unsqueeze(0).float().numpy())
        index.append(sorted(hooks))
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f)
    if new_tokens is not None:
        with open(os.path.join(out_dir, "greedy.json"), "w") as f:
            json.dump([greedy(cfg, w, forward, ids, int(new_tokens)) for ids in prompts], f)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(*sys.argv[1:5])
