package org.scalelab.curves;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;

/**
 * Downsampling, debiased smoothing and seed bands against bench/curves_reference.py (numpy and scipy,
 * written from the formulas). Downsampling chooses the same indices exactly; smoothing and the mean
 * agree within 1e-12 relative (the same arithmetic in another order), the interval's edges within 1e-9
 * (Hipparchus finds the t quantile with a root solver to about that accuracy; scipy inverts it in
 * closed form); NaN where the reference has NaN.
 */
class CurvesReferenceTest {
    static final double TOLERANCE = 1e-12;
    static final double QUANTILE_TOLERANCE = 1e-9;

    @TempDir
    Path dir;

    @Test
    void downsamplingSmoothingAndSeedBandsMatchNumpy() throws IOException {
        PythonReference.requireModules("numpy", "scipy");
        Random r = new Random(11);
        int n = 5_000;
        long[] steps = new long[n];
        double[] values = new double[n];
        long step = 0;
        for (int i = 0; i < n; i++) {
            step += 1 + r.nextInt(7);
            steps[i] = step;
            values[i] = i % 97 == 13 ? Double.NaN : Math.exp(-i / 800.0) + 0.1 * r.nextGaussian();
        }
        values[3_210] = 40; // a one-step spike
        StepSeries curve = new StepSeries("loss", steps, values);
        // Four seeds on schedules that overlap in part; one is shorter and one has NaN values.
        List<StepSeries> seeds = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int len = k == 2 ? 300 : 400;
            int stride = k == 3 ? 2 : 1;
            long[] s = LongStream.range(0, len).map(i -> (i + 1) * 10 * stride).toArray();
            double[] v = new double[len];
            for (int i = 0; i < len; i++) {
                v[i] = (k == 1 && i % 50 == 7) ? Double.NaN : 1 - Math.exp(-i / 100.0) + 0.05 * r.nextGaussian();
            }
            seeds.add(new StepSeries("seed" + k, s, v));
        }
        int points = 600;
        double weight = 0.9;
        Path in = dir.resolve("in.txt");
        StringBuilder b = new StringBuilder();
        b.append("points ").append(points).append('\n').append("weight ").append(weight).append('\n');
        b.append("steps ").append(join(steps)).append('\n').append("values ").append(join(values)).append('\n');
        for (StepSeries s : seeds) {
            b.append("seed ").append(join(s.steps())).append(" | ").append(join(s.values())).append('\n');
        }
        Files.writeString(in, b.toString());
        Map<String, double[]> ref = parse(PythonReference.run("bench/curves_reference.py", in.toString()));

        int[] kept = MinMaxDownsampling.keep(curve, points);
        assertArrayEquals(Arrays.stream(ref.get("keep")).mapToInt(x -> (int) x).toArray(), kept);
        assertEqualsWithin(ref.get("ema"), DebiasedEma.smooth(values, weight), TOLERANCE, "ema");

        SeedGroups.Band band = SeedGroups.mean("g", List.of("a", "b", "c", "d"), seeds);
        assertArrayEquals(Arrays.stream(ref.get("band_steps")).mapToLong(x -> (long) x).toArray(), band.steps());
        assertEqualsWithin(ref.get("band_mean"), band.mean(), TOLERANCE, "mean");
        assertEqualsWithin(ref.get("band_lo"), band.lo(), QUANTILE_TOLERANCE, "lo");
        assertEqualsWithin(ref.get("band_hi"), band.hi(), QUANTILE_TOLERANCE, "hi");
        assertArrayEquals(Arrays.stream(ref.get("band_n")).mapToInt(x -> (int) x).toArray(), band.n());
    }

    static void assertEqualsWithin(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i])) {
                assertEquals(Double.NaN, actual[i], what + "[" + i + "]");
            } else {
                assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
            }
        }
    }

    static String join(long[] xs) {
        return Arrays.stream(xs).mapToObj(Long::toString).collect(Collectors.joining(" "));
    }

    static String join(double[] xs) {
        return Arrays.stream(xs).mapToObj(Double::toString).collect(Collectors.joining(" "));
    }

    static Map<String, double[]> parse(String out) {
        Map<String, double[]> m = new HashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] parts = line.strip().split(" ");
            m.put(parts[0], IntStream.range(1, parts.length)
                    .mapToDouble(i -> parts[i].equals("nan") ? Double.NaN : Double.parseDouble(parts[i])).toArray());
        }
        return m;
    }
}
