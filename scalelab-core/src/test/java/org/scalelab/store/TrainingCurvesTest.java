package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurvesTest {
    @TempDir
    Path lab;

    @Test
    void reloggingAStepReplacesItsPointsAndTheyOutliveTheProcess() {
        try (LabStore s = LabStore.open(lab)) {
            assertNull(s.trainingRun("w/a"));
            s.putTrainingRun(new LabStore.TrainingRun("w/a", "w", "{\"width\":64}", "running", 1000, 10, 1.5));
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("accuracy.atomic_id", 0.25);
            m.put("loss.atomic_id", Double.NaN);
            s.putCurvePoints("w/a", 10, m);
            m.put("accuracy.atomic_id", 0.5);
            s.putCurvePoints("w/a", 10, m); // a resumed run logs step 10 again
            s.putCurvePoints("w/a", 20, Map.of("accuracy.atomic_id", 0.75));
            s.putTrainingRun(new LabStore.TrainingRun("w/a", "w", "{\"width\":64}", "finished", 1000, 20, 3.0));
        }
        try (LabStore s = LabStore.open(lab)) {
            List<LabStore.CurvePoint> p = s.curvePoints("w/a");
            assertEquals(3, p.size(), "one point per (step, metric)");
            assertEquals(new LabStore.CurvePoint(10, "accuracy.atomic_id", 0.5), p.get(0));
            assertEquals(new LabStore.CurvePoint(10, "loss.atomic_id", null), p.get(1), "non-finite values are stored as NULL");
            assertEquals("finished", s.trainingRun("w/a").status());
            assertEquals(1, s.trainingRuns("w").size());
            assertEquals(0, s.trainingRuns("other").size());
            assertEquals(3L, ((Number) s.sql("SELECT count(*) FROM training_curves").rows().get(0).get(0)).longValue(), "readable with runs sql");
        }
    }
}
