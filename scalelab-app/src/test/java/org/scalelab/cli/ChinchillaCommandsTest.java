package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.DataInput;
import org.scalelab.io.Json;
import org.scalelab.io.NumericTable;
import org.scalelab.laws.ChinchillaFit;
import org.scalelab.laws.ChinchillaResult;
import org.scalelab.laws.ComputeOptimal;

class ChinchillaCommandsTest {
    static final Path DATA = (Path.of("").toAbsolutePath().getFileName().toString().equals("scalelab-app")
            ? Path.of("..") : Path.of(".")).resolve("data/chinchilla_hoffmann2022_fig4.csv").toAbsolutePath().normalize();

    @TempDir
    Path dir;


    @Test
    void fitChinchillaDerivesTokensFromComputeAndMatchesTheLibrary() throws Exception {
        JsonNode j = new CliRun("fit", "chinchilla", "--data", DATA.toString(), "--grid", "coarse", "--drop-highest-loss", "5",
                "--bootstrap", "50", "--seed", "3", "--json", "--no-store").json();
        // The same fit through the API, tokens = compute / (6 params) (C ≈ 6ND).
        NumericTable t = DataInput.readFile(DATA, List.of("params", "compute", "loss"));
        double[] n = t.column("params");
        double[] d = new double[n.length];
        for (int i = 0; i < n.length; i++) {
            d[i] = t.column("compute")[i] / (6 * n[i]);
        }
        ChinchillaResult api = ChinchillaFit.fit(n, d, t.column("loss"), ChinchillaFit.Options.defaults()
                .withGrid(ChinchillaFit.Grid.parse("coarse")).withDropHighestLoss(5).withBootstrap(50, 3));
        assertEquals("chinchilla", j.get("law").asText());
        assertEquals("converged", j.get("status").asText());
        assertEquals(240, j.get("n_points").asInt());
        for (String k : ChinchillaResult.PARAM_NAMES) {
            assertEquals(api.params().get(k), j.get("params").get(k).asDouble(), 0.0, k);
            assertEquals(api.ci95().get(k).get(0), j.get("ci95").get(k).get(0).asDouble(), 0.0, k);
        }
        assertTrue(j.path("replicates").isMissingNode(), "replicates only with --keep-replicates");
        assertEquals("ran", j.at("/backtest/status").asText());
        assertTrue(j.at("/backtest/mean_rel_error").asDouble() < 0.05, j.get("backtest").toString());
        assertEquals(DATA.toString(), j.at("/provenance/inputs/0/source").asText());
    }

    @Test
    void forecastFromASavedFitUsesItsReplicatesForIntervals() throws Exception {
        Path csv = dir.resolve("runs.csv");
        // params,tokens,loss written from the paper's law (Hoffmann et al. 2022, eq. 10) with tiny deterministic wiggle
        StringBuilder sb = new StringBuilder("params,tokens,loss\n");
        ChinchillaResult.Params paper = new ChinchillaResult.Params(1.69, 406.4, 410.7, 0.34, 0.28);
        int row = 0;
        for (double n = 1e7; n <= 1e10; n *= 2.5) {
            for (double d = 1e9; d <= 1e12; d *= 2.5) {
                sb.append(n).append(',').append(d).append(',').append(paper.loss(n, d) * (1 + 0.003 * Math.sin(row++))).append('\n');
            }
        }
        Files.writeString(csv, sb.toString());
        Path fit = dir.resolve("fit.json");
        CliRun f = new CliRun("fit", "chinchilla", "--data", csv.toString(), "--grid", "coarse", "--bootstrap", "100",
                "--keep-replicates", "--no-backtest", "--json", "--no-store");
        assertEquals(0, f.code, f.err.toString());
        Files.writeString(fit, f.out.toString());
        JsonNode saved = Json.mapper().readTree(f.out.toString());
        assertEquals(saved.get("bootstrap_converged").asInt(), saved.get("replicates").size());
        assertTrue(saved.get("backtest").isNull(), "--no-backtest");

        JsonNode j = new CliRun("forecast", "--fit", fit.toString(), "--compute", "1e21,1e23", "--params", "7e10",
                "--tokens", "1.4e12", "--json", "--no-store").json();
        ChinchillaResult.Params p = new ChinchillaResult.Params(saved.at("/params/E").asDouble(), saved.at("/params/A").asDouble(),
                saved.at("/params/B").asDouble(), saved.at("/params/alpha").asDouble(), saved.at("/params/beta").asDouble());
        assertEquals(ComputeOptimal.optimalParams(p, 1e23), j.at("/budgets/1/params/value").asDouble(), 1e-9 * ComputeOptimal.optimalParams(p, 1e23));
        assertTrue(j.at("/budgets/1/params/lo").asDouble() < j.at("/budgets/1/params/hi").asDouble());
        assertEquals(p.loss(7e10, 1.4e12), j.at("/points/0/loss/value").asDouble(), 1e-12);
        assertEquals(saved.get("replicates").size(), j.get("replicates").asInt());
    }

    @Test
    void forecastFromDataWritesAReport() throws Exception {
        Path out = dir.resolve("report");
        CliRun r = new CliRun("forecast", "--data", DATA.toString(), "--grid", "coarse", "--bootstrap", "20", "--compute", "1e21,1e22",
                "--no-store", "--out", out.toString());
        assertEquals(0, r.code, r.err.toString());
        assertTrue(r.out.toString().contains("N_opt"), r.out.toString());
        assertTrue(Files.exists(out.resolve("index.html")) && Files.exists(out.resolve("result.json")));
    }

    @Test
    void missingTokensAndComputeColumnsIsBadInputWithOneLine() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "params,loss\n1e8,3.0\n1e9,2.8\n");
        CliRun r = new CliRun("fit", "chinchilla", "--data", csv.toString(), "--no-store");
        assertEquals(2, r.code, r.err.toString());
        assertTrue(r.err.toString().contains("no column 'tokens' or 'compute'"), r.err.toString());
        assertEquals(1, r.err.toString().strip().lines().count(), r.err.toString());
    }

    @Test
    void aDamagedSavedFitIsOneLineAndExitTwo() throws Exception {
        String params = "\"params\": {\"E\": 1.7, \"A\": 400, \"B\": 410, \"alpha\": 0.34, \"beta\": 0.28}";
        String[][] cases = {
            {"{\"law\": \"chinchilla\", " + params + ", \"replicates\": [[1.7, 400]]}", "replicates[0] is [1.7,400]"},
            {"{\"law\": \"chinchilla\", " + params + ", \"replicates\": 5}", "field \"replicates\" is 5"},
            {"{\"law\": \"chinchilla\", " + params.replace("0.28", "1e999") + "}", "params.beta is \"Infinity\""},
            {"[]", "expected a JSON object"},
            {"", "expected a JSON object"},
        };
        Path fit = dir.resolve("fit.json");
        for (String[] c : cases) {
            Files.writeString(fit, c[0]);
            CliRun r = new CliRun("forecast", "--fit", fit.toString(), "--compute", "1e21", "--no-store");
            assertEquals(2, r.code, c[0] + " → " + r.err);
            assertEquals(1, r.err.toString().strip().lines().count(), r.err.toString());
            assertTrue(r.err.toString().contains(c[1]), r.err.toString());
        }
        Files.writeString(fit, "{\"law\": \"chinchilla\", " + params + ", \"replicates\": [[1.7, 400, 410, 0.34, 0.28]]}");
        assertEquals(0, new CliRun("forecast", "--fit", fit.toString(), "--compute", "1e21", "--no-store").code);
    }
}
