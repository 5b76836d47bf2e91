package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.TrajectoryFilter;
import org.scalelab.model.Capture;
import org.scalelab.model.ModelInit;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.phase.LabelledPoints;

/**
 * The phase prompt sets captured from an untrained world model at their last position: one row per prompt,
 * labels carried, and both capabilities' classes readable as {@link LabelledPoints}.
 */
class WorldPhaseCaptureTest {
    @TempDir Path dir;

    @Test
    void lastPositionCaptureKeepsOneRowPerPromptWithItsLabels() {
        World world = WorldGenerator.generate(new WorldConfig(16, 4, Domain.all(), 40, 0.1, 0.1, 0.25, 10, 0.25, 10, 3, 0.25, 4, 0));
        Path model = dir.resolve("model");
        ModelInit.write(model, WorldTraining.modelConfig(world, new RunSpec(16, 2, 2, 1e-3, 0, 8, 10, 1)), 1);
        WorldTraining.writeTokenizer(world, model);
        WorldPhasePrompts.Sets s = WorldPhasePrompts.write(world, dir.resolve("phase"), WorldPhasePrompts.Options.defaults());
        List<Prompt> prompts = new ArrayList<>(Prompt.readJsonl(s.truthFile()));
        prompts.addAll(Prompt.readJsonl(s.reasoningFile()));

        Path out = dir.resolve("acts");
        Capture.Summary summary = WorldCapture.run(prompts, model, out, List.of("blocks.*.hook_resid_post", "blocks.*.attn.hook_result"),
                Positions.LAST);
        assertEquals(prompts.size(), summary.trajectories());
        assertEquals(prompts.size(), summary.rows(), "one row per prompt at its last position");
        try (ActivationSet set = ActivationSet.open(out)) {
            ActivationManifest m = set.manifest();
            assertEquals(java.util.Set.of("blocks.0.hook_resid_post", "blocks.0.attn.hook_result", "blocks.1.hook_resid_post",
                    "blocks.1.attn.hook_result"), new java.util.HashSet<>(m.hooks()));
            assertEquals(List.of(2, 16), java.util.Arrays.stream(m.rowShape("blocks.0.attn.hook_result")).boxed().toList(), "[heads, d_model]");
            int truth = 0;
            int reasoning = 0;
            for (ActivationManifest.Trajectory t : m.trajectories()) {
                assertEquals(1, t.rows());
                assertEquals(t.tokenCount() - 1, t.firstPosition(), t.id() + ": the kept row is the judgement position");
                String capability = t.labels().path("capability").asText();
                truth += capability.equals("truth") && t.labels().path("truth").isTextual() ? 1 : 0;
                reasoning += capability.equals("reasoning") && t.labels().path("valid").isTextual() ? 1 : 0;
                assertTrue(t.labels().path("pair").isTextual() && t.labels().path("split").isTextual(), t.labels().toString());
            }
            assertEquals(s.truth().size(), truth);
            assertEquals(s.reasoning().size(), reasoning);

            // what the phase analyses read: both capabilities' classes, with their pairs, at a residual hook and per head
            LabelledPoints t = LabelledPoints.read(set, "blocks.1.hook_resid_post", "labels.truth=true", "labels.truth=false", LabelledPoints.Pool.LAST);
            assertEquals(s.truth().size(), t.size());
            assertEquals(s.truth().size() / 2, t.positives());
            assertEquals(16, t.dimension());
            assertTrue(t.pairs().stream().allMatch(p -> p != null && p.startsWith("truth-")), t.pairs().toString());
            LabelledPoints r = LabelledPoints.read(set, "blocks.0.attn.hook_result",
                    TrajectoryFilter.parse("labels.valid=true").and(TrajectoryFilter.parse("labels.split=train")),
                    TrajectoryFilter.parse("labels.valid=false").and(TrajectoryFilter.parse("labels.split=train")), LabelledPoints.Pool.LAST);
            long trainChains = s.reasoning().stream().filter(p -> p.labels().get("split").asText().equals("train")).count();
            assertEquals(trainChains, r.size());
            assertEquals(2 * 16, r.dimension(), "a head-result row is heads × d_model");
        }
    }
}
