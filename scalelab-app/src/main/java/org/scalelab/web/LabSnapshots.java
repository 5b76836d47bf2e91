package org.scalelab.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.scalelab.ScaleLabException;
import org.scalelab.store.LabStore;

/**
 * The lab as the dashboard reads it: read-only, and never holding the store file for longer than one
 * read, so that a sweep or an import in another process (DuckDB allows one writing process) keeps
 * working while the dashboard is open.
 */
public final class LabSnapshots implements AutoCloseable {
    /** How long one read waits for another process that holds the store. */
    static final Duration READ_WAIT = Duration.ofSeconds(5);

    private final Path lab;

    public LabSnapshots(Path lab) {
        this.lab = lab;
    }

    public Path lab() {
        return lab;
    }

    /** Runs {@code body} on a read-only view of the store and returns what it returns. */
    public <T> T read(Function<LabStore, T> body) {
        try (LabStore store = LabStore.openReadOnly(lab, new LabStore.Wait(READ_WAIT, m -> { }))) {
            return body.apply(store);
        }
    }

    /** A number that changes whenever the store file changes (its size and modification time). */
    public long version() {
        Path db = lab.resolve(LabStore.FILE_NAME);
        try {
            if (!Files.exists(db)) {
                return 0;
            }
            return Files.getLastModifiedTime(db).toMillis() * 31 + Files.size(db);
        } catch (java.io.IOException e) {
            throw new ScaleLabException(db + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // Nothing held between reads.
    }
}
