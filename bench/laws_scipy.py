#!/usr/bin/python3
"""Independent scipy reference for ScaleLab's single-variable laws.

Usage: laws_scipy.py power|kaplan|sigmoid|quadratic|exp DATA.csv [--floor F] [--ceiling C]
DATA.csv has a header with columns x,y. Prints one JSON object with the fitted parameters:
  power   y = E + A*x^-alpha, least squares on log y (multi-start scipy.optimize.curve_fit)  -> E, A, alpha
  kaplan  y = A*x^-alpha, least squares on log y (numpy.polyfit on log-log)                  -> A, alpha
  sigmoid y = floor + (ceiling-floor)/(1+exp(-k*(log10 x - m))), least squares on y           -> m, k[, floor, ceiling]
  quadratic y = c0 + c1*t + c2*t^2, t = log10 x - mean(log10 x), OLS (numpy.linalg.lstsq) -> c0, c1, c2,
          se_c2 and the two-sided t-test p-value of c2 (scipy.stats.t)
  exp     y = E + A*exp(-x/s), least squares on y (multi-start scipy.optimize.curve_fit)      -> E, A, s, rss
--floor/--ceiling fix the sigmoid's asymptotes (default 0 and 1); pass "fit" to fit one.
"""
import argparse
import json
import sys

import numpy as np
from scipy.optimize import curve_fit


def fit_power(x, y):
    x0 = np.exp(np.mean(np.log(x)))
    lu = np.log(x / x0)
    ly = np.log(y)

    def model(u, e, a, alpha):
        return np.log(np.exp(e) + np.exp(a) * np.exp(-alpha * u))

    best = None
    gm = np.exp(np.mean(ly))
    for ef in (1e-3, 0.5, 0.9, 0.99):
        for al in (0.05, 0.2, 0.5, 1.0):
            e0 = ef * y.min()
            p0 = [np.log(e0), np.log(max(gm - e0, 1e-3 * gm)), al]
            try:
                p, _ = curve_fit(model, lu, ly, p0=p0, maxfev=20000)
            except RuntimeError:
                continue
            rss = float(np.sum((ly - model(lu, *p)) ** 2))
            if best is None or rss < best[0]:
                best = (rss, p)
    rss, (e, a, alpha) = best
    return {"E": float(np.exp(e)), "A": float(np.exp(a) * x0 ** alpha), "alpha": float(alpha), "rss_log": rss}


def fit_kaplan(x, y):
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return {"A": float(np.exp(intercept)), "alpha": float(-slope)}


def fit_sigmoid(x, y, floor, ceiling):
    t = np.log10(x)
    fit_f = floor is None
    fit_c = ceiling is None

    def model(tt, m, k, *rest):
        rest = list(rest)
        f = rest.pop(0) if fit_f else floor
        c = rest.pop(0) if fit_c else ceiling
        return f + (c - f) / (1 + np.exp(-k * (tt - m)))

    direction = 1.0 if np.sum((t - t.mean()) * y) >= 0 else -1.0
    best = None
    for m0 in np.linspace(t.min(), t.max(), 5):
        for k0 in (0.5, 2, 8):
            p0 = [m0, direction * k0] + ([y.min()] if fit_f else []) + ([y.max()] if fit_c else [])
            try:
                p, _ = curve_fit(model, t, y, p0=p0, maxfev=20000)
            except RuntimeError:
                continue
            rss = float(np.sum((y - model(t, *p)) ** 2))
            if best is None or rss < best[0]:
                best = (rss, p)
    rss, p = best
    out = {"m": float(p[0]), "k": float(p[1]), "rss": rss}
    i = 2
    if fit_f:
        out["floor"] = float(p[i])
        i += 1
    if fit_c:
        out["ceiling"] = float(p[i])
    return out


def fit_quadratic(x, y):
    from scipy import stats

    lx = np.log10(x)
    center = lx.mean()
    t = lx - center
    X = np.c_[np.ones_like(t), t, t * t]
    coef, _, _, _ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    df = len(y) - 3
    s2 = resid @ resid / df
    cov = s2 * np.linalg.inv(X.T @ X)
    se = np.sqrt(np.diag(cov))
    p = 2 * stats.t.sf(abs(coef[2] / se[2]), df)
    return {"c0": float(coef[0]), "c1": float(coef[1]), "c2": float(coef[2]), "se_c2": float(se[2]),
            "p_value": float(p), "t_center": float(center)}


def fit_exp(x, y):
    def model(v, e, a, s):
        return e + a * np.exp(-v / s)

    best = None
    for s0 in (0.03, 0.1, 0.3, 1.0, 3.0):
        s0 = s0 * np.max(x)
        u = np.exp(-x / s0)
        (e0, a0), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(u), u]), y, rcond=None)
        try:
            p, _ = curve_fit(model, x, y, p0=[e0, a0, s0], maxfev=20000)
        except RuntimeError:
            continue
        rss = float(np.sum((y - model(x, *p)) ** 2))
        if best is None or rss < best[1]:
            best = (p, rss)
    p, rss = best
    return {"E": float(p[0]), "A": float(p[1]), "s": float(p[2]), "rss": rss}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("law", choices=["power", "kaplan", "sigmoid", "quadratic", "exp"])
    ap.add_argument("csv")
    ap.add_argument("--floor", default="0")
    ap.add_argument("--ceiling", default="1")
    a = ap.parse_args()
    d = np.genfromtxt(a.csv, delimiter=",", names=True)
    x = np.asarray(d["x"], dtype=float)
    y = np.asarray(d["y"], dtype=float)
    if a.law == "power":
        out = fit_power(x, y)
    elif a.law == "kaplan":
        out = fit_kaplan(x, y)
    elif a.law == "quadratic":
        out = fit_quadratic(x, y)
    elif a.law == "exp":
        out = fit_exp(x, y)
    else:
        f = None if a.floor == "fit" else float(a.floor)
        c = None if a.ceiling == "fit" else float(a.ceiling)
        out = fit_sigmoid(x, y, f, c)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
