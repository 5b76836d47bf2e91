package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the positions already processed, per layer, so that generating a token
 * costs one position's forward pass instead of the whole sequence's. Owns its arrays in its own
 * NDManager (closed with the cache). One cache serves one batch of sequences, of equal length or,
 * filled by {@link RaggedBatch} passes, each row's tokens followed by padding.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys; // per layer [batch, kv_heads, length, head_dim]
    private final NDArray[] values;
    private int length;
    private int batch = -1;
    private boolean broken;
    /**
     * Per row: how many leading cached columns hold the row's tokens, contiguous from column 0 (any
     * columns after them are padding), or -1 when a ragged pass wrote the row's new tokens after
     * padding, so that its tokens are scattered. {@link RaggedBatch}'s mask takes a row's cached
     * tokens to be its first {@code past} columns: a pass may continue a row only while that holds.
     * Null while the cache is empty.
     */
    private int[] contiguous;

    KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Positions cached so far. */
    public int length() {
        return length;
    }

    /** Batch size the cache holds, or -1 while empty. */
    public int batch() {
        return batch;
    }

    /**
     * Checks that a pass of {@code passBatch} rows ({@code ragged}: their cached and real lengths, null
     * when every row is real throughout) can continue this cache, and marks the cache in use.
     */
    void begin(int passBatch, RaggedBatch ragged) {
        if (broken) {
            throw new IllegalStateException("this KV cache was left incomplete by a failed forward pass; start a new one");
        }
        if (batch >= 0 && passBatch != batch) {
            throw new IllegalArgumentException("the KV cache holds a batch of " + batch + " sequences, the forward pass has " + passBatch);
        }
        for (int b = 0; contiguous != null && b < contiguous.length; b++) {
            if (contiguous[b] < 0) {
                throw new IllegalArgumentException("KV cache row " + b + ": its tokens are not contiguous (an earlier ragged pass put its new"
                        + " tokens after padding, its past being shorter than the cache), so no pass can continue it; run the row's"
                        + " tokens so far again in fewer passes");
            }
            if (ragged == null && contiguous[b] != length) {
                throw new IllegalArgumentException("KV cache row " + b + ": holds " + contiguous[b] + " tokens and padding up to " + length
                        + " positions (a ragged pass); continue it with a RaggedBatch whose past is " + contiguous[b]);
            }
            if (ragged != null && ragged.past()[b] > contiguous[b]) {
                throw new IllegalArgumentException("ragged batch: row " + b + " continues past " + ragged.past()[b] + " cached tokens, but the"
                        + " KV cache holds " + contiguous[b] + " of that row (then padding)");
            }
        }
        broken = true; // until commit: a pass that fails midway leaves layers of different lengths
    }

    /** Records a pass of {@code newPositions} tokens that {@link #begin} allowed. */
    void commit(int passBatch, int newPositions, RaggedBatch ragged) {
        int[] next = new int[passBatch];
        for (int b = 0; b < passBatch; b++) {
            if (ragged == null) {
                next[b] = length + newPositions;
            } else {
                int past = ragged.past()[b];
                int valid = ragged.valid()[b];
                // New tokens right after the row's cached ones extend it; after padding they scatter it.
                next[b] = past == length ? length + valid : valid == 0 ? past : -1;
            }
        }
        contiguous = next;
        batch = passBatch;
        length += newPositions;
        broken = false;
    }

    /** Appends this pass's keys and values at {@code layer} and returns all of them. */
    NDList extend(int layer, NDArray k, NDArray v) {
        NDArray allK = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
        NDArray allV = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
        allK.attach(manager); // owned by the cache, not by the pass that created them
        allV.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = allK;
        values[layer] = allV;
        return new NDList(allK, allV);
    }

    /** Arrays the cache owns (for leak checks: two per layer once every layer holds keys and values). */
    int liveArrays() {
        return manager.getManagedArrays().size();
    }

    /**
     * A new cache holding row rows[r] of this one as its row r (a row may be taken several times):
     * how several continuations of one context share the context's keys and values. This cache
     * is left as it was; close both.
     */
    public KvCache select(int[] rows) {
        if (broken) {
            throw new IllegalStateException("this KV cache was left incomplete by a failed forward pass; start a new one");
        }
        KvCache out = new KvCache(manager.getParentManager(), keys.length);
        try (NDManager scratch = manager.newSubManager()) {
            long[] index = new long[rows.length];
            for (int r = 0; r < rows.length; r++) {
                if (rows[r] < 0 || rows[r] >= batch) {
                    throw new IllegalArgumentException("row " + rows[r] + " of a KV cache holding " + batch + " sequences");
                }
                index[r] = rows[r];
            }
            NDArray at = scratch.create(index);
            for (int layer = 0; layer < keys.length && keys[layer] != null; layer++) {
                out.keys[layer] = keys[layer].get(new ai.djl.ndarray.index.NDIndex("{}", at));
                out.values[layer] = values[layer].get(new ai.djl.ndarray.index.NDIndex("{}", at));
                out.keys[layer].attach(out.manager);
                out.values[layer].attach(out.manager);
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        out.length = length;
        out.batch = length == 0 ? -1 : rows.length;
        if (contiguous != null && length > 0) {
            out.contiguous = new int[rows.length];
            for (int r = 0; r < rows.length; r++) {
                out.contiguous[r] = contiguous[rows[r]];
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
