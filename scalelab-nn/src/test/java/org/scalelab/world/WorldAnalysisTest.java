package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.dynamics.BinomialNull;
import org.scalelab.dynamics.LogSteps;
import org.scalelab.dynamics.ScalingShape;
import org.scalelab.dynamics.Transience;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;

/** The analysis of an experiment, on curves written straight into a store (no training). */
class WorldAnalysisTest {
    @TempDir
    Path lab;

    private static final long[] STEPS = {10, 100, 1000, 3000};

    /** Stores a run whose held-out analogy peaks at {@code peak} at step 100 and ends at {@code end}; near-OOD rises to {@code near}. */
    private static void run(LabStore s, int width, int depth, long seed, double peak, double end, double near) {
        RunSpec spec = new RunSpec(width, depth, 4, 1e-3, 0.1, 64, 3000, seed);
        String name = "e/" + spec.name();
        s.putTrainingRun(new LabStore.TrainingRun(name, "e", Json.write(Map.of("spec", spec.asMap())), "finished", 1000L * width, 3000, 1));
        double[] ana = {0, peak, end, end};
        double[] comp = {0, near / 2, near, near};
        for (int i = 0; i < STEPS.length; i++) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("accuracy.analogical_ood", ana[i]);
            m.put("accuracy.compositional_near_ood", comp[i]);
            m.put("loss.analogical_ood", 1.0);
            s.putCurvePoints(name, STEPS[i], m);
        }
    }

    @Test
    void aDropSharedByAllRunsIsTransientAcrossRunsAndAnInteriorWidthIsBest() {
        try (LabStore s = LabStore.open(lab)) {
            for (int w : new int[] {32, 64, 128}) {
                for (long seed = 0; seed < 3; seed++) {
                    double near = w == 64 ? 0.8 + 0.02 * seed : 0.4 + 0.02 * seed;
                    run(s, w, 1, seed, 0.5 + 0.05 * seed, 0.1, near);
                }
            }
            WorldAnalysis.Result r = WorldAnalysis.analyze(s, "e", WorldAnalysis.Options.defaults());
            assertEquals(9, r.runs().size());
            assertEquals(3, r.cells().size());
            Transience.Result pooled = r.pooled().stream().filter(t -> t.evalSet().startsWith("analogical_ood")).findFirst().orElseThrow();
            assertEquals("transient", pooled.verdict());
            assertEquals(0.45, pooled.drop().mean(), 1e-9, "peaks 0.5, 0.55, 0.6 → 0.1; mean drop 0.45");
            assertTrue(r.findings().get(0).startsWith("analogical_ood is transient across all 9 runs"), r.findings().toString());
            ScalingShape.Result width = r.scaling().stream()
                    .filter(x -> x.metric().equals("final_accuracy.compositional_near_ood at depth 1")).findFirst().orElseThrow();
            assertEquals("interior_best", width.verdict());
            assertEquals(64, width.bestX());
            assertTrue(r.findings().stream().anyMatch(f -> f.contains("compositional_near_ood vs width at depth 1: interior best")), r.findings().toString());
            assertEquals("undetermined", r.cells().get(0).analogyAfterComposition().verdict(),
                    "at width 32 composition never reaches 0.5: no seed can be compared");
            assertEquals(64, r.cells().get(1).width());
            assertEquals("undetermined", r.cells().get(1).analogyAfterComposition().verdict(),
                    "at width 64 the analogy touches 0.5 once (0 → 0.5 → 0.1 → 0.1, inferred 10 examples): within the binomial null,"
                            + " so no emergence step to compare");
        }
    }

    @Test
    void heldOutExamplesAreCountedOnTheRunsOwnWorld() {
        try (LabStore s = LabStore.open(lab)) {
            RunSpec spec = new RunSpec(32, 1, 4, 1e-3, 0.1, 64, 3000, 0);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("spec", spec.asMap());
            settings.put("world", WorldConfig.small().asMap());
            settings.put("max_eval_per_set", 512);
            s.putTrainingRun(new LabStore.TrainingRun("w/a", "w", Json.write(settings), "finished", 1000L, 3000, 1));
            s.putCurvePoints("w/a", 10, Map.of("accuracy.analogical_ood", 0.0, "accuracy.atomic_id", 0.1));
            s.putCurvePoints("w/a", 100, Map.of("accuracy.analogical_ood", 0.25, "accuracy.atomic_id", 0.5));
            WorldAnalysis.Result r = WorldAnalysis.analyze(s, "w", WorldAnalysis.Options.defaults());
            assertEquals(8, r.runs().get(0).examples().get("analogical_ood"), "the small world holds out 8 analogies");
            assertEquals(404, r.runs().get(0).examples().get("atomic_id"), "404 atomic facts, fewer than the 512 measured at most");
        }
    }

    @Test
    void aConstantSixPercentAnalogyOnEightExamplesIsNotTransient() {
        // Twelve runs whose held-out analogy is a constant 6 % measured on the small world's 8 held-out analogies at the
        // default 27 evaluation steps: peaks of 0.25 followed by 0 happen by chance alone.
        long[] steps = LogSteps.of(3000, 8);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        BinomialNull.Sampler noise = new BinomialNull.Sampler(8, 0.06);
        int bigDrops = 0;
        try (LabStore s = LabStore.open(lab)) {
            for (int w : new int[] {32, 64, 128}) {
                for (int d : new int[] {1, 2}) {
                    for (long seed = 0; seed < 2; seed++) {
                        RunSpec spec = new RunSpec(w, d, 4, 1e-3, 0.1, 64, 3000, seed);
                        String name = "n/" + spec.name();
                        Map<String, Object> settings = new LinkedHashMap<>();
                        settings.put("spec", spec.asMap());
                        settings.put("world", WorldConfig.small().asMap());
                        settings.put("max_eval_per_set", 512);
                        s.putTrainingRun(new LabStore.TrainingRun(name, "n", Json.write(settings), "finished", 1000L * w, 3000, 1));
                        double[] v = noise.curve(steps.length, rng);
                        bigDrops += Transience.drop(v, 1) >= 0.2 ? 1 : 0;
                        for (int i = 0; i < steps.length; i++) {
                            s.putCurvePoints(name, steps[i], Map.of("accuracy.analogical_ood", v[i]));
                        }
                    }
                }
            }
            WorldAnalysis.Result r = WorldAnalysis.analyze(s, "n", WorldAnalysis.Options.defaults());
            assertTrue(bigDrops >= 4, "noise alone drops by 0.2 from the peak in " + bigDrops + " of 12 runs");
            assertTrue(r.findings().stream().noneMatch(f -> f.contains("transient")), r.findings().toString());
            Transience.Result cell = r.cells().get(0).transience().get(0);
            assertEquals("not_transient", cell.verdict());
            assertEquals(null, cell.drop().ci95(), "two seeds give no interval");
            assertEquals("n seeds 2 < 3, no CI", cell.drop().noCi());
            assertTrue(cell.test().pValue() > 0.05, "p " + cell.test().pValue());
            String json = Json.write(cell);
            assertTrue(json.contains("\"ci95\":null") && json.contains("no CI"), json);
        }
    }

    @Test
    void anUnfinishedRunIsRefusedUnlessAllowedAndThenRecorded() {
        try (LabStore s = LabStore.open(lab)) {
            for (long seed = 0; seed < 2; seed++) {
                run(s, 32, 1, seed, 0.5, 0.1, 0.4);
            }
            LabStore.TrainingRun first = s.trainingRuns("e").get(0);
            // What a sweep killed mid-run leaves: the run's row still says "running".
            s.putTrainingRun(new LabStore.TrainingRun(first.run(), first.experiment(), first.specJson(), "running", first.parameters(), 100, 1));
            org.scalelab.IncompleteInputException e = assertThrows(org.scalelab.IncompleteInputException.class,
                    () -> WorldAnalysis.analyze(s, "e", WorldAnalysis.Options.defaults()));
            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().contains("1 unfinished run(s) [" + first.run() + "]")
                    && e.getMessage().contains("re-run the same scalelab world sweep command") && e.getMessage().contains("--allow-incomplete"), e.getMessage());
            WorldAnalysis.Result r = WorldAnalysis.analyze(s, "e", WorldAnalysis.Options.defaults(), true);
            assertEquals(2, r.runs().size());
            assertEquals(List.of(first.run()), r.provenance().options().get("incomplete_inputs"));
        }
    }

    @Test
    void anExperimentWithoutRunsIsAnInputError() {
        try (LabStore s = LabStore.open(lab)) {
            InputException e = assertThrows(InputException.class, () -> WorldAnalysis.analyze(s, "missing", WorldAnalysis.Options.defaults()));
            assertTrue(e.getMessage().contains("scalelab world sweep --experiment missing"), e.getMessage());
        }
    }
}
