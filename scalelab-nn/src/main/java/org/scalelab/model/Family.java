package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;

/**
 * One architecture family, keyed by the {@code model_type} of a Hugging Face config.json (or, when
 * that is missing, by the causal-LM class named in {@code architectures}). Everything ScaleLab knows
 * about a family lives in its one subclass:
 * <ul>
 *   <li>its config.json keys: {@link #readConfig} and {@link #writeConfig}, the defaults of its
 *       published configs ({@link #defaults}) and the shapes it cannot run ({@link #checkShape});</li>
 *   <li>its parameters, by Hugging Face name and shape ({@link #parameterShapes}), and how they are
 *       initialised ({@link #isNormScale}, {@link #normIdentity}, {@link #initStd});</li>
 *   <li>its wiring: which embedding, blocks, final norm and unembedding a checkpoint is loaded into
 *       ({@link #build});</li>
 *   <li>its hook names ({@link #hookNames}).</li>
 * </ul>
 * A family is a class in this package whose name ends in {@code Family}, with a public no-argument
 * constructor: {@link Families} finds it on the class path, so nothing else needs editing to add one
 * (docs/models.md walks through it). Two instances of the same class are equal.
 */
public abstract class Family {
    private final String modelType;
    private final String architecture;
    private final String summary;

    /**
     * @param modelType    the {@code model_type} string of config.json
     * @param architecture the causal-LM class {@code transformers} names in {@code architectures}
     * @param summary      what sets the family apart, in a few words, for help texts
     */
    protected Family(String modelType, String architecture, String summary) {
        this.modelType = modelType;
        this.architecture = architecture;
        this.summary = summary;
    }

    /** The {@code model_type} string in config.json (also the family's JSON spelling). */
    @JsonValue
    public final String modelType() {
        return modelType;
    }

    /** The causal-LM class name {@code transformers} writes in config.json's {@code architectures}. */
    public final String architecture() {
        return architecture;
    }

    /** What sets the family apart, in a few words (for {@code --help}). */
    public final String summary() {
        return summary;
    }

    // ---- positions and attention: what callers and `model init` ask of a family

    /** True when positions come from a learned table (GPT-2): sequences longer than it cannot run. */
    public boolean learnedPositions() {
        return false;
    }

    /** True for the families with rotary positions (a RoPE base θ in config.json). */
    public boolean rotary() {
        return !learnedPositions();
    }

    /** True when key/value heads may be fewer than query heads and head_dim is free (grouped-query attention). */
    public boolean groupedQueryAttention() {
        return true;
    }

    /** True when some layers may attend through a sliding window ({@link FamilyOptions#slidingWindow()}). */
    public boolean slidingWindow() {
        return false;
    }

    /** The MLP width {@code model init} uses when none is given. */
    public int defaultMlpWidth(int dModel) {
        // A gated MLP keeps the parameter count of a 4·d GELU MLP with three matrices: 2/3 · 4d (Touvron et al. 2023, §2.2).
        return (8 * dModel / 3 + 7) / 8 * 8;
    }

    // ---- config.json

    /**
     * A config of this family with the given shape and the defaults of its published configs for
     * the rest (norm ε, RoPE base, tied unembedding, activation, switches).
     */
    public abstract ModelConfig defaults(int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim, int dMlp,
                                         int maxPositions);

    /** Reads a config.json of this family; absent keys take the defaults of its configuration class in transformers. */
    abstract ModelConfig readConfig(ConfigKeys keys);

    /** Writes the family's keys of {@code c} (all but model_type and torch_dtype) as transformers spells them. */
    abstract void writeConfig(ModelConfig c, ObjectNode o);

    /** Refuses a shape this family cannot have ({@code where} starts the message). */
    void checkShape(String where, int dModel, int nHeads, int nKvHeads, int headDim) {}

    /**
     * Names the switches in {@code o} that are not part of this architecture, or null when all are;
     * anything else would be silently ignored or misread.
     */
    String unsupportedOptions(FamilyOptions o) {
        return o.equals(FamilyOptions.NONE) ? null : "sliding windows, q/k/v biases and soft-capping";
    }

    /**
     * What to tell a user whose config.json names {@code modelType}, a relative of this family that
     * ScaleLab does not run (e.g. " (gemma3 adds q/k norms …)"), or null.
     */
    String hintFor(String modelType) {
        return null;
    }

    // ---- parameters

    /** Parameter names → shapes, in the order {@code transformers} saves them. */
    public abstract Map<String, long[]> parameterShapes(ModelConfig c);

    /** True for a norm's scale (initialised to {@link #normIdentity()}), by its checkpoint name. */
    boolean isNormScale(String name) {
        return name.endsWith(".weight")
                && (name.contains("ln_") || name.contains("layernorm") || name.contains("layer_norm") || name.equals("model.norm.weight"));
    }

    /** The norm scale that leaves its input unchanged: 1, or 0 for a family that multiplies by 1 + w. */
    float normIdentity() {
        return 1f;
    }

    /** The standard deviation of weight {@code name} under the published initialisation ({@code std} for most). */
    double initStd(String name, ModelConfig c, double std) {
        return std;
    }

    // ---- wiring

    /**
     * Loads a checkpoint's tensors (through {@code p}, which checks each shape) into the parts of the
     * forward pass: token (and position) embedding, blocks, final norm, unembedding.
     */
    abstract Parts build(ParameterLoader p, ModelConfig c, Path dir);

    /**
     * The parts of a loaded model.
     *
     * @param tokenEmbedding    [vocab, d_model]
     * @param positionEmbedding [max_positions, d_model] for learned positions, else null
     * @param embeddingScale    the embeddings are multiplied by this (Gemma: √d_model), or 0 for no scaling
     * @param blocks            one per layer
     * @param finalNorm         the norm before the unembedding
     * @param unembedT          [d_model, vocab]: the unembedding (or the tied embedding), transposed
     */
    record Parts(NDArray tokenEmbedding, NDArray positionEmbedding, double embeddingScale, List<Block> blocks, Norm finalNorm,
                 NDArray unembedT) {}

    /**
     * The unembedding of a family that may tie it to the token embedding: {@code lm_head.weight}
     * unless tied; a checkpoint without it must say it is tied.
     */
    static NDArray lmHeadOrTied(ParameterLoader p, ModelConfig c, NDArray tokenEmbedding, Path dir) {
        boolean tied = c.tieWordEmbeddings() || !p.contains("lm_head.weight");
        if (tied && !c.tieWordEmbeddings()) {
            throw new InputException(dir + ": checkpoint has no weight 'lm_head.weight' and config.json says tie_word_embeddings: false");
        }
        return tied ? tokenEmbedding.transpose() : p.get("lm_head.weight", c.vocabSize(), c.dModel()).transpose();
    }

    // ---- hooks

    /**
     * True when the MLP is gated (Llama's SwiGLU, Gemma's GeGLU): it has a hook_pre_linear beside
     * hook_pre. GPT-2 and GPT-NeoX say false.
     */
    public boolean gatedMlp() {
        return true;
    }

    /** True when each sub-layer's output is normed before it is added (Gemma 2's ln1_post and ln2_post). */
    public boolean normsAfterSubLayers() {
        return false;
    }

    /** Every hook name of a model, in the order the forward pass reaches them. */
    public List<String> hookNames(ModelConfig c) {
        List<String> names = new ArrayList<>();
        names.add(HookNames.EMBED);
        if (learnedPositions()) {
            names.add(HookNames.POS_EMBED);
        }
        for (int l = 0; l < c.nLayers(); l++) {
            names.add(HookNames.residPre(l));
            names.add(HookNames.ln1Scale(l));
            names.add(HookNames.ln1Normalized(l));
            names.add(HookNames.hookQ(l));
            names.add(HookNames.hookK(l));
            names.add(HookNames.hookV(l));
            if (rotary()) {
                names.add(HookNames.rotQ(l));
                names.add(HookNames.rotK(l));
            }
            names.add(HookNames.attnScores(l));
            names.add(HookNames.pattern(l));
            names.add(HookNames.hookZ(l));
            names.add(HookNames.result(l));
            if (normsAfterSubLayers()) {
                names.add(HookNames.ln1PostScale(l));
                names.add(HookNames.ln1PostNormalized(l));
            }
            names.add(HookNames.attnOut(l));
            names.add(HookNames.residMid(l));
            names.add(HookNames.ln2Scale(l));
            names.add(HookNames.ln2Normalized(l));
            names.add(HookNames.mlpPre(l));
            if (gatedMlp()) {
                names.add(HookNames.mlpPreLinear(l));
            }
            names.add(HookNames.mlpPost(l));
            if (normsAfterSubLayers()) {
                names.add(HookNames.ln2PostScale(l));
                names.add(HookNames.ln2PostNormalized(l));
            }
            names.add(HookNames.mlpOut(l));
            names.add(HookNames.residPost(l));
        }
        names.add(HookNames.LN_FINAL_SCALE);
        names.add(HookNames.LN_FINAL);
        return names;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public final String toString() {
        return modelType;
    }
}
