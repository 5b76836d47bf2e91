package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * The state of one forward pass: the scope that owns every intermediate array (closed when the
 * pass ends, so nothing leaks into the parameter manager), the positions it covers, the causal
 * mask, the optional KV cache, and the hook recorder that copies selected activations out to
 * float[] while they are still alive.
 *
 * <p>An inference pass runs each block in a scope of its own ({@link #block}), closed when the
 * block returns: only the residual stream leaving it survives (and the KV cache's arrays, which
 * its own manager owns), so the pass's peak memory is one block's intermediates plus what every
 * layer shares (masks, RoPE tables), whatever the number of layers. A training pass keeps every
 * intermediate until its scope closes, since the backward pass reads them.
 */
final class Pass implements AutoCloseable {
    final NDManager scope;
    /** Each block's intermediates are freed when it ends (inference); false keeps them for autograd. */
    private final boolean scopePerBlock;
    /** Where arrays made during the running block go: that block's scope, or the pass scope between blocks. */
    private NDManager current;
    /** Told (pass scope, layer) as each block ends, before its scope closes: for tests that count live arrays. */
    ObjIntConsumer<NDManager> blockEnded = (s, layer) -> { };
    /**
     * Give the C library's freed pages back to the system after every
     * {@link NativeMemory#RELEASE_EVERY_BLOCKS}th block of an inference pass whose residual stream takes
     * at least {@link NativeMemory#RELEASE_BYTES} (see {@link NativeMemory}): the pass's resident memory
     * then holds the holes of a few blocks at most instead of every block's before it. Costs page faults
     * when the next blocks touch the pages again.
     */
    boolean releaseAfterBlocks;
    /** Told (sub-layer scope, layer) as an inference pass's attention or MLP returns, before its scope closes: for tests. */
    ObjIntConsumer<NDManager> subLayerEnded = (s, layer) -> { };
    final int batch;
    /** New tokens in this pass. */
    final int seq;
    /** Position of the first new token: the number of cached positions before it. */
    final int offset;
    /**
     * Additive causal mask [seq, offset + seq]: new token i (at position offset + i) sees every
     * key position ≤ offset + i (0), and nothing after it (−inf).
     */
    final NDArray causalMask;
    /** RoPE cos/sin tables for positions offset … offset + seq − 1 (rotary families only, else null). */
    Rope.Tables rope;
    /** Rows of different lengths (see {@link RaggedBatch}), or null when every row is real throughout. */
    final RaggedBatch ragged;
    private final KvCache cache;
    private final HookSet hooks;
    private final Map<String, Activation> captured = new LinkedHashMap<>();
    private final Map<Integer, NDArray> windowMasks = new java.util.HashMap<>();

    /** The dtype of every array this pass creates (the parameters' dtype). */
    final ComputeDType dtype;

    Pass(NDManager parent, int batch, int seq, KvCache cache, HookSet hooks, ComputeDType dtype, boolean scopePerBlock) {
        this(parent, batch, seq, cache, hooks, dtype, scopePerBlock, null);
    }

    /**
     * @param scopePerBlock free each block's intermediates when it ends (inference; false for training)
     * @param ragged        rows of different lengths: every mask is per row, [batch, 1, seq, offset + seq]
     *                      (see {@link RaggedBatch#mask}); null when every row is real throughout
     */
    Pass(NDManager parent, int batch, int seq, KvCache cache, HookSet hooks, ComputeDType dtype, boolean scopePerBlock, RaggedBatch ragged) {
        this.dtype = dtype;
        this.ragged = ragged;
        this.scope = parent.newSubManager();
        this.current = scope;
        this.scopePerBlock = scopePerBlock;
        this.batch = batch;
        this.seq = seq;
        this.cache = cache;
        this.offset = cache == null ? 0 : cache.length();
        this.hooks = hooks;
        int keys = offset + seq;
        float[] mask = new float[seq * keys];
        for (int i = 0; i < seq; i++) {
            for (int j = offset + i + 1; j < keys; j++) {
                mask[i * keys + j] = Float.NEGATIVE_INFINITY;
            }
        }
        this.causalMask = ragged == null ? shared(mask, new Shape(seq, keys)) : raggedMask(0);
    }

    /**
     * Block {@code layer} applied to the residual stream {@code x} [batch, seq, d_model]. In an
     * inference pass the block runs in a scope of its own: {@code x} moves into it (nothing reads
     * the block's input after the block), every array the block makes lands there too (an engine
     * op puts its result in its first operand's manager, and the blocks' first operands descend
     * from {@code x}), and only the returned residual stream moves back to the pass scope before
     * the block's scope closes. Hooks have copied what they record to float[] by then.
     */
    NDArray block(Block block, int layer, NDArray x) {
        if (!scopePerBlock) {
            NDArray out = block.forward(x, layer, this);
            blockEnded.accept(scope, layer);
            return out;
        }
        boolean release = releaseAfterBlocks && (layer + 1) % NativeMemory.RELEASE_EVERY_BLOCKS == 0
                && x.size() * x.getDataType().getNumOfBytes() >= NativeMemory.RELEASE_BYTES;
        try (NDManager blockScope = scope.newSubManager()) {
            x.attach(blockScope);
            current = blockScope;
            NDArray out = block.forward(x, layer, this);
            blockEnded.accept(scope, layer);
            out.attach(scope);
            return out;
        } finally {
            current = scope;
            if (release) {
                NativeMemory.release(); // the block's scope is closed by now
            }
        }
    }

    private NDArray raggedMask(int window) {
        ragged.check(batch, offset, seq);
        return shared(ragged.mask(offset, seq, window), ragged.maskShape(offset, seq));
    }

    /**
     * What sub-layer {@code f} (attention or MLP) adds to the residual stream {@code x}. In an
     * inference pass it runs in a scope of its own inside the block's: {@code x} is lent to that
     * scope (the block reads it again afterwards), so what the sub-layer derives from it lands
     * there and is freed when it returns, and the attention's intermediates never coexist with the
     * MLP's; only the returned array moves to the block's scope.
     */
    NDArray subLayer(Block.SubLayer f, NDArray x, int layer) {
        if (!scopePerBlock) {
            return f.apply(x, this, layer);
        }
        NDManager block = current;
        try (NDManager subScope = block.newSubManager()) {
            x.tempAttach(subScope);
            current = subScope;
            NDArray out = f.apply(x, this, layer);
            out.attach(block);
            subLayerEnded.accept(subScope, layer);
            return out;
        } finally {
            current = block;
        }
    }

    /**
     * Frees {@code arrays} now, in an inference pass, once nothing in the pass reads them any more
     * (nulls and repeats are skipped). A sub-layer's scope frees its intermediates when the
     * sub-layer returns, but then all of them are alive at its end: in the MLP every
     * [batch, seq, d_mlp] product (gate, up, σ(gate), silu, silu ⊙ up), in attention every
     * [batch, heads, seq, keys] stage of the scores. PyTorch's eager forward frees each tensor as
     * soon as its last reader has run, so its peak holds two or three of them; releasing them here
     * gives a sub-layer the same peak. Only arrays the sub-layer made itself may be passed (never
     * its input, a parameter or a KV cache's array). A training pass keeps them for its scope, as
     * it keeps everything the backward pass may read.
     */
    void done(NDArray... arrays) {
        if (!scopePerBlock) {
            return;
        }
        for (NDArray a : arrays) {
            if (a != null) {
                a.close(); // closing twice is harmless: the second finds no handle
            }
        }
    }

    /**
     * The additive mask [seq, offset + seq] of a layer whose queries see at most {@code window}
     * keys, themselves included (0: the causal mask): key j is visible from query position i iff
     * 0 ≤ i − j &lt; window, as {@code transformers}' sliding_window_overlay. Built once per window
     * and pass.
     */
    NDArray mask(int window) {
        if (ragged != null) {
            return window <= 0 ? causalMask : windowMasks.computeIfAbsent(window, this::raggedMask);
        }
        if (window <= 0 || window >= offset + seq) {
            return causalMask; // the window reaches back to position 0 from every query
        }
        return windowMasks.computeIfAbsent(window, w -> {
            int keys = offset + seq;
            float[] m = new float[seq * keys];
            for (int i = 0; i < seq; i++) {
                int query = offset + i;
                for (int j = 0; j < keys; j++) {
                    if (j > query || query - j >= w) {
                        m[i * keys + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            return shared(m, new Shape(seq, keys));
        });
    }

    /**
     * {@code data} as an array of this pass's dtype, in the running block's scope (−inf and 0 are
     * exact in every dtype).
     */
    NDArray create(float[] data, Shape shape) {
        return dtype.convert(current.create(data, shape));
    }

    /** As {@link #create}, in the pass scope: for what every layer reads (masks). */
    private NDArray shared(float[] data, Shape shape) {
        return dtype.convert(scope.create(data, shape));
    }

    /**
     * Keys and values for attention at {@code layer}: the new ones alone, or appended to the
     * cached ones ([batch, kv_heads, offset + seq, head_dim]) when this pass has a cache.
     */
    NDList keysAndValues(int layer, NDArray k, NDArray v) {
        if (cache == null) {
            return new NDList(k, v);
        }
        NDList all = cache.extend(layer, k, v);
        if (!cache.keeps()) {
            return all; // a shared view's arrays are already the running sub-layer's, freed with it
        }
        // Lent to the running block until its scope closes, so that what attention derives from them
        // (the grouped-query repeat, the transposed keys) is freed with the block, not kept by the cache.
        for (NDArray a : all) {
            a.tempAttach(current);
        }
        return all;
    }

    /**
     * Records {@code x} under {@code name} if the hook set selects it, at the selected positions
     * (axis 1 of [batch, seq, width] and [batch, seq, head, width]; the query axis 2 of
     * [batch, heads, query, key]); returns
     * {@code x} after the hook set's interventions and patches at {@code name} (unchanged when there are none).
     */
    NDArray hook(String name, NDArray x) {
        for (Intervention i : hooks.interventions()) {
            if (i.hook().equals(name)) {
                x = i.apply(x, this);
            }
        }
        for (ActivationPatch p : hooks.patches()) {
            if (p.hook().equals(name)) {
                x = p.apply(x, this);
            }
        }
        if (hooks.matches(name)) {
            NDArray selected = x;
            if (!hooks.positions().equals(Positions.ALL)) {
                int[] range = hooks.positions().resolve(seq);
                String index = HookNames.positionAxis(name) == 2 ? ":, :, {}:{}" : ":, {}:{}";
                selected = x.get(new NDIndex(index, range[0], range[1]));
            }
            captured.put(name, new Activation(name, selected.getShape().getShape(), ComputeDType.toFloat32(selected).toFloatArray()));
        }
        return x;
    }

    /** True when this pass records {@code name} or changes it: opt-in hooks are computed only then. */
    boolean wants(String name) {
        for (Intervention i : hooks.interventions()) {
            if (i.hook().equals(name)) {
                return true;
            }
        }
        for (ActivationPatch p : hooks.patches()) {
            if (p.hook().equals(name)) {
                return true;
            }
        }
        return hooks.matches(name);
    }

    Map<String, Activation> captured() {
        return captured;
    }

    @Override
    public void close() {
        scope.close();
    }
}
