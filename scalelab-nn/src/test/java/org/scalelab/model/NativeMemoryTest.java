package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeMemory#release} gives freed engine memory back to the system: arrays freed between
 * survivors (holes glibc keeps in its arena) leave the resident set when it runs.
 *
 * <p>The arrays are made in a fresh JVM ({@link #main}): in the test JVM, after hundreds of other
 * tests, where glibc places an array depends on what they left in its arenas, and holes that merge
 * into an arena's top are returned by {@code free} itself, leaving nothing for the release to do.
 * The child reports the resident anonymous memory at each stage, so the test compares the release
 * with what the allocator still held after the arrays were freed, not with a fixed amount.
 */
class NativeMemoryTest {
    private static final int HOLES = 48;
    private static final long HOLE_KIB = 2L << 10;

    @Test
    void freedHolesBetweenSurvivorsLeaveTheResidentSet() throws Exception {
        assumeTrue(NativeMemory.available() && Files.exists(Path.of("/proc/self/status")), "glibc's malloc_trim and /proc");
        assumeTrue(System.getenv("MALLOC_MMAP_THRESHOLD_") == null && System.getenv("GLIBC_TUNABLES") == null,
                "glibc's dynamic mmap threshold (no fixed one set)");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("ai.djl.offline", "DJL_OFFLINE", "OPT_OUT_TRACKING", "DJL_CACHE_DIR")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add(NativeMemoryTest.class.getName());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the child did not end");
        assertEquals(0, child.exitValue(), out);
        String line = out.lines().filter(l -> l.startsWith("rss-anon-kib ")).findFirst()
                .orElseThrow(() -> new AssertionError("no measurement from the child:\n" + out));
        long[] kib = Arrays.stream(line.substring("rss-anon-kib ".length()).split(" ")).mapToLong(Long::parseLong).toArray();
        long start = kib[0];
        long allocated = kib[1];
        long freed = kib[2];
        long released = kib[3];
        String stages = "anonymous memory " + start + " KiB at the start, " + allocated + " with the holes, " + freed
                + " after freeing them, " + released + " after the release";
        // Every page of the 96 MiB of holes was written: they are resident.
        assertTrue(allocated - start >= HOLES * HOLE_KIB * 3 / 4, stages);
        long held = freed - start;
        assumeTrue(held >= HOLES * HOLE_KIB / 2, "glibc returned the holes itself when they were freed: " + stages);
        // Of what the allocator still held after the free, at least three quarters leaves.
        assertTrue(freed - released >= held * 3 / 4, stages);
    }

    /** The child: makes the holes and survivors, frees the holes, releases; prints RssAnon at each stage. */
    public static void main(String[] args) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            // A freed 16 MiB array raises glibc's mmap threshold to its size: the 2 MiB arrays below then come from the arena.
            m.ones(new Shape(4L << 20)).close();
            long start = anonymousKiB();
            List<NDArray> holes = new ArrayList<>();
            List<NDArray> survivors = new ArrayList<>();
            for (int i = 0; i < HOLES; i++) {
                holes.add(m.ones(new Shape(HOLE_KIB << 8))); // 2 MiB of floats, every page written
                survivors.add(m.ones(new Shape(16L << 10))); // 64 KiB after each, alive until the end
            }
            long allocated = anonymousKiB();
            holes.forEach(NDArray::close);
            long freed = anonymousKiB();
            NativeMemory.release();
            long released = anonymousKiB();
            System.out.println("rss-anon-kib " + start + " " + allocated + " " + freed + " " + released);
            survivors.forEach(NDArray::close);
        }
    }

    private static long anonymousKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }
}
