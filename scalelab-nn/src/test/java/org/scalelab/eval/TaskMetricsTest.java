package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * {@link TaskMetrics} against an independent numpy implementation of lm-evaluation-harness's formulas
 * ({@code scalelab-nn/src/test/python/lm_eval_metrics.py}) on the same random log-probs: every metric and
 * stderr, for every length normalisation, to 1e-12.
 */
class TaskMetricsTest {
    private static final String SCRIPT = "scalelab-nn/src/test/python/lm_eval_metrics.py";
    private static final double TOL = 1e-12;
    /** Choice texts whose code points, UTF-16 units and UTF-8 bytes differ, so chars and bytes disagree. */
    private static final String[] WORDS = {"a", "Paris", "naïve", "日本語", "😀 ok", "the cat sat", "x y", "Ωmega", "über alles", "é"};

    @TempDir Path dir;

    @Test
    void everyMetricAndStderrEqualsLmEvalsFormulasOnRandomLogprobs() throws IOException {
        PythonReference.requireModules("numpy");
        Random rng = new Random(13);
        List<EvalExample> examples = new ArrayList<>();
        List<ExampleScore> scores = new ArrayList<>();
        ArrayNode docs = Json.mapper().createArrayNode();
        for (int i = 0; i < 300; i++) {
            int k = 2 + rng.nextInt(5);
            List<String> choices = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                choices.add(WORDS[rng.nextInt(WORDS.length)] + (rng.nextBoolean() ? "" : " " + WORDS[rng.nextInt(WORDS.length)]));
            }
            int[] gold;
            if (i % 3 == 0) {
                // a TruthfulQA-style list of golds, in no particular order
                int g = 1 + rng.nextInt(k - 1);
                List<Integer> all = new ArrayList<>();
                for (int c = 0; c < k; c++) {
                    all.add(c);
                }
                java.util.Collections.shuffle(all, rng);
                gold = all.subList(0, g).stream().mapToInt(Integer::intValue).toArray();
            } else {
                gold = new int[] {rng.nextInt(k)};
            }
            double[] lp = new double[k];
            int[] tokens = new int[k];
            for (int c = 0; c < k; c++) {
                lp[c] = -40 * rng.nextDouble() - 0.01;
                tokens[c] = 1 + rng.nextInt(8);
            }
            if (i % 10 == 0) {
                lp[k - 1] = lp[0]; // a tie: both sides take the first
            }
            EvalExample e = new EvalExample("e" + i, "ctx", choices, gold, null, Map.of(), "mem:" + i);
            examples.add(e);
            scores.add(ExampleScore.of(e, lp, tokens));
            ObjectNode d = docs.addObject();
            choices.forEach(d.putArray("choices")::add);
            if (gold.length == 1 && i % 3 != 0) {
                d.put("gold", gold[0]);
            } else {
                ArrayNode g = d.putArray("gold");
                for (int x : gold) {
                    g.add(x);
                }
            }
            ArrayNode l = d.putArray("logprobs");
            for (double x : lp) {
                l.add(x);
            }
            ArrayNode t = d.putArray("tokens");
            for (int x : tokens) {
                t.add(x);
            }
        }
        Path in = dir.resolve("docs.json");
        Files.writeString(in, Json.mapper().writeValueAsString(docs));
        JsonNode ref = Json.mapper().readTree(PythonReference.run(SCRIPT, in.toString()));
        EvalTask task = new EvalTask("random", dir.resolve("random.jsonl"), examples);
        for (LengthNorm norm : LengthNorm.values()) {
            String key = norm.name().toLowerCase(java.util.Locale.ROOT);
            TaskScore s = TaskMetrics.compute(task, scores, norm);
            assertEquals(300, s.n());
            assertEquals(TaskMetrics.NAMES, List.copyOf(s.metrics().keySet()));
            for (String m : TaskMetrics.NAMES) {
                assertEquals(ref.at("/" + key + "/" + m + "/value").asDouble(), s.metrics().get(m).value(), TOL, norm + " " + m);
                assertEquals(ref.at("/" + key + "/" + m + "/stderr").asDouble(), s.metrics().get(m).stderr(), TOL, norm + " " + m + " stderr");
            }
            for (int i = 0; i < examples.size(); i++) {
                double[] v = TaskMetrics.values(examples.get(i), scores.get(i), norm);
                for (int m = 0; m < v.length; m++) {
                    assertEquals(ref.at("/examples/" + key + "/" + i + "/" + m).asDouble(), v[m], TOL, "example " + i + " " + TaskMetrics.NAMES.get(m));
                }
            }
        }
        // the random data must exercise what the metrics distinguish, or the comparison proves little
        TaskScore chars = TaskMetrics.compute(task, scores, LengthNorm.CHARS);
        TaskScore bytes = TaskMetrics.compute(task, scores, LengthNorm.BYTES);
        assertTrue(chars.metrics().get("acc").value() != chars.metrics().get("acc_norm").value());
        assertTrue(chars.metrics().get("acc_norm").value() != bytes.metrics().get("acc_norm").value());
        assertTrue(chars.metrics().get("acc").value() != chars.metrics().get("mc1").value());
    }

    @Test
    void charsCountCodePointsAsPythonsLenDoesAndBytesCountUtf8() {
        EvalExample e = new EvalExample("x", "", List.of("😀a", "é"), new int[] {0}, null, Map.of(), "mem:1");
        assertEquals(List.of(2, 1), List.of(e.chars()[0], e.chars()[1]));
        assertEquals(List.of(5, 2), List.of(e.bytes()[0], e.bytes()[1]));
        assertEquals(" 😀a", e.continuation(0));
    }

    @Test
    void mc2IsStableWhereNaiveExponentialsUnderflow() {
        // exp(−800) is 0 in double precision: the naive ratio would be 0/0
        EvalExample e = new EvalExample("x", "", List.of("a", "b", "c"), new int[] {0, 2}, null, Map.of(), "mem:1");
        double[] v = TaskMetrics.values(e, ExampleScore.of(e, new double[] {-800, -800 + Math.log(2), -800 + Math.log(3)}, new int[] {1, 1, 1}), LengthNorm.CHARS);
        assertEquals(4.0 / 6.0, v[3], 1e-12); // the inputs carry −800's rounding (ulp 1.1e-13)
        // mc1 is about the first gold only: the best choice is gold 2, not gold 0
        assertEquals(1.0, v[0]);
        assertEquals(0.0, v[2]);
    }

    @Test
    void chosenTakesTheFirstOfTiedChoicesAsNumpysArgmax() {
        EvalExample e = new EvalExample("x", "", List.of("a", "b", "c"), new int[] {2}, null, Map.of(), "mem:1");
        ExampleScore s = ExampleScore.of(e, new double[] {-3, -1, -1}, new int[] {1, 1, 1});
        assertEquals(1, TaskMetrics.chosen(s));
        assertFalse(TaskMetrics.correct(e, s));
    }

    @Test
    void stderrIsUndefinedForOneExampleAndScoresMustNameTheTasksExamples() {
        EvalExample e = new EvalExample("x", "", List.of("a", "b"), new int[] {0}, null, Map.of(), "t.jsonl:1");
        EvalTask task = new EvalTask("t", Path.of("t.jsonl"), List.of(e));
        ExampleScore s = ExampleScore.of(e, new double[] {-1, -2}, new int[] {1, 1});
        TaskScore one = TaskMetrics.compute(task, List.of(s), LengthNorm.TOKENS);
        assertEquals(1.0, one.metrics().get("acc").value());
        assertTrue(Double.isNaN(one.metrics().get("acc").stderr()));
        InputException twice = assertThrows(InputException.class, () -> TaskMetrics.compute(task, List.of(s, s), LengthNorm.CHARS));
        assertTrue(twice.getMessage().contains("\"x\" is scored twice"), twice.getMessage());
        ExampleScore other = new ExampleScore("y", new double[] {-1, -2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
        InputException unknown = assertThrows(InputException.class, () -> TaskMetrics.compute(task, List.of(other), LengthNorm.CHARS));
        assertTrue(unknown.getMessage().contains("\"y\""), unknown.getMessage());
    }
}
