package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/** An evaluation resumes from its partial file after an interruption, and refuses one made with other options. */
class EvaluationTest {
    @TempDir Path dir;

    private static final Evaluation.Options ALL = new Evaluation.Options(null, null, LengthNorm.CHARS);

    @Test
    void anInterruptedEvaluationResumesWithTheSameScores() throws IOException {
        EvalTask task = task(24);
        try (Transformer t = model(); ModelTokenizer tok = ModelTokenizer.load(dir.resolve("m"))) {
            ChoiceScorer scorer = new ChoiceScorer(t, new ContinuationTokens(tok, false), 4, 64);
            Evaluation.Result clean = Evaluation.run(scorer, List.of(task), ALL, dir.resolve("clean.partial"), header("a"), s -> {});
            assertEquals(0, clean.resumed());

            Path partial = dir.resolve("run.partial");
            AtomicInteger seen = new AtomicInteger();
            RuntimeException stop = new RuntimeException("interrupted");
            assertThrows(RuntimeException.class, () -> Evaluation.run(scorer, List.of(task), ALL, partial, header("a"), s -> {
                if (seen.incrementAndGet() == 9) {
                    throw stop;
                }
            }));
            // A kill in the middle of a write leaves a torn last line: it is dropped, not read.
            Files.writeString(partial, "{\"task\":\"t\",\"id\":\"e2", StandardOpenOption.APPEND);
            AtomicInteger rescored = new AtomicInteger();
            Evaluation.Result resumed = Evaluation.run(scorer, List.of(task), ALL, partial, header("a"), s -> rescored.incrementAndGet());
            assertEquals(9, resumed.resumed(), "the 9 examples recorded before the interruption are not scored again");
            assertEquals(24 - 9, rescored.get());
            for (int i = 0; i < clean.examples().size(); i++) {
                assertArrayEquals(clean.examples().get(i).logprobs(), resumed.examples().get(i).logprobs(), 1e-5);
                assertEquals(clean.examples().get(i).id(), resumed.examples().get(i).id(), "records in file order");
            }
            assertEquals(clean.tasks().get(0).metrics().get("acc"), resumed.tasks().get(0).metrics().get("acc"));
            assertTrue(Files.readString(partial).strip().endsWith("{\"complete\":true}"), "completion is marked");
        }
    }

    @Test
    void aPartialFileOfOtherOptionsIsRefusedAndKept() throws IOException {
        EvalTask task = task(6);
        try (Transformer t = model(); ModelTokenizer tok = ModelTokenizer.load(dir.resolve("m"))) {
            ChoiceScorer scorer = new ChoiceScorer(t, new ContinuationTokens(tok, false), 4, 64);
            Path partial = dir.resolve("run.partial");
            Evaluation.run(scorer, List.of(task), ALL, partial, header("a"), s -> {});
            byte[] before = Files.readAllBytes(partial);
            InputException e = assertThrows(InputException.class,
                    () -> Evaluation.run(scorer, List.of(task), ALL, partial, header("b"), s -> {}));
            assertTrue(e.getMessage().contains(partial.toString()) && e.getMessage().contains("dtype"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(partial), "the other run's scores are kept");
        }
    }

    @Test
    void limitTakesTheFirstExamplesOrASeededSampleInFileOrder() {
        EvalTask task = task(30);
        List<EvalExample> first = Evaluation.select(task, new Evaluation.Options(5, null, LengthNorm.CHARS));
        assertEquals(List.of("e0", "e1", "e2", "e3", "e4"), first.stream().map(EvalExample::id).toList());
        List<EvalExample> a = Evaluation.select(task, new Evaluation.Options(5, 7L, LengthNorm.CHARS));
        List<EvalExample> again = Evaluation.select(task, new Evaluation.Options(5, 7L, LengthNorm.CHARS));
        List<EvalExample> other = Evaluation.select(task, new Evaluation.Options(5, 8L, LengthNorm.CHARS));
        assertEquals(a, again, "the same seed, the same sample");
        assertNotEquals(a, other);
        List<Integer> order = a.stream().map(e -> Integer.parseInt(e.id().substring(1))).toList();
        assertEquals(order.stream().sorted().toList(), order, "kept in file order");
        assertFalse(a.equals(first));
    }

    private Transformer model() {
        Path m = dir.resolve("m");
        if (!Files.exists(m)) {
            ModelInit.write(m, ModelConfig.gpt2(257, 32, 2, 4, 64), 3, ModelInit.Scheme.ALL_RANDOM);
        }
        return Transformer.load(m);
    }

    private static ObjectNode header(String dtype) {
        ObjectNode h = Json.mapper().createObjectNode();
        h.put("model", "m");
        h.put("dtype", dtype);
        return h;
    }

    private EvalTask task(int n) {
        List<EvalExample> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            examples.add(new EvalExample("e" + i, "Question " + i + ": pick", List.of("one", "two" + i, "three"), new int[] {i % 3}, null, Map.of(),
                    "t.jsonl:" + (i + 1)));
        }
        return new EvalTask("t", dir.resolve("t.jsonl"), examples);
    }
}
