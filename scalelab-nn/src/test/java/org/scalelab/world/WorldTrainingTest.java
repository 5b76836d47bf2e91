package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.dynamics.LogSteps;
import org.scalelab.model.ModelConfig;
import org.scalelab.store.LabStore;

class WorldTrainingTest {
    static final WorldConfig WORLD = new WorldConfig(16, 4, Domain.all(), 60, 0.1, 0.1, 0.25, 20, 0.25, 20, 3, 0.25, 4, 0);
    static final RunSpec SPEC = new RunSpec(32, 1, 2, 3e-3, 0.01, 32, 240, 1);
    static final WorldTraining.Options OPTIONS = WorldTraining.Options.defaults().withCheckpointEvery(40);

    @TempDir
    Path dir;

    private static Map<String, Double> points(LabStore store, String run) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (LabStore.CurvePoint p : store.curvePoints(run)) {
            m.put(p.step() + " " + p.metric(), p.value());
        }
        return m;
    }

    @Test
    void aRunLogsEveryLogSpacedStepLearnsAndIsSkippedOnceFinished() {
        World world = WorldGenerator.generate(WORLD);
        ModelConfig c = WorldTraining.modelConfig(world, SPEC);
        assertEquals(world.vocabulary().size(), c.vocabSize());
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            WorldTraining.RunResult r = WorldTraining.run(world, "t", SPEC, dir.resolve("run"), store, OPTIONS, null);
            assertFalse(r.skipped());
            assertEquals(SPEC.steps(), r.steps());
            List<LabStore.CurvePoint> pts = store.curvePoints(r.run());
            long[] expected = LogSteps.of(SPEC.steps(), OPTIONS.evalPerDecade());
            assertEquals(List.of(expected).size(), 1);
            List<Long> steps = pts.stream().map(LabStore.CurvePoint::step).distinct().toList();
            assertEquals(java.util.Arrays.stream(expected).boxed().toList(), steps, "one evaluation per log-spaced step");
            Map<String, Double> m = points(store, r.run());
            for (String set : world.evalSets().keySet()) {
                assertTrue(m.containsKey(SPEC.steps() + " accuracy." + set), set);
            }
            assertTrue(m.containsKey(SPEC.steps() + " alignment.dirichlet.layer0"));
            assertTrue(m.get(SPEC.steps() + " loss.atomic_id") < m.get("1 loss.atomic_id") - 0.5,
                    "the trained facts' loss falls: " + m.get("1 loss.atomic_id") + " → " + m.get(SPEC.steps() + " loss.atomic_id"));
            assertEquals("finished", store.trainingRun(r.run()).status());
            WorldTraining.RunResult again = WorldTraining.run(world, "t", SPEC, dir.resolve("run"), store, OPTIONS, null);
            assertTrue(again.skipped(), "a finished run is not trained again");
            assertEquals(pts.size(), store.curvePoints(r.run()).size());
        }
    }

    @Test
    void aSweepKilledWithKill9AndRestartedLosesNoFinishedRunAndNoLoggedPoint() throws Exception {
        World world = WorldGenerator.generate(WORLD);
        List<RunSpec> specs = List.of(SPEC.withSeed(1), SPEC.withSeed(2));
        Map<String, Map<String, Double>> reference = new LinkedHashMap<>();
        try (LabStore store = LabStore.open(dir.resolve("ref"))) {
            WorldSweep.run(world, "kill", specs, dir.resolve("ref-runs"), store, OPTIONS, 1);
            for (RunSpec s : specs) {
                reference.put(WorldTraining.runName("kill", s), points(store, WorldTraining.runName("kill", s)));
            }
        }
        Path lab = dir.resolve("lab");
        Path runsDir = dir.resolve("runs");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("ai.djl.offline", "DJL_OFFLINE", "OPT_OUT_TRACKING", "DJL_CACHE_DIR")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(List.of(WorldTrainingChild.class.getName(), lab.toString(), runsDir.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean firstFinished = false;
        boolean killed = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                firstFinished |= line.equals("finished 1");
                // In the second run, past its checkpoint at step 120 and before its end: points after the
                // checkpoint will be logged twice.
                if (firstFinished && line.startsWith("logged ")) {
                    long step = Long.parseLong(line.substring(7));
                    if (step > 130 && step < SPEC.steps()) {
                        child.destroyForcibly(); // SIGKILL: no shutdown hooks, the store is not closed
                        killed = true;
                        break;
                    }
                }
            }
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertTrue(killed, "the child was killed in the middle of the second run");
        try (LabStore store = LabStore.open(lab)) {
            assertEquals("finished", store.trainingRun(WorldTraining.runName("kill", specs.get(0))).status());
            assertEquals("running", store.trainingRun(WorldTraining.runName("kill", specs.get(1))).status());
            WorldSweep.Summary again = WorldSweep.run(world, "kill", specs, runsDir, store, OPTIONS, 2);
            assertEquals(1, again.skipped(), "the finished run is not trained again");
            assertEquals(1, again.trained(), "the killed run resumes");
            for (RunSpec s : specs) {
                String run = WorldTraining.runName("kill", s);
                Map<String, Double> got = points(store, run);
                Map<String, Double> want = reference.get(run);
                assertEquals(want.keySet(), got.keySet(), run + ": every (step, metric) exactly once");
                for (Map.Entry<String, Double> e : want.entrySet()) {
                    if (e.getValue() == null) {
                        assertEquals(null, got.get(e.getKey()), e.getKey());
                    } else {
                        assertEquals(e.getValue(), got.get(e.getKey()), 1e-5, run + " replays the same values: " + e.getKey());
                    }
                }
                assertEquals("finished", store.trainingRun(run).status());
            }
        }
    }

    @Test
    void aRunThatDivergesIsRecordedAsDivergedAndNotTrainedAgain() {
        World world = WorldGenerator.generate(WORLD);
        RunSpec absurd = new RunSpec(32, 1, 2, 1e30, 0.0, 32, 200, 1); // AdamW steps of ~1e30 overflow float32 at once
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            WorldTraining.RunResult r = WorldTraining.run(world, "d", absurd, dir.resolve("run"), store, OPTIONS, null);
            assertEquals(WorldTraining.DIVERGED, r.status());
            assertTrue(r.steps() < absurd.steps(), "stopped at step " + r.steps());
            assertEquals(WorldTraining.DIVERGED, store.trainingRun(r.run()).status());
            WorldTraining.RunResult again = WorldTraining.run(world, "d", absurd, dir.resolve("run"), store, OPTIONS, null);
            assertTrue(again.skipped(), "a diverged run is deterministic: it is not trained again");
        }
    }
}
