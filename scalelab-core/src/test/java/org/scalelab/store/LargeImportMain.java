package org.scalelab.store;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import org.scalelab.ScaleLabException;

/**
 * Imports one file into a lab in its own JVM, so tests (and a person with {@code /usr/bin/time -v})
 * can bound the heap and measure time and peak RSS. Usage: {@code LAB FILE [METRIC=COLUMN]}; prints
 * {@code rows=… seconds=… heap_peak_mb=…} or the one-line error (exit code 2 for bad input).
 */
final class LargeImportMain {
    private LargeImportMain() {}

    public static void main(String[] args) {
        ImportOptions options = ImportOptions.defaults().withMetric("loss", "loss").withMetric("row_id", "id")
                .withModelCol("model").withFamilyCol("family");
        if (args.length > 2) {
            String[] kv = args[2].split("=", 2);
            options = options.withMetric(kv[0], kv[1]);
        }
        long t0 = System.nanoTime();
        try (LabStore store = LabStore.open(Path.of(args[0]))) {
            ImportSummary s = store.importRuns(Path.of(args[1]), options);
            System.out.printf("rows=%d seconds=%.2f heap_peak_mb=%.1f%n", s.rows(), (System.nanoTime() - t0) / 1e9, heapPeakMb());
        } catch (ScaleLabException e) {
            System.out.println(e.getMessage());
            System.out.printf("seconds=%.2f heap_peak_mb=%.1f%n", (System.nanoTime() - t0) / 1e9, heapPeakMb());
            System.exit(e.exitCode());
        }
    }

    /** Sum of the heap pools' peak usage: what the JVM heap actually held at its fullest. */
    private static double heapPeakMb() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / 1e6;
    }
}
