package org.scalelab.cli;

import java.util.List;
import org.scalelab.Provenance;
import org.scalelab.io.NumericTable;
import org.scalelab.store.LabStore;

/**
 * The CLI's door to the lab store (query points, save results): each call opens the lab, does one
 * thing, closes it. Queries open it read-only, so they run beside other readers and never write.
 */
final class StoreAccess {
    private StoreAccess() {}

    static NumericTable query(CliSupport.LabOption lab, String sql, List<String> columns) {
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            return store.query(sql, columns);
        }
    }

    /** Saves a result with its provenance; returns its id. */
    static long saveResult(CliSupport.LabOption lab, String analysis, Object result, Provenance provenance) {
        try (LabStore store = LabStore.open(lab.dir(), lab.waiting())) {
            return store.saveResult(analysis, result, provenance);
        }
    }
}
