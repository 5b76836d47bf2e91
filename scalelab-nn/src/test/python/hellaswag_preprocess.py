"""Reference for the HellaSwag prompt as lm-evaluation-harness builds it (lm_eval/tasks/hellaswag/utils.py,
documented behaviour): context = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()),
choices = [preprocess(e) for e in endings], where preprocess strips the text, replaces " [title]" by ". ",
removes every non-greedy "[...]" and then replaces double spaces by single ones.

  python3 hellaswag_preprocess.py ROWS.jsonl      prints [{"context", "choices"}, ...] as JSON
"""
import json
import re
import sys


def preprocess(text):
    text = text.strip()
    text = text.replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    return text.replace("  ", " ")


def main():
    out = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            ctx = doc["ctx_a"] + " " + doc["ctx_b"].capitalize()
            out.append({"context": preprocess(doc["activity_label"] + ": " + ctx),
                        "choices": [preprocess(e) for e in doc["endings"]]})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
