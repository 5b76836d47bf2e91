package org.scalelab.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * Gives the engine's freed memory back to the operating system. libtorch allocates arrays with the
 * C library's malloc. glibc serves every request below its mmap threshold from its arenas, and
 * raises that threshold (up to 32 MiB) to the size of each large array freed; an arena returns
 * free pages to the kernel only from the top of its heap. In a forward pass the residual stream and
 * the KV cache's keys and values outlive each block's intermediates, so the holes those leave pile
 * up block after block and the resident set climbs with the layers while the live arrays do not.
 * {@link #release} (glibc's {@code malloc_trim}) returns every whole free page of every arena; the
 * pages are faulted in again when next used. Where the C library has no {@code malloc_trim}
 * (another system or C library) it does nothing. Under jemalloc, which bin/scalelab preloads for
 * most commands (bin/allocator.sh), tensors never reach glibc's arenas, so a release finds nothing
 * and costs nothing; jemalloc returns idle pages itself.
 */
final class NativeMemory {
    /** Intermediates of at least this many bytes are worth a release once freed. */
    static final long RELEASE_BYTES = 1L << 20;
    /**
     * A scoring pass releases after every this many blocks, not after each: every release costs the
     * next blocks page faults on the pages it returned. Measured on a 1.24 B Llama scoring 8 examples
     * at a time (BENCHMARKS.md), against no release: after each block the same peak as after every
     * second one and 1.8 times the time; every second block 1.44 times the time and 0.15 GB less at
     * the peak; every fourth block 1.16 times the time and 0.13 GB less. Every second block is the
     * sparsest that keeps the peak within the runtime's memory target.
     */
    static final int RELEASE_EVERY_BLOCKS = 2;

    private static final Function TRIM = lookup();

    private NativeMemory() {
    }

    /** True where {@link #release} can return memory (glibc). */
    static boolean available() {
        return TRIM != null;
    }

    /** Returns the C library's free pages to the operating system (nothing where it cannot). */
    static void release() {
        if (TRIM != null) {
            TRIM.invokeInt(new Object[] {0L});
        }
    }

    private static Function lookup() {
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }
}
