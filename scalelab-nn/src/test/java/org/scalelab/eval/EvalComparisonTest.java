package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;
import org.scalelab.stats.McNemarResult;
import org.scalelab.stats.PairedBootstrapResult;

/**
 * {@link EvalComparison} on two --examples-out files against an independent Python reference
 * ({@code scalelab-nn/src/test/python/paired_eval_reference.py}: the metrics from lm-eval's formulas,
 * McNemar's exact test by scipy's {@code binomtest}, Newcombe's interval, a numpy paired bootstrap):
 * every metric of every task, for each acc_norm unit; then files from before the lengths were
 * recorded, and evaluations that normalised by different units.
 */
class EvalComparisonTest {
    private static final String SCRIPT = "scalelab-nn/src/test/python/paired_eval_reference.py";
    private static final int REPLICATES = 20_000;

    @TempDir Path dir;

    /**
     * Two models' records on the same examples: per choice a shared difficulty plus each model's own
     * noise, A a little better on the golds; chars, bytes and tokens lengths that disagree; a few
     * examples with several golds, a tie in the summed log-prob and a tie in log-prob per character.
     */
    private List<List<Evaluation.ExampleRecord>> pair(long seed) {
        Random rng = new Random(seed);
        List<Evaluation.ExampleRecord> a = new ArrayList<>();
        List<Evaluation.ExampleRecord> b = new ArrayList<>();
        String[] tasks = {"truthy", "small"};
        int[] sizes = {240, 90};
        for (int t = 0; t < tasks.length; t++) {
            for (int i = 0; i < sizes[t]; i++) {
                int k = 2 + rng.nextInt(4);
                int[] chars = new int[k];
                int[] bytes = new int[k];
                int[] tokens = new int[k];
                for (int c = 0; c < k; c++) {
                    chars[c] = 1 + rng.nextInt(20);
                    bytes[c] = chars[c] + rng.nextInt(4);
                    tokens[c] = 1 + rng.nextInt(6);
                }
                int[] gold = i % 5 == 0 ? new int[] {rng.nextInt(k), -1} : new int[] {rng.nextInt(k)};
                if (gold.length == 2) {
                    gold[1] = (gold[0] + 1) % k;
                }
                double[] la = new double[k];
                double[] lb = new double[k];
                for (int c = 0; c < k; c++) {
                    double shared = -0.6 * chars[c] - 3 * rng.nextDouble();
                    boolean isGold = c == gold[0] || (gold.length == 2 && c == gold[1]);
                    la[c] = shared + 1.5 * rng.nextGaussian() + (isGold ? 1.2 : 0);
                    lb[c] = shared + 1.5 * rng.nextGaussian() + (isGold ? 0.6 : 0);
                }
                if (i % 17 == 3) {
                    la[k - 1] = la[0]; // a tie in the summed log-prob: the first choice is taken
                }
                if (i % 13 == 5) {
                    lb[0] = -0.5 * chars[0]; // a tie in log-prob per character
                    lb[1] = -0.5 * chars[1];
                }
                a.add(record(tasks[t], "q" + i, la, chars, bytes, tokens, gold));
                b.add(record(tasks[t], "q" + i, lb, chars, bytes, tokens, gold));
            }
        }
        return List.of(a, b);
    }

    private static Evaluation.ExampleRecord record(String task, String id, double[] lp, int[] chars, int[] bytes, int[] tokens, int[] gold) {
        int chosen = 0;
        for (int c = 1; c < lp.length; c++) {
            chosen = lp[c] > lp[chosen] ? c : chosen;
        }
        boolean correct = false;
        for (int g : gold) {
            correct |= g == chosen;
        }
        return new Evaluation.ExampleRecord(task, id, lp, bytes, gold, chosen, correct, chars, tokens, "chars");
    }

    @Test
    void everyMetricOfEveryTaskEqualsTheReferenceForEveryUnit() throws IOException {
        PythonReference.requireModules("numpy", "scipy");
        List<List<Evaluation.ExampleRecord>> p = pair(21);
        Path fa = dir.resolve("a.jsonl");
        Path fb = dir.resolve("b.jsonl");
        Evaluation.writeExamples(fa, p.get(0));
        Evaluation.writeExamples(fb, p.get(1));
        EvalComparison.Input in = new EvalComparison.Input("a.jsonl", EvalComparison.read(fa), "b.jsonl", EvalComparison.read(fb));
        for (LengthNorm norm : new LengthNorm[] {null, LengthNorm.BYTES, LengthNorm.TOKENS}) {
            EvalComparison.Result r = EvalComparison.analyze(in, new EvalComparison.Options(0.95, REPLICATES, 5, norm));
            String unit = norm == null ? "chars" : norm.name().toLowerCase(); // null: the unit the files record
            assertEquals(unit, r.norm());
            assertTrue(r.notes().isEmpty(), r.notes().toString());
            JsonNode ref = Json.mapper().readTree(PythonReference.run(SCRIPT, fa.toString(), fb.toString(), unit, "0.95",
                    Integer.toString(REPLICATES), "11"));
            assertEquals(2, r.tasks().size());
            for (EvalComparison.TaskComparison t : r.tasks()) {
                JsonNode rt = ref.get(t.task());
                assertEquals(rt.get("n").asInt(), t.n());
                assertEquals(List.of("acc", "acc_norm", "mc1"), List.copyOf(t.mcnemar().keySet()));
                for (String m : t.mcnemar().keySet()) {
                    McNemarResult x = t.mcnemar().get(m);
                    JsonNode e = rt.get(m);
                    String what = t.task() + " " + m + " by " + unit;
                    assertEquals(e.get("a").asDouble(), x.accuracyA(), 1e-15, what + " A");
                    assertEquals(e.get("b").asDouble(), x.accuracyB(), 1e-15, what + " B");
                    assertEquals(e.get("difference").asDouble(), x.difference(), 1e-15, what + " difference");
                    assertEquals(e.get("p").asDouble(), x.pValue(), 1e-12 * e.get("p").asDouble() + 1e-300, what + " p");
                    assertEquals(e.get("low").asDouble(), x.low(), 1e-12, what + " low");
                    assertEquals(e.get("high").asDouble(), x.high(), 1e-12, what + " high");
                }
                PairedBootstrapResult mc2 = t.bootstrap().get("mc2");
                JsonNode e = rt.get("mc2");
                String what = t.task() + " mc2";
                assertEquals(e.get("a").asDouble(), mc2.meanA(), 1e-12, what + " A");
                assertEquals(e.get("b").asDouble(), mc2.meanB(), 1e-12, what + " B");
                assertEquals(e.get("difference").asDouble(), mc2.difference(), 1e-12, what + " difference");
                // Two bootstraps with different generators: each percentile end point has a Monte Carlo
                // standard deviation of about 0.02 standard errors at 20,000 replicates, the p-value at most
                // √(0.25 / 20,000) = 0.0035; the tolerances are about four of their differences' deviations.
                double se = e.get("se").asDouble();
                assertEquals(e.get("low").asDouble(), mc2.low(), 0.12 * se, what + " low");
                assertEquals(e.get("high").asDouble(), mc2.high(), 0.12 * se, what + " high");
                assertEquals(e.get("p").asDouble(), mc2.pValue(), 0.02, what + " p");
            }
        }
    }

    @Test
    void anExampleWhoseChoicesAllHaveProbabilityZeroIsRefusedNamingItNotAnInternalError() {
        double inf = Double.NEGATIVE_INFINITY;
        int[] ones = {1, 1};
        List<Evaluation.ExampleRecord> a = List.of(
                record("t", "e1", new double[] {-1, -2}, ones, ones, ones, new int[] {0}),
                record("t", "e2", new double[] {inf, inf}, ones, ones, ones, new int[] {0}));
        List<Evaluation.ExampleRecord> b = List.of(
                record("t", "e1", new double[] {-2, -1}, ones, ones, ones, new int[] {0}),
                record("t", "e2", new double[] {-1, -3}, ones, ones, ones, new int[] {0}));
        InputException e = assertThrows(InputException.class, () -> EvalComparison.analyze(
                new EvalComparison.Input("a.jsonl", a, "b.jsonl", b), new EvalComparison.Options(0.95, 100, 0, LengthNorm.CHARS)));
        assertTrue(e.getMessage().startsWith("a.jsonl: example t/e2: mc2 is undefined"), e.getMessage());
    }

    @Test
    void theUnitsGiveDifferentAccNormsAndAccEqualsTheRecordedCorrectness() {
        List<List<Evaluation.ExampleRecord>> p = pair(4);
        EvalComparison.Input in = new EvalComparison.Input("a", p.get(0), "b", p.get(1));
        EvalComparison.Result chars = EvalComparison.analyze(in, new EvalComparison.Options(0.95, 200, 0, LengthNorm.CHARS));
        EvalComparison.Result tokens = EvalComparison.analyze(in, new EvalComparison.Options(0.95, 200, 0, LengthNorm.TOKENS));
        assertFalse(chars.tasks().get(0).mcnemar().get("acc_norm").equals(tokens.tasks().get(0).mcnemar().get("acc_norm")),
                "acc_norm by chars and by tokens are different metrics");
        long correct = p.get(0).stream().filter(r -> r.task().equals("truthy") && r.correct()).count();
        assertEquals(correct / 240.0, chars.tasks().get(0).mcnemar().get("acc").accuracyA(), 1e-15);
    }

    @Test
    void filesFromBeforeTheLengthsWereRecordedCompareAccNormOnlyByBytesAndSaySo() throws IOException {
        List<List<Evaluation.ExampleRecord>> p = pair(8);
        Path[] files = {dir.resolve("old-a.jsonl"), dir.resolve("old-b.jsonl")};
        for (int s = 0; s < 2; s++) {
            StringBuilder sb = new StringBuilder();
            for (Evaluation.ExampleRecord r : p.get(s)) {
                ObjectNode n = (ObjectNode) Json.mapper().valueToTree(r);
                n.remove(List.of("chars", "tokens", "norm")); // the fields an older `scalelab eval` wrote
                sb.append(Json.write(n)).append('\n');
            }
            Files.writeString(files[s], sb.toString());
        }
        EvalComparison.Input in = new EvalComparison.Input("old-a", EvalComparison.read(files[0]), "old-b", EvalComparison.read(files[1]));
        EvalComparison.Result recorded = EvalComparison.analyze(in, new EvalComparison.Options(0.95, 200, 0, null));
        assertNull(recorded.norm());
        assertEquals(List.of("acc", "mc1"), List.copyOf(recorded.tasks().get(0).mcnemar().keySet()));
        assertEquals(List.of("mc2"), List.copyOf(recorded.tasks().get(0).bootstrap().keySet()));
        assertEquals(1, recorded.notes().size());
        assertTrue(recorded.notes().get(0).contains("--norm bytes"), recorded.notes().get(0));
        EvalComparison.Result chars = EvalComparison.analyze(in, new EvalComparison.Options(0.95, 200, 0, LengthNorm.CHARS));
        assertNull(chars.norm());
        assertTrue(chars.notes().get(0).contains("old-a has no chars lengths"), chars.notes().get(0));
        EvalComparison.Result bytes = EvalComparison.analyze(in, new EvalComparison.Options(0.95, 200, 0, LengthNorm.BYTES));
        assertEquals("bytes", bytes.norm());
        assertTrue(bytes.notes().isEmpty());
        EvalComparison.Result fresh = EvalComparison.analyze(new EvalComparison.Input("a", p.get(0), "b", p.get(1)),
                new EvalComparison.Options(0.95, 200, 0, LengthNorm.BYTES));
        assertEquals(fresh.tasks(), bytes.tasks(), "the same numbers as from files with every field");
    }

    @Test
    void evaluationsNormalisedByDifferentUnitsAreRefusedUnlessNormIsGiven() {
        List<List<Evaluation.ExampleRecord>> p = pair(3);
        List<Evaluation.ExampleRecord> bytes = new ArrayList<>();
        for (Evaluation.ExampleRecord r : p.get(1)) {
            bytes.add(new Evaluation.ExampleRecord(r.task(), r.id(), r.logprobs(), r.bytes(), r.gold(), r.chosen(), r.correct(), r.chars(),
                    r.tokens(), "bytes"));
        }
        EvalComparison.Input in = new EvalComparison.Input("a.jsonl", p.get(0), "b.jsonl", bytes);
        InputException e = assertThrows(InputException.class, () -> EvalComparison.analyze(in, new EvalComparison.Options(0.95, 200, 0, null)));
        assertTrue(e.getMessage().contains("b.jsonl: acc_norm divided by bytes, in a.jsonl by chars") && e.getMessage().contains("--norm"),
                e.getMessage());
        assertEquals("tokens", EvalComparison.analyze(in, new EvalComparison.Options(0.95, 200, 0, LengthNorm.TOKENS)).norm());
    }
}
