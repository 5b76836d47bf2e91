package org.scalelab.web;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.scalelab.ScaleLabException;
import org.scalelab.store.LabStore;

/**
 * The lab as the dashboard reads it: from a private snapshot of the store, so that a sweep or an import
 * in another process (DuckDB lets one process write a lab, and a writer shuts out readers) keeps working
 * while pages poll, and so that a read never waits for that process.
 *
 * <p>A watcher looks at the store file and its write-ahead log (size and modification time) every
 * {@value #POLL_MILLIS} ms. When they changed, it opens the store read-only for as long as it takes to
 * copy both files into a temporary folder (DuckDB's read lock keeps a writer from changing them
 * meanwhile; a writer that holds the lab just now is not waited for: the watcher tries again on its
 * next look), then serves every read from that copy through a few read-only connections kept open. The
 * previous copy is deleted once its last read ends. So a writer waits at most for one copy (a few
 * milliseconds for a sweep's lab), and a reader never waits for a writer; to leave a writer most of
 * the time even when the store is large, copies are at least four copy-times apart (but at most
 * {@value #MAX_GAP_MILLIS} ms, so that pages see new data within about a second).
 *
 * <p>Writes the server makes itself (jobs) go through {@link #write}, which takes the lab for writing
 * in between two copies and shows its result at once.
 */
public final class LabSnapshots implements AutoCloseable {
    /** How long a read waits for the first snapshot while another process holds the lab. */
    static final Duration READ_WAIT = Duration.ofSeconds(5);
    /** How long {@link #write} waits for another process that holds the lab. */
    static final Duration WRITE_WAIT = Duration.ofSeconds(60);
    /** How often the store file is looked at. */
    static final long POLL_MILLIS = 100;
    /** The longest gap between two copies of a store that keeps changing (see the class comment). */
    static final long MAX_GAP_MILLIS = 1000;
    /** Read-only connections kept open on a snapshot: reads beyond these wait for one to come free. */
    static final int READERS = 4;

    private final Path lab;
    private final Path db;
    private final Path wal;
    private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService watcher;
    /** Held while a snapshot is taken or the server writes, so the two never meet in this process. */
    private final ReentrantLock taking = new ReentrantLock();
    /** How long {@link #close} waits for a snapshot being taken. */
    private static final long CLOSE_WAIT_SECONDS = 2;
    private volatile Snapshot current;
    private volatile boolean closed;
    private long version;
    private long lastTaken;
    private long lastCostNanos;
    /** The last version told to the listeners. */
    private final AtomicLong told = new AtomicLong();

    public LabSnapshots(Path lab) {
        this.lab = lab;
        this.db = lab.resolve(LabStore.FILE_NAME);
        this.wal = lab.resolve(LabStore.FILE_NAME + ".wal");
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scalelab-lab-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::look, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    public Path lab() {
        return lab;
    }

    /**
     * Runs {@code body} on a read-only view of the store (the latest snapshot) and returns what it
     * returns. {@code body} must not keep the store: it is handed to the next read afterwards.
     */
    public <T> T read(Function<LabStore, T> body) {
        Snapshot s = acquire();
        try {
            LabStore store = s.borrow();
            try {
                return body.apply(store);
            } finally {
                s.giveBack(store);
            }
        } finally {
            s.release();
        }
    }

    /**
     * Runs {@code body} on the store opened for writing (waiting up to a minute for another process
     * that holds the lab), then takes a snapshot so that the next read sees what it wrote. Only for the
     * server's own jobs; never keep the store.
     */
    public <T> T write(Function<LabStore, T> body) {
        T out;
        long v;
        taking.lock();
        try {
            try (LabStore store = LabStore.open(lab, new LabStore.Wait(WRITE_WAIT, m -> { }))) {
                out = body.apply(store);
            }
            v = take(true);
        } finally {
            taking.unlock();
        }
        tell(v);
        return out;
    }

    /** A number that grows each time the dashboard sees a new state of the store (0 before the first). */
    public long version() {
        Snapshot s = current;
        return s == null ? 0 : s.version;
    }

    /**
     * Calls {@code listener} with the new {@link #version()} each time a new state of the store is seen,
     * on the watcher's thread (keep it short; a listener that throws is ignored).
     */
    public void onChange(LongConsumer listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** How long the last snapshot held the store (the most a writer waited for it), in milliseconds. */
    public double lastSnapshotMillis() {
        taking.lock();
        try {
            return lastCostNanos / 1e6;
        } finally {
            taking.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.shutdownNow();
        // A snapshot being taken (a large store copied on a busy machine) must not hold up a shutdown: after a
        // short wait the copies are left to the temporary folder, and take() adds none once closed.
        try {
            if (!taking.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            Snapshot s = current;
            current = null;
            if (s != null) {
                s.release();
            }
        } finally {
            taking.unlock();
        }
    }

    /** The watcher's look: a snapshot when the store changed and the last copy is far enough back. */
    private void look() {
        try {
            long v;
            taking.lock();
            try {
                v = take(false);
            } finally {
                taking.unlock();
            }
            tell(v);
        } catch (RuntimeException e) {
            // The lab is held by a writer, or was between states: the next look tries again; reads go on
            // from the snapshot they have.
        }
    }

    /** The current snapshot, retained; waits for a first one (up to {@link #READ_WAIT}). */
    private Snapshot acquire() {
        long deadline = System.nanoTime() + READ_WAIT.toNanos();
        while (true) {
            if (closed) {
                throw new IllegalStateException("the dashboard is shutting down");
            }
            Snapshot s = current;
            if (s != null) {
                if (s.retain()) {
                    return s;
                }
                continue;
            }
            long v = 0;
            taking.lock();
            try {
                if (current == null) {
                    v = take(true);
                }
            } finally {
                taking.unlock();
            }
            tell(v);
            if (current == null) {
                if (System.nanoTime() > deadline) {
                    throw new ScaleLabException(db + ": another process has been writing the lab for " + READ_WAIT.toSeconds()
                            + " s since the dashboard started; reload the page when it is done");
                }
                sleep(50);
            }
        }
    }

    /**
     * Takes a snapshot when the store changed since the current one ({@code now}: without waiting for the
     * gap between copies); nothing when another process writes the lab now. Called holding {@link #taking}.
     */
    private long take(boolean now) {
        if (closed) {
            return 0;
        }
        Stamp seen = Stamp.of(db, wal);
        Snapshot old = current;
        if (old != null && seen.equals(old.stamp)) {
            return 0;
        }
        if (!now && old != null && System.nanoTime() - lastTaken < Math.min(4 * lastCostNanos, MAX_GAP_MILLIS * 1_000_000)) {
            return 0;
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("scalelab-snapshot-");
        } catch (IOException e) {
            throw new ScaleLabException("cannot create a temporary folder for a snapshot of lab " + lab + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        Stamp copied;
        try {
            copied = copy(dir);
        } catch (RuntimeException e) {
            Snapshot.delete(dir);
            throw e;
        }
        if (copied == null) {
            Snapshot.delete(dir);
            return 0;
        }
        long cost = System.nanoTime() - t0;
        Snapshot next;
        try {
            next = new Snapshot(lab, dir, copied, version + 1);
        } catch (RuntimeException e) {
            Snapshot.delete(dir);
            throw e;
        }
        if (closed) {
            // close() gave up waiting for this copy: nothing is kept once the dashboard is closed.
            next.release();
            current = null;
            if (old != null) {
                old.release();
            }
            return 0;
        }
        version++;
        lastTaken = System.nanoTime();
        lastCostNanos = cost;
        current = next;
        if (old != null) {
            old.release();
        }
        return next.version;
    }

    /** Tells the listeners of a new snapshot; called without holding {@link #taking}, since listeners read the lab. */
    private void tell(long newVersion) {
        // Each version is told once, and never after a newer one (a read may take the first snapshot while the
        // watcher takes the next). No lock is held: listeners read the lab.
        long last;
        do {
            last = told.get();
            if (newVersion <= last) {
                return;
            }
        } while (!told.compareAndSet(last, newVersion));
        for (LongConsumer l : listeners) {
            try {
                l.accept(newVersion);
            } catch (RuntimeException e) {
                // A listener's failure (a page gone) must not stop the watcher.
            }
        }
    }

    /**
     * Copies the store file and its log into {@code dir} while holding a shared lock on the store file:
     * the same lock DuckDB takes (a POSIX record lock over the whole file, shared by readers, exclusive
     * for a writer), so no writer changes the files during the copy. Returns the stamp of what
     * was copied, or null at once when a writer holds the lab.
     */
    private Stamp copy(Path dir) {
        if (!Files.exists(db)) {
            return Stamp.of(db, wal);
        }
        // A store writing between calls in this process (a sweep job) is kept out by its monitor: the file lock
        // below belongs to the process and would not.
        synchronized (LabStore.processHold(lab)) {
            return copyLocked(dir);
        }
    }

    private Stamp copyLocked(Path dir) {
        try (FileChannel channel = FileChannel.open(db, StandardOpenOption.READ)) {
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                return null;
            }
            try {
                Stamp stamp = Stamp.of(db, wal);
                Files.copy(db, dir.resolve(LabStore.FILE_NAME));
                if (Files.exists(wal)) {
                    Files.copy(wal, dir.resolve(LabStore.FILE_NAME + ".wal"));
                }
                return stamp;
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new ScaleLabException(db + ": cannot copy the store for the dashboard: " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the lab", e);
        }
    }

    /** Size and modification time of the store file and its log: changes whenever a writer commits. */
    private record Stamp(long dbSize, long dbModified, long walSize, long walModified) {
        static Stamp of(Path db, Path wal) {
            long[] d = attributes(db);
            long[] w = attributes(wal);
            return new Stamp(d[0], d[1], w[0], w[1]);
        }

        private static long[] attributes(Path f) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                return new long[] {a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)};
            } catch (IOException e) {
                return new long[] {-1, -1};
            }
        }
    }

    /**
     * One copy of the store in a temporary folder, with up to {@link #READERS} read-only connections. It
     * is deleted when the last read that holds it ends after a newer snapshot replaced it.
     */
    private static final class Snapshot {
        final Path lab;
        final Path dir;
        final Stamp stamp;
        final long version;
        private final BlockingQueue<LabStore> idle = new ArrayBlockingQueue<>(READERS);
        private final AtomicInteger opened = new AtomicInteger();
        /** Reads holding this snapshot, plus one while it is the current one; 0 = closed. */
        private final AtomicInteger holders = new AtomicInteger(1);

        Snapshot(Path lab, Path dir, Stamp stamp, long version) {
            this.lab = lab;
            this.dir = dir;
            this.stamp = stamp;
            this.version = version;
            idle.add(LabStore.openCopy(lab, dir));
            opened.set(1);
        }

        boolean retain() {
            while (true) {
                int h = holders.get();
                if (h == 0) {
                    return false;
                }
                if (holders.compareAndSet(h, h + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                LabStore s;
                while ((s = idle.poll()) != null) {
                    s.close();
                }
                delete(dir);
            }
        }

        LabStore borrow() {
            LabStore s = idle.poll();
            if (s != null) {
                return s;
            }
            if (opened.incrementAndGet() <= READERS) {
                try {
                    return LabStore.openCopy(lab, dir);
                } catch (RuntimeException e) {
                    opened.decrementAndGet();
                    throw e;
                }
            }
            opened.decrementAndGet();
            try {
                return idle.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a connection to the lab", e);
            }
        }

        void giveBack(LabStore store) {
            idle.add(store);
        }

        static void delete(Path dir) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // A temporary folder left behind costs disk space only.
            }
        }
    }
}
