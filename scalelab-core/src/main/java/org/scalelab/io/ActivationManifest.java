package org.scalelab.io;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.IncompleteInputException;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;

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
 * @param dModel         the model's width, and the width of every row of a hook without an entry in {@code hookShapes}
 * @param nLayers        blocks in the model
 * @param hooks          hook names, each a tensor of every shard
 * @param dtype          element type of the hook tensors ({@code F32})
 * @param computeDtype   what the model computed in ({@code float32}, {@code float16}); absent reads as {@code float32},
 *                       capture's default
 * @param specialTokens  whether the prompts' tokens include those the tokenizer's post-processor adds (a BOS); false
 *                       also when it adds none, and when absent
 * @param positions      which positions of each prompt were kept ({@code all}, {@code last}, {@code 5}, {@code 2:10}), or
 *                       for activations captured while generating {@code all+generated(…decoding settings…)}
 * @param interventions  steering/ablation applied during capture (empty: none)
 * @param complete       whether every prompt has been captured
 * @param shards         the shard files, in order
 * @param trajectories   one per prompt, in prompt order
 * @param hookShapes     the shape of one row of each hook that is not d_model wide, e.g. {@code [4, 16]} for
 *                       [head, d_head] or {@code [4, 32]} for an attention pattern's [head, key]; the hook's shard
 *                       tensors are then [rows, …shape]. Absent (sets written before it, or only d_model-wide hooks): every
 *                       hook's rows are [d_model]
 * @param stepRule       the rule that cut the texts into steps ({@code newline}, {@code sentence}, {@code marker:TEXT},
 *                       {@code regex:PATTERN}; see the nn {@code StepRule}), or null (absent) when the step boundaries
 *                       came only from the prompts file and, for a generation, from where generation starts
 */
public record ActivationManifest(String format, int formatVersion, String model, String family, long parameterCount, int dModel,
                                 int nLayers, List<String> hooks, String dtype, String computeDtype, Boolean specialTokens, String positions, List<String> interventions,
                                 boolean complete, List<Shard> shards, List<Trajectory> trajectories,
                                 @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, List<Integer>> hookShapes,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) String stepRule) {
    public static final String FILE = "manifest.json";
    public static final String FORMAT = "scalelab-activations";
    public static final int VERSION = 1;

    public ActivationManifest {
        computeDtype = computeDtype == null ? "float32" : computeDtype;
        specialTokens = specialTokens != null && specialTokens;
        hooks = List.copyOf(hooks);
        interventions = List.copyOf(interventions);
        shards = List.copyOf(shards);
        trajectories = List.copyOf(trajectories);
        Map<String, List<Integer>> shapes = new LinkedHashMap<>();
        if (hookShapes != null) {
            hookShapes.forEach((h, s) -> shapes.put(h, List.copyOf(s)));
        }
        hookShapes = java.util.Collections.unmodifiableMap(shapes);
    }

    /** A manifest whose step boundaries came from no rule ({@code stepRule} null). */
    public ActivationManifest(String format, int formatVersion, String model, String family, long parameterCount, int dModel,
                              int nLayers, List<String> hooks, String dtype, String computeDtype, Boolean specialTokens, String positions,
                              List<String> interventions, boolean complete, List<Shard> shards, List<Trajectory> trajectories,
                              Map<String, List<Integer>> hookShapes) {
        this(format, formatVersion, model, family, parameterCount, dModel, nLayers, hooks, dtype, computeDtype, specialTokens, positions,
                interventions, complete, shards, trajectories, hookShapes, null);
    }

    /** The same manifest with {@code complete}, {@code shards} and {@code trajectories} replaced. */
    public ActivationManifest with(boolean complete, List<Shard> shards, List<Trajectory> trajectories) {
        return new ActivationManifest(format, formatVersion, model, family, parameterCount, dModel, nLayers, hooks, dtype, computeDtype, specialTokens,
                positions, interventions, complete, shards, trajectories, hookShapes, stepRule);
    }

    /** The same manifest recording {@code rule} (a step rule's spec, or null) as its {@code step_rule}. */
    public ActivationManifest withStepRule(String rule) {
        return new ActivationManifest(format, formatVersion, model, family, parameterCount, dModel, nLayers, hooks, dtype, computeDtype, specialTokens,
                positions, interventions, complete, shards, trajectories, hookShapes, rule);
    }

    /** The shape of one row of {@code hook}: its {@code hookShapes} entry, else [d_model]. */
    public int[] rowShape(String hook) {
        List<Integer> s = hookShapes.get(hook);
        return s == null ? new int[] {dModel} : s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The number of floats in one row of {@code hook}: the product of {@link #rowShape}. */
    public int width(String hook) {
        int w = 1;
        for (int x : rowShape(hook)) {
            w = Math.multiplyExact(w, x);
        }
        return w;
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
                             int firstPosition, List<Integer> stepBoundaries) {
        /** The value of label {@code key} as text ({@code labels.key}), or null when absent. */
        public String label(String key) {
            if (labels == null || !labels.isObject() || !labels.has(key) || labels.get(key).isNull()) {
                return null;
            }
            return labels.get(key).asText();
        }
    }

    /** The same capture settings: a resumed capture must not mix two different captures in one set. */
    boolean sameCaptureAs(ActivationManifest o) {
        return model.equals(o.model) && family.equals(o.family) && parameterCount == o.parameterCount && dModel == o.dModel
                && hooks.equals(o.hooks) && hookShapes.equals(o.hookShapes) && dtype.equals(o.dtype) && computeDtype.equals(o.computeDtype) && specialTokens.equals(o.specialTokens) && positions.equals(o.positions) && interventions.equals(o.interventions)
                && java.util.Objects.equals(stepRule, o.stepRule);
    }

    /**
     * Reads {@code dir/manifest.json}, checks it field by field ({@link #readTree}) and maps it onto
     * this record.
     */
    public static ActivationManifest read(Path dir) {
        return of(dir, readTree(dir));
    }

    /** Maps a tree {@link #readTree} has checked onto this record. */
    static ActivationManifest of(Path dir, JsonNode tree) {
        Path file = dir.resolve(FILE);
        try {
            return Json.mapper().treeToValue(tree, ActivationManifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new InputException(file + ": not a valid activation-set manifest: "
                    + InputException.quote(e instanceof IOException io ? Json.problem(io)
                            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("")));
        }
    }

    /** Writes {@code dir/manifest.json} atomically (write to a hidden sibling, then rename). */
    void write(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            AtomicFiles.writeString(file, Json.pretty(this) + "\n");
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * The manifest of the set in {@code dir} as JSON, checked field by field: the format and version,
     * {@code d_model}, the hooks, each shard's file and rows, and each trajectory's shard, rows, token
     * count and step boundaries.
     */
    public static JsonNode readTree(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode m;
        try {
            m = Json.mapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": not found (is " + dir + " an activation set written by scalelab capture?)");
        } catch (MalformedInputException e) {
            throw new InputException(file + ": not UTF-8 text; the manifest is damaged");
        } catch (IOException e) {
            throw new InputException(file + ": not valid JSON: " + InputException.quote(Json.problem(e)));
        }
        if (m == null || !m.isObject() || !FORMAT.equals(m.path("format").asText()) || m.path("format_version").asInt() != 1) {
            throw new InputException(file + ": format " + (m == null ? "?" : InputException.quote(m.path("format").asText())) + " v"
                    + (m == null ? "?" : InputException.quote(m.path("format_version").asText())) + " is not " + FORMAT + " v1");
        }
        int d = wholeNumber(m, "d_model", file, "");
        if (d <= 0) {
            throw new InputException(file + ": field \"d_model\" is " + d + "; expected a positive width");
        }
        for (JsonNode h : array(m, "hooks", file, "")) {
            if (!h.isTextual()) {
                throw new InputException(file + ": field \"hooks\" holds " + InputException.quote(h) + "; expected hook names");
            }
        }
        JsonNode shapes = m.get("hook_shapes");
        if (shapes != null && !shapes.isNull()) {
            if (!shapes.isObject()) {
                throw new InputException(file + ": field \"hook_shapes\" is " + InputException.quote(shapes) + "; expected an object of hook → row shape");
            }
            List<String> hookNames = new ArrayList<>();
            m.get("hooks").forEach(h -> hookNames.add(h.asText()));
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) shapes::fields) {
                if (!hookNames.contains(e.getKey())) {
                    throw new InputException(file + ": field \"hook_shapes\" names '" + InputException.quote(e.getKey()) + "', which is not in \"hooks\"");
                }
                boolean ok = e.getValue().isArray() && !e.getValue().isEmpty();
                for (JsonNode x : e.getValue()) {
                    ok &= x.isIntegralNumber() && x.canConvertToInt() && x.asInt() > 0;
                }
                if (!ok) {
                    throw new InputException(file + ": field \"hook_shapes\": '" + InputException.quote(e.getKey()) + "' is "
                            + InputException.quote(e.getValue()) + "; expected a row shape of positive whole numbers, e.g. [4, 16]");
                }
            }
        }
        List<Integer> shardRows = new ArrayList<>();
        int si = 0;
        for (JsonNode s : array(m, "shards", file, "")) {
            String where = "shard " + si++ + ": ";
            if (!s.isObject() || !s.path("file").isTextual()) {
                throw new InputException(file + ": " + where + "expected an object with \"file\" and \"rows\"");
            }
            String name = s.get("file").asText();
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new InputException(file + ": " + where + "field \"file\" is '" + InputException.quote(name)
                        + "'; expected a file name inside the set's folder");
            }
            int rows = wholeNumber(s, "rows", file, where);
            if (rows < 0) {
                throw new InputException(file + ": " + where + "field \"rows\" is " + rows + "; expected ≥ 0");
            }
            shardRows.add(rows);
        }
        int ti = 0;
        for (JsonNode t : array(m, "trajectories", file, "")) {
            String where = "trajectory " + ti++;
            if (!t.isObject() || t.get("id") == null || !(t.get("id").isTextual() || t.get("id").isIntegralNumber())) {
                throw new InputException(file + ": " + where + ": expected an object with an \"id\"");
            }
            where += " (\"" + InputException.quote(t.get("id").asText()) + "\"): ";
            int shard = wholeNumber(t, "shard", file, where);
            int rowStart = wholeNumber(t, "row_start", file, where);
            int rows = wholeNumber(t, "rows", file, where);
            if (shard < 0 || shard >= shardRows.size() || rowStart < 0 || rows < 0
                    || (long) rowStart + rows > shardRows.get(shard)) {
                throw new InputException(file + ": " + where + "points at rows " + rowStart + "…" + ((long) rowStart + rows - 1)
                        + " of shard " + shard + ", which does not hold them");
            }
            JsonNode labels = t.get("labels");
            if (labels != null && !labels.isNull() && !labels.isObject()) {
                throw new InputException(file + ": " + where + "field \"labels\" is " + InputException.quote(labels) + "; expected an object");
            }
            JsonNode domain = t.get("domain");
            if (domain != null && !domain.isNull() && !domain.isTextual()) {
                throw new InputException(file + ": " + where + "field \"domain\" is " + InputException.quote(domain) + "; expected a string");
            }
            int tokens = t.has("token_count") ? wholeNumber(t, "token_count", file, where) : Integer.MAX_VALUE;
            if (tokens < 0) {
                throw new InputException(file + ": " + where + "field \"token_count\" is " + tokens + "; expected ≥ 0");
            }
            if (t.has("first_position")) {
                int first = wholeNumber(t, "first_position", file, where);
                if (first < 0) {
                    throw new InputException(file + ": " + where + "field \"first_position\" is " + first + "; expected ≥ 0");
                }
            }
            JsonNode steps = t.get("step_boundaries");
            if (steps != null && !steps.isNull()) {
                if (!steps.isArray()) {
                    throw new InputException(file + ": " + where + "field \"step_boundaries\" is " + InputException.quote(steps)
                            + "; expected an array of token positions");
                }
                for (JsonNode s : steps) {
                    if (!s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 0 || s.asInt() >= tokens) {
                        throw new InputException(file + ": " + where + "field \"step_boundaries\" holds " + InputException.quote(s)
                                + "; expected token positions from 0 to " + (tokens == Integer.MAX_VALUE ? "2^31 - 2" : tokens - 1 + " (token_count " + tokens + ")"));
                    }
                }
            }
        }
        JsonNode rule = m.get("step_rule");
        if (rule != null && !rule.isNull() && !rule.isTextual()) {
            throw new InputException(file + ": field \"step_rule\" is " + InputException.quote(rule) + "; expected a step rule such as \"newline\"");
        }
        JsonNode complete = m.get("complete");
        if (complete != null && !complete.isBoolean()) {
            throw new InputException(file + ": field \"complete\" is " + InputException.quote(complete) + "; expected true or false");
        }
        return m;
    }

    /**
     * Refuses a set whose manifest does not say {@code "complete": true}, with one line saying how to
     * finish it (resume the capture) or to pass {@code --allow-incomplete}.
     */
    static void requireComplete(Path dir, JsonNode manifest) {
        if (!manifest.path("complete").asBoolean(false)) {
            throw new IncompleteInputException(dir, "the capture is incomplete (manifest.json has \"complete\": "
                    + (manifest.has("complete") ? manifest.get("complete") : "missing") + ", " + manifest.path("trajectories").size()
                    + " trajectories written)", "re-run the same capture command to resume it");
        }
    }

    private static JsonNode array(JsonNode parent, String field, Path file, String where) {
        JsonNode a = parent.get(field);
        if (a == null || !a.isArray()) {
            throw new InputException(file + ": " + where + "field \"" + field + "\" is " + (a == null ? "missing" : InputException.quote(a))
                    + "; expected an array");
        }
        return a;
    }

    private static int wholeNumber(JsonNode parent, String field, Path file, String where) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InputException(file + ": " + where + "field \"" + field + "\" is " + (v == null ? "missing" : InputException.quote(v))
                    + "; expected a whole number");
        }
        return v.asInt();
    }
}
