package org.scalelab.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.model.FamilyOptions;
import org.scalelab.model.Gemma2Family;
import org.scalelab.model.GemmaFamily;
import org.scalelab.model.HookNames;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.Transformer;

/**
 * The two conventions of reading the residual stream: the logit lens (each residual with its own
 * final-norm scale) ends at the model's logits; direct logit attribution (the scale frozen from the
 * last residual) sums, with the final norm's bias term, to the logit. Random norm weights and
 * biases (ModelInit's ALL_RANDOM) so that neither the centring nor the scale is trivial.
 */
class LensTest {
    @TempDir Path dir;

    static final List<ModelConfig> MODELS = List.of(
            ModelConfig.llama(64, 32, 3, 4, 2, 64, 32, 10000.0, false), // grouped-query attention, RMSNorm
            ModelConfig.gpt2(64, 32, 3, 4, 32), // LayerNorm with bias, learned positions, b_O
            ModelConfig.gptNeoX(64, 32, 3, 4, 32),
            ModelConfig.of(new GemmaFamily(), 64, 32, 3, 4, 1, 8, 64, 32)); // RMSNorm × (1 + w), multi-query attention
    static final int[] PROMPT = {5, 9, 17, 3, 40, 21, 8};

    Transformer load(ModelConfig c) {
        Path m = dir.resolve(c.family().modelType());
        if (!Files.exists(m)) {
            ModelInit.write(m, c, 11, ModelInit.Scheme.ALL_RANDOM);
        }
        return Transformer.load(m);
    }

    @Test
    void theLogitLensOfTheLastLayerIsTheModelsLogits() {
        for (ModelConfig c : MODELS) {
            try (Transformer m = load(c)) {
                String last = HookNames.residPost(c.nLayers() - 1);
                var r = m.forward(PROMPT, HookSet.of(last));
                float[][] residuals = new float[PROMPT.length][];
                for (int p = 0; p < PROMPT.length; p++) {
                    residuals[p] = r.activation(last).at(0, p);
                }
                float[][] lens = m.unembed(residuals);
                for (int p = 0; p < PROMPT.length; p++) {
                    assertArrayEquals(r.logits().at(0, p), lens[p], 1e-5f, c.family() + " position " + p);
                }
            }
        }
    }

    @Test
    void directLogitAttributionsPlusTheNormBiasSumToTheLogit() {
        for (ModelConfig c : MODELS) {
            try (Transformer m = load(c)) {
                for (int versus : new int[] {-1, 30}) {
                    Lens.Result r = Lens.analyze(new Lens.Input(m, List.of(new Lens.Prompt("p", PROMPT)), Integer::toString, List.of()),
                            new Lens.Options(17, versus, 5, true));
                    Lens.PromptLens p = r.prompts().get(0);
                    // embed (+ pos_embed), per layer: heads + attn bias + mlp, then the norm's bias
                    boolean perHead = p.contributions().stream().anyMatch(k -> k.head() >= 0);
                    int expected = (c.family().learnedPositions() ? 2 : 1) + c.nLayers() * (perHead ? c.nHeads() + 2 : 2) + 1;
                    assertEquals(expected, p.contributions().size(), c.family() + ": components " + p.contributions());
                    double sum = 0;
                    for (Lens.Contribution k : p.contributions()) {
                        sum += k.value();
                    }
                    assertEquals(p.modelValue(), sum, 1e-4, c.family() + " versus " + versus + ": Σ contributions = the logit");
                    assertEquals(p.modelValue(), p.attributedValue(), 1e-4);
                    // the logit lens's last row reads the same logit
                    Lens.Reading lastLayer = p.layers().get(c.nLayers());
                    assertEquals(p.modelValue(), versus < 0 ? lastLayer.targetLogit() : lastLayer.logitDiff(), 1e-5);
                    assertEquals(c.nLayers() + 1, p.layers().size());
                    assertEquals(5, lastLayer.top().size());
                    assertTrue(lastLayer.top().get(0).logit() >= lastLayer.top().get(4).logit());
                    double attnBias = 0;
                    for (Lens.Contribution k : p.contributions()) {
                        attnBias += k.component().endsWith("attn bias") ? Math.abs(k.value()) : 0;
                    }
                    assertTrue(perHead, c.family() + " reports each head's result");
                    if (!List.of("gpt2", "gpt_neox").contains(c.family().modelType())) {
                        assertEquals(0, attnBias, 1e-5, c.family() + "'s attention has no output bias: the heads are the whole attention output");
                    } else {
                        assertTrue(attnBias > 1e-3, c.family() + ": the output bias b_O is a component of its own");
                    }
                }
            }
        }
    }

    @Test
    void gemma2sAttentionIsAttributedPerLayerSinceItsHeadsAreNormalisedTogetherAfterTheSum() {
        // Gemma 2 normalises the summed attention output (ln1_post): one head's hook_result is not on the
        // residual stream's scale, so attribution takes each attention layer whole.
        ModelConfig c = ModelConfig.of(new Gemma2Family(), 256, 32, 3, 4, 2, 8, 64, 64)
                .withOptions(new FamilyOptions(3, 0, true, false, 24, 1.5, 2.0));
        try (Transformer m = load(c)) {
            Lens.Result r = Lens.analyze(new Lens.Input(m, List.of(new Lens.Prompt("p", PROMPT)), Integer::toString, List.of()),
                    new Lens.Options(17, 30, 5, true));
            Lens.PromptLens p = r.prompts().get(0);
            assertTrue(p.contributions().stream().noneMatch(k -> k.head() >= 0), "no per-head component: " + p.contributions());
            assertEquals(1 + 2 * c.nLayers() + 1, p.contributions().size(), "embed, attention and MLP per layer, norm bias: " + p.contributions());
        }
    }

    @Test
    void eachComponentsContributionEqualsAnIndependentNumpyComputation() throws Exception {
        PythonReference.requireModules("numpy");
        for (ModelConfig c : MODELS) {
            try (Transformer m = load(c)) {
                int last = PROMPT.length - 1;
                String[] hooks = {HookNames.EMBED, HookNames.attnOut(0), HookNames.mlpOut(c.nLayers() - 1), HookNames.residPost(0),
                    HookNames.residPost(c.nLayers() - 1)};
                var r = m.forward(PROMPT, HookSet.of(hooks));
                float[][] components = new float[4][];
                for (int i = 0; i < 4; i++) {
                    components[i] = r.activation(hooks[i]).at(0, last);
                }
                float[] residual = r.activation(hooks[4]).at(0, last);
                int[] tokens = {17, 30, 2};
                Transformer.LogitContributions java = m.directLogits(components, residual, tokens);
                Path in = dir.resolve(c.family().modelType() + "-dla.json");
                Files.writeString(in, Json.mapper().writeValueAsString(Map.of("components", components, "residual", residual, "tokens", tokens)));
                JsonNode ref = Json.mapper().readTree(PythonReference.run("scalelab-nn/src/test/python/direct_logit_attribution.py",
                        m.dir().toString(), in.toString()));
                for (int i = 0; i < components.length; i++) {
                    for (int t = 0; t < tokens.length; t++) {
                        assertEquals(ref.get("per_component").get(i).get(t).asDouble(), java.perComponent()[i][t], 1e-4,
                                c.family() + " component " + hooks[i] + " token " + tokens[t]);
                    }
                }
                for (int t = 0; t < tokens.length; t++) {
                    assertEquals(ref.get("bias").get(t).asDouble(), java.normBias()[t], 1e-4, c.family() + " norm bias term");
                }
            }
        }
    }

    @Test
    void theTwoConventionsDifferOnAPartialResidualStream() {
        // The residual leaving layer 0 read with its own scale (lens) is not what its components give with the final scale frozen.
        ModelConfig c = MODELS.get(1);
        try (Transformer m = load(c)) {
            var r = m.forward(PROMPT, HookSet.of(HookNames.residPost(0), HookNames.residPost(c.nLayers() - 1)));
            int last = PROMPT.length - 1;
            float[] partial = r.activation(HookNames.residPost(0)).at(0, last);
            float[] full = r.activation(HookNames.residPost(c.nLayers() - 1)).at(0, last);
            double lens = m.unembed(new float[][] {partial})[0][17];
            Transformer.LogitContributions own = m.directLogits(new float[][] {partial}, partial, new int[] {17});
            Transformer.LogitContributions frozen = m.directLogits(new float[][] {partial}, full, new int[] {17});
            assertEquals(lens, own.perComponent()[0][0] + own.normBias()[0], 1e-4, "a residual frozen with its own scale is its logit lens");
            assertTrue(Math.abs(lens - (frozen.perComponent()[0][0] + frozen.normBias()[0])) > 1e-3, "the last layer's scale reads it differently");
        }
    }
}
