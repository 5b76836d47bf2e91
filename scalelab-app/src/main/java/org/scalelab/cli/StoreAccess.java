package org.scalelab.cli;

import java.nio.file.Path;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.store.NumericTable;

/** The CLI's door to the lab store (query points, save results). */
final class StoreAccess {
    private StoreAccess() {}

    static NumericTable query(Path lab, String sql, List<String> columns) {
        throw new InputException("--query needs the lab store, which this build does not include yet; use --data FILE");
    }

    /** Saves a result with its provenance; returns its id, or -1 when nothing was saved. */
    static long saveResult(Path lab, String analysis, Object result, Provenance provenance) {
        return -1;
    }
}
