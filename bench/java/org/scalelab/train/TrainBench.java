package org.scalelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.scalelab.model.Families;
import org.scalelab.model.Family;
import org.scalelab.model.Gpt2Family;
import org.scalelab.model.GptNeoXFamily;
import org.scalelab.model.GradMode;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.TorchEngine;
import org.scalelab.model.Transformer;

/**
 * The runtime's side of bench/bench_train.sh: forward tokens/s at batch 1 and 32 (seq 128) and
 * training steps/s (batch 32 × 128, loss on every token, AdamW + clipping) for a 4-layer d=512
 * model, the fastest of R × rounds single calls after a warmup. Prints one JSON object per measurement.
 *
 * <p>Args: DIR FAMILY VOCAB REPEAT. The checkpoint is written to DIR/FAMILY-VOCAB once (seeded).
 */
public final class TrainBench {
    private TrainBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Family family = Families.find(args[1]);
        int vocab = Integer.parseInt(args[2]);
        int repeat = Integer.parseInt(args[3]);
        String only = args.length > 4 ? args[4] : "all"; // all, forward or train
        int d = 512;
        int layers = 4;
        int heads = 8;
        int seq = 128;
        ModelConfig c = family.equals(new Gpt2Family()) ? ModelConfig.gpt2(vocab, d, layers, heads, 1024)
                : family.equals(new GptNeoXFamily()) ? ModelConfig.gptNeoX(vocab, d, layers, heads, 1024)
                : ModelConfig.llama(vocab, d, layers, heads, heads, 1376, 1024, 10000.0, false);
        // The folder name carries the activation: a checkpoint cached by an older default must not be reused.
        Path model = dir.resolve(family.modelType() + "-" + vocab + "-" + c.activation());
        if (!Files.exists(model.resolve("model.safetensors"))) {
            ModelInit.write(model, c, 1);
        }
        TorchEngine.get();
        System.out.printf(Locale.ROOT, "{\"side\":\"scalelab\",\"what\":\"setup\",\"torch_threads\":%d,\"params\":%d}%n",
                JniUtils.getNumThreads(), c.vocabSize() * (long) d);
        SplittableRandom r = new SplittableRandom(1);
        try (Transformer t = Transformer.load(model)) {
            for (int batch : only.equals("train") ? new int[0] : new int[] {1, 32}) {
                int[][] ids = tokens(r, batch, seq, vocab);
                int rounds = batch == 1 ? 20 : 3;
                // The API path: logits copied out to a Java float[] (what capture and generate use).
                double best = time(repeat, rounds, () -> t.forward(ids, HookSet.none()));
                print("forward_api", batch, seq, batch * seq / best, best);
                // The engine path: logits stay a native array, as in PyTorch's model(ids).
                best = time(repeat, rounds, () -> {
                    try (NDManager m = TorchEngine.get().newBaseManager(); GradMode off = GradMode.disabled()) {
                        t.logits(m, ids);
                    }
                });
                print("forward", batch, seq, batch * seq / best, best);
            }
        }
        List<Example> data = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            data.add(Example.allTokens(tokens(r, 1, seq, vocab)[0]));
        }
        if (only.equals("forward")) {
            return;
        }
        Path out = Files.createTempDirectory(dir, "train-run");
        TrainOptions o = new TrainOptions(1_000_000, 32, LearningRateSchedule.constant(1e-4, 0), AdamWOptions.defaults(), 1.0, 1, 0, 0);
        try (Trainer t = Trainer.start(model, data, o, out)) {
            double best = time(repeat, 3, t::trainStep);
            System.out.printf(Locale.ROOT, "{\"side\":\"scalelab\",\"what\":\"train_step\",\"batch\":32,\"seq\":%d,\"steps_per_s\":%.4f,\"seconds\":%.4f}%n",
                    seq, 1 / best, best);
        }
    }

    private static int[][] tokens(SplittableRandom r, int batch, int seq, int vocab) {
        int[][] ids = new int[batch][seq];
        for (int[] row : ids) {
            for (int i = 0; i < seq; i++) {
                row[i] = r.nextInt(vocab);
            }
        }
        return ids;
    }

    /**
     * Seconds per call: the fastest of {@code repeat × rounds} single calls, after {@code rounds / 2}
     * warmup calls. On a shared machine the minimum estimates the uncontended time (a round of many
     * calls is almost always interrupted by someone else's work); bench_train.py does the same.
     */
    private static double time(int repeat, int rounds, Runnable call) {
        for (int i = 0; i < Math.max(1, rounds / 2); i++) {
            call.run();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeat * rounds; i++) {
            long t0 = System.nanoTime();
            call.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    private static void print(String what, int batch, int seq, double tokensPerSecond, double seconds) {
        System.out.printf(Locale.ROOT, "{\"side\":\"scalelab\",\"what\":\"%s\",\"batch\":%d,\"seq\":%d,\"tokens_per_s\":%.1f,\"seconds\":%.5f}%n",
                what, batch, seq, tokensPerSecond, seconds);
    }
}
