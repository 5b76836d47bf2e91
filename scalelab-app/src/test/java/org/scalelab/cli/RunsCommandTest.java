package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

class RunsCommandTest {
    @TempDir
    Path dir;

    static final class Run {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code;

        Run(String... args) {
            code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        }

        JsonNode json() throws Exception {
            assertEquals(0, code, err.toString());
            return Json.mapper().readTree(out.toString());
        }
    }

    private Path runsFile() throws Exception {
        Path csv = dir.resolve("runs.csv");
        Files.writeString(csv, "name,n_params,n_tokens,final_loss\ntiny,1e6,2e7,4.5\nsmall,1e7,2e8,3.5\n");
        return csv;
    }

    @Test
    void importMapsColumnsAndTheRunsAreListedAndQueryable() throws Exception {
        String lab = dir.resolve("lab").toString();
        JsonNode s = new Run("runs", "import", runsFile().toString(), "--lab", lab, "--params-col", "n_params", "--tokens-col", "n_tokens",
                "--metric", "loss=final_loss", "--model-col", "name", "--json").json();
        assertEquals(2, s.get("rows").asLong());
        assertEquals(1, s.get("import_id").asLong());
        assertEquals("final_loss", s.at("/columns/loss").asText());
        assertEquals("compute = 6 * params * tokens", s.at("/derived/0").asText());

        JsonNode runs = new Run("runs", "list", "--lab", lab, "--json").json();
        assertEquals(2, runs.size());
        assertEquals("small", runs.get(1).get("model").asText());
        assertEquals(6 * 1e7 * 2e8, runs.get(1).get("compute").asDouble(), 1e-3);
        assertEquals(3.5, runs.get(1).at("/metrics/loss").asDouble());

        JsonNode q = new Run("runs", "sql", "SELECT model, loss FROM points ORDER BY loss", "--lab", lab, "--json").json();
        assertEquals("model", q.at("/columns/0").asText());
        assertEquals("small", q.at("/rows/0/0").asText());
        assertEquals(3.5, q.at("/rows/0/1").asDouble());

        Run table = new Run("runs", "list", "--lab", lab);
        assertEquals(0, table.code, table.err.toString());
        assertTrue(table.out.toString().contains("tiny"), table.out.toString());
        assertTrue(table.out.toString().contains("(2 of 2 runs)"), table.out.toString());
        Run text = new Run("runs", "sql", "SELECT count(*) AS n FROM runs", "--lab", lab);
        assertEquals(0, text.code, text.err.toString());
        assertTrue(text.out.toString().startsWith("n\n-\n2\n(1 row)"), text.out.toString());

        Run again = new Run("runs", "import", runsFile().toString(), "--lab", lab, "--params-col", "n_params", "--tokens-col", "n_tokens");
        assertEquals(2, again.code);
        assertTrue(again.err.toString().contains("scalelab runs delete-import 1"), again.err.toString());
        Run deleted = new Run("runs", "delete-import", "1", "--lab", lab);
        assertEquals(0, deleted.code, deleted.err.toString());
        assertEquals("deleted import 1 (2 runs); 0 runs remain", deleted.out.toString().strip());
        assertEquals(0, new Run("runs", "import", runsFile().toString(), "--lab", lab, "--params-col", "n_params", "--tokens-col", "n_tokens").code);
    }

    @Test
    void badImportAndWritingSqlExitWithCode2AndOneLineAndLeaveTheStoreUnchanged() throws Exception {
        String lab = dir.resolve("lab").toString();
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "params,tokens,loss\n1e6,2e7,4.5\n1e7,-2e8,3.5\n");
        Run r = new Run("runs", "import", bad.toString(), "--lab", lab);
        assertEquals(2, r.code);
        assertEquals("scalelab: error: " + bad + ": row 2 (line 3), column 'tokens': value -2e8 must be > 0 (scaling laws work on the "
                + "logarithms of params, tokens and compute); fix or drop the row", r.err.toString().strip());
        Run del = new Run("runs", "sql", "DELETE FROM runs", "--lab", lab);
        assertEquals(2, del.code);
        assertTrue(del.err.toString().contains("only reading statements are allowed"), del.err.toString());
        JsonNode count = new Run("runs", "sql", "SELECT count(*) AS n FROM runs", "--lab", lab, "--json").json();
        assertEquals(0, count.at("/rows/0/0").asLong());
        Run badMetric = new Run("runs", "import", bad.toString(), "--lab", lab, "--metric", "loss");
        assertEquals(2, badMetric.code, "a bare NAME means the column of that name, so this fails on the data, not the option");
    }

    @Test
    void analysesSaveResultsThatResultsListAndShowPrintWithProvenance() throws Exception {
        String lab = dir.resolve("lab").toString();
        Run rel = new Run("reliability", "--p", "0.99", "--steps", "10", "--lab", lab);
        assertEquals(0, rel.code, rel.err.toString());
        JsonNode list = new Run("results", "list", "--lab", lab, "--json").json();
        assertEquals(1, list.size());
        assertEquals("reliability.table", list.at("/0/analysis").asText());
        JsonNode shown = new Run("results", "show", "1", "--lab", lab).json();
        assertEquals("reliability.table", shown.get("analysis").asText());
        assertTrue(shown.get("result").isObject(), shown.toString());
        Run missing = new Run("results", "show", "7", "--lab", lab);
        assertEquals(2, missing.code);
        assertTrue(missing.err.toString().contains("no result 7"), missing.err.toString());
    }

    @Test
    void fitInputsCanComeFromAStoreQuery() throws Exception {
        String lab = dir.resolve("lab").toString();
        assertEquals(0, new Run("runs", "import", runsFile().toString(), "--lab", lab, "--params-col", "n_params", "--tokens-col", "n_tokens",
                "--metric", "loss=final_loss").code);
        CliSupport.LabOption option = new CliSupport.LabOption();
        option.lab = Path.of(lab);
        CliSupport.DataOptions data = new CliSupport.DataOptions();
        data.query = "SELECT params, loss FROM points";
        var t = data.load(option, java.util.List.of("params", "loss"));
        assertEquals(2, t.rows());
        assertEquals(4.5, t.column("loss")[0]);
    }
}
