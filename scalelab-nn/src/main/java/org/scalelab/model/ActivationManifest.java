package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.ActivationSetFile;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;

/**
 * {@code manifest.json} of an activation set: what was captured, from which model, and where each
 * trajectory's rows are. Rewritten atomically after every shard; {@code complete} turns true when
 * the capture finished. Serialized with snake_case keys ({@code d_model}, {@code n_layers}, …).
 *
 * @param format         always {@value #FORMAT}
 * @param formatVersion  {@value #VERSION}
 * @param model          checkpoint folder the activations came from
 * @param family         the model's {@code model_type} ({@code gpt2}, {@code llama}, {@code qwen2}, …)
 * @param parameterCount scalars in the checkpoint
 * @param dModel         width of every row
 * @param nLayers        blocks in the model
 * @param hooks          hook names, each a tensor of every shard
 * @param dtype          element type of the hook tensors ({@code F32})
 * @param computeDtype   what the model computed in ({@code float32}, {@code float16}); manifests written before this
 *                       field existed are read as {@code float32}, the only dtype capture had then by default
 * @param specialTokens  whether the prompts' tokens include those the tokenizer's post-processor adds (a BOS); false
 *                       also when it adds none, and for manifests written before this field existed
 * @param positions      which positions of each prompt were kept ({@code all}, {@code last}, {@code 5}, {@code 2:10}), or
 *                       for activations captured while generating {@code all+generated(…decoding settings…)}
 * @param interventions  steering/ablation applied during capture (empty: none)
 * @param complete       whether every prompt has been captured
 * @param shards         the shard files, in order
 * @param trajectories   one per prompt, in prompt order
 */
public record ActivationManifest(String format, int formatVersion, String model, String family, long parameterCount, int dModel,
                                 int nLayers, List<String> hooks, String dtype, String computeDtype, Boolean specialTokens, String positions, List<String> interventions,
                                 boolean complete, List<Shard> shards, List<Trajectory> trajectories) {
    public static final String FILE = "manifest.json";
    public static final String FORMAT = "scalelab-activations";
    public static final int VERSION = 1;

    public ActivationManifest {
        computeDtype = computeDtype == null ? ComputeDType.FLOAT32.cliName() : computeDtype;
        specialTokens = specialTokens != null && specialTokens;
        hooks = List.copyOf(hooks);
        interventions = List.copyOf(interventions);
        shards = List.copyOf(shards);
        trajectories = List.copyOf(trajectories);
    }

    /**
     * One shard: {@code file} holds {@code rows} rows, those of trajectories
     * {@code firstTrajectory} … {@code firstTrajectory + trajectoryCount − 1}.
     */
    public record Shard(String file, int rows, int firstTrajectory, int trajectoryCount) {}

    /**
     * One prompt's rows: rows {@code rowStart} … {@code rowStart + rows − 1} of shard {@code shard},
     * which are token positions {@code firstPosition} … {@code firstPosition + rows − 1} of its
     * {@code tokenCount} tokens.
     *
     * @param index          position in the prompt file (0-based), also the shards' trajectory_index value
     * @param stepBoundaries token positions where reasoning steps start (may be empty)
     */
    public record Trajectory(int index, String id, String domain, JsonNode labels, int tokenCount, int shard, int rowStart, int rows,
                             int firstPosition, List<Integer> stepBoundaries) {}

    /** The same capture settings: a resumed capture must not mix two different captures in one set. */
    boolean sameCaptureAs(ActivationManifest o) {
        return model.equals(o.model) && family.equals(o.family) && parameterCount == o.parameterCount && dModel == o.dModel
                && hooks.equals(o.hooks) && dtype.equals(o.dtype) && computeDtype.equals(o.computeDtype) && specialTokens.equals(o.specialTokens) && positions.equals(o.positions) && interventions.equals(o.interventions);
    }

    /** Reads and checks {@code dir/manifest.json} with the format's one checker ({@link ActivationSetFile#readManifest}). */
    static ActivationManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode tree = ActivationSetFile.readManifest(dir);
        try {
            return Json.mapper().treeToValue(tree, ActivationManifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new InputException(file + ": not a valid activation-set manifest: "
                    + InputException.quote(e instanceof IOException io ? Json.problem(io)
                            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("")));
        }
    }

    void write(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            AtomicFiles.writeString(file, Json.pretty(this) + "\n");
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
