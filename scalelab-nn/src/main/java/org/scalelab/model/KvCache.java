package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the positions already processed, per layer, so that generating a token
 * costs one position's forward pass instead of the whole sequence's. Owns its arrays in its own
 * NDManager (closed with the cache). One cache serves one batch of sequences of equal length.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys; // per layer [batch, kv_heads, length, head_dim]
    private final NDArray[] values;
    private int length;
    private int batch = -1;
    private boolean broken;

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

    void begin(int passBatch) {
        if (broken) {
            throw new IllegalStateException("this KV cache was left incomplete by a failed forward pass; start a new one");
        }
        if (batch >= 0 && passBatch != batch) {
            throw new IllegalArgumentException("the KV cache holds a batch of " + batch + " sequences, the forward pass has " + passBatch);
        }
        broken = true; // until commit: a pass that fails midway leaves layers of different lengths
    }

    void commit(int passBatch, int newPositions) {
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
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
