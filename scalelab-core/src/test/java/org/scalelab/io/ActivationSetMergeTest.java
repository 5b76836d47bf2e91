package org.scalelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;

/**
 * Parts of an activation set written separately ({@link ActivationSetWriter#part}) merge into the set
 * one writer would have written: same trajectories, rows, positions, token ids and trajectory indices;
 * merges that would lose, repeat or mix rows, or write over a folder, are refused with nothing left.
 */
class ActivationSetMergeTest {
    @TempDir
    Path dir;

    private static final int D = 3;
    private static final String M = "/models/m";
    private static final List<String> HOOKS = List.of("blocks.0.hook_resid_post", "blocks.0.attn.hook_z");
    private static final Map<String, List<Integer>> SHAPES = Map.of("blocks.0.attn.hook_z", List.of(2, 2));

    private static ActivationManifest header(String model) {
        return new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, model, "gpt2", 1234, D, 1, HOOKS, "F32",
                "float32", true, "all", List.of(), false, List.of(), List.of(), SHAPES, "newline");
    }

    /** Trajectory i: 1 + i % 4 rows, values drawn with seed i. */
    private static void add(ActivationSetWriter w, int i) {
        int n = 1 + i % 4;
        Random r = new Random(i);
        int[] positions = new int[n];
        int[] tokens = new int[n];
        for (int k = 0; k < n; k++) {
            positions[k] = 2 + k;
            tokens[k] = r.nextInt(100);
        }
        List<float[]> rows = new ArrayList<>();
        for (int width : new int[] {D, 4}) {
            float[] x = new float[n * width];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) r.nextGaussian();
            }
            rows.add(x);
        }
        w.add("t" + i, i % 2 == 0 ? "even" : null, null, List.of(2), n + 2, positions, tokens, rows);
    }

    private Path whole(int n) {
        Path out = dir.resolve("whole");
        ActivationSetWriter w = ActivationSetWriter.open(out, header(M), 100);
        for (int i = 0; i < n; i++) {
            add(w, i);
        }
        w.finish();
        return out;
    }

    private Path part(String name, int from, int to, String model, boolean finish) {
        Path p = dir.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.part(p, header(model), 100, from);
        for (int i = from; i < to; i++) {
            add(w, i);
        }
        if (finish) {
            w.finish();
        }
        return p;
    }

    @Test
    void mergedPartsHoldWhatOneWriterWrites() throws IOException {
        Path expected = whole(11);
        List<Path> parts = List.of(part("a", 0, 4, M, true), part("b", 4, 4, M, true), part("c", 4, 11, M, true));
        Path out = dir.resolve("merged");
        ActivationManifest m = ActivationSetWriter.merge(out, parts);
        assertTrue(m.complete());
        try (ActivationSet a = ActivationSet.open(expected); ActivationSet b = ActivationSet.open(out)) {
            assertEquals(a.manifest().with(true, List.of(), List.of()), b.manifest().with(true, List.of(), List.of()));
            assertEquals(11, b.trajectories().size());
            for (int i = 0; i < 11; i++) {
                ActivationManifest.Trajectory ta = a.trajectories().get(i);
                ActivationManifest.Trajectory tb = b.trajectories().get(i);
                assertEquals(List.of(i, ta.id(), ta.tokenCount(), ta.rows(), ta.firstPosition(), ta.stepBoundaries()),
                        List.of(tb.index(), tb.id(), tb.tokenCount(), tb.rows(), tb.firstPosition(), tb.stepBoundaries()));
                for (String h : HOOKS) {
                    assertArrayEquals(flat(a.rows(h, ta)), flat(b.rows(h, tb)), 0f);
                }
                ActivationManifest.Shard s = b.manifest().shards().get(tb.shard());
                assertTrue(s.firstTrajectory() <= i && i < s.firstTrajectory() + s.trajectoryCount(), "shard " + s + " lists trajectory " + i);
                try (SafetensorsFile f = SafetensorsFile.open(out.resolve(s.file()))) {
                    int[] index = f.ints(ActivationSetWriter.TRAJECTORY_INDEX);
                    for (int r = tb.rowStart(); r < tb.rowStart() + tb.rows(); r++) {
                        assertEquals(i, index[r]);
                    }
                }
            }
        }
        for (Path p : parts) {
            assertTrue(Files.exists(p.resolve(ActivationManifest.FILE)), "parts are left for their writer to remove");
        }
        assertNothingHidden();
    }

    @Test
    void aGapAnOverlapAnUnfinishedPartOrOtherSettingsAreRefusedAndNothingIsWritten() throws IOException {
        Path a = part("a", 0, 3, M, true);
        Path out = dir.resolve("merged");
        ScaleLabException gap = assertThrows(ScaleLabException.class, () -> ActivationSetWriter.merge(out, List.of(a, part("gap", 4, 6, M, true))));
        assertTrue(gap.getMessage().contains("has index 4 where the merged set's next trajectory is 3"), gap.getMessage());
        ScaleLabException overlap = assertThrows(ScaleLabException.class, () -> ActivationSetWriter.merge(out, List.of(a, part("again", 2, 5, M, true))));
        assertTrue(overlap.getMessage().contains("the parts overlap or leave a gap"), overlap.getMessage());
        ScaleLabException unfinished = assertThrows(ScaleLabException.class, () -> ActivationSetWriter.merge(out, List.of(a, part("open", 3, 7, M, false))));
        assertTrue(unfinished.getMessage().contains("unfinished"), unfinished.getMessage());
        ScaleLabException other = assertThrows(ScaleLabException.class,
                () -> ActivationSetWriter.merge(out, List.of(a, part("other", 3, 5, "/models/other", true))));
        assertTrue(other.getMessage().contains("other settings") && other.getMessage().contains("model /models/m vs /models/other"), other.getMessage());
        assertFalse(Files.exists(out));
        assertNothingHidden();
    }

    @Test
    void anOutputThatExistsIsRefusedAndLeftAsItWas() throws IOException {
        Path a = part("a", 0, 3, M, true);
        Path out = dir.resolve("taken");
        Files.createDirectories(out);
        InputException e = assertThrows(InputException.class, () -> ActivationSetWriter.merge(out, List.of(a)));
        assertTrue(e.getMessage().startsWith(out + ": exists"), e.getMessage());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(0, files.count());
        }
        assertThrows(ScaleLabException.class, () -> ActivationSetWriter.part(a, header(M), 100, 0), "a part never reuses a folder");
    }

    private void assertNothingHidden() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".")).toList());
        }
    }

    private static float[] flat(float[][] rows) {
        int w = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * w, w);
        }
        return out;
    }
}
