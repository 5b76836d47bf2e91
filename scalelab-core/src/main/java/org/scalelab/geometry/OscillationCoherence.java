package org.scalelab.geometry;

import org.hipparchus.special.Erf;

/**
 * Oscillation coherence: how the sizes of the attention and MLP updates to the residual stream
 * change together. A transformer block writes two updates into the residual stream, the attention
 * output and the MLP output (Elhage et al. 2021, "A Mathematical Framework for Transformer Circuits",
 * §"The residual stream"); with a_l(t) = ‖hook_attn_out of layer l at position t‖ and m_l(t) the same
 * for hook_mlp_out, the changes from one layer to the next are Δa = a_{l+1}(t) − a_l(t) and
 * Δm = m_{l+1}(t) − m_l(t). The coherence is Pearson's correlation r(Δa, Δm) over every position and
 * layer pair of the group's trajectories: −1 means that whenever attention's update grows the MLP's
 * shrinks (the two "oscillate against each other"), +1 that they grow and shrink together, ≈ 0 no
 * coupling. With a single captured layer the changes are taken step to step along each trajectory
 * instead: Δa = a(t+1) − a(t). This is our definition (the study that describes the oscillation publishes none).
 *
 * <p>Each trajectory contributes sufficient statistics ({@link Moments}), so a bootstrap over
 * trajectories only adds them up.
 */
public final class OscillationCoherence {
    private OscillationCoherence() {}

    /**
     * Centred sums over (Δa, Δm) pairs: count, means, Σ(x − x̄)², Σ(y − ȳ)², Σ(x − x̄)(y − ȳ). Updated
     * one pair at a time (Welford 1962) and merged pairwise (Chan, Golub &amp; LeVeque 1979), so norms
     * in the thousands with small changes keep their digits.
     */
    public record Moments(long n, double meanX, double meanY, double m2x, double m2y, double cxy) {
        public static final Moments ZERO = new Moments(0, 0, 0, 0, 0, 0);

        Moments plus(Moments o) {
            if (o.n == 0) {
                return this;
            }
            if (n == 0) {
                return o;
            }
            long total = n + o.n;
            double dx = o.meanX - meanX;
            double dy = o.meanY - meanY;
            double w = (double) n * o.n / total;
            return new Moments(total, meanX + dx * o.n / total, meanY + dy * o.n / total, m2x + o.m2x + dx * dx * w,
                    m2y + o.m2y + dy * dy * w, cxy + o.cxy + dx * dy * w);
        }

        Moments add(double x, double y) {
            long k = n + 1;
            double dx = x - meanX;
            double dy = y - meanY;
            double mx = meanX + dx / k;
            double my = meanY + dy / k;
            return new Moments(k, mx, my, m2x + dx * (x - mx), m2y + dy * (y - my), cxy + dx * (y - my));
        }

        /** Pearson's r, or missing with a reason (fewer than 3 pairs, a constant series). */
        public MetricValue correlation() {
            if (n < 3) {
                return MetricValue.missing("oscillation coherence needs at least 3 (attention, MLP) changes, got " + n);
            }
            if (!(m2x > 0) || !(m2y > 0)) {
                return MetricValue.missing("attention or MLP update norms do not change; the correlation is undefined");
            }
            return MetricValue.of(Math.max(-1, Math.min(1, cxy / Math.sqrt(m2x * m2y))));
        }
    }

    /**
     * One trajectory's moments from its update norms, {@code attn[layer][t]} and {@code mlp[layer][t]}
     * (layers in order): layer to layer when there are at least 2 layers, else step to step.
     */
    public static Moments trajectory(double[][] attn, double[][] mlp) {
        Moments m = Moments.ZERO;
        int layers = attn.length;
        if (layers >= 2) {
            for (int l = 0; l + 1 < layers; l++) {
                for (int t = 0; t < attn[l].length; t++) {
                    m = m.add(attn[l + 1][t] - attn[l][t], mlp[l + 1][t] - mlp[l][t]);
                }
            }
        } else if (layers == 1) {
            for (int t = 0; t + 1 < attn[0].length; t++) {
                m = m.add(attn[0][t + 1] - attn[0][t], mlp[0][t + 1] - mlp[0][t]);
            }
        }
        return m;
    }

    /**
     * The null of no coupling between the two updates: the MLP changes paired with the attention
     * changes in a random order. Under every such permutation Pearson's r has mean 0 and variance
     * exactly 1/(n − 1) (Pitman 1937, "Significance tests which may be applied to samples from any
     * populations. II. The correlation coefficient test"), so the baseline needs no replicates.
     * Changes within one trajectory are not independent, which makes this z optimistic; the
     * bootstrap interval over trajectories is the stricter test.
     */
    public static GeometryAnalysis.Baseline permutedPairing(Moments[] perTrajectory) {
        Moments total = Moments.ZERO;
        for (Moments m : perTrajectory) {
            total = total.plus(m);
        }
        MetricValue r = total.correlation();
        if (!r.present()) {
            return new GeometryAnalysis.Baseline(null, null, null, 0, null, null, null, null);
        }
        double sd = 1 / Math.sqrt(total.n() - 1.0);
        double z = r.value() / sd;
        // Two-sided normal p-value, erfc(|z| / √2).
        return new GeometryAnalysis.Baseline(0.0, sd, z, 0, r.value(), null, Erf.erfc(Math.abs(z) / Math.sqrt(2)), null);
    }

    /** The coherence of the trajectories {@code which} (indices into {@code perTrajectory}, repeats allowed). */
    public static MetricValue of(Moments[] perTrajectory, int[] which) {
        Moments total = Moments.ZERO;
        for (int k : which) {
            total = total.plus(perTrajectory[k]);
        }
        return total.correlation();
    }

    /** The coherence of all trajectories. */
    public static MetricValue of(Moments[] perTrajectory) {
        Moments total = Moments.ZERO;
        for (Moments m : perTrajectory) {
            total = total.plus(m);
        }
        return total.correlation();
    }
}
