package org.scalelab.model;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.scalelab.InputException;

/**
 * Draws the next token from logits: temperature scaling, then top-k (Fan et al. 2018, §5.4),
 * then nucleus / top-p (Holtzman et al. 2020, §3.1: the smallest set of most likely tokens whose
 * probability reaches p), then one draw from the renormalised distribution.
 *
 * @param temperature divides the logits; 0 means greedy (always the most likely token)
 * @param topK        keep only the k most likely tokens; 0 = no limit
 * @param topP        keep the smallest most-likely set with total probability ≥ topP; 1 = no limit
 */
public record Sampler(double temperature, int topK, double topP) {
    public static final Sampler GREEDY = new Sampler(0, 0, 1);

    public Sampler {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new InputException("temperature " + temperature + " must be a finite number >= 0 (0 = greedy)");
        }
        if (topK < 0) {
            throw new InputException("top-k " + topK + " must be >= 0 (0 = no limit)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InputException("top-p " + topP + " must be in (0, 1] (1 = no limit)");
        }
    }

    /** The probabilities the next draw uses (zero outside the top-k / top-p set). */
    double[] distribution(float[] logits) {
        int n = logits.length;
        double[] p = new double[n];
        if (temperature == 0) {
            p[Generation.argmax(logits)] = 1;
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature); // softmax(logits / T), shifted for stability
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b)); // most likely first
        int keep = topK == 0 ? n : Math.min(topK, n);
        double cumulative = 0;
        for (int r = 0; r < keep; r++) {
            cumulative += p[order[r]];
            if (cumulative >= topP) {
                keep = r + 1;
                break;
            }
        }
        double kept = 0;
        for (int r = 0; r < n; r++) {
            if (r < keep) {
                kept += p[order[r]];
            } else {
                p[order[r]] = 0;
            }
        }
        for (int i = 0; i < n; i++) {
            p[i] /= kept;
        }
        return p;
    }

    /** One token drawn from {@link #distribution} with {@code rng}. */
    int next(float[] logits, SplittableRandom rng) {
        if (temperature == 0) {
            return Generation.argmax(logits);
        }
        double[] p = distribution(logits);
        double u = rng.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // u within rounding of 1
    }
}
