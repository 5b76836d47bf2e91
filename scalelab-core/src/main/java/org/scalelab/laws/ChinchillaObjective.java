package org.scalelab.laws;

import java.util.Arrays;

/**
 * Value and gradient of the Chinchilla fit's Huber objective; x = [a, b, e, alpha, beta].
 *
 * <p>Model (Hoffmann et al. 2022, App. D.2): log L̂ = LSE(t₁, t₂, t₃) with t₁ = a − α·log N,
 * t₂ = b − β·log D, t₃ = e. The log-sum-exp is taken in its stable form: with m = max(t₁, t₂, t₃)
 * and uₖ = e^(tₖ − m), log L̂ = m + log s, s = u₁ + u₂ + u₃ ∈ [1, 3]. Per run, r = log L − log L̂,
 * ψ = clamp(r, −δ, δ) (the Huber derivative) and h = ψ·(r − ψ/2) (the Huber loss: r²/2 inside ±δ,
 * δ(|r| − δ/2) outside). Each run carries a weight wᵢ (1, or its multiplicity in a bootstrap sample).
 * Objective Σ wᵢhᵢ (or divided by Σ wᵢ for the mean); with qᵢ = wᵢψᵢ/sᵢ the gradient is
 * ∂/∂a = −Σ q·u₁, ∂/∂α = Σ q·u₁·log N, ∂/∂b = −Σ q·u₂, ∂/∂β = Σ q·u₂·log D, ∂/∂e = −Σ q·u₃.
 *
 * <p><b>Why the code is shaped like this.</b> A grid fit evaluates this function about 225,000 times,
 * and almost all of its cost is 3 exponentials and 1 logarithm per run. HotSpot's C2 compiler
 * vectorises simple counted loops over arrays (SuperWord: AVX2/AVX-512 on x86), but not calls to
 * {@code Math.exp}/{@code Math.log} and, in JDK 17, not loops that mix a double's bits with
 * arithmetic on it, or that write many arrays. So every step is its own short loop over arrays, with
 * exp and log written out as polynomials (below), so that C2 turns them into vector instructions that
 * compute several exponentials at once (the cost per exp: docs/development.md, "Polynomial exp and
 * log"). The vector API (jdk.incubator.vector) would do the same with more code, an incubator warning
 * on every start and a much longer JIT warm-up.
 *
 * <p><b>Deterministic.</b> Only IEEE-754 operations with one rounding each are used (+, −, ×, ÷,
 * {@link Math#fma}, min/max, bit moves), so the interpreter, C1 and vectorised C2 code produce the
 * same bits: a fit does not depend on JIT timing or thread count.
 *
 * <p>Not thread-safe: work arrays are reused across calls. One instance per thread.
 */
final class ChinchillaObjective implements Lbfgs.Objective {
    // Cody–Waite split of ln 2 (fdlibm): LN2_HI has 32 significant bits, so k·LN2_HI is exact for |k| < 2^21.
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double LOG2E = 1.4426950408889634;
    // Adding 1.5·2^52 rounds a double of magnitude < 2^51 to an integer (round-to-nearest-even) and leaves
    // that integer in the low mantissa bits; subtracting it again gives the integer as a double.
    private static final double ROUNDER = 0x1.8p52;
    /** Below −708, eˣ is near or below the smallest normal double; it is taken as e^−708 ≈ 3.3e-308 (an absolute error below 3.3e-308). */
    static final double EXP_MIN = -708;
    /** The centre of log's series: log s = log C + 2·atanh((s − C)/(s + C)); C = fl(√3) is the geometric centre of [1, 3]. */
    private static final double LOG_CENTRE = 1.7320508075688772;
    private static final double LOG_OF_CENTRE = StrictMath.log(LOG_CENTRE);

    private final double delta;
    private final boolean mean;
    private final double[] logN;
    private final double[] logD;
    private final double[] logL;
    private final double[] weight;
    private int n;
    private double totalWeight;
    // work arrays, one per intermediate so that every loop stays simple enough to vectorise
    private final double[] m;
    private final double[] x1;
    private final double[] x2;
    private final double[] x3;
    private final double[] u1;
    private final double[] u2;
    private final double[] u3;
    private final double[] scratch;
    private final double[] s;
    private final double[] logS;
    private final double[] h;
    private final double[] q;

    /** All runs with weight 1. The arrays are copied. */
    ChinchillaObjective(double[] logN, double[] logD, double[] logL, double delta, boolean mean) {
        int cap = logL.length;
        this.delta = delta;
        this.mean = mean;
        this.logN = logN.clone();
        this.logD = logD.clone();
        this.logL = logL.clone();
        this.weight = new double[cap];
        Arrays.fill(weight, 1.0);
        this.n = cap;
        this.totalWeight = cap;
        m = new double[cap];
        x1 = new double[cap];
        x2 = new double[cap];
        x3 = new double[cap];
        u1 = new double[cap];
        u2 = new double[cap];
        u3 = new double[cap];
        scratch = new double[cap];
        s = new double[cap];
        logS = new double[cap];
        h = new double[cap];
        q = new double[cap];
    }

    /**
     * Loads a bootstrap sample of the full data: run i of the full data enters {@code count[i]} times,
     * as one run of weight {@code count[i]} (the same objective as repeating it, with fewer terms).
     * {@code count.length} must not exceed the number of runs this objective was built with.
     */
    void resample(double[] fullN, double[] fullD, double[] fullL, int[] count) {
        int k = 0;
        long total = 0;
        for (int i = 0; i < count.length; i++) {
            if (count[i] > 0) {
                logN[k] = fullN[i];
                logD[k] = fullD[i];
                logL[k] = fullL[i];
                weight[k] = count[i];
                total += count[i];
                k++;
            }
        }
        n = k;
        totalWeight = total;
    }

    /** Number of distinct runs in the current sample. */
    int runs() {
        return n;
    }

    @Override
    public double evaluate(double[] x, double[] grad) {
        int n = this.n;
        shiftedExponents(x[0], x[1], x[2], -x[3], -x[4], logN, logD, m, x1, x2, x3, n);
        expNonPositive(x1, u1, scratch, n);
        expNonPositive(x2, u2, scratch, n);
        expNonPositive(x3, u3, scratch, n);
        add3(u1, u2, u3, s, n);
        logOneToThree(s, logS, n);
        huber(logL, m, logS, s, weight, delta, h, q, n);
        return sums(h, q, u1, u2, u3, logN, logD, n, mean ? 1.0 / totalWeight : 1.0, grad);
    }

    /** m = max(t₁, t₂, t₃) and the shifted exponents xₖ = tₖ − m ≤ 0 (t₁ = a − α log N, t₂ = b − β log D, t₃ = e). */
    static void shiftedExponents(double a, double b, double e, double minusAlpha, double minusBeta, double[] logN,
                                 double[] logD, double[] m, double[] x1, double[] x2, double[] x3, int n) {
        for (int i = 0; i < n; i++) {
            double t1 = Math.fma(minusAlpha, logN[i], a);
            double t2 = Math.fma(minusBeta, logD[i], b);
            double mi = Math.max(Math.max(t1, t2), e);
            m[i] = mi;
            x1[i] = t1 - mi;
            x2[i] = t2 - mi;
            x3[i] = e - mi;
        }
    }

    /**
     * u = eˣ for x ≤ 0 (x below {@link #EXP_MIN} counts as EXP_MIN; NaN stays NaN). Reduction
     * x = k·ln 2 + r, |r| ≤ ln2/2 (Cody–Waite, Muller, <i>Elementary Functions</i>, 3rd ed., §11.2), eʳ
     * by its Taylor polynomial to r¹³ (truncation ≤ (ln2/2)¹⁴/14! &lt; 5e-18) in Horner form with fused
     * multiply-adds, then the exact scaling by 2ᵏ through the exponent bits. Within 1 ulp of the true
     * value on [−708, 0] (tested against Math.exp). {@code t} is scratch space.
     */
    static void expNonPositive(double[] x, double[] u, double[] t, int n) {
        for (int j = 0; j < n; j++) {
            double xj = Math.max(x[j], EXP_MIN);
            double tj = Math.fma(xj, LOG2E, ROUNDER);
            double k = tj - ROUNDER;
            double r = Math.fma(k, -LN2_HI, xj);
            r = Math.fma(k, -LN2_LO, r);
            double p = Math.fma(r, 1.0 / 6227020800.0, 1.0 / 479001600.0);
            p = Math.fma(p, r, 1.0 / 39916800.0);
            p = Math.fma(p, r, 1.0 / 3628800.0);
            p = Math.fma(p, r, 1.0 / 362880.0);
            p = Math.fma(p, r, 1.0 / 40320.0);
            p = Math.fma(p, r, 1.0 / 5040.0);
            p = Math.fma(p, r, 1.0 / 720.0);
            p = Math.fma(p, r, 1.0 / 120.0);
            p = Math.fma(p, r, 1.0 / 24.0);
            p = Math.fma(p, r, 1.0 / 6.0);
            p = Math.fma(p, r, 0.5);
            p = Math.fma(p, r, 1.0);
            u[j] = Math.fma(p, r, 1.0);
            t[j] = tj;
        }
        // 2ᵏ from k's bits in the mantissa of t (k ∈ [−1022, 0], so 2ᵏ is normal); a separate loop, because
        // C2 (JDK 17) does not vectorise a loop that mixes the bit moves with the polynomial
        for (int j = 0; j < n; j++) {
            u[j] *= Double.longBitsToDouble((Double.doubleToRawLongBits(t[j]) + 1023L) << 52);
        }
    }

    static void add3(double[] a, double[] b, double[] c, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] + b[i] + c[i];
        }
    }

    /**
     * ln s for s ∈ [1, 3] (the log-sum-exp's shifted sum): ln s = ln C + 2·atanh(f), f = (s − C)/(s + C)
     * with C = fl(√3), so |f| ≤ 0.268, and atanh(f) = Σ f²ᵏ⁺¹/(2k+1) to f²⁷ (truncation &lt; 2e-18).
     * No exponent extraction is needed on this interval, which keeps the loop vectorisable. Absolute
     * error within 3e-16 on [1, 3] (tested against Math.log).
     */
    static void logOneToThree(double[] s, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            double f = (s[i] - LOG_CENTRE) / (s[i] + LOG_CENTRE);
            double f2 = f * f;
            // p(f²) = Σ_{k=1..13} 2/(2k+1)·f^(2k−2), so 2·atanh(f) = 2f + f·f²·p(f²)
            double p = Math.fma(f2, 2.0 / 27, 2.0 / 25);
            p = Math.fma(p, f2, 2.0 / 23);
            p = Math.fma(p, f2, 2.0 / 21);
            p = Math.fma(p, f2, 2.0 / 19);
            p = Math.fma(p, f2, 2.0 / 17);
            p = Math.fma(p, f2, 2.0 / 15);
            p = Math.fma(p, f2, 2.0 / 13);
            p = Math.fma(p, f2, 2.0 / 11);
            p = Math.fma(p, f2, 2.0 / 9);
            p = Math.fma(p, f2, 2.0 / 7);
            p = Math.fma(p, f2, 2.0 / 5);
            p = Math.fma(p, f2, 2.0 / 3);
            out[i] = LOG_OF_CENTRE + Math.fma(f * f2, p, 2 * f);
        }
    }

    /** Per run: r = log L − (m + log s), ψ = clamp(r, ±δ); h = w·ψ·(r − ψ/2) and q = w·ψ/s. */
    static void huber(double[] logL, double[] m, double[] logS, double[] s, double[] w, double delta,
                      double[] h, double[] q, int n) {
        for (int i = 0; i < n; i++) {
            double r = logL[i] - (m[i] + logS[i]);
            double psi = Math.min(Math.max(r, -delta), delta);
            double wpsi = w[i] * psi;
            h[i] = wpsi * (r - 0.5 * psi);
            q[i] = wpsi / s[i];
        }
    }

    /**
     * Σh and the gradient sums in one pass, in a fixed order. (C2 does not vectorise a floating-point
     * reduction, whose order it would have to change; the six sums are independent add chains.)
     */
    static double sums(double[] h, double[] q, double[] u1, double[] u2, double[] u3, double[] logN, double[] logD,
                       int n, double scale, double[] grad) {
        double f = 0;
        double ga = 0;
        double gb = 0;
        double ge = 0;
        double galpha = 0;
        double gbeta = 0;
        for (int i = 0; i < n; i++) {
            double w1 = q[i] * u1[i];
            double w2 = q[i] * u2[i];
            f += h[i];
            ga += w1;
            gb += w2;
            ge += q[i] * u3[i];
            galpha += w1 * logN[i];
            gbeta += w2 * logD[i];
        }
        grad[0] = -ga * scale;
        grad[1] = -gb * scale;
        grad[2] = -ge * scale;
        grad[3] = galpha * scale;
        grad[4] = gbeta * scale;
        return f * scale;
    }
}
