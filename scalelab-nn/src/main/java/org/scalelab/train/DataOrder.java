package org.scalelab.train;

import java.util.SplittableRandom;
import org.scalelab.InputException;

/**
 * The seeded order in which training examples are visited: epoch after epoch, each a fresh
 * uniform permutation of all examples (Fisher–Yates), batches taken in sequence across epoch
 * boundaries. Epoch e's permutation depends only on (seed, e) — its generator is the (e+1)-th
 * {@link SplittableRandom#split()} of {@code new SplittableRandom(seed)} — so the whole random
 * state is the {@link Position} (epoch, cursor): saving it in a checkpoint and restoring it
 * continues with exactly the batches an uninterrupted run would have drawn.
 */
public final class DataOrder {
    /** Where the next batch starts: epoch number and index into that epoch's permutation. */
    public record Position(long epoch, int cursor) {}

    private final int size;
    private final long seed;
    private long epoch;
    private int cursor;
    private int[] permutation;

    public DataOrder(int size, long seed) {
        this(size, seed, new Position(0, 0));
    }

    public DataOrder(int size, long seed, Position start) {
        if (size <= 0) {
            throw new InputException("training data: no examples");
        }
        if (start.epoch() < 0 || start.cursor() < 0 || start.cursor() > size) {
            throw new InputException("data order: position " + start + " is outside an epoch of " + size + " examples");
        }
        this.size = size;
        this.seed = seed;
        this.epoch = start.epoch();
        this.cursor = start.cursor();
        this.permutation = permutation(size, seed, epoch);
    }

    /** The permutation of 0 … size−1 used in {@code epoch}. */
    static int[] permutation(int size, long seed, long epoch) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom rng = root.split();
        for (long e = 0; e < epoch; e++) {
            rng = root.split();
        }
        return shuffled(size, rng);
    }

    /** A uniformly random permutation of 0 … size−1 drawn from {@code rng} (Fisher–Yates; Knuth, TAOCP vol. 2, §3.4.2, Algorithm P). */
    public static int[] shuffled(int size, SplittableRandom rng) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The next {@code batchSize} example indices (continuing into the next epoch when this one ends). */
    public int[] next(int batchSize) {
        if (batchSize <= 0) {
            throw new InputException("batch size must be positive, got " + batchSize);
        }
        int[] out = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            if (cursor == size) {
                epoch++;
                cursor = 0;
                permutation = permutation(size, seed, epoch);
            }
            out[i] = permutation[cursor++];
        }
        return out;
    }

    public Position position() {
        return new Position(epoch, cursor);
    }

    public long seed() {
        return seed;
    }

    public int size() {
        return size;
    }
}
