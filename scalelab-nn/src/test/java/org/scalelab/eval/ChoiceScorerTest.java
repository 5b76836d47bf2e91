package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;
import org.scalelab.model.FamilyOptions;
import org.scalelab.model.Gemma2Family;
import org.scalelab.model.GemmaFamily;
import org.scalelab.model.LlamaFamily;
import org.scalelab.model.MistralFamily;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Phi3Family;
import org.scalelab.model.Qwen2Family;
import org.scalelab.model.Transformer;

/**
 * The batched, context-sharing scorer against its definition: every choice's summed log-prob
 * equals bench/reference_choices.py (an independent float64 PyTorch forward over context +
 * continuation, no cache, no batching) to 1e-4 on tiny checkpoints of every family, and the same
 * examples scored at batch 1, 7 and 32 give the same log-probs to 1e-5 and the same metrics.
 */
class ChoiceScorerTest {
    private static final double REFERENCE_TOLERANCE = 1e-4;
    private static final double BATCH_TOLERANCE = 1e-5;
    @TempDir Path dir;

    @Test
    void gpt2ChoicesEqualIndependentFullForwards() throws IOException {
        reference(ModelConfig.gpt2(257, 32, 2, 4, 96));
    }

    @Test
    void llamaChoicesEqualIndependentFullForwards() throws IOException {
        reference(new ModelConfig(new LlamaFamily(), 257, 32, 2, 4, 2, 8, 64, 96, 1e-5, 500000.0, false, "silu"));
    }

    @Test
    void mistralSlidingWindowChoicesEqualIndependentFullForwards() throws IOException {
        reference(ModelConfig.of(new MistralFamily(), 257, 32, 2, 4, 2, 8, 64, 96).withOptions(new FamilyOptions(6, 0, false, false, 0, 0, 0)));
    }

    @Test
    void qwen2ChoicesEqualIndependentFullForwards() throws IOException {
        reference(ModelConfig.of(new Qwen2Family(), 257, 32, 2, 4, 2, 8, 64, 96).withTiedEmbeddings(true));
    }

    @Test
    void gemmaChoicesEqualIndependentFullForwards() throws IOException {
        reference(ModelConfig.of(new GemmaFamily(), 257, 32, 2, 4, 1, 16, 64, 96));
    }

    @Test
    void gemma2SoftCappedChoicesEqualIndependentFullForwards() throws IOException {
        reference(ModelConfig.of(new Gemma2Family(), 257, 32, 3, 4, 2, 8, 64, 96).withOptions(new FamilyOptions(5, 0, true, false, 24, 1.5, 2.0)));
    }

    @Test
    void phi3ChoicesEqualIndependentFullForwards() throws IOException {
        reference(ModelConfig.of(new Phi3Family(), 257, 32, 2, 4, 2, 8, 64, 96).withOptions(new FamilyOptions(7, 0, false, false, 0, 0, 0)));
    }

    @Test
    void gptNeoXChoicesEqualIndependentFullForwards() throws IOException {
        reference(ModelConfig.gptNeoX(257, 32, 2, 4, 96));
    }

    @Test
    void scoresAndMetricsDoNotDependOnBatchSize() {
        Path model = model(ModelConfig.llama(257, 32, 2, 4, 2, 64, 96, 10000.0, false));
        EvalTask task = new EvalTask("random", dir.resolve("random.jsonl"), examples(40, 17));
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            Map<String, ExampleScore> one = scoreAll(t, tok, task.examples(), 1);
            for (int batch : new int[] {7, 32}) {
                Map<String, ExampleScore> other = scoreAll(t, tok, task.examples(), batch);
                for (EvalExample e : task.examples()) {
                    double[] a = one.get(e.id()).logprobs();
                    double[] b = other.get(e.id()).logprobs();
                    for (int c = 0; c < a.length; c++) {
                        assertEquals(a[c], b[c], BATCH_TOLERANCE, "example " + e.id() + " choice " + c + " at batch " + batch);
                    }
                    assertEquals(TaskMetrics.chosen(one.get(e.id())), TaskMetrics.chosen(other.get(e.id())), "chosen at batch " + batch);
                }
                for (LengthNorm norm : LengthNorm.values()) {
                    TaskScore s1 = TaskMetrics.compute(task, List.copyOf(one.values()), norm);
                    TaskScore sb = TaskMetrics.compute(task, List.copyOf(other.values()), norm);
                    assertEquals(s1.metrics().get("acc"), sb.metrics().get("acc"), "acc at batch " + batch);
                    assertEquals(s1.metrics().get("acc_norm"), sb.metrics().get("acc_norm"), "acc_norm at batch " + batch);
                    assertEquals(s1.metrics().get("mc2").value(), sb.metrics().get("mc2").value(), 1e-6, "mc2 at batch " + batch);
                }
            }
        }
    }

    @Test
    void contextWhitespaceMovesToTheContinuationAndEmptyContextsUseThePrefixToken() {
        Path model = model(ModelConfig.gpt2(257, 32, 1, 4, 64));
        try (ModelTokenizer tok = ModelTokenizer.load(model)) {
            ContinuationTokens ct = new ContinuationTokens(tok, false);
            ContinuationTokens.Encoded e = ct.encode(example("a", "Q: ", List.of("x", "yz"), 0));
            assertArrayEquals(new int[] {'Q', ':'}, e.context());
            assertArrayEquals(new int[] {' ', ' ', 'x'}, e.continuations()[0], "the context's trailing space leads the continuation");
            assertArrayEquals(new int[] {' ', ' ', 'y', 'z'}, e.continuations()[1]);
            ContinuationTokens.Encoded empty = ct.encode(example("b", "", List.of("x", "y"), 0));
            assertArrayEquals(new int[] {256}, empty.context(), "the end-of-text token stands for an empty context");
            assertEquals(3, ContinuationTokens.trailingWhitespaceStart("abc \t\u00a0\n"));
        }
    }

    @Test
    void aContinuationThatTokenisesToNothingIsAnInputErrorNamingTheExample() throws IOException {
        Path model = model(ModelConfig.gpt2(257, 32, 1, 4, 64));
        // A normalizer that deletes " zz": the choice "zz" leaves nothing after its context.
        Path file = model.resolve(ModelTokenizer.FILE);
        ObjectNode root = (ObjectNode) Json.mapper().readTree(file.toFile());
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "Replace");
        norm.putObject("pattern").put("String", " zz");
        norm.put("content", "");
        Files.writeString(file, Json.pretty(root));
        try (ModelTokenizer tok = ModelTokenizer.load(model)) {
            ContinuationTokens ct = new ContinuationTokens(tok, false);
            InputException e = assertThrows(InputException.class, () -> ct.encode(example("q7", "Q:", List.of("a", "zz"), 0)));
            assertTrue(e.getMessage().contains("q7") && e.getMessage().contains("choice 1") && e.getMessage().contains("tasks.jsonl:3"), e.getMessage());
        }
    }

    @Test
    void longContextsAreCutFromTheLeftSoTheLongestChoiceFits() {
        Path model = model(ModelConfig.gpt2(257, 32, 1, 4, 16));
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            ChoiceScorer scorer = new ChoiceScorer(t, new ContinuationTokens(tok, false), 4, 16);
            ExampleScore cut = scorer.score(example("long", "x".repeat(40) + "abcdefghijk", List.of("ab", "c"), 0));
            // The same example with the context already cut to the last 16 + 1 − 3 tokens.
            ExampleScore same = scorer.score(example("short", "x".repeat(3) + "abcdefghijk", List.of("ab", "c"), 0));
            assertArrayEquals(same.logprobs(), cut.logprobs(), 1e-6);
            assertThrows(InputException.class, () -> scorer.score(example("huge", "Q", List.of("y".repeat(20), "n"), 0)));
        }
    }

    private void reference(ModelConfig config) throws IOException {
        PythonReference.requireModules("torch", "numpy");
        Path model = model(config);
        List<EvalExample> examples = examples(9, 5);
        examples.add(example("empty-context", "", List.of("yes", "no"), 0));
        List<Map<String, Object>> encoded = new ArrayList<>();
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            ContinuationTokens ct = new ContinuationTokens(tok, false);
            for (EvalExample e : examples) {
                ContinuationTokens.Encoded enc = ct.encode(e);
                encoded.add(Map.of("context", enc.context(), "continuations", enc.continuations()));
            }
            Path in = Files.writeString(dir.resolve("examples.json"), Json.write(encoded));
            Path out = dir.resolve("ref.json");
            PythonReference.run("bench/reference_choices.py", model.toString(), in.toString(), out.toString());
            double[][] expected = Json.mapper().readValue(out.toFile(), double[][].class);
            Map<String, ExampleScore> got = scoreAll(t, tok, examples, 4);
            double worst = 0;
            for (int i = 0; i < examples.size(); i++) {
                double[] lp = got.get(examples.get(i).id()).logprobs();
                assertEquals(expected[i].length, lp.length);
                for (int c = 0; c < lp.length; c++) {
                    worst = Math.max(worst, Math.abs(expected[i][c] - lp[c]));
                }
            }
            assertTrue(worst <= REFERENCE_TOLERANCE, config.family().modelType() + ": max abs error " + worst + " > " + REFERENCE_TOLERANCE);
            System.out.printf("%s choices vs float64 PyTorch full forwards: max abs error %.2e%n", config.family().modelType(), worst);
        }
    }

    private Path model(ModelConfig config) {
        Path m = dir.resolve(config.family().modelType() + "-" + config.maxPositions());
        ModelInit.write(m, config, 13, ModelInit.Scheme.ALL_RANDOM);
        return m;
    }

    /**
     * The continuation positions of a batch unembedded one at a time (a budget of one float32 vocabulary
     * row) or three at a time give the scores of one unembedding of all of them: the same rows go through
     * the same operations, only fewer at once — to float32 rounding (a relative 1e-6: a product of one row
     * and one of many rows may take different BLAS kernels, which round differently). Gemma 2's soft-cap is
     * in the unembedding, so it is checked too.
     */
    @Test
    void aTinyUnembeddingBudgetGivesTheSameScores() {
        for (ModelConfig config : List.of(ModelConfig.llama(257, 32, 2, 4, 2, 64, 96, 10000.0, false),
                ModelConfig.of(new org.scalelab.model.Gemma2Family(), 257, 32, 2, 4, 2, 8, 64, 96)
                        .withOptions(new org.scalelab.model.FamilyOptions(5, 0, true, false, 24, 1.5, 2.0)))) {
            Path model = model(config);
            List<EvalExample> examples = examples(12, 5);
            try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
                Map<String, ExampleScore> whole = new HashMap<>();
                new ChoiceScorer(t, new ContinuationTokens(tok, false), 6, 96).score(examples, s -> whole.put(s.id(), s));
                for (long budget : new long[] {4L * 257, 3 * 4L * 257 + 5}) {
                    Map<String, ExampleScore> chunked = new HashMap<>();
                    new ChoiceScorer(t, new ContinuationTokens(tok, false), 6, 96, budget).score(examples, s -> chunked.put(s.id(), s));
                    for (EvalExample e : examples) {
                        double[] a = whole.get(e.id()).logprobs();
                        double[] b = chunked.get(e.id()).logprobs();
                        for (int c = 0; c < a.length; c++) {
                            assertEquals(a[c], b[c], 1e-6 * Math.max(1, Math.abs(a[c])), config.family().modelType() + " example " + e.id() + " choice " + c + " with a budget of " + budget);
                        }
                    }
                }
            }
        }
    }

    private static Map<String, ExampleScore> scoreAll(Transformer t, ModelTokenizer tok, List<EvalExample> examples, int batch) {
        Map<String, ExampleScore> out = new HashMap<>();
        new ChoiceScorer(t, new ContinuationTokens(tok, false), batch, t.config().maxPositions()).score(examples, s -> out.put(s.id(), s));
        assertEquals(examples.size(), out.size());
        return out;
    }

    /** Random examples: contexts of 0–40 characters (some ending in spaces), 2–4 choices of 1–9 characters. */
    private static List<EvalExample> examples(int n, long seed) {
        Random r = new Random(seed);
        String letters = "abcdefghij klmnop,.";
        List<EvalExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder ctx = new StringBuilder();
            int len = r.nextInt(41);
            for (int j = 0; j < len; j++) {
                ctx.append(letters.charAt(r.nextInt(letters.length())));
            }
            List<String> choices = new ArrayList<>();
            int k = 2 + r.nextInt(3);
            for (int c = 0; c < k; c++) {
                StringBuilder ch = new StringBuilder();
                int cl = 1 + r.nextInt(9);
                for (int j = 0; j < cl; j++) {
                    ch.append(letters.charAt(r.nextInt(10)));
                }
                choices.add(ch.toString());
            }
            out.add(example("e" + i, ctx.toString(), choices, r.nextInt(k)));
        }
        return out;
    }

    private static EvalExample example(String id, String context, List<String> choices, int gold) {
        return new EvalExample(id, context, choices, new int[] {gold}, null, Map.of(), "tasks.jsonl:3");
    }
}
