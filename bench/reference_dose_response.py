"""Independent numpy/scipy reference for a steering dose-response (org.scalelab.phase.DoseResponse's
documented formulas), given the same bootstrap resamples:

  effect(a)   = mean_i [y_i(a) - y_i(0)]              paired per prompt against alpha = 0
  ci          = numpy.percentile of the effect over the resamples, (1 - level)/2 and (1 + level)/2
  controls    = each control's effect; band = numpy.percentile over the K controls
  gain        = effect - mean(controls)
  gain_ci     = gain -/+ t_{K-1}((1 + level)/2) * sqrt(var_boot(gain) + var(controls) * (1 + 1/K))
  ed50        = first crossing of half the curve's maximum over alpha >= 0, linear between grid points
  degeneration = smallest alpha > 0 with perplexity > factor * perplexity(0)

usage: reference_dose_response.py IN_JSON OUT_JSON
"""
import json
import sys

import numpy as np
from scipy import stats


def ed50(doses, curve):
    m = max(curve[1:]) if len(curve) > 1 else 0.0
    if not m > 0:
        return None
    half = m / 2
    for j in range(1, len(doses)):
        if curve[j] >= half:
            return float(np.interp(half, [curve[j - 1], curve[j]], [doses[j - 1], doses[j]]))


def main(path_in, path_out):
    with open(path_in) as f:
        d = json.load(f)
    alphas = np.array(d["alphas"])
    level = d["level"]
    q = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    idx = np.array(d["resamples"])  # [B, n]
    zero = int(np.where(alphas == 0)[0][0])
    out = {}
    for metric in ("correct", "logit_diff"):
        steered = np.array(d["steered"][metric])  # [alpha, n]
        controls = np.array(d["controls"][metric])  # [K, alpha, n]
        base = steered[zero]
        k = controls.shape[0]
        points = []
        for a in range(len(alphas)):
            delta = steered[a] - base
            cdelta = controls[:, a, :] - base if a != zero else np.zeros_like(controls[:, a, :])
            reps = delta[idx].mean(axis=1)
            creps = cdelta[:, idx].mean(axis=2).mean(axis=0)
            ce = cdelta.mean(axis=1)
            gain = delta.mean() - ce.mean()
            half = stats.t.ppf((1 + level) / 2, k - 1) * np.sqrt(np.var(reps - creps, ddof=1) + np.var(ce, ddof=1) * (1 + 1 / k))
            points.append({"mean": delta.mean(), "ci": list(np.percentile(reps, q)), "control_mean": ce.mean(),
                           "band": list(np.percentile(ce, q)), "gain": gain, "gain_ci": [gain - half, gain + half]})
        order = [i for i in np.argsort(alphas) if alphas[i] >= 0]
        doses = alphas[order]
        curve = [(steered[i] - base).mean() for i in order]
        rep_curves = [[(steered[i] - base)[r].mean() for i in order] for r in idx]
        reps = [ed50(doses, c) for c in rep_curves]
        defined = [x for x in reps if x is not None]
        out[metric] = {"points": points, "ed50": ed50(doses, curve), "ed50_defined": len(defined),
                       "ed50_ci": list(np.percentile(defined, q)) if len(defined) >= 2 else None}
    ppl = np.array(d["perplexity"])
    dose = None
    for i in sorted(range(len(alphas)), key=lambda i: alphas[i]):
        if alphas[i] > 0 and ppl[i] > d["factor"] * ppl[zero]:
            dose = float(alphas[i])
            break
    out["degeneration_dose"] = dose
    with open(path_out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(*sys.argv[1:3])
