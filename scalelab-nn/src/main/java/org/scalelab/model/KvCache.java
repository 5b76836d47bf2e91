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
    /** A view ({@link #sharedBy}): the cache whose rows it reads, else null. */
    private final KvCache source;
    /** A view's row r reads row sourceRows[r] of {@link #source}. */
    private final long[] sourceRows;
    /** A view serves one pass: true once that pass has run. */
    private boolean spent;

    KvCache(NDManager parent, int layers) {
        this(parent, layers, null, null);
    }

    private KvCache(NDManager parent, int layers, KvCache source, long[] sourceRows) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.source = source;
        this.sourceRows = sourceRows;
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
        if (spent) {
            throw new IllegalStateException("this shared view of a KV cache served its one pass; take another view, or select() rows to continue further");
        }
        if (source != null && (source.broken || source.length != length)) {
            throw new IllegalStateException("the KV cache this view shares changed after the view was taken; take a new view");
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
        spent = source != null;
    }

    /**
     * Appends this pass's keys and values at {@code layer} and returns all of them. A view
     * ({@link #sharedBy}) keeps nothing: it returns its rows of the source's keys and values followed
     * by the new ones, made where {@code k} lives (the running sub-layer's scope), so that they are
     * freed with it; see {@link #keeps()}.
     */
    NDList extend(int layer, NDArray k, NDArray v) {
        if (source != null) {
            return new NDList(sharedRows(source.keys[layer], k), sharedRows(source.values[layer], v));
        }
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

    /** The source's rows of {@code cached} [source batch, kv_heads, length, head_dim] followed by {@code fresh}, in fresh's manager. */
    private NDArray sharedRows(NDArray cached, NDArray fresh) {
        NDManager scope = fresh.getManager();
        NDArray at = scope.create(sourceRows);
        NDArray rows = cached.get(scope, new ai.djl.ndarray.index.NDIndex("{}", at)); // [batch, kv_heads, length, head_dim]
        NDArray all = rows.concat(fresh, 2);
        at.close();
        rows.close();
        return all;
    }

    /** False for a view ({@link #sharedBy}): the keys and values {@link #extend} returns are not the cache's own. */
    boolean keeps() {
        return source == null;
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
        return withRowsOf(out, rows);
    }

    /** {@code out} given this cache's length and, per row r, the contiguity of row rows[r]; returns {@code out}. */
    private KvCache withRowsOf(KvCache out, int[] rows) {
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

    /**
     * A view in which row r is row rows[r] of this cache (a row may be taken several times), for one
     * last pass continuing them: how the continuations of one context share its keys and values
     * without copies of them. Unlike {@link #select}, nothing is copied up front and the view keeps
     * nothing: as that pass runs each layer, the layer's rows are gathered and followed by the pass's
     * own keys and values, and freed when the layer's attention returns, so that the pass holds one
     * layer's worth instead of every layer's rows. The values computed are those of a pass continuing
     * {@code select(rows)}. The view serves that one pass (a second is refused) and reads this cache's
     * arrays, so keep this cache open and unchanged until the pass has run; close both.
     */
    public KvCache sharedBy(int[] rows) {
        if (broken) {
            throw new IllegalStateException("this KV cache was left incomplete by a failed forward pass; start a new one");
        }
        if (source != null) {
            throw new IllegalArgumentException("a shared view of a KV cache cannot be shared again; share rows of its source");
        }
        if (length == 0) {
            throw new IllegalArgumentException("an empty KV cache has no rows to share");
        }
        long[] index = new long[rows.length];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] < 0 || rows[r] >= batch) {
                throw new IllegalArgumentException("row " + rows[r] + " of a KV cache holding " + batch + " sequences");
            }
            index[r] = rows[r];
        }
        KvCache out = new KvCache(manager.getParentManager(), keys.length, this, index);
        return withRowsOf(out, rows);
    }

    @Override
    public void close() {
        manager.close();
    }
}
