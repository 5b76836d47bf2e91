package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.store.LabStore;
import org.scalelab.store.QueryResult;
import org.scalelab.store.ResultSummary;

class LabFixtureTest {
    private static <T> T read(Path lab, java.util.function.Function<LabStore, T> body) {
        try (LabStore store = LabStore.openReadOnly(lab, new LabStore.Wait(Duration.ofSeconds(5), m -> { }))) {
            return body.apply(store);
        }
    }

    @Test
    void labHoldsEveryPromisedResultRunsOfTwoFamiliesAndATrainedSweep() {
        Path lab = LabFixture.lab();
        Map<String, Integer> counts = new TreeMap<>();
        for (ResultSummary r : read(lab, LabStore::listResults)) {
            counts.merge(r.analysis(), 1, Integer::sum);
        }
        assertEquals(new TreeMap<>(LabFixture.EXPECTED_RESULTS), counts, "saved results by analysis");

        QueryResult families = read(lab, s -> s.sql("SELECT family, count(*) FROM points GROUP BY family ORDER BY family"));
        assertEquals(2, families.rows().size(), "families: " + families.rows());
        assertEquals(LabFixture.HOFFMANN_FAMILY, families.rows().get(0).get(0));
        assertEquals(LabFixture.SYNTHETIC_FAMILY, families.rows().get(1).get(0));
        assertEquals(30L, ((Number) families.rows().get(1).get(1)).longValue());

        List<LabStore.TrainingRun> runs = read(lab, s -> s.trainingRuns(LabFixture.EXPERIMENT));
        assertEquals(LabFixture.WIDTHS.size(), runs.size(), "training runs: " + runs);
        for (LabStore.TrainingRun run : runs) {
            assertEquals(LabFixture.WORLD_STEPS, run.step(), run.run() + " trained to the end");
            List<LabStore.CurvePoint> points = read(lab, s -> s.curvePoints(run.run()));
            assertTrue(points.stream().map(LabStore.CurvePoint::step).distinct().count() >= 3,
                    run.run() + " has curve points at several steps: " + points.size());
        }
        assertTrue(Files.isDirectory(lab.resolve("activations")), "activation sets captured");
    }

    @Test
    void copyIsAnIndependentLabWithTheSameResults(@TempDir Path dir) {
        Path copy = LabFixture.copy(dir.resolve("lab"));
        assertFalse(copy.equals(LabFixture.lab()));
        assertEquals(read(LabFixture.lab(), LabStore::listResults), read(copy, LabStore::listResults));
        assertTrue(LabFixture.seconds().get("total") > 0);
    }
}
