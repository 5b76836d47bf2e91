package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: two tiny models of different widths ({@code scalelab model init}), activation sets
 * captured from prompts in three domains ({@code scalelab capture}), then {@code scalelab geometry
 * --acts … --by domain --compare-sizes}: groups per model × domain and a verdict per domain.
 */
class GeometryActsCommandTest {
    @TempDir
    Path dir;

    static final String[] DOMAINS = {"math", "law", "code"};

    Path model(String name, int dModel, int seed) {
        Path m = dir.resolve(name);
        CliRun init = new CliRun("model", "init", "--family", "gpt2", "--d-model", Integer.toString(dModel), "--layers", "2", "--heads", "4",
                "--vocab", "257", "--max-positions", "128", "--seed", Integer.toString(seed), "--out", m.toString());
        assertEquals(0, init.code, init.err.toString());
        return m;
    }

    Path prompts() throws Exception {
        String[][] text = {
            {"2+2=4 so 4*3=12", "Let x=7; then x^2=49.", "The sum 1+2+...+10 is 55.", "Solve 3y-6=0: y=2.", "Primes: 2,3,5,7,11,13.",
             "sqrt(81)=9 and 9*9=81", "If a=b and b=c then a=c.", "7 choose 2 equals 21."},
            {"The court held the contract void.", "A tort requires duty and breach.", "The statute of limitations expired.",
             "Consideration makes a promise binding.", "The appellant's motion was denied.", "Precedent binds lower courts.",
             "The lease terminates on notice.", "Negligence was not proven at trial."},
            {"def f(x): return x + 1", "for i in range(10): print(i)", "int main() { return 0; }", "let v = vec![1, 2, 3];",
             "SELECT * FROM runs WHERE id = 3;", "if (a > b) { swap(a, b); }", "x = [i*i for i in xs]", "while True: break"}
        };
        List<String> lines = new ArrayList<>();
        for (int dm = 0; dm < DOMAINS.length; dm++) {
            for (int i = 0; i < text[dm].length; i++) {
                lines.add("{\"id\": \"" + DOMAINS[dm] + i + "\", \"text\": \"" + text[dm][i] + "\", \"domain\": \"" + DOMAINS[dm]
                        + "\", \"labels\": {\"half\": \"" + (i % 2) + "\"}}");
            }
        }
        return Files.write(dir.resolve("prompts.jsonl"), lines);
    }

    Path capture(Path model, Path prompts, String name) {
        Path out = dir.resolve(name);
        CliRun c = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks",
                "blocks.*.hook_resid_post,blocks.*.hook_attn_out,blocks.*.hook_mlp_out", "--out", out.toString());
        assertEquals(0, c.code, c.err.toString());
        return out;
    }

    @Test
    void twoModelSizesGiveGroupsPerDomainAndAVerdictPerDomain() throws Exception {
        Path prompts = prompts();
        Path small = capture(model("small", 32, 5), prompts, "acts-small");
        Path large = capture(model("large", 64, 6), prompts, "acts-large");
        Path report = dir.resolve("report");
        // The larger set first: comparisons still go from the smaller to the larger model.
        JsonNode r = new CliRun("geometry", "--acts", large.toString(), "--acts", small.toString(), "--by", "domain", "--compare-sizes",
                "--bootstrap", "20", "--null-replicates", "2", "--k-range", "2:4", "--json", "--no-store", "--out", report.toString()).json();
        JsonNode groups = r.get("groups");
        assertEquals(6, groups.size(), "2 models × 3 domains");
        for (JsonNode g : groups) {
            assertEquals(8, g.get("trajectories").asInt(), g.get("name").asText());
            assertTrue(Set.of("math", "law", "code").contains(g.get("domain").asText()));
            assertEquals("blocks.1.hook_resid_post", g.get("hook").asText());
            assertTrue(g.get("participation_ratio").isNumber() && g.get("alignment").isNumber() && g.get("tangling").isNumber()
                    && g.get("silhouette").isNumber() && g.get("k").isInt(), g.toString());
            double coherence = g.get("oscillation_coherence").asDouble();
            assertTrue(g.get("oscillation_coherence").isNumber() && coherence >= -1 && coherence <= 1, g.toString());
            JsonNode ci = g.get("ci").get("participation_ratio");
            assertTrue(ci.get(0).asDouble() <= ci.get(1).asDouble());
            assertEquals(20, g.get("bootstrap_replicates").asInt());
            assertTrue(g.get("baselines").get("gaussian").get("tangling").get("mean").isNumber());
            // The Gaussian null copies the covariance, so it does not test the participation ratio.
            assertTrue(g.get("baselines").get("gaussian").get("participation_ratio").get("mean").isNull());
            assertTrue(g.get("baselines").get("gaussian").get("participation_ratio").get("reason").asText().contains("covariance"));
        }
        long smallParams = groups.get(0).get("parameter_count").asLong();
        long largeParams = groups.get(3).get("parameter_count").asLong();
        assertTrue(smallParams > largeParams, "the first set given was the larger model");
        JsonNode comparisons = r.get("comparisons");
        assertEquals(3, comparisons.size(), "one per domain");
        for (JsonNode c : comparisons) {
            assertEquals(largeParams, c.get("from_parameters").asLong());
            assertEquals(smallParams, c.get("to_parameters").asLong());
            assertTrue(c.get("from").asText().endsWith("small") && c.get("to").asText().endsWith("large"), c.toString());
            assertTrue(Set.of("crystallization", "lattice", "liquid", "inconclusive").contains(c.get("phase").asText()));
            JsonNode pr = c.get("changes").get("participation_ratio");
            assertEquals(pr.get("to").asDouble() - pr.get("from").asDouble(), pr.get("delta").asDouble(), 1e-9);
            assertTrue(pr.get("ci").isArray() && pr.get("status").isTextual(), pr.toString());
            assertTrue(c.get("changes").has("oscillation_coherence"));
        }
        for (String f : List.of("index.html", "result.json", "phase-diagram.svg", "scree.svg", "pca-0.svg", "pca-1.svg", "tangling-0.svg", "tangling-2.svg")) {
            assertTrue(Files.isRegularFile(report.resolve(f)), f);
        }
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("Phase verdicts") && html.contains("Domain law"), "report sections");

        // The geometry groups hold exactly the rows the activation-set reader returns.
        List<org.scalelab.geometry.ActivationGroups.Input> read = org.scalelab.geometry.ActivationGroups.of(
                List.of(org.scalelab.io.ActivationSet.open(small)),
                new org.scalelab.geometry.ActivationGroups.Options(null, List.of(org.scalelab.geometry.ActivationGroups.Key.DOMAIN), null));
        try (org.scalelab.io.ActivationSet set = org.scalelab.io.ActivationSet.open(small)) {
            org.scalelab.geometry.ActivationGroups.Input law = read.get(1);
            assertEquals("law", law.domain());
            int row = 0;
            for (String id : law.trajectoryIds()) {
                float[][] rows = set.rows("blocks.1.hook_resid_post", set.trajectory(id));
                for (float[] values : rows) {
                    for (int j = 0; j < values.length; j++) {
                        assertEquals(values[j], law.points().get(row, j), 0f, id);
                    }
                    row++;
                }
            }
            assertEquals(law.points().size(), row);
        }

        // Labels of the prompts: grouping by them, and a hook without attention/MLP outputs.
        JsonNode byLabel = new CliRun("geometry", "--acts", small.toString(), "--by", "label", "--label", "half", "--hook",
                "blocks.0.hook_resid_post", "--null-replicates", "0", "--json", "--no-store").json();
        assertEquals(2, byLabel.get("groups").size());
        assertEquals("blocks.0.hook_resid_post", byLabel.get("groups").get(0).get("hook").asText());

        CliRun missing = new CliRun("geometry", "--acts", small.toString(), "--hook", "blocks.9.hook_resid_post", "--no-store");
        assertEquals(2, missing.code);
        assertTrue(missing.err.toString().contains("'blocks.9.hook_resid_post' was not captured"), missing.err.toString());
        CliRun both = new CliRun("geometry", "--acts", small.toString(), "--npy", "x.npy", "--no-store");
        assertEquals(2, both.code);
        assertTrue(both.err.toString().contains("either --npy FILE or one or more --acts DIR"), both.err.toString());
        CliRun notASet = new CliRun("geometry", "--acts", dir.toString(), "--no-store");
        assertEquals(2, notASet.code);
        assertTrue(notASet.err.toString().contains("manifest.json: not found"), notASet.err.toString());
    }
}
