package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeMemory#release} gives freed engine memory back to the system: arrays freed between
 * survivors (holes glibc keeps in its arena) leave the resident set when it runs.
 */
class NativeMemoryTest {
    @Test
    void freedHolesBetweenSurvivorsLeaveTheResidentSet() throws IOException {
        assumeTrue(NativeMemory.available() && Files.exists(Path.of("/proc/self/status")), "glibc's malloc_trim and /proc");
        assumeTrue(System.getenv("MALLOC_MMAP_THRESHOLD_") == null, "glibc's dynamic mmap threshold (no fixed one set)");
        try (NDManager m = NDManager.newBaseManager()) {
            // A freed 16 MiB array raises glibc's mmap threshold to its size: the 2 MiB arrays below then come from the arena.
            m.ones(new Shape(4L << 20)).close();
            List<NDArray> holes = new ArrayList<>();
            List<NDArray> survivors = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                holes.add(m.ones(new Shape(512L << 10))); // 2 MiB, every page written
                survivors.add(m.ones(new Shape(16L << 10))); // 64 KiB after each, alive until the end
            }
            holes.forEach(NDArray::close);
            long before = anonymousKiB();
            NativeMemory.release();
            long after = anonymousKiB();
            // 96 MiB were freed in 2 MiB holes; at least half of it must leave (the rest may have been reused or returned already).
            assertTrue(before - after >= 48L << 10,
                    "anonymous memory " + before + " KiB before the release, " + after + " KiB after");
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
