package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.Provenance;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.Json;

/**
 * {@link LayerProfile} on activation sets written by {@link LayeredSets}: each layer's
 * result equals the one-hook analysis of that hook, layers of different sizes meet at the nearest
 * relative depth, CKA equals a numpy implementation reading the shards itself, and bad input says
 * what it cannot compute.
 */
class LayerProfileTest {
    @TempDir
    Path dir;

    /** A set of {@code layers} blocks, d_model {@code d}, as {@link LayeredSets} writes it. */
    Path set(String name, int layers, int d, long params, boolean extra) {
        return LayeredSets.write(dir, name, layers, d, params, extra);
    }

    Path set(String name, int layers, int d, long params, boolean extra, String idPrefix) {
        return LayeredSets.write(dir, name, layers, d, params, extra, idPrefix);
    }

    static GeometryAnalysis.Options options() {
        return GeometryAnalysis.Options.defaults().withNullReplicates(3).withBootstrap(12).withKRange(2, 3).withSeed(7);
    }

    static final ActivationGroups.Options BY_DOMAIN = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.DOMAIN), null);

    static String json(Object o) throws Exception {
        return Json.mapper().writeValueAsString(o);
    }

    @Test
    void everyLayerEqualsTheOneHookAnalysisOfThatHookAndVerdictsEqualOneHookVerdicts() throws Exception {
        sameAsOneHookAnalyses(BY_DOMAIN);
    }

    @Test
    void everyLayerOnStepsEqualsTheOneHookAnalysisOnSteps() throws Exception {
        sameAsOneHookAnalyses(new ActivationGroups.Options(null, BY_DOMAIN.by(), null, StepPooling.Unit.STEP, StepPooling.Pool.MEAN));
    }

    void sameAsOneHookAnalyses(ActivationGroups.Options grouping) throws Exception {
        ActivationSet small = ActivationSet.open(set("small", 3, 6, 1_000, false));
        ActivationSet large = ActivationSet.open(set("large", 3, 9, 5_000, false));
        List<ActivationSet> sets = List.of(small, large);
        List<Provenance.Input> inputs = List.of();
        LayerProfile.Result r = LayerProfile.analyze(new LayerProfile.Input(sets, grouping, "blocks.*.hook_resid_post", inputs, true), options());
        assertEquals(6, r.layers().size());
        for (int l = 0; l < 3; l++) {
            String hook = "blocks." + l + ".hook_resid_post";
            GeometryAnalysis.Result one = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(ActivationGroups.of(sets,
                    new ActivationGroups.Options(hook, grouping.by(), null, grouping.unit(), grouping.pool())), inputs, true), options());
            List<GeometryAnalysis.Group> profiled = new ArrayList<>();
            for (LayerProfile.Layer layer : r.layers()) {
                if (layer.hook().equals(hook)) {
                    assertEquals(l, layer.layer());
                    assertEquals(l / 2.0, layer.relativeDepth(), 0);
                    profiled.addAll(layer.groups());
                }
            }
            assertEquals(json(one.groups()), json(profiled), "groups at " + hook);
            List<PhaseVerdict.Comparison> verdicts = r.comparisons().stream().filter(c -> c.fromHook().equals(hook)).map(LayerProfile.Comparison::verdict).toList();
            assertEquals(2, verdicts.size());
            assertEquals(json(one.comparisons()), json(verdicts), "verdicts at " + hook);
        }
        assertEquals(r.provenance().analysis(), LayerProfile.ANALYSIS);
        assertEquals(grouping.unit().label(), r.provenance().options().get("unit"));
        int points = r.layers().get(0).groups().get(0).nPoints();
        assertEquals(grouping.unit() == StepPooling.Unit.STEP ? 4 * 3 : 6 + 8 + 10 + 12, points, "math's points: 3 steps or every token of 4 prompts");
        assertTrue(r.reasons().isEmpty());
    }

    @Test
    void smallerModelsLayersMeetTheLargersAtTheNearestRelativeDepth() {
        assertEquals(0.0, LayerProfile.relativeDepth(0, 5));
        assertEquals(1.0, LayerProfile.relativeDepth(4, 5));
        assertEquals(1.0, LayerProfile.relativeDepth(0, 1));
        double[] five = {0, 0.25, 0.5, 0.75, 1};
        assertEquals(2, LayerProfile.nearest(0.5, five));
        assertEquals(1, LayerProfile.nearest(1 / 3.0, five));
        assertEquals(1, LayerProfile.nearest(0.375, five), "a tie goes to the shallower layer");
        assertEquals(4, LayerProfile.nearest(1, five));

        ActivationSet small = ActivationSet.open(set("s", 3, 6, 1_000, false));
        ActivationSet large = ActivationSet.open(set("l", 5, 6, 5_000, false));
        LayerProfile.Result r = LayerProfile.analyze(new LayerProfile.Input(List.of(large, small),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null), "blocks.*.hook_resid_post", List.of(), true),
                options().withNullReplicates(0));
        List<int[]> pairs = r.comparisons().stream().map(c -> new int[] {c.fromLayer(), c.toLayer()}).toList();
        assertEquals(List.of("0→0", "1→2", "2→4"), pairs.stream().map(p -> p[0] + "→" + p[1]).toList());
        assertTrue(r.comparisons().stream().allMatch(c -> c.verdict().from().equals("models/s")));
    }

    @Test
    void ckaBetweenLayersAndAcrossSizesEqualsNumpyReadingTheShards() throws Exception {
        PythonReference.requireModules("numpy");
        Path s = set("cs", 3, 6, 1_000, false);
        Path l = set("cl", 4, 9, 5_000, false);
        LayerProfile.Result r = LayerProfile.analyze(new LayerProfile.Input(List.of(ActivationSet.open(s), ActivationSet.open(l)),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null), "blocks.*.hook_resid_post", List.of(), false),
                options().withNullReplicates(0).withBootstrap(0));
        JsonNode ref = Json.mapper().readTree(PythonReference.run("bench/layer_cka_reference.py", s.toString(), l.toString()));
        assertEquals(ref.size(), r.cka().size());
        assertEquals(2 + 3 + 3, r.cka().size(), "2 + 3 consecutive pairs, 3 layers of the smaller matched");
        for (JsonNode e : ref) {
            LayerProfile.Cka c = r.cka().stream().filter(x -> x.kind().equals(e.get("kind").asText()) && x.fromModel().equals(e.get("from_model").asText())
                    && x.fromLayer() == e.get("from_layer").asInt()).findFirst().orElseThrow();
            assertEquals(e.get("to_layer").asInt(), c.toLayer(), "matched layer of " + e);
            assertEquals(e.get("cka").asDouble(), c.value(), 1e-9 * Math.max(1, Math.abs(e.get("cka").asDouble())), "CKA " + e);
            assertTrue(c.value() > 0 && c.value() <= 1 + 1e-12);
        }
    }

    @Test
    void hooksOfAnotherWidthAreLeftOutWithTheirReasonAndAGlobMatchingNothingIsRefused() {
        ActivationSet a = ActivationSet.open(set("w", 2, 6, 1_000, true));
        assertEquals(List.of("blocks.0.attn.hook_z", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post"), ActivationGroups.hooks(a, "blocks.*"));
        assertEquals(List.of("blocks.1.hook_resid_post"), ActivationGroups.hooks(a, "blocks.1.hook_resid_post"));
        LayerProfile.Result r = LayerProfile.analyze(new LayerProfile.Input(List.of(a), BY_DOMAIN, "blocks.*", List.of(), false),
                options().withNullReplicates(0).withBootstrap(0));
        assertEquals(2, r.layers().size());
        assertEquals(1, r.reasons().size());
        assertTrue(r.reasons().get(0).contains("blocks.0.attn.hook_z") && r.reasons().get(0).contains("not d_model (6) wide"), r.reasons().get(0));
        InputException none = assertThrows(InputException.class, () -> ActivationGroups.hooks(a, "blocks.*.hook_mlp_out"));
        assertTrue(none.getMessage().contains("'blocks.*.hook_mlp_out' matches no hook"), none.getMessage());
        InputException narrow = assertThrows(InputException.class, () -> LayerProfile.analyze(
                new LayerProfile.Input(List.of(a), BY_DOMAIN, "blocks.*.attn.hook_z", List.of(), false), options()));
        assertTrue(narrow.getMessage().contains("names no residual-stream-wide block hook") && narrow.getMessage().contains("[2, 4]"), narrow.getMessage());
    }

    @Test
    void ckaAcrossSizesWithoutSharedTokensIsNullWithItsReason() {
        ActivationSet a = ActivationSet.open(set("ta", 2, 6, 1_000, false));
        // The larger model's trajectories carry other ids: no token is known to be the same input.
        ActivationSet b = ActivationSet.open(set("tb", 2, 6, 5_000, false, "other-"));
        LayerProfile.Result r = LayerProfile.analyze(new LayerProfile.Input(List.of(a, b),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null), "blocks.*.hook_resid_post", List.of(), false),
                options().withNullReplicates(0).withBootstrap(0));
        List<LayerProfile.Cka> across = r.cka().stream().filter(c -> c.kind().equals(LayerProfile.ACROSS_SIZES)).toList();
        assertEquals(2, across.size());
        for (LayerProfile.Cka c : across) {
            assertNull(c.value());
            assertEquals(0, c.points());
            assertTrue(c.reason().contains("no trajectory has the same id and token count"), c.reason());
        }
        assertTrue(r.cka().stream().filter(c -> c.kind().equals(LayerProfile.CONSECUTIVE)).allMatch(c -> c.value() != null));
    }
}
