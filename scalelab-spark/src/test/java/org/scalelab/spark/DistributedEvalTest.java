package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.Evaluation;
import org.scalelab.eval.LengthNorm;
import org.scalelab.eval.Metric;
import org.scalelab.eval.TaskScore;
import org.scalelab.io.Json;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/**
 * An evaluation on Spark ({@code local[2]}, four attempts per task) gives the result a single-machine
 * evaluation gives: every example's log-probs, token counts, choice and correctness, and every task's
 * metrics with their standard errors, bit for bit (the same forward passes run); also when a task fails
 * after scoring and is retried. The reference is {@link Evaluation#run} on the same checkpoint and
 * task files in this JVM.
 */
class DistributedEvalTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static Path model;
    private static List<Path> tasks;

    private static final int BATCH = 3;

    @BeforeAll
    static void start() throws IOException {
        DistributedCaptureTest.quietLogs();
        model = dir.resolve("tiny-llama");
        ModelInit.write(model, ModelConfig.llama(260, 32, 2, 4, 2, 64, 64, 10000.0, false), 5, ModelInit.Scheme.ALL_RANDOM);
        tasks = List.of(task("colours", 23, 1), task("words", 17, 2));
        spark = SparkSessions.open("local[2,4]", "scalelab-distributed-eval-test");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** {@code n} examples: contexts of 0–40 characters (some empty, some ending in a space), 2–4 choices of 1–12 characters. */
    private static Path task(String name, int n, long seed) throws IOException {
        Random r = new Random(seed);
        String letters = "abcdefghij klmnop.,";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            StringBuilder context = new StringBuilder();
            int len = i % 7 == 0 ? 0 : r.nextInt(40);
            for (int k = 0; k < len; k++) {
                context.append(letters.charAt(r.nextInt(letters.length())));
            }
            List<String> choices = new ArrayList<>();
            int k = 2 + r.nextInt(3);
            for (int c = 0; c < k; c++) {
                StringBuilder choice = new StringBuilder();
                int cl = 1 + r.nextInt(12);
                for (int x = 0; x < cl; x++) {
                    choice.append(letters.charAt(r.nextInt(10)));
                }
                choices.add(choice + "" + c);
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("id", name + "-" + i);
            line.put("context", context.toString());
            line.put("choices", choices);
            line.put("gold", r.nextInt(k));
            sb.append(Json.write(line)).append('\n');
        }
        Path f = dir.resolve(name + ".jsonl");
        Files.writeString(f, sb.toString());
        return f;
    }

    private static Evaluation.Result singleMachine(Evaluation.Options options) {
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            ChoiceScorer scorer = new ChoiceScorer(t, new ContinuationTokens(tok, false), BATCH, t.config().maxPositions());
            return Evaluation.run(scorer, tasks.stream().map(EvalTask::read).toList(), options, null, Json.mapper().createObjectNode(), s -> { });
        }
    }

    @Test
    void aDistributedEvaluationEqualsASingleMachineEvaluation() {
        Evaluation.Options options = new Evaluation.Options(null, null, LengthNorm.CHARS);
        DistributedEval.Outcome o = DistributedEval.run(spark, model, ComputeDType.FLOAT32, tasks, options,
                new DistributedEval.Settings(BATCH, null, false, 3));
        assertSame(singleMachine(options), o.evaluation());
        assertEquals("tiny-llama", o.result().model());
        assertEquals("llama", o.result().family());
        assertEquals(o.evaluation().tasks(), o.result().tasks());
        assertTrue(o.result().params() > 0);
    }

    @Test
    void aTaskThatFailsAfterScoringIsRetriedAndItsExamplesCountOnce() {
        Evaluation.Options options = new Evaluation.Options(15, 7L, LengthNorm.BYTES);
        int before = InjectedFailure.injected();
        System.setProperty(InjectedFailure.PROPERTY, "eval:1");
        DistributedEval.Outcome o;
        try {
            DistributedEval.Outcome[] got = new DistributedEval.Outcome[1];
            DistributedCaptureTest.withTaskFailuresSilenced(() -> got[0] = DistributedEval.run(spark, model, ComputeDType.FLOAT32, tasks, options,
                    new DistributedEval.Settings(BATCH, null, false, 4)));
            o = got[0];
        } finally {
            System.clearProperty(InjectedFailure.PROPERTY);
        }
        assertEquals(before + 1, InjectedFailure.injected(), "partition 1's first attempt failed once");
        assertSame(singleMachine(options), o.evaluation());
        assertEquals(30, o.evaluation().examples().size());
    }

    @Test
    void aChoiceLongerThanMaxLengthIsRefusedBeforeAnyJob() {
        InputException e = assertThrows(InputException.class, () -> DistributedEval.run(spark, model, ComputeDType.FLOAT32, tasks,
                new Evaluation.Options(null, null, LengthNorm.CHARS), new DistributedEval.Settings(BATCH, 4, false, 2)));
        assertTrue(e.getMessage().contains("has a choice of") && e.getMessage().contains("at most 4 positions"), e.getMessage());
        InputException tooLong = assertThrows(InputException.class, () -> DistributedEval.run(spark, model, ComputeDType.FLOAT32, tasks,
                new Evaluation.Options(null, null, LengthNorm.CHARS), new DistributedEval.Settings(BATCH, 65, false, 2)));
        assertEquals("--max-length 65: must be between 2 and the model's 64 positions", tooLong.getMessage());
    }

    @Test
    void batchesAreDealtInRunsCoveringEachOnce() {
        assertEquals(List.of(List.of(1, 2), List.of(3, 4), List.of(5)), DistributedEval.deal(List.of(1, 2, 3, 4, 5), 3));
        assertEquals(List.of(List.of(1), List.of(2)), DistributedEval.deal(List.of(1, 2), 5));
    }

    /** Every example record and every task metric equal, to the bit. */
    private static void assertSame(Evaluation.Result expected, Evaluation.Result actual) {
        assertEquals(expected.examples().size(), actual.examples().size());
        for (int i = 0; i < expected.examples().size(); i++) {
            Evaluation.ExampleRecord a = expected.examples().get(i);
            Evaluation.ExampleRecord b = actual.examples().get(i);
            String where = a.task() + "/" + a.id();
            assertEquals(List.of(a.task(), a.id(), a.chosen(), a.correct(), a.norm()), List.of(b.task(), b.id(), b.chosen(), b.correct(), b.norm()), where);
            assertArrayEquals(a.logprobs(), b.logprobs(), 0.0, where);
            assertArrayEquals(a.tokens(), b.tokens(), where);
            assertArrayEquals(a.bytes(), b.bytes(), where);
            assertArrayEquals(a.chars(), b.chars(), where);
            assertArrayEquals(a.gold(), b.gold(), where);
        }
        assertEquals(expected.tasks().size(), actual.tasks().size());
        for (int t = 0; t < expected.tasks().size(); t++) {
            TaskScore a = expected.tasks().get(t);
            TaskScore b = actual.tasks().get(t);
            assertEquals(a.task(), b.task());
            assertEquals(a.n(), b.n());
            assertEquals(a.metrics().keySet(), b.metrics().keySet());
            for (Map.Entry<String, Metric> m : a.metrics().entrySet()) {
                assertEquals(m.getValue().value(), b.metrics().get(m.getKey()).value(), 0.0, a.task() + " " + m.getKey());
                assertEquals(m.getValue().stderr(), b.metrics().get(m.getKey()).stderr(), 0.0, a.task() + " " + m.getKey() + " stderr");
            }
        }
    }
}
