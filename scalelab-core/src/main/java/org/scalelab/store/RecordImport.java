package org.scalelab.store;

import java.util.List;

/**
 * One source of {@link RunRecord}s to import: a result file (or an evaluation) with the SHA-256 that
 * identifies it, so the same file is never imported twice, and the options that read it (stored in
 * table {@code imports} as JSON).
 *
 * @param source      what the runs came from, e.g. the result file's absolute path
 * @param sha256      SHA-256 of the source's bytes (64 hex digits)
 * @param runs        the runs, at least one
 * @param optionsJson how the source was read, as a JSON object (null: {@code {}})
 */
public record RecordImport(String source, String sha256, List<RunRecord> runs, String optionsJson) {
    public RecordImport {
        runs = runs == null ? List.of() : List.copyOf(runs);
        optionsJson = optionsJson == null || optionsJson.isBlank() ? "{}" : optionsJson;
    }
}
