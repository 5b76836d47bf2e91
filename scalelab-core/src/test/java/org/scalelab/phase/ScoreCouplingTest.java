package org.scalelab.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.TextColumns;

/** The score-table analysis on closed forms, on its nulls, and on the study's public 14-model table. */
class ScoreCouplingTest {
    @TempDir
    Path dir;

    static final ScoreTable.Columns PLAIN = new ScoreTable.Columns("family", "model", "params", "a", "b", null, null, null, List.of());

    static Path resource(String name) throws Exception {
        return Path.of(ScoreCouplingTest.class.getResource("/org/scalelab/phase/" + name).toURI());
    }

    /** The 14-model table (see src/main/resources/org/scalelab/phase/README.md). */
    static ScoreTable fourteen() throws Exception {
        Path csv = resource("hellaswag-truthfulqa-14.csv");
        ScoreTable.Columns c = new ScoreTable.Columns("family", "model", "params", "hellaswag", "truthfulqa", null, null, null, List.of());
        return ScoreTable.read(TextColumns.read(csv, c.all(), List.of()), c);
    }

    ScoreTable table(String csv, ScoreTable.Columns c) throws Exception {
        Path f = dir.resolve("t" + System.nanoTime() + ".csv");
        Files.writeString(f, csv);
        return ScoreTable.read(TextColumns.read(f, List.of(), c.all()), c);
    }

    static ScoreCoupling.Options options(int bootstrap, int permutations, long seed) {
        ScoreCoupling.Options d = ScoreCoupling.Options.defaults();
        return new ScoreCoupling.Options(bootstrap, permutations, seed, d.taxBelow(), d.bonusAbove(), d.minDeltaA(), d.widthRef(),
                d.vertexLog10Min(), d.vertexLog10Max(), d.ncFamilies(), d.gammaZero(), d.poolSingleSize());
    }

    static CriticalSize.Estimate estimate(ScoreCoupling.Result r, String method) {
        return r.criticalSize().stream().filter(e -> e.method().equals(method)).findFirst().orElseThrow();
    }

    @Test
    void reproducesThePublishedCriticalSizeOfThe14ModelTable() throws Exception {
        // Published (data/bootstrap_Nc_results.json of the study's repository; abstract "3.5 B [2.9 B, 13.4 B]"):
        // median 3.4939e9, 95 % interval [2.9165e9, 1.34042e10], 9,953 valid of 10,000 resamples. Our resampling
        // stream differs from numpy's, so the bootstrap figures agree up to Monte-Carlo error. Measured with numpy
        // over seeds 1–5 of the same procedure: median 3.488–3.506e9 (±0.5 %), lower bound 2.915–2.930e9 (±0.5 %),
        // upper bound 1.215–1.437e10 (±9 %), valid 9,944–9,956. Tolerances: 2 % on median and lower bound,
        // 10 % on the upper bound, ±60 valid replicates.
        ScoreCoupling.Result r = ScoreCoupling.analyze(fourteen(), options(10_000, 0, 42));
        CriticalSize.Estimate q = estimate(r, "quadratic_vertex");
        assertEquals(10_000, q.replicates());
        assertEquals(3.4939e9, q.median(), 0.02 * 3.4939e9, "median");
        assertEquals(2.9165e9, q.ci95()[0], 0.02 * 2.9165e9, "lower bound");
        assertEquals(1.34042e10, q.ci95()[1], 0.10 * 1.34042e10, "upper bound");
        assertEquals(9953, q.validReplicates(), 60);
        // The fit on all 14 models is deterministic: its vertex is checked against numpy.polyfit in
        // quadraticPearsonAndGammaMatchNumpyAndScipy; here only that it sits where the study's curve turns.
        assertEquals(3.43e9, q.value(), 0.01e9);
        assertNull(q.note());
    }

    @Test
    void quadraticPearsonAndGammaMatchNumpyAndScipy() throws Exception {
        org.scalelab.PythonReference.script("bench/phase_scores_reference.py");
        org.scalelab.PythonReference.requireModules("numpy", "scipy");
        ScoreTable t = fourteen();
        Path csv = dir.resolve("ab.csv");
        StringBuilder sb = new StringBuilder("family,model,params,a,b\n");
        for (ScoreTable.Row row : t.rows()) {
            sb.append(row.family()).append(',').append(row.model()).append(',').append(row.params()).append(',')
                    .append(row.a()).append(',').append(row.b()).append('\n');
        }
        Files.writeString(csv, sb.toString());
        var ref = org.scalelab.io.Json.mapper().readTree(org.scalelab.PythonReference.run("bench/phase_scores_reference.py", csv.toString()));
        ScoreCoupling.Result r = ScoreCoupling.analyze(t, options(0, 0, 1));
        CriticalSize.Estimate q = estimate(r, "quadratic_vertex");
        for (int k = 0; k < 3; k++) {
            double e = ref.at("/quadratic/" + k).asDouble();
            assertEquals(e, q.fit()[k], 1e-9 * Math.abs(e), "polyfit coefficient " + k);
        }
        assertEquals(Math.pow(10, ref.get("vertex").asDouble()), q.value(), 1e-9 * q.value(), "vertex");
        for (ScoreCoupling.Family f : r.families()) {
            var p = ref.at("/pearson/" + f.family());
            assertEquals(p.get("r").asDouble(), f.r(), 1e-12, f.family() + " r");
            if (p.get("ci95").isNull()) {
                assertNull(f.rCi95(), f.family() + " has n ≤ 3");
            } else {
                assertEquals(p.at("/ci95/0").asDouble(), f.rCi95()[0], 1e-9, f.family() + " r lower");
                assertEquals(p.at("/ci95/1").asDouble(), f.rCi95()[1], 1e-9, f.family() + " r upper");
            }
            var g = ref.at("/gamma/" + f.family());
            assertEquals(g.size(), f.steps().size());
            for (int i = 0; i < g.size(); i++) {
                assertEquals(g.get(i).asDouble(), f.steps().get(i).gamma(), 1e-12, f.family() + " step " + i);
            }
        }
    }

    @Test
    void quadraticFitRecoversAnExactParabolaAndItsVertex() {
        double[] x = {7, 7.5, 8.2, 9, 9.9, 10.4, 11.8};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 2.5 * (x[i] - 9.3) * (x[i] - 9.3) + 31;
        }
        QuadraticFit f = QuadraticFit.of(x, y);
        assertEquals(2.5, f.a(), 1e-10);
        assertEquals(9.3, f.vertex(), 1e-10);
        assertEquals(31, f.at(9.3), 1e-9);
        assertNull(QuadraticFit.of(new double[] {8, 8, 9, 9}, new double[] {1, 2, 3, 4}), "two distinct x: undetermined");
    }

    @Test
    void stepsGivePhasesByTheThresholdsAndRefuseToDivideByATie() throws Exception {
        ScoreTable t = table("family,model,params,a,b\n"
                + "F,f3,1e10,30,49.05\nF,f1,1e8,10,50\nF,f2,1e9,20,48\nF,f4,1e11,30,60\n"
                + "G,g1,1e8,10,10\nG,g2,1e9,20,10.5\n", PLAIN);
        ScoreCoupling.Result r = ScoreCoupling.analyze(t, options(100, 0, 1));
        List<ScoreCoupling.Step> s = r.families().get(0).steps();
        assertEquals(List.of("f1", "f2", "f3"), s.stream().map(ScoreCoupling.Step::from).toList(), "sorted by size");
        assertEquals(-0.2, s.get(0).gamma(), 1e-12);
        assertEquals("tax", s.get(0).phase());
        assertEquals(0.105, s.get(1).gamma(), 1e-12);
        assertEquals("bonus", s.get(1).phase());
        assertNull(s.get(2).gamma(), "Δa = 0");
        assertEquals("undefined", s.get(2).phase());
        assertTrue(s.get(2).note().contains("undefined"), s.get(2).note());
        assertEquals(0.05, r.families().get(1).steps().get(0).gamma(), 1e-12);
        assertEquals("transition", r.families().get(1).steps().get(0).phase());
        // Without standard errors there is no interval, and the step says why.
        assertNull(s.get(0).ci95());
        assertTrue(s.get(0).note().contains("standard errors"), s.get(0).note());
    }

    @Test
    void stepIntervalsResampleTheScoresFromTheirStandardErrors() throws Exception {
        ScoreTable.Columns c = new ScoreTable.Columns("family", "model", "params", "a", "b", "a_se", "b_se", null, List.of());
        ScoreTable t = table("family,model,params,a,b,a_se,b_se\nF,f1,1e8,10,50,0.5,0.5\nF,f2,1e9,20,48,0.5,0.5\n"
                + "F,f3,1e10,30,49,0,0\nF,f4,1e11,40,50,0,0\n", c);
        ScoreCoupling.Result r = ScoreCoupling.analyze(t, options(4000, 0, 3));
        ScoreCoupling.Step noisy = r.families().get(0).steps().get(0);
        // γ = Δb/Δa with Δa ~ N(10, 0.5²·2), Δb ~ N(−2, 0.5²·2): to first order sd(γ) = √(0.5 + 0.04·0.5)/10 = 0.0721,
        // so the 95 % interval is about −0.2 ± 0.141 (checked to 0.02 on each side).
        assertEquals(-0.2 - 1.96 * 0.0721, noisy.ci95()[0], 0.02);
        assertEquals(-0.2 + 1.96 * 0.0721, noisy.ci95()[1], 0.02);
        assertEquals(4000, noisy.validReplicates());
        ScoreCoupling.Step exact = r.families().get(0).steps().get(2);
        assertEquals(0.1, exact.ci95()[0], 1e-12, "zero standard errors: a point interval");
        assertEquals(0.1, exact.ci95()[1], 1e-12);
        ScoreCoupling.Result again = ScoreCoupling.analyze(t, options(4000, 0, 3));
        assertEquals(noisy.ci95()[0], again.families().get(0).steps().get(0).ci95()[0], 0.0, "same seed, same interval");
    }

    @Test
    void stepIntervalExcludesZeroNoMoreOftenThanItsLevelWhenTheScoresAreUncoupled() {
        // True scores: a rises 40 → 50, b stays at 40 (γ12 = 0); each observed score is drawn with its standard
        // error 1.0. Over 400 tables the γ12 interval may exclude 0 in 5 % + 3 binomial standard errors of them.
        SplittableRandom rng = new SplittableRandom(21);
        int reps = 400;
        int excluded = 0;
        for (int k = 0; k < reps; k++) {
            List<ScoreTable.Row> rows = List.of(
                    new ScoreTable.Row("F", "f1", 1e8, 40 + rng.nextGaussian(), 40 + rng.nextGaussian(), 1, 1, Double.NaN, new double[0], "row 1"),
                    new ScoreTable.Row("F", "f2", 1e9, 50 + rng.nextGaussian(), 40 + rng.nextGaussian(), 1, 1, Double.NaN, new double[0], "row 2"),
                    new ScoreTable.Row("F", "f3", 1e10, 60, 40, 0, 0, Double.NaN, new double[0], "row 3"));
            ScoreTable t = new ScoreTable("test", "a", "b", List.of(), true, false, rows,
                    new org.scalelab.Provenance.Input("test", "", 3));
            double[] ci = ScoreCoupling.analyze(t, options(500, 0, k)).families().get(0).steps().get(0).ci95();
            if (ci[0] > 0 || ci[1] < 0) {
                excluded++;
            }
        }
        assertTrue(excluded <= 0.05 * reps + 3 * Math.sqrt(0.05 * 0.95 * reps), excluded + " of " + reps + " excluded 0");
    }

    @Test
    void gammaZeroInterpolatesTheLastRiseAboveZeroOrFitsALine() {
        double[] x = {8, 9, 10, 10.5};
        double[] g = {-1, -0.5, 0.5, 0.2};
        assertEquals(9.5, CriticalSize.lastCrossing(x, g), 1e-12);
        assertEquals(Double.NaN, CriticalSize.lastCrossing(x, new double[] {1, 2, 3, 4}), "never negative: no crossing");
        assertEquals(Double.NaN, CriticalSize.lastCrossing(x, new double[] {1, 2, 3, -4}), "ends negative: no crossing");
        // Two steps at the same size count as their mean (0.25 at 9), whatever their order.
        assertEquals(8.8, CriticalSize.lastCrossing(new double[] {8, 9, 9, 10}, new double[] {-1, 1, -0.5, 0.5}), 1e-12);
        assertEquals(8.8, CriticalSize.lastCrossing(new double[] {8, 9, 9, 10}, new double[] {-1, -0.5, 1, 0.5}), 1e-12);
        double[] gl = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            gl[i] = 0.5 * (x[i] - 9.2);
        }
        CriticalSize.Estimate fit = CriticalSize.gammaZero(x, gl, CriticalSize.GammaZero.FIT, 200, 1, 7, 12);
        assertEquals(Math.pow(10, 9.2), fit.value(), 1e-6 * Math.pow(10, 9.2));
        assertEquals(0.5, fit.fit()[0], 1e-12);
        CriticalSize.Estimate none = CriticalSize.gammaZero(x, new double[] {1, 2, 3, 4}, CriticalSize.GammaZero.INTERPOLATE, 50, 1, 7, 12);
        assertNull(none.value());
        assertEquals(0, none.validReplicates(), "replicates without a crossing are not valid");
        assertNull(none.ci95());
    }

    @Test
    void pearsonIntervalExcludesZeroNoMoreOftenThanItsLevelOnIndependentScores() {
        // 2,000 families of 8 models with independent normal scores: a 95 % interval excludes 0 with
        // probability 5 %; allowed up to 5 % + 3 binomial standard errors (1.5 %).
        SplittableRandom rng = new SplittableRandom(11);
        int reps = 2000;
        int excluded = 0;
        for (int k = 0; k < reps; k++) {
            double[] a = new double[8];
            double[] b = new double[8];
            for (int i = 0; i < 8; i++) {
                a[i] = 50 + 5 * rng.nextGaussian();
                b[i] = 40 + 3 * rng.nextGaussian();
            }
            double[] ci = PearsonInterval.of(a, b, 0.95).ci();
            if (ci[0] > 0 || ci[1] < 0) {
                excluded++;
            }
        }
        assertTrue(excluded <= 0.05 * reps + 3 * Math.sqrt(0.05 * 0.95 * reps), excluded + " of " + reps + " excluded 0");
        assertTrue(excluded >= 0.05 * reps - 3 * Math.sqrt(0.05 * 0.95 * reps), excluded + " of " + reps + ": too conservative");
        assertNull(PearsonInterval.of(new double[] {1, 2, 3}, new double[] {3, 1, 2}, 0.95).ci(), "n = 3: no interval");
    }

    @Test
    void widthNullCapturesTheCorrelationNormalisationAloneInduces() throws Exception {
        // Independent scores, widths 256 … 8192: dividing both scores by d_model/512 makes them share a factor
        // and correlate strongly although the raw scores are unrelated. The null must expect that r (its mean
        // near the observed) and the observed r must exceed its 95th percentile no more often than 5 % of the
        // time (allowed: 5 % + 3 binomial standard errors over 200 families).
        SplittableRandom rng = new SplittableRandom(5);
        int reps = 200;
        int above = 0;
        double sumObserved = 0;
        double sumNullMean = 0;
        double[] widths = {256, 512, 768, 1024, 2048, 4096, 5120, 8192};
        for (int k = 0; k < reps; k++) {
            double[] a = new double[8];
            double[] b = new double[8];
            double[] w = new double[8];
            for (int i = 0; i < 8; i++) {
                a[i] = 60 + 4 * rng.nextGaussian();
                b[i] = 40 + 4 * rng.nextGaussian();
                w[i] = widths[i] / 512;
            }
            double observed = PearsonInterval.pearson(div(a, w), div(b, w));
            ScoreCoupling.WidthNull n = ScoreCoupling.widthNull(a, b, w, observed, 400, k, 0);
            sumObserved += observed;
            sumNullMean += n.mean();
            if (observed > n.p95()) {
                above++;
            }
        }
        assertTrue(sumObserved / reps > 0.8, "normalisation alone induces a strong positive r: " + sumObserved / reps);
        assertEquals(sumObserved / reps, sumNullMean / reps, 0.03, "the null expects the induced r");
        assertTrue(above <= 0.05 * reps + 3 * Math.sqrt(0.05 * 0.95 * reps), above + " of " + reps + " above the null's p95");
    }

    @Test
    void widthNormalisationIsReportedBesideItsNullPerFamily() throws Exception {
        ScoreTable.Columns c = new ScoreTable.Columns("family", "model", "params", "a", "b", null, null, "d_model", List.of());
        ScoreTable t = table("family,model,params,a,b,d_model\nF,f1,1e8,30,45,512\nF,f2,4e8,40,42,1024\nF,f3,1e9,48,41,2048\n"
                + "F,f4,3e9,60,38,2560\nF,f5,1e10,70,44,4096\n", c);
        ScoreCoupling.Family f = ScoreCoupling.analyze(t, options(0, 1000, 2)).families().get(0);
        double[] w = {1, 2, 4, 5, 8};
        double[] a = {30, 40, 48, 60, 70};
        double[] b = {45, 42, 41, 38, 44};
        assertEquals(PearsonInterval.pearson(div(a, w), div(b, w)), f.rWidthNormalized(), 1e-12);
        assertNotNull(f.rWidthNull());
        assertEquals(1000, f.rWidthNull().permutations());
        assertTrue(f.rWidthNull().mean() > 0.3, "shared widths spanning 8× induce positive r: " + f.rWidthNull().mean());
    }

    @Test
    void participationRatioIsOneForCollinearAndKForOrthogonalBenchmarks() throws Exception {
        ScoreTable.Columns c = new ScoreTable.Columns("family", "model", "params", "a", "b", null, null, null, List.of("c"));
        ScoreTable orthogonal = table("family,model,params,a,b,c\nF,f1,1e8,1,1,1\nF,f2,1e9,-1,1,-1\nF,f3,1e10,1,-1,-1\n"
                + "F,f4,1e11,-1,-1,1\n", c);
        assertEquals(3, ScoreCoupling.dimension("all", orthogonal.rows(), List.of("a", "b", "c")).participationRatio(), 1e-12);
        ScoreTable collinear = table("family,model,params,a,b,c\nF,f1,1e8,1,3,-1\nF,f2,1e9,2,5,-2\nF,f3,1e10,4,9,-4\n", c);
        assertEquals(1, ScoreCoupling.dimension("all", collinear.rows(), List.of("a", "b", "c")).participationRatio(), 1e-12);
        ScoreCoupling.Result r = ScoreCoupling.analyze(table("family,model,params,a,b,c\nF,f1,1e8,1,3,-1\nF,f2,1e9,2,5,-2\n"
                + "F,f3,1e10,4,9,-4\n", c), options(0, 0, 1));
        assertEquals(List.of("below N_c", "above N_c", "all"), r.benchmarkDimension().stream().map(ScoreCoupling.Dimension::group).toList());
    }

    @Test
    void badTablesAreRefusedNamingRowColumnAndValue() throws Exception {
        InputException nan = assertThrows(InputException.class, () -> table("family,model,params,a,b\nF,f1,1e8,10,NaN\n", PLAIN));
        assertTrue(nan.getMessage().contains("row 1, column 'b'") && nan.getMessage().contains("NaN"), nan.getMessage());
        InputException text = assertThrows(InputException.class, () -> table("family,model,params,a,b\nF,f1,1e8,ten,1\n", PLAIN));
        assertTrue(text.getMessage().contains("column 'a': value 'ten' is not a number"), text.getMessage());
        InputException dup = assertThrows(InputException.class,
                () -> table("family,model,params,a,b\nF,f1,1e8,1,1\nG,f1,1e9,2,2\n", PLAIN));
        assertTrue(dup.getMessage().contains("row 2, column 'model'") && dup.getMessage().contains("already appeared at row 1"),
                dup.getMessage());
        InputException missing = assertThrows(InputException.class, () -> table("family,model,params,a\nF,f1,1e8,1\n", PLAIN));
        assertTrue(missing.getMessage().contains("'b'"), missing.getMessage());
        ScoreTable single = table("family,model,params,a,b\nF,f1,1e8,1,5\nF,f2,1e9,2,4\nF,f3,1e10,3,6\nG,g1,1e9,2,2\n", PLAIN);
        InputException one = assertThrows(InputException.class, () -> ScoreCoupling.analyze(single, options(0, 0, 1)));
        assertTrue(one.getMessage().contains("family 'G' has one model"), one.getMessage());
        ScoreTable two = table("family,model,params,a,b\nF,f1,1e8,1,5\nF,f2,1e9,2,4\n", PLAIN);
        InputException few = assertThrows(InputException.class, () -> ScoreCoupling.analyze(two, options(0, 0, 1)));
        assertTrue(few.getMessage().contains("at least 3"), few.getMessage());
    }

    @Test
    void aSingleSizeFamilyCanBePooledIntoTheCriticalSizeOnly() throws Exception {
        ScoreTable t = table("family,model,params,a,b\nF,f1,1e8,1,5\nF,f2,1e9,2,4\nF,f3,1e10,3,6\nG,g1,1e9,2,2\n", PLAIN);
        ScoreCoupling.Options d = options(0, 0, 1);
        ScoreCoupling.Options pool = new ScoreCoupling.Options(0, 0, 1, d.taxBelow(), d.bonusAbove(), 0, 512, 7, 12, List.of(),
                CriticalSize.GammaZero.INTERPOLATE, true);
        ScoreCoupling.Result r = ScoreCoupling.analyze(t, pool);
        ScoreCoupling.Family g = r.families().get(1);
        assertTrue(g.steps().isEmpty());
        assertNull(g.r());
        assertEquals(4, estimate(r, "quadratic_vertex").points());
    }

    static double[] div(double[] v, double[] w) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            out.add(v[i] / w[i]);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
