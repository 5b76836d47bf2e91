package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

/** The runs table's pages agree with the same filter and order written by hand in SQL. */
class RunTableTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path lab;

    @BeforeEach
    void importRuns() throws Exception {
        StringBuilder csv = new StringBuilder("model,family,params,tokens,loss,acc\n");
        String[] families = {"alpha", "beta", "o'brien"};
        for (int i = 0; i < 60; i++) {
            String f = families[i % 3];
            // acc repeats every 7 runs, so sorting by it needs the run_id tie-break to be stable.
            csv.append(f).append("-m").append(i).append(',').append(f).append(',').append(1e6 * (i + 1)).append(',')
                    .append(2e7 * (60 - i)).append(',').append(3.0 - i * 0.01).append(',').append((i % 7) / 10.0).append('\n');
        }
        Path file = lab.resolve("runs.csv");
        Files.writeString(file, csv);
        try (LabStore store = LabStore.open(lab.resolve("lab"))) {
            store.importRuns(file, ImportOptions.defaults().withMetric("loss", "loss").withMetric("acc", "acc"));
        }
    }

    private RunTable.Page page(RunTable.Query q) {
        try (LabStore store = LabStore.openReadOnly(lab.resolve("lab"), LabStore.Wait.none())) {
            return store.runTable(q, LIMIT);
        }
    }

    private List<Long> ids(String sql) {
        try (LabStore store = LabStore.openReadOnly(lab.resolve("lab"), LabStore.Wait.none())) {
            List<Long> out = new ArrayList<>();
            for (List<Object> row : store.sql(sql, 10_000).rows()) {
                out.add(((Number) row.get(0)).longValue());
            }
            return out;
        }
    }

    private static List<Long> ids(RunTable.Page p) {
        int col = p.columns().indexOf("run_id");
        return p.rows().stream().map(r -> ((Number) r.get(col)).longValue()).toList();
    }

    @Test
    void firstPageIsTheFirstRunsByIdWithTheTotalAndTheViewsColumns() {
        RunTable.Page p = page(RunTable.Query.first(10));
        assertEquals(60, p.total());
        assertEquals(ids("SELECT run_id FROM points ORDER BY run_id LIMIT 10"), ids(p));
        assertEquals(List.of("run_id", "import_id", "model", "family", "params", "tokens", "compute", "step", "acc", "loss"), p.columns());
        assertEquals(List.of("alpha", "beta", "o'brien"), p.families());
    }

    @Test
    void textFamilyAndModelFiltersMatchTheHandWrittenQuery() {
        RunTable.Page text = page(new RunTable.Query("M1", null, null, null, false, 0, 100));
        assertEquals(ids("SELECT run_id FROM points WHERE lower(model) LIKE '%m1%' OR lower(family) LIKE '%m1%' ORDER BY run_id"), ids(text));
        assertEquals(text.rows().size(), text.total());

        RunTable.Page quoted = page(new RunTable.Query(null, "o'brien", null, null, false, 0, 100));
        assertEquals(ids("SELECT run_id FROM points WHERE family = 'o''brien' ORDER BY run_id"), ids(quoted));
        assertEquals(20, quoted.total());

        RunTable.Page model = page(new RunTable.Query(null, null, "beta-m4", null, false, 0, 100));
        assertEquals(ids("SELECT run_id FROM points WHERE model = 'beta-m4'"), ids(model));
        assertEquals(1, model.total());

        RunTable.Page none = page(new RunTable.Query("' OR 1=1 --", null, null, null, false, 0, 100));
        assertEquals(0, none.total(), "a filter is a value, never SQL");
    }

    @Test
    void sortsByAnyColumnEitherWayWithRunIdBreakingTiesAndPages() {
        RunTable.Page desc = page(new RunTable.Query(null, "alpha", null, "acc", true, 5, 6));
        assertEquals(ids("SELECT run_id FROM points WHERE family = 'alpha' ORDER BY acc DESC, run_id LIMIT 6 OFFSET 5"), ids(desc));
        assertEquals(20, desc.total());
        RunTable.Page asc = page(new RunTable.Query(null, null, null, "LOSS", false, 0, 3));
        assertEquals(ids("SELECT run_id FROM points ORDER BY loss, run_id LIMIT 3"), ids(asc));
        RunTable.Page past = page(new RunTable.Query(null, null, null, "tokens", false, 100, 10));
        assertEquals(60, past.total());
        assertTrue(past.rows().isEmpty());
    }

    @Test
    void refusesASortColumnOutsideTheViewAndBadPaging() {
        InputException e = assertThrows(InputException.class,
                () -> page(new RunTable.Query(null, null, null, "loss; DROP TABLE runs", false, 0, 10)));
        assertTrue(e.getMessage().startsWith("sort: 'loss; DROP TABLE runs' is not a column of the runs table"), e.getMessage());
        assertTrue(e.getMessage().contains(", params, "), e.getMessage());
        assertThrows(InputException.class, () -> new RunTable.Query(null, null, null, null, false, -1, 10));
        assertThrows(InputException.class, () -> new RunTable.Query(null, null, null, null, false, 0, 0));
        assertThrows(InputException.class, () -> new RunTable.Query(null, null, null, null, false, 0, RunTable.MAX_LIMIT + 1));
        assertEquals(60, page(RunTable.Query.first(1)).total(), "the store is as it was");
    }

    @Test
    void anEmptyLabHasNoRows() {
        try (LabStore store = LabStore.openReadOnly(lab.resolve("empty"), LabStore.Wait.none())) {
            RunTable.Page p = store.runTable(RunTable.Query.first(10), LIMIT);
            assertEquals(0, p.total());
            assertTrue(p.rows().isEmpty());
            assertTrue(p.columns().contains("params"));
            LabStore.Contents c = store.contents();
            assertEquals(0, c.runs());
        }
        assertTrue(Files.notExists(lab.resolve("empty")), "reading creates nothing");
    }
}
