package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.ActivationSetWriter;

/** {@link ActivationGroups} with steps as the unit: boundaries mapped to rows by position, and the inputs it refuses. */
class StepGroupsTest {
    static final String HOOK = "blocks.0.hook_resid_post";

    @TempDir
    Path dir;

    /** A set of one hook, d = 2, row value (position, trajectory); each trajectory: token count, kept positions, boundaries. */
    record T(int tokens, int[] positions, List<Integer> boundaries) {}

    Path write(String name, String positions, List<T> ts) {
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt2",
                100, 2, 1, List.of(HOOK), "F32", "float32", false, positions, List.of(), false, List.of(), List.of(), null);
        Path set = dir.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.open(set, header, 1 << 20);
        for (int k = 0; k < ts.size(); k++) {
            T t = ts.get(k);
            float[] rows = new float[2 * t.positions().length];
            for (int i = 0; i < t.positions().length; i++) {
                rows[2 * i] = t.positions()[i];
                rows[2 * i + 1] = k;
            }
            w.add("p" + k, null, null, t.boundaries(), t.tokens(), t.positions(), new int[t.positions().length], List.of(rows));
        }
        w.finish();
        return set;
    }

    static int[] range(int from, int to) {
        int[] p = new int[to - from];
        for (int i = 0; i < p.length; i++) {
            p[i] = from + i;
        }
        return p;
    }

    static List<ActivationGroups.Input> steps(Path set, StepPooling.Pool pool) {
        return ActivationGroups.of(List.of(ActivationSet.open(set)),
                new ActivationGroups.Options(null, List.of(), null, StepPooling.Unit.STEP, pool));
    }

    @Test
    void boundariesAreTokenPositionsMappedToRowsThroughTheFirstCapturedPosition() {
        // Captured from position 3: boundaries 2 (step [2, 5), rows of positions 3, 4), 5 (positions 5..7).
        Path set = write("offset", "3:8", List.of(new T(8, range(3, 8), List.of(2, 5))));
        PointSet p = steps(set, StepPooling.Pool.MEAN).get(0).points();
        assertEquals(2, p.size());
        assertEquals(3.5f, p.get(0, 0), "mean position of the captured rows of step 0");
        assertEquals(6f, p.get(1, 0));
        PointSet last = steps(set, StepPooling.Pool.LAST).get(0).points();
        assertEquals(4f, last.get(0, 0));
        assertEquals(7f, last.get(1, 0));
    }

    @Test
    void tokensBeforeTheFirstBoundaryBelongToNoStep() {
        Path set = write("lead", "all", List.of(new T(6, range(0, 6), List.of(4))));
        PointSet p = steps(set, StepPooling.Pool.MEAN).get(0).points();
        assertEquals(1, p.size());
        assertEquals(4.5f, p.get(0, 0));
    }

    @Test
    void theTokenUnitIsUnchangedByTheThreeArgumentOptions() {
        Path set = write("tok", "all", List.of(new T(6, range(0, 6), List.of(4))));
        ActivationGroups.Input in = ActivationGroups.of(List.of(ActivationSet.open(set)), new ActivationGroups.Options(null, List.of(), null)).get(0);
        assertEquals(6, in.points().size());
        assertEquals("token", in.unitName());
        assertNull(in.dropped());
    }

    @Test
    void aSetWithoutAnyStepBoundaryIsRefusedNamingTheSetAndTheWayOut() {
        Path set = write("flat", "all", List.of(new T(5, range(0, 5), List.of()), new T(4, range(0, 4), List.of())));
        InputException e = assertThrows(InputException.class, () -> steps(set, StepPooling.Pool.MEAN));
        assertTrue(e.getMessage().startsWith(set.toString()) && e.getMessage().contains("--steps") && e.getMessage().contains("step_boundaries")
                && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aStepWithNoCapturedRowNamesSetTrajectoryAndStep() {
        // --positions last: only position 5 kept; step 0 (positions 0..2) has no row.
        Path set = write("last", "last", List.of(new T(6, new int[] {5}, List.of(0, 3))));
        InputException e = assertThrows(InputException.class, () -> steps(set, StepPooling.Pool.LAST));
        assertTrue(e.getMessage().startsWith(set.toString()) && e.getMessage().contains("\"p0\" step 0")
                && e.getMessage().contains("--positions all"), e.getMessage());
    }

    @Test
    void boundariesThatDoNotIncreaseAreRefused() {
        Path set = write("zero", "all", List.of(new T(6, range(0, 6), List.of(1, 3, 3))));
        InputException e = assertThrows(InputException.class, () -> steps(set, StepPooling.Pool.MEAN));
        assertTrue(e.getMessage().contains("\"p0\"") && e.getMessage().contains("boundary 2 = 3 follows 3"), e.getMessage());
    }

    @Test
    void trajectoriesWithoutStepsAreLeftOutWithTheReason() {
        List<T> ts = new ArrayList<>();
        ts.add(new T(5, range(0, 5), List.of(0, 2)));
        ts.add(new T(5, range(0, 5), List.of()));
        ts.add(new T(5, range(0, 5), List.of(1)));
        ActivationGroups.Input in = steps(write("mixed", "all", ts), StepPooling.Pool.MEAN).get(0);
        assertEquals(List.of("p0", "p2"), in.trajectoryIds());
        assertEquals(3, in.points().size());
        assertEquals(2, in.points().trajectoryCount());
        assertEquals(2f, in.points().get(2, 1), "the third point is trajectory 2's only step");
        assertTrue(in.dropped().startsWith("1 of 3 trajectories have no step boundaries") && in.dropped().contains("p1"), in.dropped());
        assertEquals("step (mean)", in.unitName());
    }
}
