"""Independent numpy reference for direct logit attribution with a frozen final-norm scale, written from
TransformerLens' convention (ActivationCache.apply_ln_to_stack, Elhage et al. 2021): for components c_i that
sum to the final residual x,

    LayerNorm:  contribution_i(t) = ((c_i - mean(c_i)) / sqrt(var(x) + eps) * w) . W_U[:, t]   (biased variance)
    RMSNorm:    contribution_i(t) = (c_i / sqrt(mean(x^2) + eps) * w) . W_U[:, t]           (Gemma: w -> 1 + w)
    bias term:  b . W_U[:, t]   (LayerNorm only)

computed in float64 from the checkpoint's final-norm and unembedding weights.

  python3 direct_logit_attribution.py MODEL_DIR INPUT_JSON
  INPUT_JSON: {"components": [[d_model]...], "residual": [d_model], "tokens": [t, ...]}
  prints {"per_component": [[per token]...], "bias": [per token]}
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F16": "<f2"}


def load(model_dir):
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = data[8 + n + b:8 + n + end]
        if e["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=DTYPES[e["dtype"]])
        out[name] = arr.astype(np.float64).reshape(e["shape"])
    return out


def main(model_dir, input_json):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    w = load(model_dir)
    family = cfg["model_type"]
    tied = cfg.get("tie_word_embeddings", True if family == "gpt2" else False)
    if family == "gpt2":
        p = "transformer." if "transformer.wte.weight" in w else ""
        kind, weight, bias, eps = "layer", w[p + "ln_f.weight"], w[p + "ln_f.bias"], cfg.get("layer_norm_epsilon", 1e-5)
        unembed = w[p + "wte.weight"]
    elif family == "gpt_neox":
        kind, eps = "layer", cfg.get("layer_norm_eps", 1e-5)
        weight, bias = w["gpt_neox.final_layer_norm.weight"], w["gpt_neox.final_layer_norm.bias"]
        unembed = w["gpt_neox.embed_in.weight"] if tied else w["embed_out.weight"]
    else:
        kind, weight, bias, eps = "rms", w["model.norm.weight"], None, cfg.get("rms_norm_eps", 1e-6)
        if family in ("gemma", "gemma2"):
            weight = 1.0 + weight
        unembed = w["model.embed_tokens.weight"] if tied or "lm_head.weight" not in w else w["lm_head.weight"]
    with open(input_json) as f:
        inp = json.load(f)
    c = np.array(inp["components"], dtype=np.float64)
    x = np.array(inp["residual"], dtype=np.float64)
    cols = unembed[inp["tokens"]].T  # [d_model, tokens]
    if kind == "layer":
        scale = np.sqrt(np.mean((x - x.mean()) ** 2) + eps)
        c = c - c.mean(axis=1, keepdims=True)
    else:
        scale = np.sqrt(np.mean(x ** 2) + eps)
    per = (c / scale * weight) @ cols
    b = (bias @ cols) if bias is not None else np.zeros(len(inp["tokens"]))
    print(json.dumps({"per_component": per.tolist(), "bias": b.tolist()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
