package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/**
 * Rolling log-likelihood: the windows are lm-eval's ({@code get_rolling_token_windows} with context
 * length 1, made disjoint), worked out by hand from its documented algorithm, and the text's
 * log-likelihood equals bench/reference_choices.py's float64 full forwards of the same windows.
 */
class RollingPerplexityTest {
    @TempDir Path dir;

    @Test
    void windowsPredictEveryTokenOnceWithTheHarnessContexts() {
        int[] tokens = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        List<RollingPerplexity.Window> w = RollingPerplexity.windows(tokens, 99, 4);
        assertEquals(3, w.size());
        assertArrayEquals(new int[] {99, 0, 1, 2}, w.get(0).input());
        assertArrayEquals(new int[] {0, 1, 2, 3}, w.get(0).targets());
        assertArrayEquals(new int[] {3, 4, 5, 6}, w.get(1).input());
        assertArrayEquals(new int[] {4, 5, 6, 7}, w.get(1).targets());
        // the short last window keeps a full window of context: [5, 6, 7] before 8, 9
        assertArrayEquals(new int[] {5, 6, 7, 8}, w.get(2).input());
        assertArrayEquals(new int[] {8, 9}, w.get(2).targets());
        List<RollingPerplexity.Window> one = RollingPerplexity.windows(new int[] {5, 6}, 99, 4);
        assertEquals(1, one.size());
        assertArrayEquals(new int[] {99, 5}, one.get(0).input());
    }

    @Test
    void logLikelihoodEqualsIndependentFullForwardsOfTheWindows() throws IOException {
        PythonReference.requireModules("torch", "numpy");
        Path model = dir.resolve("m");
        ModelInit.write(model, ModelConfig.llama(257, 32, 2, 4, 2, 64, 64, 10000.0, false), 3, ModelInit.Scheme.ALL_RANDOM);
        String text = "The quick brown fox jumps over the lazy dog.\n  It was not amused; naïve foxes rarely are. 12 + 30 = 42.";
        Path file = Files.writeString(dir.resolve("text.txt"), text);
        int maxLength = 24;
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            RollingScore s = RollingPerplexity.score(t, tok, file, maxLength, 3, false);
            int[] tokens = tok.encode(text);
            assertEquals(tokens.length, s.tokens());
            List<Map<String, Object>> windows = new ArrayList<>();
            for (RollingPerplexity.Window w : RollingPerplexity.windows(tokens, tok.endOfText(), maxLength)) {
                int contextLength = w.input().length - w.targets().length + 1;
                windows.add(Map.of("context", java.util.Arrays.copyOf(w.input(), contextLength), "continuations", new int[][] {w.targets()}));
            }
            Path in = Files.writeString(dir.resolve("windows.json"), Json.write(windows));
            Path out = dir.resolve("ref.json");
            PythonReference.run("bench/reference_choices.py", model.toString(), in.toString(), out.toString());
            double expected = 0;
            for (double[] w : Json.mapper().readValue(out.toFile(), double[][].class)) {
                expected += w[0];
            }
            assertTrue(windows.size() >= 5, "several windows: " + windows.size());
            assertEquals(expected, s.logLikelihood(), 1e-4 * windows.size());
            long bytes = text.getBytes(StandardCharsets.UTF_8).length;
            assertEquals(bytes, s.bytes());
            assertEquals(22, s.words(), "len(re.split(r\"\\s+\", text)), as Python counts it");
            assertEquals(-expected / (bytes * Math.log(2)), s.bitsPerByte(), 1e-6);
            assertEquals(Math.exp(-expected / 22), s.wordPerplexity(), 1e-6 * s.wordPerplexity());
        }
    }
}
