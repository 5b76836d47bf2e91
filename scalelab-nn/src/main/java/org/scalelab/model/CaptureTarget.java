package org.scalelab.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.DType;

/**
 * What plain capture and capture during generation share: choosing the hooks a
 * selection names, and opening (or resuming) the activation set they stream into, refusing a
 * folder that was captured from other prompts.
 */
final class CaptureTarget {
    private CaptureTarget() {}

    /**
     * The hooks of {@code config} that {@code globs} select, in model order. The attention scores and
     * patterns, whose rows are [head, key] with a key axis that grows with the sequence, are kept
     * only when {@code withKeys} (a capture of prompts whose longest length is known beforehand);
     * otherwise they are left out, and a selection of nothing else is refused. {@code option} names
     * the CLI option in the error.
     */
    static List<String> hooks(ModelConfig config, List<String> globs, String option, boolean withKeys) {
        HookSet selection = HookSet.of(globs.toArray(String[]::new));
        List<String> names = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (String h : HookNames.all(config)) {
            if (selection.matches(h)) {
                (withKeys || HookNames.rowShape(config, h) != null ? names : left).add(h);
            }
        }
        if (names.isEmpty()) {
            throw new InputException(option + " " + String.join(",", globs) + " selects no hook of this model that can be captured here"
                    + (left.isEmpty() ? "" : " (" + left.get(0) + (left.size() > 1 ? " and " + (left.size() - 1) + " more" : "")
                            + " are [head, query, key]: their key axis grows while generating)")
                    + "; e.g. " + HookNames.residPost(config.nLayers() - 1) + ", blocks.*.hook_resid_post, hook_embed");
        }
        return names;
    }

    /**
     * The manifest's hook_shapes for {@code hooks}: each hook that is not d_model wide → its row
     * shape; the scores and patterns → [heads, keys], keys being the longest prompt's length (a
     * shorter prompt's rows are padded: pattern 0, scores −∞, as the causal mask has them).
     */
    static Map<String, List<Integer>> shapes(ModelConfig config, List<String> hooks, int keys) {
        Map<String, List<Integer>> shapes = new LinkedHashMap<>();
        for (String h : hooks) {
            int[] row = HookNames.rowShape(config, h);
            if (row == null) {
                shapes.put(h, List.of(config.nHeads(), keys));
            } else if (row.length != 1 || row[0] != config.dModel()) {
                shapes.put(h, java.util.Arrays.stream(row).boxed().toList());
            }
        }
        return shapes;
    }

    /** The manifest of a capture with these settings, before any trajectory is written. */
    static ActivationManifest header(Transformer model, ModelTokenizer tokenizer, boolean specialTokens, List<String> hooks,
                                     Map<String, List<Integer>> shapes, String positions, List<Intervention> interventions, StepRule steps) {
        ModelConfig c = model.config();
        return new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION,
                model.dir().toAbsolutePath().normalize().toString(), c.family().modelType(), model.parameterCount(), c.dModel(),
                c.nLayers(), hooks, DType.F32.name(), model.computeDType().cliName(),
                specialTokens && tokenizer.addsSpecialTokens(), positions, interventions.stream().map(Intervention::toString).toList(), false,
                List.of(), List.of(), shapes, steps == null ? null : steps.spec());
    }

    /**
     * Opens the activation set in {@code out} for {@code model}'s {@code hooks}, recording the step rule
     * (null: none); when it already holds
     * trajectories they must be a prefix of {@code prompts} (same ids in the same order).
     */
    static ActivationSetWriter open(Transformer model, ModelTokenizer tokenizer, boolean specialTokens, List<String> hooks,
                                    Map<String, List<Integer>> shapes, String positions, List<Intervention> interventions, StepRule steps,
                                    Path out, long shardBytes, List<Prompt> prompts) {
        ActivationSetWriter writer = ActivationSetWriter.open(out, header(model, tokenizer, specialTokens, hooks, shapes, positions, interventions, steps),
                shardBytes);
        List<ActivationManifest.Trajectory> done = writer.trajectories();
        if (done.size() > prompts.size()) {
            throw new InputException(out + ": holds " + done.size() + " trajectories, more than the " + prompts.size()
                    + " prompts given; it was captured from another prompts file");
        }
        for (ActivationManifest.Trajectory t : done) {
            if (!t.id().equals(prompts.get(t.index()).id())) {
                throw new InputException(out + ": trajectory " + t.index() + " has id \"" + t.id() + "\" but prompt " + t.index()
                        + " is \"" + prompts.get(t.index()).id() + "\"; resume with the same prompts file, or use a new output folder");
            }
        }
        return writer;
    }
}
