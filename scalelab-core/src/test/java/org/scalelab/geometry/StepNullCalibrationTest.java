package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shuffled-steps null on reasoning steps: token rows whose steps (pooled by mean or last) form
 * random walks with exchangeable moves are data drawn from the null, so tangling's and step
 * cosine's z stay within ±2 in most data sets; steps that keep their direction are not, and the
 * null says so. The token rows inside a step vary (their mean, or their last row, is the step
 * state), and tokens before the first boundary are noise that must not matter. Both pools draw the
 * same random numbers in the same order, so they pool to the same step states and print the same
 * fractions: the pooling, not the data, is what differs between them.
 */
class StepNullCalibrationTest {
    static final int DATA_SETS = 40;
    static final int TRAJECTORIES = 12;
    static final int STEPS = 8;
    static final int D = 6;
    static final GeometryAnalysis.Options OPTIONS = GeometryAnalysis.Options.defaults().withKRange(2, 0).withNullReplicates(19);

    /** Token rows and step starts of one data set; {@code momentum}: each move mostly repeats the last one. */
    record Tokens(PointSet points, int[][] steps) {}

    static Tokens draw(long seed, StepPooling.Pool pool, boolean momentum) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> rows = new ArrayList<>();
        long[] offsets = new long[TRAJECTORIES];
        int[][] steps = new int[TRAJECTORIES][STEPS];
        for (int k = 0; k < TRAJECTORIES; k++) {
            offsets[k] = rows.size();
            int lead = r.nextInt(3);
            for (int i = 0; i < lead; i++) {
                rows.add(gaussian(r, 50)); // before the first boundary: in no step
            }
            double[] state = new double[D];
            double[] move = new double[D];
            for (int j = 0; j < D; j++) {
                state[j] = 5 * r.nextGaussian();
            }
            for (int s = 0; s < STEPS; s++) {
                if (s > 0) {
                    for (int j = 0; j < D; j++) {
                        move[j] = momentum ? 0.9 * move[j] + 0.3 * r.nextGaussian() : (1 + j) * 0.3 * r.nextGaussian();
                        state[j] += move[j];
                    }
                }
                steps[k][s] = rows.size() - (int) offsets[k];
                int pairs = 1 + r.nextInt(3);
                if (pool == StepPooling.Pool.MEAN) {
                    // Pairs of tokens state ± e: their mean is the step state.
                    for (int p = 0; p < pairs; p++) {
                        float[] e = gaussian(r, 2);
                        float[] a = new float[D];
                        float[] b = new float[D];
                        for (int j = 0; j < D; j++) {
                            a[j] = (float) (state[j] + e[j]);
                            b[j] = (float) (state[j] - e[j]);
                        }
                        rows.add(a);
                        rows.add(b);
                    }
                } else {
                    for (int p = 0; p < pairs; p++) {
                        rows.add(gaussian(r, 3)); // earlier tokens of the step: anything
                    }
                    float[] last = new float[D];
                    for (int j = 0; j < D; j++) {
                        last[j] = (float) state[j];
                    }
                    rows.add(last);
                }
            }
        }
        PointSet tokens = PointSet.of(rows.toArray(new float[0][]), "tokens").withTrajectories(offsets, "offsets");
        return new Tokens(tokens, steps);
    }

    static float[] gaussian(SplittableRandom r, double sd) {
        float[] v = new float[D];
        for (int j = 0; j < D; j++) {
            v[j] = (float) (sd * r.nextGaussian());
        }
        return v;
    }

    /** Per metric, the fraction of data sets whose z against the shuffled-steps null lies within ±2 (and the mean z). */
    static Map<String, double[]> zs(StepPooling.Pool pool, boolean momentum) {
        Map<String, double[]> out = new LinkedHashMap<>();
        Blas.singleThreaded(() -> {
            for (int s = 0; s < DATA_SETS; s++) {
                Tokens t = draw(500L + s, pool, momentum);
                PointSet steps = StepPooling.pool(t.points(), t.steps(), pool);
                assertEquals(TRAJECTORIES * STEPS, steps.size());
                Map<String, GeometryAnalysis.Baseline> b = GeometryAnalysis.baselines(steps, GeometryAnalysis.SHUFFLED_STEPS, OPTIONS.withSeed(s));
                for (String m : List.of("tangling", "step_cosine")) {
                    Double z = b.get(m).z();
                    double[] acc = out.computeIfAbsent(m, k -> new double[2]);
                    acc[0] += z != null && Math.abs(z) <= 2 ? 1.0 / DATA_SETS : 0;
                    acc[1] += z == null ? 0 : z / DATA_SETS;
                }
            }
        });
        StringBuilder sb = new StringBuilder();
        out.forEach((m, v) -> sb.append(String.format(Locale.ROOT, " %s: within ±2 %.2f, mean z %.2f;", m, v[0], v[1])));
        System.out.println("shuffled-steps null on " + pool.label() + "-pooled steps" + (momentum ? " with momentum" : "") + ":" + sb);
        return out;
    }

    @ParameterizedTest
    @EnumSource(StepPooling.Pool.class)
    void shuffledStepsNullIsCalibratedOnStepsWithExchangeableMoves(StepPooling.Pool pool) {
        zs(pool, false).forEach((m, v) -> assertTrue(v[0] >= 0.85, m + ": |z| ≤ 2 in only " + v[0] + " of the data sets"));
    }

    @ParameterizedTest
    @EnumSource(StepPooling.Pool.class)
    void shuffledStepsNullSeesStepsThatKeepTheirDirection(StepPooling.Pool pool) {
        double[] cos = zs(pool, true).get("step_cosine");
        assertTrue(cos[0] <= 0.1 && cos[1] > 2, "momentum between steps: step cosine's z within ±2 in " + cos[0] + ", mean z " + cos[1]);
    }
}
