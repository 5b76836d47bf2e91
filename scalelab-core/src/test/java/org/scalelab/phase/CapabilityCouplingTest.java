package org.scalelab.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

class CapabilityCouplingTest {
    @TempDir
    Path dir;

    /** Points of one capability: n per class, class difference {@code delta}, a shared offset, unit Gaussian noise. */
    static LabelledPoints points(String set, String model, long params, String hook, int n, double[] offset, double[] delta, Random rng) {
        int d = offset.length;
        double[][] x = new double[2 * n][d];
        boolean[] pos = new boolean[2 * n];
        List<String> ids = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            pos[i] = i % 2 == 0;
            for (int j = 0; j < d; j++) {
                x[i][j] = offset[j] + (pos[i] ? 0.5 : -0.5) * delta[j] + rng.nextGaussian();
            }
            ids.add(set + "-" + i);
            pairs.add(null);
        }
        return new LabelledPoints(set, model, params, hook, x, pos, ids, pairs);
    }

    static double[] axis(int d, int j, double scale) {
        double[] v = new double[d];
        v[j] = scale;
        return v;
    }

    /** cos·Δ·e0 + sin·Δ·e1: a class difference at a planted angle to A's (along e0). */
    static double[] atCosine(int d, double cos, double delta) {
        double[] v = new double[d];
        v[0] = cos * delta;
        v[1] = Math.sqrt(1 - cos * cos) * delta;
        return v;
    }

    static double[] sharedMean(int d, double scale, Random rng) {
        double[] m = new double[d];
        for (int j = 0; j < d; j++) {
            m[j] = scale * (1 + 0.1 * rng.nextGaussian());
        }
        return m;
    }

    static CapabilityCoupling.Options options(int resamples, long seed) {
        return new CapabilityCoupling.Options(resamples, 200, 0.95, 1.0, seed);
    }

    @Test
    void plantedFlipFromAntiAlignedToAlignedIsFoundAtItsSize() {
        // planted cosine linear in log10 N between sizes, zero at 10^8.6: the straight line between the
        // two sizes either side recovers it exactly, up to sampling noise
        double truth = 8.6;
        double[] log10 = {7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0};
        int d = 24;
        Random rng = new Random(11);
        double[] mean = sharedMean(d, 40, rng);
        List<CapabilityCoupling.SizePoints> sizes = new ArrayList<>();
        for (double x : log10) {
            double planted = Math.max(-0.9, Math.min(0.9, (x - truth) / 1.5));
            long params = Math.round(Math.pow(10, x));
            String model = "m" + x;
            List<CapabilityCoupling.LayerPoints> layers = new ArrayList<>();
            for (int layer = 0; layer < 3; layer++) {
                String hook = "blocks." + layer + ".hook_resid_post";
                layers.add(new CapabilityCoupling.LayerPoints(hook,
                        points("truth-" + x, model, params, hook, 300, mean, axis(d, 0, 4), rng),
                        points("reason-" + x, model, params, hook, 300, mean, atCosine(d, planted, 4), rng)));
            }
            sizes.add(new CapabilityCoupling.SizePoints(model, params, layers, List.of()));
        }
        CapabilityCoupling.Result r = CapabilityCoupling.analyze(new CapabilityCoupling.Input(sizes), options(400, 3));
        CapabilityCoupling.SignChange s = r.signChange();
        assertEquals("m8.5", s.from(), s.toString());
        assertEquals("m9.0", s.to());
        assertEquals("antagonistic→cooperative", s.direction());
        assertEquals(truth, s.log10Parameters(), 0.05);
        assertTrue(s.log10Ci()[0] <= truth && truth <= s.log10Ci()[1], "interval " + java.util.Arrays.toString(s.log10Ci()) + " misses " + truth);
        assertTrue(s.log10Ci()[0] >= 8.5 - 1e-9 && s.log10Ci()[1] <= 9.0 + 1e-9, "interval stays between the sizes either side");
        assertTrue(s.validReplicates() > 0.95 * 400, "valid replicates " + s.validReplicates());
        assertEquals(3, s.layers().size(), "each hook crosses too");
        assertEquals(CouplingVerdict.ANTAGONISTIC, r.sizes().get(0).layers().get(0).verdict());
        assertEquals(CouplingVerdict.COOPERATIVE, r.sizes().get(6).layers().get(0).verdict());
        for (CapabilityCoupling.SizeCoupling size : r.sizes()) {
            double x = Math.log10(size.parameterCount());
            double planted = Math.max(-0.9, Math.min(0.9, (x - truth) / 1.5));
            for (CapabilityCoupling.LayerCoupling l : size.layers()) {
                assertEquals(planted, l.centredCosine(), 0.12, size.model() + " " + l.hook());
                assertTrue(l.ci()[0] <= planted + 0.02 && planted - 0.02 <= l.ci()[1], size.model() + " ci " + java.util.Arrays.toString(l.ci()));
            }
        }
    }

    @Test
    void noSignChangeIsSaidSo() {
        int d = 8;
        Random rng = new Random(5);
        List<CapabilityCoupling.SizePoints> sizes = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            String hook = "blocks.0.hook_resid_post";
            sizes.add(new CapabilityCoupling.SizePoints("s" + k, 1_000_000L << k, List.of(new CapabilityCoupling.LayerPoints(hook,
                    points("a", "s" + k, 1_000_000L << k, hook, 80, new double[d], axis(d, 0, 3), rng),
                    points("b", "s" + k, 1_000_000L << k, hook, 80, new double[d], atCosine(d, 0.7, 3), rng))), List.of()));
        }
        CapabilityCoupling.SignChange s = CapabilityCoupling.analyze(new CapabilityCoupling.Input(sizes), options(100, 1)).signChange();
        assertNull(s.from());
        assertTrue(s.note().contains("no sign change"), s.note());
    }

    @Test
    void unrelatedPromptSetsHaveNoCentredCouplingWhileTheirUncentredCosineIsNearOne() {
        // both sets ride on the same large mean hidden state; their class differences are orthogonal
        int d = 32;
        Random rng = new Random(7);
        double[] mean = sharedMean(d, 30, rng);
        String hook = "blocks.2.hook_resid_post";
        LabelledPoints a = points("truth", "m", 1_000_000, hook, 200, mean, axis(d, 0, 3), rng);
        LabelledPoints b = points("reasoning", "m", 1_000_000, hook, 200, mean, axis(d, 1, 3), rng);
        CapabilityCoupling.Result r = CapabilityCoupling.analyze(new CapabilityCoupling.Input(List.of(new CapabilityCoupling.SizePoints("m", 1_000_000,
                List.of(new CapabilityCoupling.LayerPoints(hook, a, b)), List.of()))), options(500, 2));
        CapabilityCoupling.LayerCoupling l = r.sizes().get(0).layers().get(0);
        assertTrue(l.uncentredCosine() > 0.99, "uncentred cosine " + l.uncentredCosine());
        assertTrue(Math.abs(l.centredCosine()) < l.nullP95(), "centred " + l.centredCosine() + " inside the null's 95 % " + l.nullP95());
        assertTrue(l.pValue() > 0.05, "p " + l.pValue());
        assertEquals(CouplingVerdict.INDEPENDENT, l.verdict());
        assertEquals(2, l.layer());
        // the truthfulness probe reads nothing of the reasoning classes: raw accuracy near chance
        assertTrue(l.probeTransferCi()[0] < 0.5 + 0.02 && l.probeTransferCi()[1] > 0.5 - 0.02, "transfer ci " + java.util.Arrays.toString(l.probeTransferCi()));
        assertNotNull(r.signChange().note());
    }

    @Test
    void probeTransferIsRawAccuracyWithTheSignConventionStated() {
        // B's classes lie along A's direction but reversed: the transfer reads them upside down
        int d = 8;
        Random rng = new Random(9);
        String hook = "blocks.0.hook_resid_post";
        double[] flipped = axis(d, 0, -5);
        CapabilityCoupling.LayerCoupling l = CapabilityCoupling.analyze(new CapabilityCoupling.Input(List.of(new CapabilityCoupling.SizePoints("m", 10,
                List.of(new CapabilityCoupling.LayerPoints(hook, points("a", "m", 10, hook, 100, new double[d], axis(d, 0, 5), rng),
                        points("b", "m", 10, hook, 100, new double[d], flipped, rng))), List.of()))), options(200, 4)).sizes().get(0).layers().get(0);
        assertTrue(l.probeTransferAccuracy() < 0.1, "raw accuracy " + l.probeTransferAccuracy());
        assertTrue(l.centredCosine() < -0.9);
        assertEquals(CouplingVerdict.ANTAGONISTIC, l.verdict());
    }

    @Test
    void shuffledNullIsNotSignificantOnDataWithoutCoupling() {
        // no class structure at all (the null itself), and orthogonal class differences: p < 0.05 at most
        // about 5 % of the time; 60 draws each, binomial(60, 0.05) exceeds 8 with probability < 0.01
        int d = 12;
        int draws = 60;
        for (double signal : new double[] {0, 2}) {
            int significant = 0;
            int notIndependent = 0;
            for (int seed = 0; seed < draws; seed++) {
                Random rng = new Random(1000 + seed);
                String hook = "blocks.0.hook_resid_post";
                double[] mean = sharedMean(d, 10, rng);
                CapabilityCoupling.LayerCoupling l = CapabilityCoupling.analyze(new CapabilityCoupling.Input(List.of(new CapabilityCoupling.SizePoints("m", 10,
                        List.of(new CapabilityCoupling.LayerPoints(hook, points("a", "m", 10, hook, 30, mean, axis(d, 0, signal), rng),
                                points("b", "m", 10, hook, 30, mean, axis(d, 1, signal), rng))), List.of()))), options(199, seed))
                        .sizes().get(0).layers().get(0);
                significant += l.pValue() < 0.05 ? 1 : 0;
                notIndependent += l.verdict() != CouplingVerdict.INDEPENDENT ? 1 : 0;
            }
            assertTrue(significant <= 8, "signal " + signal + ": " + significant + " of " + draws + " draws had p < 0.05");
            assertTrue(notIndependent <= 8, "signal " + signal + ": " + notIndependent + " of " + draws + " draws were called coupled");
        }
    }

    @Test
    void cosinesBootstrapAndHeadProjectionsEqualNumpy() throws IOException {
        PythonReference.requireModules("numpy");
        int d = 6;
        int heads = 3;
        Random rng = new Random(21);
        String hook = "blocks.1.hook_resid_post";
        double[] mean = sharedMean(d, 5, rng);
        LabelledPoints a = points("a", "m", 10, hook, 17, mean, atCosine(d, 0.3, 2), rng);
        LabelledPoints b = points("b", "m", 10, hook, 23, mean, atCosine(d, -0.4, 1.5), rng);
        // unbalanced classes: drop a few positives of B
        int[] keep = java.util.stream.IntStream.range(0, b.size()).filter(i -> !(b.positive()[i] && i < 12)).toArray();
        LabelledPoints b2 = subset(b, keep);
        double[][] writes = new double[a.size()][heads * d];
        for (double[] row : writes) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        CapabilityCoupling.Options o = options(50, 8);
        LabelledPoints wa = new LabelledPoints("a", "m", 10, "blocks.1.attn.hook_result", writes, a.positive(), a.ids(), a.pairs());
        LabelledPoints wb = new LabelledPoints("b", "m", 10, "blocks.1.attn.hook_result", new double[b2.size()][heads * d], b2.positive(), b2.ids(), b2.pairs());
        CapabilityCoupling.Result r = CapabilityCoupling.analyze(new CapabilityCoupling.Input(List.of(new CapabilityCoupling.SizePoints("m", 10,
                List.of(new CapabilityCoupling.LayerPoints(hook, a, b2)), List.of(new CapabilityCoupling.HeadPoints(1, heads, wa, wb))))), o);
        List<int[]> drawsA = new ArrayList<>();
        List<int[]> drawsB = new ArrayList<>();
        for (int rep = 0; rep < o.resamples(); rep++) {
            drawsA.add(ClassContrasts.bootstrapRows(a.positive(), o.seed() * 4 + 1, rep));
            drawsB.add(ClassContrasts.bootstrapRows(b2.positive(), o.seed() * 4 + 2, rep));
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("a", Map.of("x", a.x(), "positive", a.positive()));
        spec.put("b", Map.of("x", b2.x(), "positive", b2.positive()));
        spec.put("draws_a", drawsA);
        spec.put("draws_b", drawsB);
        spec.put("level", o.level());
        spec.put("heads", Map.of("writes_a", writes, "heads", heads));
        Path in = dir.resolve("coupling.json");
        Files.writeString(in, Json.mapper().writeValueAsString(spec));
        JsonNode ref = Json.mapper().readTree(PythonReference.run("scalelab-core/src/test/python/coupling_reference.py", in.toString()));
        CapabilityCoupling.LayerCoupling l = r.sizes().get(0).layers().get(0);
        // double sums in a different order: agreement to ~1e-12
        assertEquals(ref.get("centred").asDouble(), l.centredCosine(), 1e-12);
        assertEquals(ref.get("uncentred").asDouble(), l.uncentredCosine(), 1e-12);
        assertEquals(ref.get("ci").get(0).asDouble(), l.ci()[0], 1e-12);
        assertEquals(ref.get("ci").get(1).asDouble(), l.ci()[1], 1e-12);
        for (int h = 0; h < heads; h++) {
            assertEquals(ref.get("head_projections").get(h).asDouble(), r.heads().get(h).projectionA(), 1e-12, "head " + h);
        }
    }

    static LabelledPoints subset(LabelledPoints p, int[] rows) {
        double[][] x = new double[rows.length][];
        boolean[] pos = new boolean[rows.length];
        List<String> ids = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            x[i] = p.x()[rows[i]];
            pos[i] = p.positive()[rows[i]];
            ids.add(p.ids().get(rows[i]));
            pairs.add(null);
        }
        return new LabelledPoints(p.set(), p.model(), p.parameterCount(), p.hook(), x, pos, ids, pairs);
    }

    @Test
    void plantedHeadWritesAreClassified() {
        // head 0 pushes both capabilities' positive class (cooperative), head 1 pushes A's and opposes
        // B's (competing), head 2 writes noise, head 3 serves A only (neutral)
        int d = 10;
        int heads = 4;
        int n = 60;
        Random rng = new Random(31);
        double[] u = axis(d, 0, 1);
        double[] v = axis(d, 1, 1);
        double[][] perHeadA = {u, u, null, u};
        double[][] perHeadB = {v, scale(v, -1), null, null};
        String hook = "blocks.3.hook_resid_post";
        Object[] a = planted("a", hook, n, d, heads, perHeadA, u, rng);
        Object[] b = planted("b", hook, n, d, heads, perHeadB, scale(v, 2), rng);
        CapabilityCoupling.Result r = CapabilityCoupling.analyze(new CapabilityCoupling.Input(List.of(new CapabilityCoupling.SizePoints("m", 10,
                List.of(new CapabilityCoupling.LayerPoints(hook, (LabelledPoints) a[0], (LabelledPoints) b[0])),
                List.of(new CapabilityCoupling.HeadPoints(3, heads, (LabelledPoints) a[1], (LabelledPoints) b[1]))))), options(100, 5));
        assertEquals(List.of("cooperative", "competing", "neutral", "neutral"), r.heads().stream().map(CapabilityCoupling.HeadCoupling::kind).toList(),
                r.heads().toString());
        assertEquals(1, r.competingHeads("m"));
        assertTrue(r.heads().get(3).significantA() && !r.heads().get(3).significantB());
        assertTrue(!r.heads().get(2).significantA() && !r.heads().get(2).significantB());
        assertEquals(3, r.heads().get(0).layer());
    }

    static double[] scale(double[] v, double s) {
        return java.util.Arrays.stream(v).map(x -> x * s).toArray();
    }

    /** {residual points, head-write points}: each head writes ±½·its vector by class plus noise; the residual is their sum plus {@code direct}, a mean and noise. */
    static Object[] planted(String set, String hook, int n, int d, int heads, double[][] perHead, double[] direct, Random rng) {
        double[][] x = new double[2 * n][d];
        double[][] w = new double[2 * n][heads * d];
        boolean[] pos = new boolean[2 * n];
        List<String> ids = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            pos[i] = i % 2 == 0;
            double sign = pos[i] ? 0.5 : -0.5;
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < d; j++) {
                    double val = (perHead[h] == null ? 0 : sign * perHead[h][j]) + 0.3 * rng.nextGaussian();
                    w[i][h * d + j] = val;
                    x[i][j] += val;
                }
            }
            for (int j = 0; j < d; j++) {
                x[i][j] += 20 + sign * direct[j] + 0.3 * rng.nextGaussian();
            }
            ids.add(set + i);
            pairs.add(null);
        }
        return new Object[] {new LabelledPoints(set, "m", 10, hook, x, pos, ids, pairs),
            new LabelledPoints(set, "m", 10, "blocks.3.attn.hook_result", w, pos, ids, pairs)};
    }

    @Test
    void oneClassOnlyIsRefusedNamingTheSet() {
        int d = 4;
        Random rng = new Random(1);
        String hook = "blocks.0.hook_resid_post";
        LabelledPoints a = points("truth-set", "m", 10, hook, 10, new double[d], axis(d, 0, 1), rng);
        boolean[] allPositive = new boolean[a.size()];
        java.util.Arrays.fill(allPositive, true);
        LabelledPoints one = new LabelledPoints("truth-set", "m", 10, hook, a.x(), allPositive, a.ids(), a.pairs());
        InputException e = assertThrows(InputException.class, () -> CapabilityCoupling.analyze(new CapabilityCoupling.Input(List.of(
                new CapabilityCoupling.SizePoints("m", 10, List.of(new CapabilityCoupling.LayerPoints(hook, one, a)), List.of()))), options(50, 0)));
        assertTrue(e.getMessage().contains("truth-set") && e.getMessage().contains("no negative"), e.getMessage());
    }

    @Test
    void headsWithoutAResidualHookOfTheirBlockAreRefused() {
        int d = 4;
        Random rng = new Random(1);
        String hook = "blocks.0.hook_resid_post";
        LabelledPoints a = points("a", "m", 10, hook, 10, new double[d], axis(d, 0, 1), rng);
        LabelledPoints wa = new LabelledPoints("a", "m", 10, "blocks.2.attn.hook_result", new double[a.size()][2 * d], a.positive(), a.ids(), a.pairs());
        InputException e = assertThrows(InputException.class, () -> CapabilityCoupling.analyze(new CapabilityCoupling.Input(List.of(
                new CapabilityCoupling.SizePoints("m", 10, List.of(new CapabilityCoupling.LayerPoints(hook, a, a)),
                        List.of(new CapabilityCoupling.HeadPoints(2, 2, wa, wa))))), options(50, 0)));
        assertTrue(e.getMessage().contains("blocks.2.hook_resid_post"), e.getMessage());
    }

    @Test
    void benjaminiHochbergMatchesTheStepUpRule() {
        // BH 1995's own example (15 p-values, q = 0.05): the four smallest are discoveries
        double[] p = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0};
        boolean[] d = HeadWrites.benjaminiHochberg(p, 0.05);
        for (int i = 0; i < p.length; i++) {
            assertEquals(i < 4, d[i], "p " + p[i]);
        }
    }
}
