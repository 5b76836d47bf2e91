package org.scalelab.interp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.Provenance;
import org.scalelab.model.ForwardResult;
import org.scalelab.model.HookNames;
import org.scalelab.model.HookSet;
import org.scalelab.model.Transformer;

/**
 * What each layer's residual stream says about the next token, two ways that must not be mixed:
 *
 * <ul>
 *   <li><b>Logit lens</b> (nostalgebraist 2020): the residual stream entering layer 0 and leaving
 *       every layer, at one position, read through the final norm <i>with its scale computed on
 *       that residual itself</i> and the unembedding, as if the model stopped there. Its last row
 *       is the model's own logits.</li>
 *   <li><b>Direct logit attribution</b> (Elhage et al. 2021; TransformerLens'
 *       {@code cache.decompose_resid} / {@code stack_head_results} with {@code apply_ln_to_stack}):
 *       the last residual stream is a sum of components (embeddings, each head's output
 *       hook_result, each layer's attention output bias, each MLP's hook_mlp_out); each is read
 *       through the final norm <i>with the scale frozen from the whole last residual</i> (LayerNorm
 *       centres each component) and the unembedding. The contributions plus the final norm's bias
 *       term sum to the logit (before Gemma 2's final soft-cap, which is not linear).</li>
 * </ul>
 * A component read through the logit lens (its own scale) does not add up to anything; a layer's
 * residual read with the frozen scale is not what the model would predict there.
 */
public final class Lens {
    private Lens() {}

    /** One prompt, tokenised. */
    public record Prompt(String id, int[] tokens) {}

    /**
     * @param target       the token whose logit is read
     * @param versus       a second token (the logit difference target − versus is attributed), or −1
     * @param topK         tokens listed per layer
     * @param attribution  whether to compute the direct logit attribution too
     */
    public record Options(int target, int versus, int topK, boolean attribution) {}

    public record Input(Transformer model, List<Prompt> prompts, IntFunction<String> decode, List<Provenance.Input> sources) {}

    /** One token of a top-k list. */
    public record TopToken(int id, String text, double logit, double probability) {}

    /**
     * The logit lens at one residual stream.
     *
     * @param hook              the residual hook read (blocks.0.hook_resid_pre, then each hook_resid_post)
     * @param targetLogit       the target's logit
     * @param targetRank        its rank among all tokens (1 = the top)
     * @param targetProbability its softmax probability
     * @param logitDiff         target − versus logit, or null without a versus token
     */
    public record Reading(String hook, double targetLogit, int targetRank, double targetProbability, Double logitDiff, List<TopToken> top) {}

    /**
     * One component's direct contribution.
     *
     * @param component "embed", "pos_embed", "L{l}H{h}", "L{l} attn bias", "L{l} mlp" or "ln_final bias"
     * @param layer     its layer (−1 for the embeddings and the final norm's bias)
     * @param head      its head (−1 when not a head)
     * @param value     its contribution to the target's logit (or to the logit difference)
     */
    public record Contribution(String component, int layer, int head, double value) {}

    /**
     * Both readings of one prompt, at its last position.
     *
     * @param modelValue      the model's logit of the target (or logit difference), from its forward pass
     * @param attributedValue the sum of the contributions (null without attribution)
     */
    public record PromptLens(String id, int position, String lastToken, List<Reading> layers, List<Contribution> contributions,
                             double modelValue, Double attributedValue) {}

    /**
     * @param meanContributions the contributions averaged over prompts (empty without attribution)
     */
    public record Result(String target, String versus, List<PromptLens> prompts, List<Contribution> meanContributions, Provenance provenance) {}

    public static Result analyze(Input in, Options o) {
        Transformer model = in.model();
        int vocab = model.config().vocabSize();
        if (o.target() < 0 || o.target() >= vocab || o.versus() >= vocab) {
            throw new InputException("lens: token id " + (o.target() < 0 || o.target() >= vocab ? o.target() : o.versus())
                    + " is outside the vocabulary [0, " + vocab + ")");
        }
        if (o.topK() < 0) {
            throw new InputException("lens: --top " + o.topK() + " must be >= 0");
        }
        List<PromptLens> out = new ArrayList<>();
        try (Progress.Task task = Progress.start("lens", in.prompts().size())) {
            for (Prompt p : in.prompts()) {
                out.add(one(model, p, o, in.decode()));
                task.step();
            }
        }
        List<Contribution> mean = new ArrayList<>();
        if (o.attribution() && !out.isEmpty()) {
            for (int i = 0; i < out.get(0).contributions().size(); i++) {
                double s = 0;
                for (PromptLens p : out) {
                    s += p.contributions().get(i).value();
                }
                Contribution c = out.get(0).contributions().get(i);
                mean.add(new Contribution(c.component(), c.layer(), c.head(), s / out.size()));
            }
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("model", model.dir().toString());
        opts.put("target", o.target());
        opts.put("versus", o.versus());
        opts.put("top", o.topK());
        opts.put("attribution", o.attribution());
        return new Result(in.decode().apply(o.target()), o.versus() < 0 ? null : in.decode().apply(o.versus()), out, mean,
                Provenance.of("lens", in.sources(), opts, null));
    }

    private static PromptLens one(Transformer model, Prompt p, Options o, IntFunction<String> decode) {
        int layers = model.config().nLayers();
        int last = p.tokens().length - 1;
        List<String> hooks = new ArrayList<>();
        hooks.add(HookNames.residPre(0));
        for (int l = 0; l < layers; l++) {
            hooks.add(HookNames.residPost(l));
        }
        // Per head only where the heads' outputs add up linearly to what enters the residual stream:
        // Gemma 2 normalises the attention output after the heads are summed (its post-attention norm),
        // so there a head's hook_result is not on the residual's scale and the layer is attributed whole.
        boolean perHead = HookNames.all(model.config()).contains(HookNames.result(0)) && !model.config().family().normsAfterSubLayers();
        if (o.attribution()) {
            hooks.add(HookNames.EMBED);
            if (model.config().family().learnedPositions()) {
                hooks.add(HookNames.POS_EMBED);
            }
            for (int l = 0; l < layers; l++) {
                hooks.add(HookNames.attnOut(l));
                hooks.add(HookNames.mlpOut(l));
                if (perHead) {
                    hooks.add(HookNames.result(l));
                }
            }
        }
        ForwardResult r = model.forward(p.tokens(), HookSet.of(hooks.toArray(String[]::new)));
        perHead = perHead && r.activations().containsKey(HookNames.result(0)); // a family that does not report heads: per layer
        float[] modelLogits = r.logits().at(0, last);
        double modelValue = o.versus() < 0 ? modelLogits[o.target()] : (double) modelLogits[o.target()] - modelLogits[o.versus()];

        // Logit lens: each residual with its own final-norm scale.
        float[][] residuals = new float[layers + 1][];
        List<String> names = new ArrayList<>();
        residuals[0] = r.activation(HookNames.residPre(0)).at(0, last);
        names.add(HookNames.residPre(0));
        for (int l = 0; l < layers; l++) {
            residuals[l + 1] = r.activation(HookNames.residPost(l)).at(0, last);
            names.add(HookNames.residPost(l));
        }
        float[][] logits = model.unembed(residuals);
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) {
            readings.add(reading(names.get(i), logits[i], o, decode));
        }

        List<Contribution> contributions = new ArrayList<>();
        Double attributed = null;
        if (o.attribution()) {
            List<float[]> parts = new ArrayList<>();
            List<Contribution> labels = new ArrayList<>();
            parts.add(r.activation(HookNames.EMBED).at(0, last));
            labels.add(new Contribution("embed", -1, -1, 0));
            if (model.config().family().learnedPositions()) {
                parts.add(r.activation(HookNames.POS_EMBED).at(0, last));
                labels.add(new Contribution("pos_embed", -1, -1, 0));
            }
            for (int l = 0; l < layers; l++) {
                float[] attn = r.activation(HookNames.attnOut(l)).at(0, last);
                if (perHead) {
                    var result = r.activation(HookNames.result(l)); // [1, pos, head, d_model]
                    int heads = (int) result.shape()[2];
                    int d = (int) result.shape()[3];
                    float[] rest = attn.clone(); // attn_out − Σ heads: the output bias b_O (0 without one, up to rounding)
                    for (int h = 0; h < heads; h++) {
                        int from = (last * heads + h) * d;
                        float[] head = java.util.Arrays.copyOfRange(result.data(), from, from + d);
                        for (int j = 0; j < d; j++) {
                            rest[j] -= head[j];
                        }
                        parts.add(head);
                        labels.add(new Contribution("L" + l + "H" + h, l, h, 0));
                    }
                    parts.add(rest);
                    labels.add(new Contribution("L" + l + " attn bias", l, -1, 0));
                } else {
                    parts.add(attn);
                    labels.add(new Contribution("L" + l + " attn", l, -1, 0));
                }
                parts.add(r.activation(HookNames.mlpOut(l)).at(0, last));
                labels.add(new Contribution("L" + l + " mlp", l, -1, 0));
            }
            int[] tokens = o.versus() < 0 ? new int[] {o.target()} : new int[] {o.target(), o.versus()};
            Transformer.LogitContributions lc = model.directLogits(parts.toArray(float[][]::new), residuals[layers], tokens);
            double sum = 0;
            for (int i = 0; i < labels.size(); i++) {
                float[] v = lc.perComponent()[i];
                double value = tokens.length == 1 ? v[0] : (double) v[0] - v[1];
                Contribution c = labels.get(i);
                contributions.add(new Contribution(c.component(), c.layer(), c.head(), value));
                sum += value;
            }
            double bias = tokens.length == 1 ? lc.normBias()[0] : (double) lc.normBias()[0] - lc.normBias()[1];
            contributions.add(new Contribution("ln_final bias", -1, -1, bias));
            attributed = sum + bias;
        }
        return new PromptLens(p.id(), last, decode.apply(p.tokens()[last]), readings, contributions, modelValue, attributed);
    }

    private static Reading reading(String hook, float[] logits, Options o, IntFunction<String> decode) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double z = 0;
        for (float x : logits) {
            z += Math.exp(x - max);
        }
        float target = logits[o.target()];
        int rank = 1;
        for (float x : logits) {
            rank += x > target ? 1 : 0;
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        List<TopToken> top = new ArrayList<>();
        for (int i = 0; i < Math.min(o.topK(), order.length); i++) {
            int id = order[i];
            top.add(new TopToken(id, decode.apply(id), logits[id], Math.exp(logits[id] - max) / z));
        }
        Double diff = o.versus() < 0 ? null : (double) target - logits[o.versus()];
        return new Reading(hook, target, rank, Math.exp(target - max) / z, diff, top);
    }
}
