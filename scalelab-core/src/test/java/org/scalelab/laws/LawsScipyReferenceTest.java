package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.Provenance;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * Cross-checks the fits against an independent implementation: scipy.optimize.curve_fit (MINPACK's
 * lmdif) and numpy.polyfit, run by bench/laws_scipy.py on the same data. Both solve the same least-
 * squares problem, so the optima agree to the optimisers' tolerances: 1e-4 relative on parameters.
 * Skips when the reference interpreter has no scipy.
 */
class LawsScipyReferenceTest {
    static final String SCRIPT = "bench/laws_scipy.py";
    static final Provenance PROV = Provenance.of("test", List.of(), null, 0L);

    @TempDir
    Path dir;

    @BeforeAll
    static void requireScipy() {
        PythonReference.script(SCRIPT);
        PythonReference.requireModules("numpy", "scipy");
    }

    JsonNode scipy(double[] x, double[] y, String... args) throws Exception {
        Path csv = dir.resolve("data.csv");
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < x.length; i++) {
            sb.append(Double.toString(x[i])).append(',').append(Double.toString(y[i])).append('\n');
        }
        Files.writeString(csv, sb.toString());
        List<String> cmd = new ArrayList<>(List.of(args[0], csv.toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        return Json.mapper().readTree(PythonReference.run(SCRIPT, cmd.toArray(String[]::new)));
    }

    static void assertRel(double expected, double actual, double tol, String what) {
        assertEquals(expected, actual, tol * Math.abs(expected), what + ": scipy " + expected + " vs ours " + actual);
    }

    @Test
    void powerLawMatchesScipyCurveFitInLogSpace() throws Exception {
        double[][] d = PowerLawFitTest.powerLaw(30, 1e7, 1e11, 1.69, 406.4, 0.34, 0.02, 17);
        CurveFitResult r = PowerLawFit.fit(d[0], d[1],
                PowerLawFit.Options.defaults().withBootstrap(0, 0).withBacktest(false), PROV);
        JsonNode ref = scipy(d[0], d[1], "power");
        assertRel(ref.get("E").asDouble(), r.parameter("E").v(), 1e-4, "E");
        assertRel(ref.get("alpha").asDouble(), r.parameter("alpha").v(), 1e-4, "alpha");
        assertRel(ref.get("A").asDouble(), r.parameter("A").v(), 1e-3, "A");
        assertRel(ref.get("rss_log").asDouble(), r.rss(), 1e-6, "rss");
    }

    @Test
    void kaplanFormMatchesNumpyPolyfit() throws Exception {
        double[][] d = PowerLawFitTest.powerLaw(25, 1e6, 1e10, 0, 11.5, 0.076, 0.01, 18);
        CurveFitResult r = PowerLawFit.fit(d[0], d[1],
                PowerLawFit.Options.defaults().withOffset(false).withBootstrap(0, 0).withBacktest(false), PROV);
        JsonNode ref = scipy(d[0], d[1], "kaplan");
        assertRel(ref.get("alpha").asDouble(), r.parameter("alpha").v(), 1e-9, "alpha");
        assertRel(ref.get("A").asDouble(), r.parameter("A").v(), 1e-8, "A");
    }

    @Test
    void sigmoidMatchesScipyCurveFitWithFixedAndFittedAsymptotes() throws Exception {
        double[][] d = SigmoidFitTest.emergence(30, 1e18, 1e26, 22, 3, 0.25, 1.0, 0.03, 19);
        CurveFitResult fixed = SigmoidFit.fit(d[0], d[1],
                SigmoidFit.Options.defaults().withFloorCeiling(0.25, 1.0).withBootstrap(0, 0).withBacktest(false), PROV);
        JsonNode ref = scipy(d[0], d[1], "sigmoid", "--floor", "0.25", "--ceiling", "1");
        assertRel(ref.get("m").asDouble(), fixed.parameter("m").v(), 1e-5, "m");
        assertRel(ref.get("k").asDouble(), fixed.parameter("k").v(), 1e-4, "k");

        CurveFitResult free = SigmoidFit.fit(d[0], d[1],
                SigmoidFit.Options.defaults().withFloorCeiling(null, null).withBootstrap(0, 0).withBacktest(false), PROV);
        JsonNode ref2 = scipy(d[0], d[1], "sigmoid", "--floor", "fit", "--ceiling", "fit");
        assertRel(ref2.get("m").asDouble(), free.parameter("m").v(), 1e-4, "m (free)");
        assertRel(ref2.get("k").asDouble(), free.parameter("k").v(), 1e-3, "k (free)");
        assertRel(ref2.get("floor").asDouble(), free.parameter("floor").v(), 1e-3, "floor");
        assertRel(ref2.get("ceiling").asDouble(), free.parameter("ceiling").v(), 1e-3, "ceiling");
    }

    @Test
    void shapeQuadraticAndCurvaturePValueMatchNumpyOlsAndScipyT() throws Exception {
        double[][] d = ShapeTestTest.sample(15, 1e7, 1e11, x -> 2.0 + 5.0 * Math.pow(x / 1e7, -0.5), 0.05, 21);
        ShapeTest.Result r = ShapeTest.test(d[0], d[1], ShapeTest.Options.defaults().withBootstrap(0, 0), PROV);
        JsonNode ref = scipy(d[0], d[1], "quadratic");
        for (String c : new String[] {"c0", "c1", "c2", "t_center"}) {
            assertRel(ref.get(c).asDouble(), r.coefficients().get(c), 1e-9, c);
        }
        assertRel(ref.get("se_c2").asDouble(), r.standardErrors().get("c2"), 1e-9, "se(c2)");
        assertRel(ref.get("p_value").asDouble(), r.pValue(), 1e-6, "p(c2)");
    }

    @Test
    void exponentialDecayMatchesScipyCurveFit() throws Exception {
        double[][] d = ExponentialDecayFitTest.decay(30, 1, 1000, 0.5, 4.0, 150, 0.05, 21);
        CurveFitResult r = ExponentialDecayFit.fit(d[0], d[1], new CurveFitter.Options(0, 0, false, List.of()), PROV);
        JsonNode ref = scipy(d[0], d[1], "exp");
        assertRel(ref.get("E").asDouble(), r.parameter("E").v(), 1e-4, "E");
        assertRel(ref.get("A").asDouble(), r.parameter("A").v(), 1e-4, "A");
        assertRel(ref.get("s").asDouble(), r.parameter("s").v(), 1e-4, "s");
        assertRel(ref.get("rss").asDouble(), r.rss(), 1e-6, "rss");
    }
}
