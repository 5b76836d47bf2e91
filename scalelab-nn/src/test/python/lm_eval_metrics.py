"""Independent numpy implementation of lm-evaluation-harness's multiple-choice metrics, written from its
documented formulas (lm_eval/api/task.py, process_results for output_type multiple_choice;
lm_eval/api/metrics.py, mean and mean_stderr; lm_eval/tasks/truthfulqa/utils.py, process_results_mc2).

  python3 lm_eval_metrics.py IN.json

IN.json: [{"choices": [str, ...], "gold": int | [int, ...], "logprobs": [float, ...], "tokens": [int, ...]}, ...]
Prints {"chars": {metric: {"value", "stderr"}}, "bytes": {...}, "tokens": {...}, "examples": {norm: [[acc, acc_norm, mc1, mc2], ...]}}.
"""
import json
import math
import sys

import numpy as np


def mean(arr):
    return sum(arr) / len(arr)


def sample_stddev(arr):
    mu = mean(arr)
    return math.sqrt(sum([(x - mu) ** 2 for x in arr]) / (len(arr) - 1))


def mean_stderr(arr):
    return sample_stddev(arr) / math.sqrt(len(arr))


def example(doc, norm):
    lls = np.array(doc["logprobs"], dtype=np.float64)
    choices = doc["choices"]
    if norm == "chars":
        length = np.array([float(len(c)) for c in choices])
    elif norm == "bytes":
        length = np.array([float(len(c.encode("utf-8"))) for c in choices])
    else:
        length = np.array([float(t) for t in doc["tokens"]])
    gold = doc["gold"] if isinstance(doc["gold"], list) else [doc["gold"]]
    pred = int(np.argmax(lls))
    pred_norm = int(np.argmax(lls / length))
    acc = 1.0 if pred in gold else 0.0
    acc_norm = 1.0 if pred_norm in gold else 0.0
    # TruthfulQA MC1: the true answer is choice 0 of mc1_targets (doc_to_target: 0); here the first gold.
    mc1 = 1.0 if pred == gold[0] else 0.0
    # TruthfulQA MC2: probabilities normalised over the choices, mass on the true ones.
    probs = np.exp(lls)
    probs_norm = probs / np.sum(probs)
    labels = np.zeros(len(choices), dtype=int)
    labels[gold] = 1
    mc2 = float(np.sum(probs_norm[labels == 1]))
    return [acc, acc_norm, mc1, mc2]


def main():
    docs = json.load(open(sys.argv[1], encoding="utf-8"))
    out = {"examples": {}}
    for norm in ("chars", "bytes", "tokens"):
        rows = [example(d, norm) for d in docs]
        out["examples"][norm] = rows
        out[norm] = {}
        for m, name in enumerate(("acc", "acc_norm", "mc1", "mc2")):
            col = [r[m] for r in rows]
            out[norm][name] = {"value": mean(col), "stderr": mean_stderr(col)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
