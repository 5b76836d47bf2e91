package org.scalelab.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.ScaleLabException;
import org.scalelab.io.DuckDbSettings;
import org.scalelab.io.SqlText;

/**
 * Opens connections to a lab's DuckDB file, for reading or for writing, and waits while another
 * process holds it. DuckDB locks the file per process: one writer, or any number of readers, never
 * both; a refused open fails at once with "Could not set lock … held in PROGRAM (PID n)", so waiting
 * means trying again until the holder lets go or the wait is over.
 *
 * <p>A reading connection is opened with {@code access_mode=READ_ONLY} (the database refuses every
 * write, including COPY … TO its own file) and {@code enable_external_access=false} (no file but the
 * store is read or written: read_csv, read_text, glob, COPY, ATTACH, INSTALL and LOAD are refused).
 */
final class StoreConnector {
    /** How often a waiting open tries again. */
    private static final Duration RETRY = Duration.ofMillis(50);
    private static final Pattern HOLDER = Pattern.compile("held in (.*?) \\(PID (\\d+)\\)");

    private final Path db;
    private final boolean readOnly;
    private final Properties properties;
    private final Duration wait;
    private final Consumer<String> waiting;

    StoreConnector(Path db, boolean readOnly, String memoryLimit, Duration wait, Consumer<String> waiting) {
        this.db = db;
        this.readOnly = readOnly;
        this.wait = wait == null || wait.isNegative() ? Duration.ZERO : wait;
        this.waiting = waiting == null ? m -> { } : waiting;
        this.properties = DuckDbSettings.safe();
        properties.setProperty("memory_limit", memoryLimit);
        if (readOnly) {
            properties.setProperty("access_mode", "READ_ONLY");
            properties.setProperty("enable_external_access", "false");
        }
    }

    /**
     * The same file and settings with another wait and no notice: a long job taking the file back
     * between its writes waits for a reader quietly (its own progress is what its user watches).
     */
    StoreConnector quietlyWaiting(Duration otherWait) {
        return new StoreConnector(db, readOnly, properties.getProperty("memory_limit"), otherWait, m -> { });
    }

    /**
     * A new connection; while the file is locked by another process, tries again every 50 ms, says once through {@code waiting} who holds it, and after the wait throws
     * {@link LabBusyException}.
     */
    Connection connect() {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        while (true) {
            try {
                return DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath(), properties);
            } catch (SQLException e) {
                String m = SqlText.firstLine(e.getMessage());
                if (!m.contains("Could not set lock")) {
                    throw new ScaleLabException(db + ": cannot open the lab store: " + m, e);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new LabBusyException(db + ": the lab is in use by " + holder(m)
                            + (wait.isZero() ? "" : " and was not released within " + seconds(wait))
                            + "; try again when it is done, or wait longer with --wait SECONDS", e);
                }
                if (!told) {
                    waiting.accept(db + ": the lab is in use by " + holder(m) + "; waiting up to " + seconds(wait)
                            + " for it (--wait SECONDS)");
                    told = true;
                }
                try {
                    Thread.sleep(Math.min(RETRY.toMillis(), Math.max(1, left / 1_000_000)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new LabBusyException(db + ": interrupted while waiting for the lab", ie);
                }
            }
        }
    }

    /** "process 9298 (java … world sweep …)" from DuckDB's lock message, or its text when it names no PID. */
    static String holder(String lockMessage) {
        Matcher m = HOLDER.matcher(lockMessage);
        if (!m.find()) {
            return "another process (" + lockMessage + ")";
        }
        long pid = Long.parseLong(m.group(2));
        String program = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).map(StoreConnector::shorten)
                .orElse(m.group(1));
        return "process " + pid + " (" + program + ")";
    }

    /** What a user recognises of a command line: "scalelab world sweep …" for ScaleLab, else without its class path. */
    private static String shorten(String commandLine) {
        int main = commandLine.indexOf("org.scalelab.cli.Main");
        String s = main >= 0 ? "scalelab" + commandLine.substring(main + "org.scalelab.cli.Main".length())
                : commandLine.replaceAll("\\s(-cp|-classpath|--class-path)\\s+\\S+", "");
        return s.length() <= 160 ? s : s.substring(0, 157) + "…";
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return (s == Math.rint(s) ? String.format(Locale.ROOT, "%d", (long) s) : String.format(Locale.ROOT, "%.1f", s)) + " s";
    }

    Path db() {
        return db;
    }

}
