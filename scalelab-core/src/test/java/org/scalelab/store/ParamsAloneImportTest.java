package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.NumericTable;

/** Score tables with parameter counts alone (leaderboards) import; reading their missing tokens or compute for a law is refused in one line. */
class ParamsAloneImportTest {
    @TempDir
    Path dir;

    @Test
    void leaderboardTableImportsWithTokensAndComputeEmptyAndQueriesNeedingThemSaySo() throws Exception {
        Path table = dir.resolve("leaderboard.csv");
        Files.writeString(table, "model,family,params,arc\n"
                + "pythia-70m,pythia,7.0e7,0.38\n"
                + "pythia-410m,pythia,4.1e8,0.45\n"
                + "pythia-1.4b,pythia,1.4e9,0.57\n");
        Path trained = dir.resolve("trained.csv");
        Files.writeString(trained, "model,params,tokens,arc\nmine,1e8,2e9,0.4\n");
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            ImportSummary s = store.importRuns(table, ImportOptions.defaults().withMetric("arc", "arc"));
            assertEquals(3, s.rows());
            assertEquals(List.of(), s.derived(), "nothing is derived from params alone");
            store.importRuns(trained, ImportOptions.defaults().withMetric("arc", "arc"));
            RunRow first = store.listRuns(1).get(0);
            assertEquals("pythia-70m", first.model());
            assertNull(first.tokens());
            assertNull(first.compute());
            // A law over params alone reads every run.
            NumericTable byParams = store.query("SELECT params, arc FROM points", List.of("params", "arc"));
            assertEquals(4, byParams.rows());
            MissingScaleException e = assertThrows(MissingScaleException.class,
                    () -> store.query("SELECT params, tokens, arc FROM points", List.of("params", "tokens", "arc")));
            assertEquals("row 1 of query \"SELECT params, tokens, arc FROM points\" has no tokens: 3 runs of the lab (e.g. 'pythia-70m') "
                    + "were imported with parameters alone; import tokens or compute for them, keep them out with WHERE tokens IS NOT NULL, "
                    + "or use a law that needs only params (fit power, fit shape, fit sigmoid with --x params)", e.getMessage());
            assertTrue(e.forCommand("fit chinchilla").getMessage().startsWith("fit chinchilla: row 1 of query"));
            MissingScaleException c = assertThrows(MissingScaleException.class,
                    () -> store.query("SELECT compute, arc FROM points ORDER BY abs(arc - 0.4)", List.of("compute", "arc")));
            assertTrue(c.getMessage().startsWith("row 2 of query"), c.getMessage());
            assertTrue(c.getMessage().contains(" has no compute: 3 runs"), c.getMessage());
            NumericTable kept = store.query("SELECT params, tokens, arc FROM points WHERE tokens IS NOT NULL", List.of("params", "tokens", "arc"));
            assertEquals(1, kept.rows());
            assertEquals(2e9, kept.column("tokens")[0]);
        }
    }
}
