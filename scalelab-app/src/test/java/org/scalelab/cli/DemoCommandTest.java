package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

/** End to end: the demo's story holds — each analysis recovers what the synthetic data planted. */
@Tag("slow")
class DemoCommandTest {
    @TempDir
    Path lab;

    private int demo(StringWriter out, StringWriter err) {
        return Main.execute(new String[] {"demo", "--lab", lab.toString(), "--bootstrap", "40", "--seed", "3"},
                new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private JsonNode result(String step) throws Exception {
        return Json.mapper().readTree(lab.resolve("reports/demo/" + step + "/result.json").toFile());
    }

    /** Examples the demo scores of a world task: all of its file's, at most the demo's limit. */
    private long examples(String task) throws Exception {
        try (var lines = Files.lines(lab.resolve("demo-data/world-tasks/" + task + ".jsonl"))) {
            return Math.min(WorldDemo.EVAL_LIMIT, lines.count());
        }
    }

    @Test
    void demoRecoversThePlantedLawsAndWritesOneReportTwice() throws Exception {
        // The lab already holds someone's runs with other metrics: the demo must only use its own.
        Path foreign = lab.resolve("foreign.csv");
        Files.writeString(foreign, "params,tokens,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n");
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new String[] {"runs", "import", foreign.toString(), "--lab", lab.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)), err.toString());
        StringWriter out = new StringWriter();
        assertEquals(0, demo(out, err), err.toString());
        assertTrue(out.toString().contains("reports/demo/index.html"), out.toString());
        assertTrue(out.toString().contains("scalelab serve --lab " + lab.toAbsolutePath().normalize()), "ends with the command that shows its lab: " + out);
        String html = Files.readString(lab.resolve("reports/demo/index.html"));
        for (String section : new String[] {"Chinchilla law", "Compute-optimal", "broken neural scaling law", "Emergence",
                "medium models beat large ones", "Test-time scaling", "Compounding reliability", "The controlled world", "Reasoning geometry by domain and model size",
                "Chains of thought: steps, layers and the cost of thought",
                "What each size can do", "Inside the largest model", "Capability phases from public benchmark scores",
                "Capability phases inside the world's models", "Commands run"}) {
            assertTrue(html.contains(section), "section " + section);
        }

        // Chinchilla: 56 runs with 0.5 % noise pin E and the exponents to within a few percent of the truth.
        JsonNode chin = result("chinchilla");
        assertEquals("converged", chin.path("status").asText());
        assertEquals(DemoData.E, chin.path("params").path("E").asDouble(), 0.1 * DemoData.E);
        assertEquals(DemoData.ALPHA, chin.path("params").path("alpha").asDouble(), 0.05);
        assertEquals(DemoData.BETA, chin.path("params").path("beta").asDouble(), 0.05);
        // BNSL finds the one planted break at 1e8 (within a factor 1.5).
        JsonNode bnsl = result("bnsl");
        assertEquals(1, bnsl.path("n_breaks").asInt());
        double d = bnsl.path("breaks").get(0).path("d").path("value").asDouble();
        assertTrue(d > 1e8 / 1.5 && d < 1e8 * 1.5, "break at " + d);
        // Shape: the planted inverted U peaking at 10^8.4 parameters.
        JsonNode shape = result("shape");
        assertEquals("inverted_U", shape.path("shape").asText());
        double peak = shape.path("turning_point").path("x").asDouble();
        assertEquals(DemoData.PEAK_LOG10_N, Math.log10(peak), 0.1);
        // Sigmoid: 50 % point of the emergent task at 10^19.5 FLOP.
        for (JsonNode p : result("sigmoid").path("parameters")) {
            if ("x50".equals(p.path("name").asText())) {
                assertEquals(DemoData.EMERGENCE_LOG10_C, Math.log10(p.path("value").asDouble()), 0.15);
            }
        }

        // The world part: four runs trained and analysed, every captured size compared per domain.
        JsonNode world = result("world");
        assertEquals(4, world.path("runs").size(), world.toString());
        JsonNode geometry = result("geometry");
        int sizes = 0;
        for (JsonNode run : world.path("runs")) {
            sizes += "finished".equals(run.path("status").asText()) ? 1 : 0;
        }
        assertTrue(sizes >= 2, "at least two sizes finished: " + world.path("runs"));
        java.util.Set<String> domains = new java.util.HashSet<>();
        for (JsonNode g : geometry.path("groups")) {
            domains.add(g.path("domain").asText());
            assertTrue(g.path("participation_ratio").asDouble() > 1, "a trained model's states span more than one direction: " + g);
        }
        assertEquals(java.util.Set.of("chain", "taxonomy", "modular", "state_machine"), domains);
        assertEquals(4 * (sizes - 1), geometry.path("comparisons").size(), "one comparison per domain and size step");
        assertTrue(Files.exists(lab.resolve("reports/demo/geometry/phase-diagram.svg")));

        // Chains of thought: every size generated its chains until it ended them (or ran out of room), one step per entity, every layer captured.
        int chainSets = 0;
        int stopped = 0;
        java.util.Set<Integer> lengths = new java.util.TreeSet<>();
        int room = WorldDemo.cotMaxTokens(3);
        try (var dirs = Files.list(lab.resolve("activations"))) {
            for (Path set : dirs.filter(p -> p.getFileName().toString().startsWith("world-" + WorldDemo.EXPERIMENT + "-cot-")).toList()) {
                org.scalelab.io.ActivationManifest m = org.scalelab.io.ActivationManifest.read(set);
                assertEquals(WorldDemo.COT_LIMIT, m.trajectories().size(), set.toString());
                assertEquals(m.nLayers(), m.hooks().size(), "every layer's residual stream: " + m.hooks());
                for (org.scalelab.io.ActivationManifest.Trajectory t : m.trajectories()) {
                    int hops = t.labels().get("difficulty").asInt();
                    int question = hops + 2;
                    int generated = t.tokenCount() - question;
                    assertTrue(generated >= 1 && generated <= room, "question of k + 2 tokens, then at most " + room + " generated: " + t.id());
                    assertEquals(t.tokenCount() - 1, t.rows(), "every token but the last generated one was read: " + t.id());
                    List<Integer> b = t.stepBoundaries();
                    assertEquals(question, b.get(0), "the first step where generation starts: " + t.id());
                    assertTrue(b.get(b.size() - 1) < t.tokenCount() - 1, "no step at the unread last token: " + t.id());
                    stopped += generated < room ? 1 : 0; // ended by the model (its <eos>) before the room ran out
                    lengths.add(b.size());
                }
                chainSets++;
            }
        }
        assertEquals(sizes, chainSets, "one set per size");
        assertTrue(stopped > 0, "the models end chains themselves");
        assertTrue(lengths.size() >= 2, "the chains' lengths vary: " + lengths);
        JsonNode chains = result("geometry-steps");
        assertTrue(chains.path("comparisons").size() > 0, chains.toString());
        JsonNode cost = result("thought-cost");
        assertEquals("steps", cost.path("cost").asText(), "the cost is the chain's length in steps");
        assertTrue(!cost.path("answer").asText().isBlank(), "the cost of thought answers in one sentence: " + cost.path("answer"));
        assertEquals(chainSets * WorldDemo.COT_LIMIT, cost.path("trajectories").size(), "one row per generated chain");
        // The section states each group's answer, with its interval.
        String section = html.substring(html.indexOf("Chains of thought: steps, layers and the cost of thought"));
        for (JsonNode g : cost.path("groups")) {
            String answer = g.path("answer").asText();
            assertTrue(section.contains(answer.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")), "the demo states " + answer);
        }
        assertTrue(java.util.stream.StreamSupport.stream(cost.path("groups").spliterator(), false)
                .anyMatch(g -> g.path("answer").asText().matches(".*\\[-?[0-9.]+, -?[0-9.]+\\].*")), "an answer with its interval: " + cost.path("groups"));
        assertTrue(Files.exists(lab.resolve("demo-data/cot/thought-cost.csv")));

        // Every captured size is scored on the world's three tasks, on the same sampled examples, and stored in the lab.
        int evaluated = 0;
        try (var dirs = Files.list(lab.resolve("reports/demo"))) {
            for (Path folder : dirs.filter(p -> p.getFileName().toString().startsWith("eval-demo-world-")).toList()) {
                JsonNode e = Json.mapper().readTree(folder.resolve("result.json").toFile());
                assertEquals(3, e.path("tasks").size(), e.toString());
                for (JsonNode t : e.path("tasks")) {
                    assertEquals(examples(t.path("task").asText()), t.path("n").asInt(), t.toString());
                    double acc = t.path("metrics").path("acc").path("value").asDouble();
                    assertTrue(acc >= 0 && acc <= 1 && t.path("metrics").path("acc").path("stderr").asDouble() > 0, t.toString());
                }
                StringWriter points = new StringWriter();
                Main.execute(new String[] {"runs", "sql", "SELECT \"world-analogy/acc\" FROM points WHERE model = '" + e.path("model").asText() + "'",
                        "--json", "--lab", lab.toString()}, new PrintWriter(points, true), new PrintWriter(new StringWriter(), true));
                JsonNode stored = Json.mapper().readTree(points.toString()).path("rows");
                assertEquals(1, stored.size(), points.toString());
                assertEquals(e.path("tasks").get(2).path("metrics").path("acc").path("value").asDouble(), stored.get(0).get(0).asDouble(), 1e-12);
                evaluated++;
            }
        }
        assertEquals(sizes, evaluated, "one evaluation per finished size");
        // Capability phases from the study's 14-model table: the fit on all models puts TruthfulQA's turn at 3.43 B parameters
        // (numpy.polyfit on the same table, see ScoreCouplingTest), and the width null is reported beside each family's r.
        JsonNode scores = result("phase-scores");
        for (JsonNode c : scores.path("critical_size")) {
            if ("quadratic_vertex".equals(c.path("method").asText())) {
                assertEquals(3.43e9, c.path("value").asDouble(), 0.01e9, c.toString());
            }
        }
        assertEquals(3, scores.path("families").size());
        for (JsonNode fam : scores.path("families")) {
            assertTrue(fam.path("r_width_null").path("mean").isNumber(), fam.toString());
        }
        // Inside the world's models: one diagnosis per captured size, each with a verdict and a recommendation.
        JsonNode diagnosis = result("phase-diagnose");
        assertEquals(sizes, diagnosis.path("models").size(), diagnosis.toString());
        for (JsonNode m : diagnosis.path("models")) {
            assertTrue(java.util.Set.of("ANTAGONISTIC", "INDEPENDENT", "COOPERATIVE").contains(m.path("verdict").asText()), m.toString());
            assertTrue(!m.path("recommendation").asText().isBlank(), m.toString());
        }

        JsonNode compare = result("eval-compare");
        assertEquals(3, compare.path("tasks").size(), compare.toString());
        for (JsonNode t : compare.path("tasks")) {
            JsonNode acc = t.path("mcnemar").path("acc");
            assertTrue(acc.has("p_value") && t.path("bootstrap").has("mc2"), "every metric compared: " + t);
            assertEquals(examples(t.path("task").asText()), t.path("n").asInt(), "paired on the same examples: " + t);
            assertEquals(acc.path("accuracy_a").asDouble() - acc.path("accuracy_b").asDouble(), acc.path("difference").asDouble(), 1e-12);
            assertTrue(acc.path("low").asDouble() <= acc.path("difference").asDouble() && acc.path("difference").asDouble() <= acc.path("high").asDouble(), t.toString());
        }
        assertTrue(Files.exists(lab.resolve("reports/demo/capabilities.svg")));
        // The lens reads the analogy in every residual stream, and the attribution's terms add up to the model's logit difference.
        JsonNode lens = result("lens").path("prompts").get(0);
        assertTrue(lens.path("layers").size() >= 2, lens.toString());
        assertEquals(lens.path("model_value").asDouble(), lens.path("attributed_value").asDouble(), 1e-3);
        assertTrue(Files.exists(lab.resolve("reports/demo/lens/head-attribution.svg")));

        // A second run replaces its own import and report instead of failing on the duplicate file.
        assertEquals(0, demo(new StringWriter(), err), err.toString());
        StringWriter runs = new StringWriter();
        Main.execute(new String[] {"runs", "sql", "SELECT count(*) AS n FROM runs", "--json", "--lab", lab.toString()},
                new PrintWriter(runs, true), new PrintWriter(new StringWriter(), true));
        assertEquals(58 + sizes, Json.mapper().readTree(runs.toString()).path("rows").get(0).get(0).asInt(),
                "56 demo runs + 2 foreign + one evaluation per size, not stored again: " + runs);
        try (var s = Files.list(lab.resolve("reports"))) {
            assertEquals(1, s.count(), "only reports/demo: no staging folders left behind");
        }
    }
}
