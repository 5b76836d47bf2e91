package org.scalelab;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of long work (a 4,500-start grid, thousands of bootstrap refits, a large import), reported
 * to whoever installed a {@link Listener}: the CLI draws a progress bar on an interactive terminal,
 * tests and libraries see nothing. Analyses stay free of any UI dependency; reporting is thread-safe.
 */
public final class Progress {
    /** Receives one task at a time: its name and size, then how far it got, then its end. */
    public interface Listener {
        void start(String task, long total);

        void update(long done);

        void finish();
    }

    private static final Listener NONE = new Listener() {
        @Override
        public void start(String task, long total) {}

        @Override
        public void update(long done) {}

        @Override
        public void finish() {}
    };

    private static volatile Listener listener = NONE;

    private static final ThreadLocal<Listener> THREAD_LISTENER = new ThreadLocal<>();

    private Progress() {}

    /** Installs the process-wide listener (null: none). */
    public static void install(Listener l) {
        listener = l == null ? NONE : l;
    }

    /**
     * Runs {@code body} with {@code l} receiving the tasks started on this thread (and their steps, from
     * whatever thread makes them) instead of the process-wide listener: how a server running several
     * jobs at once follows each one. A listener may throw from {@link Listener#update} to stop the work
     * at its next step (the exception reaches the caller of {@code body}).
     */
    public static <T> T reportingTo(Listener l, java.util.function.Supplier<T> body) {
        Listener before = THREAD_LISTENER.get();
        THREAD_LISTENER.set(l);
        try {
            return body.get();
        } finally {
            if (before == null) {
                THREAD_LISTENER.remove();
            } else {
                THREAD_LISTENER.set(before);
            }
        }
    }

    /** Starts a task of {@code total} steps; close it when done (try-with-resources). */
    public static Task start(String name, long total) {
        Listener local = THREAD_LISTENER.get();
        Listener l = local != null ? local : listener;
        l.start(name, total);
        return new Task(l);
    }

    /** A running task; {@link #step()} may be called from any thread. */
    public static final class Task implements AutoCloseable {
        private final Listener listener;
        private final AtomicLong done = new AtomicLong();

        private Task(Listener listener) {
            this.listener = listener;
        }

        public void step() {
            listener.update(done.incrementAndGet());
        }

        @Override
        public void close() {
            listener.finish();
        }
    }
}
