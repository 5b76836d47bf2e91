package org.scalelab.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.io.Json;
import org.scalelab.model.Capture;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.model.Transformer;

/**
 * Activations of a world-trained model for the geometry and capability analyses, in the runtime's
 * activation-set format ({@link Capture}): every trajectory (prompt and its step-by-step answer,
 * domain set, step boundaries at the positions where each intermediate entity is produced) and
 * every true/false statement (prompt up to ⟨check⟩, labels "truth" true/false). Labels also carry
 * the example's kind, split, category and evaluation set, so analyses can filter held-out items.
 */
public final class WorldCapture {
    private WorldCapture() {}

    /** The capture prompts of a world: trajectories first, then truth statements, in world order. */
    public static List<Prompt> prompts(World world) {
        List<Prompt> out = new ArrayList<>();
        for (Kind kind : List.of(Kind.TRAJECTORY, Kind.TRUTH)) {
            for (Example e : world.examples()) {
                if (e.kind() != kind) {
                    continue;
                }
                ObjectNode labels = Json.mapper().valueToTree(e.labels());
                labels.put("kind", e.kind().label());
                labels.put("split", e.split().label());
                labels.put("category", e.category());
                labels.put("eval_set", e.evalSet());
                // Trajectories are captured with their answer (the steps are what the geometry is about);
                // truth statements without it (the label is what a probe should find).
                String text = kind == Kind.TRAJECTORY ? e.fullText() : e.text();
                out.add(new Prompt(e.id(), text, e.domain() == null ? null : e.domain().label(), labels, e.stepBoundaries()));
            }
        }
        return out;
    }

    /** Captures {@code hooks} (default every block's resid_post) at all positions of {@link #prompts} from {@code checkpoint} into {@code out}. */
    public static Capture.Summary run(World world, Path checkpoint, Path out, List<String> hooks) {
        return run(prompts(world), checkpoint, out, hooks, Positions.ALL);
    }

    /**
     * Captures {@code hooks} at {@code positions} of any prompts (e.g. the {@link WorldPhasePrompts} sets, at
     * their last position only) from {@code checkpoint} into {@code out}; resumable like every capture.
     */
    public static Capture.Summary run(List<Prompt> prompts, Path checkpoint, Path out, List<String> hooks, Positions positions) {
        return run(prompts, checkpoint, out, hooks, positions, null);
    }

    /**
     * As {@link #run(List, Path, Path, List, Positions)}, cutting each text into steps with {@code steps}
     * instead of the prompts' own boundaries (null: keep them); e.g. {@code regex:<e_\d+>} starts a
     * step at every entity.
     */
    public static Capture.Summary run(List<Prompt> prompts, Path checkpoint, Path out, List<String> hooks, Positions positions,
                                      org.scalelab.model.StepRule steps) {
        try (Transformer model = Transformer.load(checkpoint); ModelTokenizer tokenizer = ModelTokenizer.load(checkpoint)) {
            Capture.Options o = Capture.Options.of(hooks.toArray(String[]::new));
            return Capture.run(model, tokenizer, prompts, out, new Capture.Options(o.hooks(), positions, o.shardBytes(), 64,
                    List.of()).withSteps(steps));
        }
    }
}
