package org.scalelab.geometry;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.InputException;

/**
 * How many bytes of rows geometry may hold at once ({@code --memory}). A group whose points fit runs
 * in memory, exactly as without a bound; a larger one is streamed ({@link ActivationBlocks}) in
 * blocks of {@link #rowsPerBlock} rows.
 *
 * <p>"Fits" counts what the in-memory engine holds beside the points: one more copy of them (a
 * bootstrap replicate or a null-model draw is built while the points are held) and the covariance
 * work of {@link #covarianceBytes} (its float64 sums, its float32 Gram block and a chunk of rows).
 *
 * @param bytes the bound, at least one row of one float
 */
public record MemoryBound(long bytes) {
    /** Copies of the points the in-memory engine holds at once: the points and one replicate or draw. */
    static final int IN_MEMORY_COPIES = 2;

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)i?b?", Pattern.CASE_INSENSITIVE);

    public MemoryBound {
        if (bytes < Float.BYTES) {
            throw new InputException("--memory: " + bytes + " bytes cannot hold one value; give a size such as 512m or 8g");
        }
    }

    /**
     * Parses a size: a number with an optional unit k, m, g or t (powers of 1,024; "8g", "512m",
     * "1.5g", "8GiB", "8GB"), or a plain number of bytes. Anything else, or zero, names {@code --memory}.
     */
    public static MemoryBound parse(String text) {
        String s = text == null ? "" : text.trim();
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new InputException("--memory: '" + InputException.quote(text) + "' is not a size; give a number with k, m, g or t, e.g. 512m or 8g");
        }
        double number = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = number * Math.pow(2, shift);
        if (!(bytes >= Float.BYTES)) {
            throw new InputException("--memory: '" + InputException.quote(text) + "' is less than one value (4 bytes); give a size such as 512m or 8g");
        }
        if (bytes > Long.MAX_VALUE / 2) {
            throw new InputException("--memory: '" + InputException.quote(text) + "' is larger than any machine; give a size such as 512m or 8g");
        }
        return new MemoryBound((long) bytes);
    }

    /**
     * The JVM's maximum heap ({@code -Xmx}): the default bound. The in-memory engine's points live in
     * direct buffers, whose limit defaults to the same size, and {@link #fits} already counts their
     * second copy, so a group that ran in memory without a bound still does.
     */
    public static MemoryBound fromHeap() {
        return new MemoryBound(Math.max(Float.BYTES, Runtime.getRuntime().maxMemory()));
    }

    /** Bytes of {@code rows} float32 rows of {@code width} values. */
    public static long rowBytes(long rows, int width) {
        return rows * width * (long) Float.BYTES;
    }

    /**
     * Bytes the streamed covariance of {@code width}-wide rows holds besides the block being read:
     * its float64 sums (d² · 8), its float32 Gram block (d² · 4) and one chunk of shifted rows for
     * {@code cblas_ssyrk} (64 MB, or one row when a row is wider).
     */
    public static long covarianceBytes(int width) {
        long d2 = (long) width * width;
        long chunkRows = Math.max(1, Covariance.CHUNK_FLOATS / width);
        return d2 * (Double.BYTES + Float.BYTES) + rowBytes(chunkRows, width);
    }

    /**
     * Rows of {@code width} values per block when streaming: the bound minus the covariance's own
     * work, in rows; at least 1 (a bound smaller than one row still streams one row at a time).
     */
    public int rowsPerBlock(int width) {
        long free = bytes - covarianceBytes(width);
        long rows = free / rowBytes(1, width);
        return (int) Math.max(1, Math.min(rows, Integer.MAX_VALUE / Math.max(1, width)));
    }

    /**
     * Whether a group of {@code rows} rows of {@code width} values runs in memory under this bound:
     * two copies of its rows and the covariance work fit, and its rows fit one direct buffer (2 GiB),
     * the most the in-memory engine holds.
     */
    public boolean fits(long rows, int width) {
        return rowBytes(rows, width) * IN_MEMORY_COPIES + covarianceBytes(width) <= bytes && rows * width <= Integer.MAX_VALUE / Float.BYTES;
    }

    /** The bound as people write it: {@code 8 GiB}, {@code 512 MiB}, {@code 1.5 GiB}, {@code 4096 B}. */
    public String describe() {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v)) + " " + units[u];
    }
}
