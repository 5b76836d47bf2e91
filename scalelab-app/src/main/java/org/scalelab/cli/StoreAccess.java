package org.scalelab.cli;

import java.nio.file.Path;
import java.util.List;
import org.scalelab.Provenance;
import org.scalelab.store.LabStore;
import org.scalelab.store.NumericTable;

/** The CLI's door to the lab store (query points, save results): each call opens the lab, does one thing, closes it. */
final class StoreAccess {
    private StoreAccess() {}

    static NumericTable query(Path lab, String sql, List<String> columns) {
        try (LabStore store = LabStore.open(lab)) {
            return store.query(sql, columns);
        }
    }

    /** Saves a result with its provenance; returns its id. */
    static long saveResult(Path lab, String analysis, Object result, Provenance provenance) {
        try (LabStore store = LabStore.open(lab)) {
            return store.saveResult(analysis, result, provenance);
        }
    }
}
