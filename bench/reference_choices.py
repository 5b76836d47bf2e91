"""Independent PyTorch reference for multiple-choice log-likelihoods: each choice's summed
log-probability of its continuation tokens given the context, from one plain float64 forward pass
over context + continuation (no KV cache, no batching, no padding), the definition that ScaleLab's
batched, cache-sharing scorer must reproduce.

    score(choice) = sum_t log softmax(logits[len(context) - 1 + t])[continuation[t]]

as lm-evaluation-harness computes a loglikelihood request from its tokens. The forward passes are
reference_forward.py's (GPT-2, Llama-like families) and reference_neox.py's (GPT-NeoX).

usage: reference_choices.py MODEL_DIR EXAMPLES_JSON OUT_JSON
  EXAMPLES_JSON: [{"context": [ids], "continuations": [[ids], ...]}, ...]
  OUT_JSON: [[summed log-prob per choice], ...] (float64)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_forward as ref  # noqa: E402
import reference_neox as neox  # noqa: E402


def main(model_dir, examples_json, out_json):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    w = ref.load_weights(model_dir)
    forward = {"gpt2": ref.gpt2, "gpt_neox": neox.gpt_neox}.get(cfg["model_type"], ref.llama)
    with open(examples_json) as f:
        examples = json.load(f)
    out = []
    for ex in examples:
        context = ex["context"]
        scores = []
        for cont in ex["continuations"]:
            ids = torch.tensor(context + cont, dtype=torch.long)
            with torch.no_grad():
                logits = forward(cfg, w, ids, {}).to(torch.float64)  # [seq, vocab]
            logp = torch.log_softmax(logits, dim=-1)
            total = 0.0
            for t, token in enumerate(cont):
                total += float(logp[len(context) - 1 + t, token])
            scores.append(total)
        out.append(scores)
    with open(out_json, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(*sys.argv[1:4])
