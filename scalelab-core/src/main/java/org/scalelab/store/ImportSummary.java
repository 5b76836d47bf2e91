package org.scalelab.store;

import java.util.List;
import java.util.Map;

/**
 * What one import wrote.
 *
 * @param importId id in table {@code imports} (runs carry it)
 * @param source   absolute path of the imported file
 * @param sha256   SHA-256 of the file's bytes
 * @param rows     runs written (one per data row)
 * @param columns  role or metric name → file column used ({@code params → N}, {@code loss → final_loss})
 * @param derived  quantities computed rather than read, e.g. {@code compute = 6 * params * tokens}
 */
public record ImportSummary(long importId, String source, String sha256, long rows, Map<String, String> columns, List<String> derived) {
    public ImportSummary {
        columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
        derived = List.copyOf(derived);
    }
}
