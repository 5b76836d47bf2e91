package org.scalelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.scalelab.model.GradMode;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.TorchEngine;
import org.scalelab.model.Transformer;

/**
 * Where a training step's time goes (bench/bench_train.sh --profile): forward with the graph,
 * loss, backward and the AdamW update timed separately, best of R rounds. Args: DIR ACTIVATION REPEAT.
 */
public final class TrainProfile {
    private TrainProfile() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String act = args[1];
        int repeat = Integer.parseInt(args[2]);
        ModelConfig base = ModelConfig.gptNeoX(8192, 512, 4, 8, 1024);
        ModelConfig c = new ModelConfig(base.family(), base.vocabSize(), base.dModel(), base.nLayers(), base.nHeads(), base.nKvHeads(),
                base.headDim(), base.dMlp(), base.maxPositions(), base.normEps(), base.ropeTheta(), null, true, act, base.options());
        Path model = dir.resolve("profile-" + act);
        if (!Files.exists(model.resolve("model.safetensors"))) {
            ModelInit.write(model, c, 1);
        }
        TorchEngine.get();
        SplittableRandom r = new SplittableRandom(1);
        List<Example> batch = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int[] t = new int[128];
            for (int j = 0; j < 128; j++) {
                t[j] = r.nextInt(8192);
            }
            batch.add(Example.allTokens(t));
        }
        int[][] ids = MaskedCrossEntropy.padded(batch);
        double[] best = {1e9, 1e9, 1e9, 1e9};
        try (Transformer t = Transformer.loadTrainable(model); AdamW opt = new AdamW(t.trainableParameters(), AdamWOptions.defaults())) {
            for (int k = 0; k < repeat + 1; k++) {
                double[] s = new double[4];
                try (NDManager scope = TorchEngine.get().newBaseManager()) {
                    NDArray loss;
                    try (GradMode on = GradMode.enabled()) {
                        long t0 = System.nanoTime();
                        NDArray logits = t.logits(scope, ids);
                        logits.getFloat(0, 0, 0); // wait for the engine (CPU ops are synchronous; this is a sync point)
                        long t1 = System.nanoTime();
                        loss = MaskedCrossEntropy.loss(logits, batch);
                        loss.getFloat();
                        long t2 = System.nanoTime();
                        try (NDArray seed = scope.ones(loss.getShape())) {
                            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
                        }
                        long t3 = System.nanoTime();
                        s[0] = (t1 - t0) / 1e9;
                        s[1] = (t2 - t1) / 1e9;
                        s[2] = (t3 - t2) / 1e9;
                    }
                }
                long t4 = System.nanoTime();
                opt.step(1e-4, 1.0);
                s[3] = (System.nanoTime() - t4) / 1e9;
                if (k > 0) {
                    for (int i = 0; i < 4; i++) {
                        best[i] = Math.min(best[i], s[i]);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "{\"activation\":\"%s\",\"forward\":%.3f,\"loss\":%.3f,\"backward\":%.3f,\"adamw\":%.3f}%n",
                act, best[0], best[1], best[2], best[3]);
    }
}
