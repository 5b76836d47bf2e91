package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scalelab runs import --format lm-eval}, score tables with parameters alone, and the laws reading them. */
class LmEvalImportCommandTest {
    private static final Path FIXTURES = Path.of("..", "scalelab-core", "src", "test", "resources", "lmeval");

    @TempDir
    Path dir;

    private String lab() {
        return dir.resolve("lab").toString();
    }

    private long runCount() throws Exception {
        return new CliRun("runs", "sql", "SELECT count(*) AS n FROM runs", "--lab", lab(), "--json").json().get("rows").get(0).get(0).asLong();
    }

    @Test
    void bothLayoutsImportInOneCommandAndAreQueryableByQuotedMetricNames() throws Exception {
        CliRun r = new CliRun("runs", "import", "--format", "lm-eval", FIXTURES.resolve("v03-pythia-1.4b-step143000.json").toString(),
                FIXTURES.resolve("v04-pythia-160m.json").toString(), "--tokens-per-step", "2097152", "--lab", lab());
        assertEquals(0, r.code, r.err.toString());
        String out = r.out.toString();
        assertTrue(out.contains("imported 'EleutherAI/pythia-1.4b' from "), out);
        assertTrue(out.contains("(lm-eval v0.3) as import 1: params 1.400e+09 (name '1.4b'), step 143000 (revision 'step143000'), "
                + "tokens 2.999e+11 (step × --tokens-per-step); 6 metrics, 6 with stderr"), out);
        assertTrue(out.contains("(lm-eval v0.4) as import 2: params 1.623e+08 (config.model_num_parameters)"), out);
        assertTrue(out.contains("query them with: scalelab runs sql \"SELECT model, params, step, \\\"arc_easy/acc\\\" FROM points\""), out);
        JsonNode q = new CliRun("runs", "sql", "SELECT model, \"arc_easy/acc\", \"arc_easy/acc_stderr\", tokens FROM points ORDER BY params",
                "--lab", lab(), "--json").json();
        assertEquals("EleutherAI/pythia-160m", q.get("rows").get(0).get(0).asText());
        assertEquals(0.4372895622895623, q.get("rows").get(0).get(1).asDouble());
        assertEquals(0.010178768429321, q.get("rows").get(0).get(2).asDouble());
        assertEquals(100000.0 * 2097152, q.get("rows").get(0).get(3).asDouble());
        CliRun list = new CliRun("runs", "list", "--lab", lab());
        assertEquals(0, list.code, list.err.toString());
        assertTrue(list.out.toString().contains("step"), list.out.toString());
        assertTrue(list.out.toString().contains("143000"), list.out.toString());
        CliRun again = new CliRun("runs", "import", "--format", "lm-eval", FIXTURES.resolve("v04-pythia-160m.json").toString(), "--lab", lab());
        assertEquals(2, again.code);
        assertTrue(again.err.toString().contains("v04-pythia-160m.json: this file (sha256 "), again.err.toString());
        assertTrue(again.err.toString().contains("already imported as import 2"), again.err.toString());
        assertEquals(2, runCount());
    }

    @Test
    void aMalformedFileAmongGoodOnesImportsNothingAndGetsOneLine() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"results\": {\"arc_easy\": {\"acc,none\": \"0.5x\"}}, \"model_name\": \"EleutherAI/pythia-70m\"}");
        CliRun r = new CliRun("runs", "import", "--format", "lm-eval", FIXTURES.resolve("v04-pythia-160m.json").toString(), bad.toString(),
                "--lab", lab());
        assertEquals(2, r.code);
        assertEquals("scalelab: error: " + bad + ": results[\"arc_easy\"][\"acc,none\"] is the string \"0.5x\", not a number", r.err.toString().strip());
        assertEquals(0, runCount(), "the good file of the refused command is not imported either");
        CliRun noSize = new CliRun("runs", "import", "--format", "lm-eval", FIXTURES.resolve("v03-gpt2-xl-no-size.json").toString(), "--lab", lab());
        assertEquals(2, noSize.code);
        assertEquals(1, noSize.err.toString().strip().lines().count(), noSize.err.toString());
        assertTrue(noSize.err.toString().contains("model 'gpt2-xl': no parameter count (its name states no size); give --params N, or --sizes FILE"),
                noSize.err.toString());
        Path sizes = dir.resolve("sizes.csv");
        Files.writeString(sizes, "model,params\ngpt2-xl,1557611200\n");
        CliRun sized = new CliRun("runs", "import", "--format", "lm-eval", FIXTURES.resolve("v03-gpt2-xl-no-size.json").toString(), "--sizes",
                sizes.toString(), "--lab", lab());
        assertEquals(0, sized.code, sized.err.toString());
        assertTrue(sized.out.toString().contains("params 1.558e+09 (--sizes line 2)"), sized.out.toString());
        assertTrue(sized.out.toString().contains("1 of 1 runs have no tokens: fit chinchilla and forecast cannot use them"), sized.out.toString());
        CliRun mixed = new CliRun("runs", "import", FIXTURES.resolve("v04-pythia-160m.json").toString(), "--params", "1e9", "--lab", lab());
        assertEquals(2, mixed.code);
        assertTrue(mixed.err.toString().contains("--params is for --format lm-eval"), mixed.err.toString());
        CliRun noFormat = new CliRun("runs", "import", FIXTURES.resolve("v04-pythia-160m.json").toString(), "--lab", lab());
        assertEquals(2, noFormat.code);
        assertTrue(noFormat.err.toString().strip().endsWith("(this looks like an lm-evaluation-harness result file: import it with --format lm-eval)"),
                noFormat.err.toString());
        CliRun cols = new CliRun("runs", "import", "--format", "lm-eval", FIXTURES.resolve("v04-pythia-160m.json").toString(), "--params-col", "n",
                "--lab", lab());
        assertEquals(2, cols.code);
        assertTrue(cols.err.toString().contains("map table columns; with --format lm-eval use --params"), cols.err.toString());
        assertEquals(1, runCount());
    }

    /**
     * A set of result files of one family at six sizes whose perplexity follows y = E + A·N^(−α) exactly
     * (E = 2, A = 300, α = 0.3): the power-law fit reads the metric through its quoted name and
     * recovers the law that made the files.
     */
    @Test
    void fitPowerReadsAnImportedRunSetByMetricName() throws Exception {
        String[] sizes = {"70m", "160m", "410m", "1b", "1.4b", "2.8b"};
        double[] n = {7e7, 1.6e8, 4.1e8, 1e9, 1.4e9, 2.8e9};
        List<String> args = new ArrayList<>(List.of("runs", "import", "--format", "lm-eval", "--lab", lab()));
        for (int i = 0; i < sizes.length; i++) {
            double ppl = 2 + 300 * Math.pow(n[i], -0.3);
            double acc = 0.3 + 0.05 * i;
            Path f = dir.resolve("pythia-" + sizes[i] + ".json");
            Files.writeString(f, String.format(Locale.ROOT, "{\"results\": {\"lambada_openai\": {\"alias\": \"lambada_openai\", "
                    + "\"perplexity,none\": %.17g, \"perplexity_stderr,none\": 0.1, \"acc,none\": %.17g, \"acc_stderr,none\": 0.006}, "
                    + "\"arc_easy\": {\"alias\": \"arc_easy\", \"acc,none\": %.17g, \"acc_stderr,none\": 0.01}}, "
                    + "\"versions\": {\"lambada_openai\": 1.0}, \"n-shot\": {\"lambada_openai\": 0}, "
                    + "\"config\": {\"model\": \"hf\", \"model_args\": \"pretrained=EleutherAI/pythia-%s\"}, \"model_name\": \"EleutherAI/pythia-%s\"}",
                    ppl, acc, acc + 0.1, sizes[i], sizes[i]));
            args.add(f.toString());
        }
        CliRun imported = new CliRun(args.toArray(String[]::new));
        assertEquals(0, imported.code, imported.err.toString());
        JsonNode fit = new CliRun("fit", "power", "--query", "SELECT params, \"lambada_openai/perplexity\" FROM points", "--y-col",
                "lambada_openai/perplexity", "--bootstrap", "0", "--no-backtest", "--json", "--lab", lab(), "--no-store").json();
        assertEquals("converged", fit.get("status").asText());
        assertEquals(6, fit.get("n_points").asInt());
        assertEquals(2.0, fit.get("parameters").get(0).get("value").asDouble(), 1e-3);
        assertEquals(0.3, fit.get("parameters").get(2).get("value").asDouble(), 1e-4);
        JsonNode sigmoid = new CliRun("fit", "sigmoid", "--query", "SELECT params, \"arc_easy/acc\" FROM points", "--y-col", "arc_easy/acc",
                "--bootstrap", "0", "--json", "--lab", lab(), "--no-store").json();
        assertEquals(6, sigmoid.get("n_points").asInt());
        // The law that needs tokens says which runs lack them, in one line.
        CliRun chinchilla = new CliRun("fit", "chinchilla", "--query", "SELECT params, tokens, \"lambada_openai/perplexity\" AS loss FROM points",
                "--lab", lab(), "--no-store");
        assertEquals(2, chinchilla.code);
        String err = chinchilla.err.toString().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("scalelab: error: fit chinchilla: row 1 of query \"SELECT params, tokens, "), err);
        assertTrue(err.contains("has no tokens: 6 runs of the lab (e.g. 'EleutherAI/pythia-70m') were imported with parameters alone; "
                + "import tokens or compute for them"), err);
    }

    @Test
    void aLeaderboardTableWithParametersAloneImportsAndListsItsMissingTokens() throws Exception {
        Path table = dir.resolve("leaderboard.csv");
        Files.writeString(table, "model,family,params,arc_challenge\nLlama-2-7b,llama,7e9,0.53\nLlama-2-13b,llama,1.3e10,0.59\n");
        CliRun r = new CliRun("runs", "import", table.toString(), "--metric", "arc=arc_challenge", "--lab", lab());
        assertEquals(0, r.code, r.err.toString());
        assertTrue(r.out.toString().contains("no tokens or compute (a score table with parameters alone)"), r.out.toString());
        CliRun list = new CliRun("runs", "list", "--lab", lab());
        assertTrue(list.out.toString().contains("2 of these runs have no tokens or compute"), list.out.toString());
        CliRun forecast = new CliRun("fit", "chinchilla", "--query", "SELECT params, compute, arc AS loss FROM points", "--lab", lab(), "--no-store");
        assertEquals(2, forecast.code);
        assertTrue(forecast.err.toString().startsWith("scalelab: error: fit chinchilla: row 1 of query"), forecast.err.toString());
    }
}
