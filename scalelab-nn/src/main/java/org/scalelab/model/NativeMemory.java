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
 * (another system or C library) it does nothing.
 */
final class NativeMemory {
    /** Intermediates of at least this many bytes are worth a release once freed. */
    static final long RELEASE_BYTES = 1L << 20;

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
