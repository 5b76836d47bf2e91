package org.scalelab.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.DType;

/**
 * What plain capture and capture during generation share: choosing the d_model-wide hooks a
 * selection names, and opening (or resuming) the activation set they stream into, refusing a
 * folder that was captured from other prompts.
 */
final class CaptureTarget {
    private CaptureTarget() {}

    /**
     * The d_model-wide hooks of {@code config} that {@code globs} select, in model order: an
     * activation set's rows are d_model wide, so the hooks of another width (norm scales, q/k/v/z,
     * per-head results, MLP activations, attention scores and patterns) are left out, and a selection
     * of nothing else is refused. {@code option} names the CLI option in the error.
     */
    static List<String> hooks(ModelConfig config, List<String> globs, String option) {
        HookSet selection = HookSet.of(globs.toArray(String[]::new));
        List<String> names = new ArrayList<>();
        List<String> otherWidths = new ArrayList<>();
        for (String h : HookNames.all(config)) {
            if (selection.matches(h)) {
                int[] row = HookNames.rowShape(config, h);
                if (row != null && row.length == 1 && row[0] == config.dModel()) {
                    names.add(h);
                } else {
                    otherWidths.add(h);
                }
            }
        }
        if (names.isEmpty()) {
            throw new InputException(option + " " + String.join(",", globs) + " selects no d_model-wide hook of this model"
                    + (otherWidths.isEmpty() ? "" : " (" + otherWidths.get(0) + (otherWidths.size() > 1 ? " and " + (otherWidths.size() - 1) + " more" : "")
                            + " are not d_model wide, and an activation set holds d_model-wide rows only)")
                    + "; e.g. " + HookNames.residPost(config.nLayers() - 1) + ", blocks.*.hook_resid_post, hook_embed");
        }
        return names;
    }

    /**
     * Opens the activation set in {@code out} for {@code model}'s {@code hooks}; when it already holds
     * trajectories they must be a prefix of {@code prompts} (same ids in the same order).
     */
    static ActivationSetWriter open(Transformer model, ModelTokenizer tokenizer, boolean specialTokens, List<String> hooks,
                                    String positions, List<Intervention> interventions, Path out, long shardBytes, List<Prompt> prompts) {
        ModelConfig c = model.config();
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION,
                model.dir().toAbsolutePath().normalize().toString(), c.family().modelType(), model.parameterCount(), c.dModel(),
                c.nLayers(), hooks, DType.F32.name(), model.computeDType().cliName(),
                specialTokens && tokenizer.addsSpecialTokens(), positions, interventions.stream().map(Intervention::toString).toList(), false,
                List.of(), List.of());
        ActivationSetWriter writer = ActivationSetWriter.open(out, header, shardBytes);
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
