package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.NumericTable;

/** A value derived at import (C = 6·N·D and its inverses) is checked like a given one: finite and > 0, or the file is refused. */
class DerivedValuesImportTest {
    @TempDir
    Path dir;

    private InputException refused(String csv, String expectedStart) throws Exception {
        Path f = dir.resolve("runs.csv");
        Files.writeString(f, csv);
        Path lab = dir.resolve("lab");
        try (LabStore store = LabStore.open(lab)) {
            store.importRuns(dir.resolve("ok.csv"), ImportOptions.defaults());
        }
        byte[] before = Files.readAllBytes(lab.resolve(LabStore.FILE_NAME));
        InputException e;
        try (LabStore store = LabStore.open(lab)) {
            e = assertThrows(InputException.class, () -> store.importRuns(f, ImportOptions.defaults()));
            assertEquals(2, store.runCount(), "nothing written");
            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().startsWith(f + ": " + expectedStart), e.getMessage());
            // every fit over points still reads finite rows only
            NumericTable t = store.query("SELECT params, tokens, compute, loss FROM points", List.of("params", "tokens", "compute", "loss"));
            assertEquals(2, t.rows());
        }
        assertArrayEquals(before, Files.readAllBytes(lab.resolve(LabStore.FILE_NAME)), "store unchanged");
        return e;
    }

    private void okFile() throws Exception {
        Files.writeString(dir.resolve("ok.csv"), "params,tokens,loss\n1e6,2e7,4.5\n1e7,2e8,3.5\n");
    }

    @Test
    void computeThatOverflowsToInfinityIsRefusedNamingRowColumnsAndValues() throws Exception {
        okFile();
        InputException e = refused("model,params,tokens,loss\nok,1e6,2e7,4\nbig,1e308,1e308,4.5\n",
                "row 2 (line 3): compute derived as 6 * params * tokens from column 'params' = 1e308 and column 'tokens' = 1e308 is Infinity");
        assertTrue(e.getMessage().contains("not a finite number > 0"), e.getMessage());
    }

    @Test
    void computeThatUnderflowsToZeroIsRefused() throws Exception {
        okFile();
        refused("params,tokens,loss\n1e-300,1e-300,4.5\n", "row 1 (line 2): compute derived as 6 * params * tokens");
    }

    @Test
    void derivedTokensAndParamsAreCheckedToo() throws Exception {
        okFile();
        refused("params,compute,loss\n1e6,1e20,4\n1e-300,1e300,4.5\n",
                "row 2 (line 3): tokens derived as compute / (6 * params) from column 'params' = 1e-300 and column 'compute' = 1e300 is Infinity");
        Files.delete(dir.resolve("lab").resolve(LabStore.FILE_NAME));
        refused("tokens,compute,loss\n1e-320,1e300,4.5\n", "row 1 (line 2): params derived as compute / (6 * tokens)");
    }

    @Test
    void largeButFiniteDerivedValuesAreKept() throws Exception {
        Path f = dir.resolve("runs.csv");
        Files.writeString(f, "params,tokens,loss\n1e150,1e150,4.5\n1e7,2e8,3.5\n");
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            store.importRuns(f, ImportOptions.defaults());
            assertEquals(6e300, ((Number) store.sql("SELECT compute FROM runs ORDER BY run_id LIMIT 1").rows().get(0).get(0)).doubleValue(), 1e286);
        }
    }
}
