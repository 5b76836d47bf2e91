"""Reference for paired comparisons of two models on the same examples, from scipy and the papers.

  python3 paired_reference.py TABLES.json LEVEL [LEVEL ...]

TABLES.json: [[a, b, c, d], ...] paired 2x2 tables (a both right, b only A right, c only B right, d both wrong).
Prints {LEVEL: [{"p": McNemar's exact p-value, "low", "high": Newcombe's method-10 interval of p1 - p2}, ...], ...}
with LEVEL as given.

McNemar's exact test is the binomial test of b successes in b + c trials with p = 1/2
(scipy.stats.binomtest, two-sided). Newcombe (1998), "Improved confidence intervals for the difference
between binomial proportions based on paired data", Stat. Med. 17:2635-2650, method 10: Wilson score
intervals (l1, u1), (l2, u2) of p1 = (a + b)/n and p2 = (a + c)/n (scipy's proportion_ci, method
"wilson"), phi = C / sqrt((a+b)(c+d)(a+c)(b+d)) with C = ad - bc - n/2 when ad - bc > n/2, ad - bc when
it is negative, else 0 (0 when the denominator is 0);
delta = sqrt((p1-l1)^2 - 2 phi (p1-l1)(u2-p2) + (u2-p2)^2), eps = sqrt((u1-p1)^2 - 2 phi (u1-p1)(p2-l2) + (p2-l2)^2),
interval (p1 - p2 - delta, p1 - p2 + eps).
"""
import json
import math
import sys

from scipy.stats import binomtest


def newcombe(a, b, c, d, level):
    n = a + b + c + d
    p1 = (a + b) / n
    p2 = (a + c) / n
    ci1 = binomtest(a + b, n).proportion_ci(confidence_level=level, method="wilson")
    ci2 = binomtest(a + c, n).proportion_ci(confidence_level=level, method="wilson")
    l1, u1, l2, u2 = ci1.low, ci1.high, ci2.low, ci2.high
    den = (a + b) * (c + d) * (a + c) * (b + d)
    phi = 0.0
    if den > 0:
        cross = a * d - b * c
        if cross > n / 2:
            cross -= n / 2
        elif cross >= 0:
            cross = 0
        phi = cross / math.sqrt(den)
    delta = math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    eps = math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return p1 - p2 - delta, p1 - p2 + eps


def main():
    tables = json.load(open(sys.argv[1]))
    out = {}
    for arg in sys.argv[2:]:
        level = float(arg)
        rows = []
        for a, b, c, d in tables:
            p = binomtest(b, b + c, 0.5).pvalue if b + c > 0 else 1.0
            low, high = newcombe(a, b, c, d, level)
            rows.append({"p": p, "low": low, "high": high})
        out[arg] = rows
    print(json.dumps(out))


if __name__ == "__main__":
    main()
