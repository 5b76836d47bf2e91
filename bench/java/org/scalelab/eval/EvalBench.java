package org.scalelab.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/**
 * Evaluation throughput of {@link ChoiceScorer}: examples per second over a task file, the best of
 * {@code repeat} timed passes after a warm-up, and the process's peak resident memory (VmHWM).
 * usage: EvalBench MODEL_DIR TASK.jsonl BATCH REPEAT [UNEMBED_BYTES]
 * (UNEMBED_BYTES: the scorer's unembedding budget, default {@link Transformer#UNEMBED_BYTES})
 */
public final class EvalBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        EvalTask task = EvalTask.read(Path.of(args[1]));
        int batch = Integer.parseInt(args[2]);
        int repeat = Integer.parseInt(args[3]);
        long unembedBytes = args.length > 4 ? Long.parseLong(args[4]) : Transformer.UNEMBED_BYTES;
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            ChoiceScorer scorer = new ChoiceScorer(t, new ContinuationTokens(tok, false), batch, t.config().maxPositions(), unembedBytes);
            List<EvalExample> examples = task.examples();
            scorer.score(examples.subList(0, Math.min(16, examples.size())), s -> {});
            double best = Double.MAX_VALUE;
            double[] sum = new double[1];
            for (int r = 0; r < repeat; r++) {
                long start = System.nanoTime();
                scorer.score(examples, s -> sum[0] += s.logprobs()[0]);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            System.out.printf("{\"side\": \"scalelab\", \"what\": \"batch %d\", \"examples\": %d, \"seconds\": %.4f, \"examples_per_s\": %.4f, \"peak_rss_mb\": %d, \"check\": %.6f}%n",
                    batch, examples.size(), best, examples.size() / best, peakRssMb(), sum[0] / repeat);
        }
    }

    private static long peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
