package org.scalelab.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;

/**
 * A decoder-only transformer loaded from a Hugging Face checkpoint folder, run on the PyTorch
 * engine with TransformerLens-named hooks. Parameters live in one NDManager owned by this object
 * (F32 weights alias the memory-mapped file, see {@link SafetensorsArrays#load}; with a
 * half-precision {@link ComputeDType} they are converted copies); every forward
 * pass allocates in its own scope, closed before {@link #forward} returns.
 *
 * <pre>{@code
 * try (Transformer model = Transformer.load(Path.of("lab/models/tiny"))) {
 *     ForwardResult r = model.forward(new int[] {1, 5, 9}, HookSet.of("blocks.*.hook_resid_post"));
 * }
 * }</pre>
 */
public final class Transformer implements AutoCloseable {
    private final ModelConfig config;
    private final Path dir;
    private final long parameterCount;
    private final NDManager params;
    private final NDArray tokenEmbedding; // [vocab, d_model]
    private final NDArray positionEmbedding; // [max_positions, d_model] (learned positions), else null
    private final double embeddingScale; // the embeddings are multiplied by this (Gemma: √d_model), 0: not scaled
    private final List<Block> blocks;
    private final Norm finalNorm;
    private final NDArray unembedT; // [d_model, vocab]: the (tied) embedding or lm_head, transposed view
    private final Map<String, NDArray> trainableParameters; // empty unless loaded with loadTrainable
    private final ComputeDType dtype;
    private final String firstNonFiniteWeight; // null when every weight is finite
    /** Told (pass scope, layer) as each block of an inference pass ends: tests count the live arrays with it. */
    java.util.function.ObjIntConsumer<NDManager> blockEnded = (scope, layer) -> { };
    /** Told (sub-layer scope, layer) as each attention or MLP of an inference pass returns: tests count what it still holds. */
    java.util.function.ObjIntConsumer<NDManager> subLayerEnded = (scope, layer) -> { };

    private Transformer(ModelConfig config, Path dir, Weights weights, NDManager params, boolean trainable, ComputeDType dtype) {
        this.config = config;
        this.dtype = dtype;
        this.dir = dir;
        this.params = params;
        this.parameterCount = weights.parameterCount();
        ParameterLoader p = new ParameterLoader(weights, params, trainable, dtype);
        Family.Parts parts = config.family().build(p, config, dir);
        this.tokenEmbedding = parts.tokenEmbedding();
        this.positionEmbedding = parts.positionEmbedding();
        this.embeddingScale = parts.embeddingScale();
        this.finalNorm = parts.finalNorm();
        this.unembedT = parts.unembedT();
        this.blocks = List.copyOf(parts.blocks());
        this.trainableParameters = p.leaves();
        this.firstNonFiniteWeight = p.firstNonFinite();
    }

    /** Loads {@code dir/config.json} and the safetensors weights next to it, computing in float32. */
    public static Transformer load(Path dir) {
        return load(dir, ComputeDType.FLOAT32);
    }

    /**
     * Loads a checkpoint for inference in {@code dtype}: the parameters are converted to it once,
     * here, and every forward pass computes in it (KV cache included); activations and logits are
     * still delivered as float32.
     */
    public static Transformer load(Path dir, ComputeDType dtype) {
        dtype.requireSupported();
        ModelConfig config = ModelConfig.read(dir);
        Engine engine = TorchEngine.get();
        NDManager params = NDManager.newBaseManager(engine.defaultDevice(), engine.getEngineName());
        try (Weights weights = Weights.open(dir)) {
            return new Transformer(config, dir, weights, params, false, dtype);
        } catch (RuntimeException e) {
            params.close();
            throw e;
        }
    }

    /**
     * Loads a checkpoint for training: every parameter is an F32 copy (whatever the file's dtype)
     * that requires gradients, listed by {@link #trainableParameters()}. The model is built with
     * grad mode on, so the transposed weight views the blocks keep lead gradients back to the
     * leaves; update the leaves in place (with grad mode off) and the views follow.
     */
    public static Transformer loadTrainable(Path dir) {
        ModelConfig config = ModelConfig.read(dir);
        Engine engine = TorchEngine.get();
        NDManager params = NDManager.newBaseManager(engine.defaultDevice(), engine.getEngineName());
        try (Weights weights = Weights.open(dir); GradMode on = GradMode.enabled()) {
            return new Transformer(config, dir, weights, params, true, ComputeDType.FLOAT32);
        } catch (RuntimeException e) {
            params.close();
            throw e;
        }
    }

    /**
     * {@link #loadTrainable(Path)} for a caller that carries a compute dtype: training runs in
     * float32 only (AdamW's small updates vanish in 8 significant bits), so any other dtype is refused.
     */
    public static Transformer loadTrainable(Path dir, ComputeDType dtype) {
        if (dtype != ComputeDType.FLOAT32) {
            throw new InputException(dir + ": training computes in float32 only; --dtype " + dtype.cliName()
                    + " applies to inference (capture, generate), drop it here");
        }
        return loadTrainable(dir);
    }

    /**
     * The leaf parameters of a model from {@link #loadTrainable}, by their checkpoint names
     * (a tied unembedding appears once, as the embedding); empty for an inference model.
     */
    public Map<String, NDArray> trainableParameters() {
        return trainableParameters;
    }

    /**
     * The first checkpoint weight (in load order) holding a NaN or an infinity, if any: such a model
     * computes NaN everywhere it reaches (a diverged training run, a damaged file), so the commands
     * that run it warn.
     */
    public java.util.Optional<String> firstNonFiniteWeight() {
        return java.util.Optional.ofNullable(firstNonFiniteWeight);
    }

    /** The one-line warning the commands print for {@link #firstNonFiniteWeight()}, if any. */
    public java.util.Optional<String> nonFiniteWarning() {
        return firstNonFiniteWeight().map(w -> "warning: " + dir + ": weight '" + w
                + "' holds NaN or infinite values; every output it reaches will be NaN (a diverged or damaged checkpoint?)");
    }

    /** The dtype the parameters are held and computed in. */
    public ComputeDType computeDType() {
        return dtype;
    }

    public ModelConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    /** Scalars stored in the checkpoint (a tied unembedding is counted once). */
    public long parameterCount() {
        return parameterCount;
    }

    /** One sequence: logits [1, seq, vocab] and the selected activations [1, seq, d_model]. */
    public ForwardResult forward(int[] tokens, HookSet hooks) {
        return forward(new int[][] {tokens}, hooks);
    }

    /** A batch of equal-length sequences: logits [batch, seq, vocab] and activations [batch, seq, d_model]. */
    public ForwardResult forward(int[][] tokens, HookSet hooks) {
        return forward(tokens, hooks, null);
    }

    /** An empty KV cache for {@link #forward(int[][], HookSet, KvCache)}; close it when done. */
    public KvCache newCache() {
        return new KvCache(params, config.nLayers());
    }

    /**
     * Continues the sequences held in {@code cache} (or starts them, when it is empty) with
     * {@code tokens}, which take positions cache.length() … cache.length() + seq − 1; their keys
     * and values are appended to the cache. Logits and activations cover the new positions only.
     * With a null cache this is the plain forward pass.
     */
    public ForwardResult forward(int[][] tokens, HookSet hooks, KvCache cache) {
        return forward(tokens, hooks, cache, LogitsWanted.ALL);
    }

    /**
     * As {@link #forward(int[][], HookSet, KvCache)}, computing only the logits {@code wanted}
     * (their shape says which: [batch, seq | 1 | 0, vocab]). Activations are the same whatever is asked.
     */
    public ForwardResult forward(int[][] tokens, HookSet hooks, KvCache cache, LogitsWanted wanted) {
        int batch = tokens.length;
        long[] flat = flatten(tokens);
        try (Pass pass = open(tokens, flat, hooks, cache, null)) {
            NDArray logits = logits(pass, flat, wanted);
            Activation out = logits == null
                    ? new Activation("logits", new long[] {batch, 0, config.vocabSize()}, new float[0])
                    : new Activation("logits", logits.getShape().getShape(), ComputeDType.toFloat32(logits).toFloatArray());
            if (cache != null) {
                cache.commit(batch, pass.seq, null);
            }
            return new ForwardResult(out, Collections.unmodifiableMap(new LinkedHashMap<>(pass.captured())));
        }
    }

    /**
     * log p(targets[n] | everything before it) for selected positions of a right-padded batch:
     * the n-th log-prob is read at row rows[n], new-token index positions[n]. Only the selected
     * positions are unembedded ([selected, vocab], never [batch, seq, vocab]; Gemma 2's logit
     * soft-cap still applies), and the log-softmax is taken in float32. Like
     * {@link #forward(int[][], HookSet, KvCache)} it continues (and extends) {@code cache}; with
     * nothing selected it only fills the cache. An empty batch, or a selected position that is
     * padding in its row (at or past its {@code ragged} valid length), is an IllegalArgumentException.
     *
     * @param ragged each row's cached and real lengths (null: every row real throughout); the
     *               results of a row do not depend on its padding or on the other rows
     */
    public float[] logProbs(int[][] tokens, KvCache cache, RaggedBatch ragged, int[] rows, int[] positions, int[] targets) {
        return logProbs(tokens, cache, ragged, rows, positions, targets, HookSet.none(), UNEMBED_BYTES);
    }

    /**
     * Memory {@link #logProbs} gives one unembedding by default: a float32 [rows, vocab] block of at
     * most 16 MB (32 rows of Llama 3's 128,256-token vocabulary; its logits and log-softmax, two such
     * blocks, are alive together at the peak). Each block reads the whole unembedding matrix, so a
     * smaller budget costs time: at 16 MB a scorer's memory stays near its forward pass's own.
     */
    public static final long UNEMBED_BYTES = 16L << 20;

    /**
     * As {@link #logProbs(int[][], KvCache, RaggedBatch, int[], int[], int[])} with the
     * interventions and patches of {@code changes} applied during the pass (steered scoring); its
     * selection of hooks to record is ignored, nothing is copied out.
     */
    public float[] logProbs(int[][] tokens, KvCache cache, RaggedBatch ragged, int[] rows, int[] positions, int[] targets, HookSet changes) {
        return logProbs(tokens, cache, ragged, rows, positions, targets, changes, UNEMBED_BYTES);
    }

    /**
     * As {@link #logProbs(int[][], KvCache, RaggedBatch, int[], int[], int[], HookSet)}, unembedding the
     * selected positions in chunks of at most {@code unembedBytes / (4 · vocab)} rows (at least one), so
     * that no float32 [rows, vocab] block exceeds {@code unembedBytes}; the results do not depend on it.
     * After each block of a large pass and each large chunk the engine's freed memory goes back to the
     * system ({@link NativeMemory}), so that a scorer's resident memory follows what is alive.
     */
    public float[] logProbs(int[][] tokens, KvCache cache, RaggedBatch ragged, int[] rows, int[] positions, int[] targets, HookSet changes,
            long unembedBytes) {
        if (unembedBytes < 1) {
            throw new IllegalArgumentException("unembedding budget " + unembedBytes + " bytes: must be positive");
        }
        int batch = tokens.length;
        if (batch == 0 || tokens[0].length == 0) {
            throw new IllegalArgumentException("log-probs of an empty batch (" + batch + " rows of " + (batch == 0 ? 0 : tokens[0].length)
                    + " tokens): give at least one token");
        }
        if (rows.length != positions.length || rows.length != targets.length) {
            throw new IllegalArgumentException("log-probs: " + rows.length + " rows, " + positions.length + " positions and " + targets.length
                    + " targets; give one of each per log-prob");
        }
        if (ragged != null && ragged.rows() != batch) {
            throw new IllegalArgumentException("ragged batch of " + ragged.rows() + " rows for a pass of " + batch);
        }
        long[] flat = flatten(tokens);
        int seq = tokens[0].length;
        int n = rows.length;
        long[] at = new long[n];
        for (int i = 0; i < n; i++) {
            if (rows[i] < 0 || rows[i] >= batch || positions[i] < 0 || positions[i] >= seq || targets[i] < 0 || targets[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("log-prob " + i + ": row " + rows[i] + ", position " + positions[i] + ", target " + targets[i]
                        + " outside a batch of " + batch + " × " + seq + " and a vocabulary of " + config.vocabSize());
            }
            if (ragged != null && positions[i] >= ragged.valid()[rows[i]]) {
                throw new IllegalArgumentException("log-prob " + i + ": position " + positions[i] + " of row " + rows[i] + " is padding (the row has "
                        + ragged.valid()[rows[i]] + " real tokens)");
            }
            at[i] = (long) rows[i] * seq + positions[i];
        }
        HookSet applied = HookSet.none().with(changes.interventions().toArray(Intervention[]::new))
                .patched(changes.patches().toArray(ActivationPatch[]::new));
        try (Pass pass = open(tokens, flat, applied, cache, ragged)) {
            pass.releaseAfterBlocks = true;
            NDArray normed = hidden(pass, flat); // [batch, seq, d_model]
            float[] out = new float[n];
            NDArray rowsOfNormed = normed.reshape(batch * seq, config.dModel()); // [batch · seq, d_model]
            int chunk = (int) Math.max(1, Math.min(Integer.MAX_VALUE, unembedBytes / (4L * config.vocabSize())));
            for (int from = 0; from < n; from += chunk) {
                int m = Math.min(chunk, n - from);
                // Each chunk's arrays live in a scope of their own, freed before the next chunk.
                try (NDManager scope = pass.scope.newSubManager()) {
                    NDArray picked = rowsOfNormed.get(new NDIndex("{}", scope.create(Arrays.copyOfRange(at, from, from + m)))); // [m, d_model]
                    picked.attach(scope);
                    NDArray logits = unembed(picked); // [m, vocab]
                    NDArray logits32 = ComputeDType.toFloat32(logits);
                    if (logits32 != logits) {
                        logits.close();
                    }
                    NDArray logp = logits32.logSoftmax(1); // [m, vocab]
                    logits32.close(); // so that at most two [m, vocab] blocks are alive at once
                    long[] flatTarget = new long[m];
                    for (int i = 0; i < m; i++) {
                        flatTarget[i] = (long) i * config.vocabSize() + targets[from + i];
                    }
                    float[] part = logp.reshape(-1).get(new NDIndex("{}", scope.create(flatTarget))).toFloatArray();
                    System.arraycopy(part, 0, out, from, m);
                }
            }
            if (4L * Math.min(chunk, n) * config.vocabSize() >= NativeMemory.RELEASE_BYTES) {
                NativeMemory.release(); // the chunks' blocks, freed with their scopes, leave no holes behind
            }
            if (cache != null) {
                cache.commit(batch, seq, ragged);
            }
            return out;
        }
    }

    /** Checks a pass's inputs against the model and opens it (the cache marked as in use). */
    private Pass open(int[][] tokens, long[] flat, HookSet hooks, KvCache cache, RaggedBatch ragged) {
        int batch = tokens.length;
        int seq = batch == 0 ? 0 : tokens[0].length;
        int offset = cache == null ? 0 : cache.length();
        int needed = ragged == null ? offset + seq : ragged.positionsNeeded();
        if (config.family().learnedPositions() && needed > config.maxPositions()) {
            throw new InputException("forward: " + needed + " positions exceed " + config.family().modelType() + "'s " + config.maxPositions()
                    + " learned positions");
        }
        for (Intervention i : hooks.interventions()) {
            if (!HookNames.all(config).contains(i.hook())) {
                throw new InputException("intervention at '" + i.hook() + "': no such hook in this " + config.family().modelType()
                        + " model (e.g. " + HookNames.residPost(config.nLayers() - 1) + ")");
            }
        }
        for (ActivationPatch p : hooks.patches()) {
            if (!HookNames.all(config).contains(p.hook())) {
                throw new InputException("patch at '" + p.hook() + "': no such hook in this " + config.family().modelType() + " model");
            }
        }
        if (ragged != null) {
            ragged.check(batch, offset, seq);
        }
        if (cache != null) {
            cache.begin(batch, ragged);
        }
        Pass pass = new Pass(params, batch, seq, cache, hooks, dtype, true, ragged);
        pass.blockEnded = blockEnded;
        pass.subLayerEnded = subLayerEnded;
        return pass;
    }

    /**
     * The forward pass for training: logits [batch, seq, vocab] as an engine array owned by
     * {@code scope} (every intermediate too), so that autograd can differentiate a loss built
     * from them; nothing is copied out and no hooks run. Call it with {@link GradMode#enabled()}
     * on a model from {@link #loadTrainable}; close {@code scope} after the backward pass.
     */
    public NDArray logits(NDManager scope, int[][] tokens) {
        int batch = tokens.length;
        int seq = batch == 0 ? 0 : tokens[0].length;
        long[] flat = flatten(tokens);
        if (config.family().learnedPositions() && seq > config.maxPositions()) {
            throw new InputException("forward: " + seq + " positions exceed " + config.family().modelType() + "'s " + config.maxPositions()
                    + " learned positions");
        }
        // The pass's scope is a child of the caller's, closed with it: the graph lives until then.
        // Each block's intermediates stay too (no scope per block): the backward pass reads them.
        return logits(new Pass(scope, batch, seq, null, HookSet.none(), dtype, false), flat, LogitsWanted.ALL);
    }

    /** Token ids as one row-major long[] [batch · seq], checked against the vocabulary. */
    private long[] flatten(int[][] tokens) {
        int batch = tokens.length;
        int seq = batch == 0 ? 0 : tokens[0].length;
        long[] flat = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            if (tokens[b].length != seq) {
                throw new InputException("forward: sequence " + b + " has " + tokens[b].length + " tokens, sequence 0 has " + seq
                        + " (a batch needs equal lengths)");
            }
            for (int t = 0; t < seq; t++) {
                int id = tokens[b][t];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new InputException("forward: token id " + id + " at sequence " + b + ", position " + t
                            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
                flat[b * seq + t] = id;
            }
        }
        if (seq == 0) {
            throw new InputException("forward: no tokens");
        }
        return flat;
    }

    /**
     * Embedding → blocks → final norm → unembedding inside {@code pass}: logits [batch, seq, vocab],
     * [batch, 1, vocab] for the last position only, or null when none are wanted.
     */
    private NDArray logits(Pass pass, long[] flat, LogitsWanted wanted) {
        NDArray normed = hidden(pass, flat);
        if (wanted == LogitsWanted.NONE) {
            return null;
        }
        if (wanted == LogitsWanted.LAST && pass.seq > 1) {
            normed = normed.get(new NDIndex(":, {}:, :", pass.seq - 1)); // [batch, 1, d_model]
        }
        return unembed(normed);
    }

    /** Embedding → blocks → final norm inside {@code pass}: [batch, seq, d_model]. */
    private NDArray hidden(Pass pass, long[] flat) {
        int batch = pass.batch;
        int seq = pass.seq;
        int offset = pass.offset;
        NDArray ids = pass.scope.create(flat, new Shape(batch, seq));
        // [batch, seq, d_model]: rows of the embedding table, allocated in the pass scope.
        NDArray embedded = tokenEmbedding.get(pass.scope, new NDIndex("{}", ids.reshape(batch * seq))).reshape(batch, seq, config.dModel());
        if (embeddingScale != 0) {
            // A family may scale the embeddings (Gemma: by √d_model), a constant rounded to the
            // compute dtype as transformers does; hook_embed is the scaled value, the one
            // entering the residual stream.
            embedded = embedded.mul(Scalars.of(embedded, embeddingScale)); // kept for autograd (see Scalars)
        }
        NDArray x = pass.hook(HookNames.EMBED, embedded);
        if (positionEmbedding != null) {
            NDArray pos = pass.ragged == null
                    ? positionEmbedding.get(pass.scope, new NDIndex("{}:{}", offset, offset + seq)).expandDims(0).repeat(0, batch)
                    : positionEmbedding.get(pass.scope, new NDIndex("{}", pass.scope.create(raggedPositions(pass.ragged, seq))))
                            .reshape(batch, seq, config.dModel());
            x = x.add(pass.hook(HookNames.POS_EMBED, pos)); // [batch, seq, d_model]
        }
        if (config.family().rotary()) {
            // Computed in float32 as transformers does, then rounded to the compute dtype.
            Rope.Tables t = pass.ragged == null
                    ? Rope.tables(pass.scope, offset, seq, config.headDim(), config.ropeTheta(), config.ropeScaling())
                    : Rope.tables(pass.scope, pass.ragged.past(), seq, config.headDim(), config.ropeTheta(), config.ropeScaling());
            pass.rope = new Rope.Tables(dtype.convert(t.cos()), dtype.convert(t.sin()));
        }
        for (int i = 0; i < blocks.size(); i++) {
            x = pass.block(blocks.get(i), i, x);
        }
        return finalNorm.apply(x, pass, HookNames.LN_FINAL_SCALE, HookNames.LN_FINAL);
    }

    /** Learned-position rows of a ragged pass, [batch · seq]; padding past the table reuses its last row. */
    private long[] raggedPositions(RaggedBatch ragged, int seq) {
        long[] p = new long[ragged.rows() * seq];
        for (int b = 0; b < ragged.rows(); b++) {
            for (int i = 0; i < seq; i++) {
                p[b * seq + i] = Math.min(ragged.position(b, i), config.maxPositions() - 1);
            }
        }
        return p;
    }

    /** The unembedding of final-norm outputs [..., d_model] → logits [..., vocab], soft-capped where the family does. */
    private NDArray unembed(NDArray normed) {
        NDArray logits = normed.matMul(unembedT);
        double cap = config.options().finalLogitSoftcap();
        if (cap > 0) {
            NDArray c = Scalars.of(logits, cap); // kept for autograd (see Scalars)
            logits = logits.div(c).tanh().mul(c); // Gemma 2 (Gemma Team 2024b, §2): c·tanh(logits / c)
        }
        return logits;
    }

    /**
     * Residual-stream vectors read out the way the model reads its last one (the logit lens,
     * nostalgebraist 2020): the final norm, each row normalised with its own scale, then the
     * unembedding (and Gemma 2's final soft-cap). On the last layer's hook_resid_post this gives
     * the model's logits.
     *
     * @param residuals [n][d_model]
     * @return logits [n][vocab]
     */
    public float[][] unembed(float[][] residuals) {
        try (NDManager scope = params.newSubManager()) {
            NDArray x = dtype.convert(scope.create(residuals)); // [n, d_model]
            NDArray logits = finalNorm.apply(x).matMul(unembedT); // [n, vocab]
            double cap = config.options().finalLogitSoftcap();
            if (cap > 0) {
                logits = logits.div((float) cap).tanh().mul((float) cap);
            }
            return rows(ComputeDType.toFloat32(logits).toFloatArray(), residuals.length);
        }
    }

    /**
     * Direct logit attribution with the final norm's scale frozen from {@code residual} (the
     * residual stream the components sum to, normally the last layer's hook_resid_post at one
     * position), as TransformerLens' {@code cache.apply_ln_to_stack}: component c contributes
     * norm_frozen(c) · W_U[:, t] to the logit of token t, where LayerNorm centres each component and
     * every component is divided by the residual's scale and multiplied by the norm's weight. The
     * norm's bias contributes b · W_U[:, t] once. The contributions of components that sum to
     * {@code residual}, plus the bias's, sum to the logit before Gemma 2's final soft-cap.
     *
     * @param components [n][d_model]
     * @param residual   [d_model]
     * @param tokens     the logits attributed
     */
    public LogitContributions directLogits(float[][] components, float[] residual, int[] tokens) {
        try (NDManager scope = params.newSubManager()) {
            long[] ids = new long[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                    throw new InputException("direct logit attribution: token id " + tokens[i] + " is outside the vocabulary [0, "
                            + config.vocabSize() + ")");
                }
                ids[i] = tokens[i];
            }
            NDArray columns = unembedT.get(scope, new NDIndex(":, {}", scope.create(ids))); // [d_model, tokens]
            NDArray c = dtype.convert(scope.create(components)); // [n, d_model]
            NDArray r = dtype.convert(scope.create(residual)); // [d_model]
            NDArray perComponent = finalNorm.frozen(c, r).matMul(columns); // [n, tokens]
            float[] bias = new float[tokens.length];
            if (finalNorm.bias() != null) {
                bias = ComputeDType.toFloat32(finalNorm.bias().expandDims(0).matMul(columns)).toFloatArray();
            }
            return new LogitContributions(rows(ComputeDType.toFloat32(perComponent).toFloatArray(), components.length), bias);
        }
    }

    /**
     * What {@link #directLogits} returns.
     *
     * @param perComponent [component][token]: each component's direct contribution
     * @param normBias     [token]: the final norm's bias term (zeros for RMSNorm)
     */
    public record LogitContributions(float[][] perComponent, float[] normBias) {}

    private static float[][] rows(float[] flat, int n) {
        int width = n == 0 ? 0 : flat.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return out;
    }

    /** Live parameter arrays (for leak checks: the count must not grow across forward passes). */
    int liveParameterArrays() {
        return params.getManagedArrays().size();
    }

    @Override
    public void close() {
        params.close();
    }
}
