package org.scalelab.spark;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/**
 * The models an executor JVM has loaded, one per checkpoint folder and compute dtype, kept for the
 * JVM's life: every task of a capture or an evaluation on this executor reuses the one model instead
 * of loading the weights again.
 *
 * <p>Tasks running at once in one executor (the threads of {@code local[2]}, an executor's cores)
 * share that model and take turns: a task holds the model ({@link Loaded#lock}) while it runs its
 * part. Sharing keeps one copy of the weights per JVM (two copies of an 8 B model would not fit where
 * one does), and taking turns costs little because libtorch already spreads one forward pass over the
 * executor's cores through its intra-op threads; the runtime is not written for concurrent passes over
 * one model, and one pass at a time also computes exactly what a single-machine run computes.
 */
final class ExecutorModels {
    private static final Map<String, Loaded> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    /** A loaded checkpoint and its tokenizer; run a part while holding {@link #lock}. */
    record Loaded(Transformer model, ModelTokenizer tokenizer, Object lock) {
    }

    /** The model in {@code dir} computing in {@code dtype}, loaded by the first task of this JVM that asks for it. */
    static Loaded get(Path dir, ComputeDType dtype) {
        String key = dir.toAbsolutePath().normalize() + "|" + dtype.cliName();
        return MODELS.computeIfAbsent(key, k -> {
            Transformer t = Transformer.load(dir, dtype);
            try {
                ModelTokenizer tok = ModelTokenizer.load(dir);
                LOADS.incrementAndGet();
                return new Loaded(t, tok, new Object());
            } catch (RuntimeException e) {
                t.close();
                throw e;
            }
        });
    }

    /** How many models this JVM has loaded (tests check that a job loads each model once). */
    static int loads() {
        return LOADS.get();
    }
}
