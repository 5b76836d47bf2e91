package org.scalelab.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;

/**
 * Runs prompts through a model and streams the selected activations into an activation set
 * ({@link ActivationSetWriter}): tokenize, forward in batches, keep each prompt's selected
 * positions, append. Memory is bounded by one batch plus one shard.
 *
 * <p>Prompts of different lengths share a batch by right-padding: under the causal mask a token
 * never attends to later positions, so the padding changes no real token's activations (only
 * float rounding may differ from an unbatched pass). Batches are fixed runs of prompts in file
 * order, and a batch holding any prompt still to do is run whole, so a resumed capture computes
 * exactly what an uninterrupted one would.
 */
public final class Capture {
    private Capture() {}

    /**
     * @param hooks      hook names or globs: any hook; attention scores and patterns are stored as [head, key] rows
     *                   with as many keys as the longest prompt has tokens
     * @param positions  positions of each prompt to keep
     * @param shardBytes shard size in bytes
     * @param batch      prompts per forward pass
     * @param specialTokens prompts encoded with the tokenizer's special tokens (a BOS), as transformers' {@code tokenizer(text)}
     * @param steps      the rule that cuts each text into steps, or null: the prompts' own step_boundaries. A text in which
     *                   the rule finds no step keeps its own
     */
    public record Options(List<String> hooks, Positions positions, long shardBytes, int batch, List<Intervention> interventions,
                          boolean specialTokens, StepRule steps) {
        public static final long DEFAULT_SHARD_BYTES = 64L << 20;

        public Options {
            hooks = List.copyOf(hooks);
            interventions = List.copyOf(interventions);
            if (batch < 1) {
                throw new InputException("batch size " + batch + " must be at least 1");
            }
        }

        /** The prompts' own step boundaries. */
        public Options(List<String> hooks, Positions positions, long shardBytes, int batch, List<Intervention> interventions,
                       boolean specialTokens) {
            this(hooks, positions, shardBytes, batch, interventions, specialTokens, null);
        }

        /** With special tokens, as transformers encodes by default. */
        public Options(List<String> hooks, Positions positions, long shardBytes, int batch, List<Intervention> interventions) {
            this(hooks, positions, shardBytes, batch, interventions, true);
        }

        public static Options of(String... hooks) {
            return new Options(List.of(hooks), Positions.ALL, DEFAULT_SHARD_BYTES, 8, List.of());
        }

        public Options withSpecialTokens(boolean on) {
            return new Options(hooks, positions, shardBytes, batch, interventions, on, steps);
        }

        /** Cut each text into steps with {@code rule} (null: keep the prompts' own step boundaries). */
        public Options withSteps(StepRule rule) {
            return new Options(hooks, positions, shardBytes, batch, interventions, specialTokens, rule);
        }
    }

    /**
     * What a capture did: how many prompts it captured now, how many an earlier run had, and of the texts
     * captured now, in how many the step rule (if any) found no step ({@code unsegmented}).
     */
    public record Summary(Path out, int trajectories, int resumed, long rows, int shards, List<String> hooks, int unsegmented) {
        public Summary(Path out, int trajectories, int resumed, long rows, int shards, List<String> hooks) {
            this(out, trajectories, resumed, rows, shards, hooks, 0);
        }

        /**
         * One line saying in how many texts {@code rule} found no step and what their trajectories kept,
         * or empty when it found steps in every text (or there is no rule).
         */
        public java.util.Optional<String> unsegmentedWarning(StepRule rule, String kept) {
            if (rule == null || unsegmented == 0) {
                return java.util.Optional.empty();
            }
            int now = trajectories - resumed;
            return java.util.Optional.of("warning: " + StepRule.OPTION + " " + rule.spec() + " found no step in " + unsegmented + " of the " + now
                    + " texts captured now (" + out + "); their trajectories keep " + kept);
        }
    }

    public static Summary run(Transformer model, ModelTokenizer tokenizer, List<Prompt> prompts, Path out, Options options) {
        ModelConfig c = model.config();
        List<String> names = hooks(c, options);
        int keys = keys(c, names, tokenizer, prompts, options);
        Map<String, List<Integer>> shapes = CaptureTarget.shapes(c, names, keys);
        ActivationSetWriter writer = CaptureTarget.open(model, tokenizer, options.specialTokens(), names, shapes, options.positions().toString(),
                options.interventions(), options.steps(), out, options.shardBytes(), prompts);
        List<ActivationManifest.Trajectory> done = writer.trajectories();
        HookSet hooks = HookSet.of(names.toArray(String[]::new)).with(options.interventions().toArray(Intervention[]::new));
        long rows = 0;
        int[] unsegmented = {0};
        try (Progress.Task task = Progress.start("capture", prompts.size())) {
            for (int i = 0; i < done.size(); i++) {
                task.step();
            }
            for (int from = 0; from < prompts.size(); from += options.batch()) {
                int to = Math.min(prompts.size(), from + options.batch());
                if (to <= done.size()) {
                    continue;
                }
                rows += runBatch(model, tokenizer, prompts.subList(from, to), from, done.size(), names, keys, hooks, options, writer, task, unsegmented);
            }
        }
        ActivationManifest m = writer.finish();
        return new Summary(out, m.trajectories().size(), done.size(), rows, m.shards().size(), names, unsegmented[0]);
    }

    /** The hooks of {@code config} that {@code options} select, in model order (refused with a message naming --hooks when none). */
    public static List<String> hooks(ModelConfig config, Options options) {
        return CaptureTarget.hooks(config, options.hooks(), "--hooks", true);
    }

    /**
     * The key count of the [head, key] rows of the attention scores and patterns among {@code hooks}: the
     * token count of the longest of {@code prompts} (all of them, not a part's); 0 when no such hook is captured.
     */
    public static int keys(ModelConfig config, List<String> hooks, ModelTokenizer tokenizer, List<Prompt> prompts, Options options) {
        int keys = 0;
        if (hooks.stream().anyMatch(h -> HookNames.rowShape(config, h) == null)) {
            for (Prompt p : prompts) {
                keys = Math.max(keys, tokenizer.encode(p.text(), options.specialTokens()).length);
            }
        }
        return keys;
    }

    /**
     * Captures one part of a capture split across workers: {@code part} are the prompts whose indices in
     * the whole prompts file start at {@code firstIndex}, written into a new folder {@code dir} as an
     * {@link ActivationSetWriter#part} that {@link ActivationSetWriter#merge} joins to the other parts.
     * {@code keys} is {@link #keys} of the whole file, so every part's [head, key] rows have the same width.
     * Batches are runs of {@code options.batch()} prompts from the part's start: a part that starts at a
     * multiple of the batch size runs the batches a whole capture runs, and so computes the same rows.
     */
    public static Summary runPart(Transformer model, ModelTokenizer tokenizer, List<Prompt> part, int firstIndex, int keys, Path dir, Options options) {
        ModelConfig c = model.config();
        List<String> names = hooks(c, options);
        Map<String, List<Integer>> shapes = CaptureTarget.shapes(c, names, keys);
        ActivationSetWriter writer = ActivationSetWriter.part(dir, CaptureTarget.header(model, tokenizer, options.specialTokens(), names, shapes,
                options.positions().toString(), options.interventions(), options.steps()), options.shardBytes(), firstIndex);
        HookSet hooks = HookSet.of(names.toArray(String[]::new)).with(options.interventions().toArray(Intervention[]::new));
        long rows = 0;
        int[] unsegmented = {0};
        try (Progress.Task task = Progress.start("capture", part.size())) {
            for (int from = 0; from < part.size(); from += options.batch()) {
                int to = Math.min(part.size(), from + options.batch());
                rows += runBatch(model, tokenizer, part.subList(from, to), from, 0, names, keys, hooks, options, writer, task, unsegmented);
            }
        }
        ActivationManifest m = writer.finish();
        return new Summary(dir, m.trajectories().size(), 0, rows, m.shards().size(), names, unsegmented[0]);
    }

    private static long runBatch(Transformer model, ModelTokenizer tokenizer, List<Prompt> batch, int firstIndex, int alreadyDone,
                                 List<String> names, int keys, HookSet hooks, Options options, ActivationSetWriter writer, Progress.Task task,
                                 int[] unsegmented) {
        Positions positions = options.positions();
        ModelConfig c = model.config();
        int[][] tokens = new int[batch.size()][];
        List<List<Integer>> boundaries = new ArrayList<>();
        int longest = 0;
        for (int b = 0; b < batch.size(); b++) {
            Prompt p = batch.get(b);
            List<Integer> steps = p.stepBoundaries();
            if (options.steps() == null) {
                tokens[b] = tokenizer.encode(p.text(), options.specialTokens());
            } else {
                TokenSpans spans = tokenizer.spans(p.text(), options.specialTokens());
                tokens[b] = spans.ids();
                List<Integer> found = options.steps().boundaries(spans);
                if (!found.isEmpty()) {
                    steps = found;
                } else if (firstIndex + b >= alreadyDone) {
                    unsegmented[0]++;
                }
            }
            boundaries.add(steps);
            if (tokens[b].length == 0) {
                throw new InputException(p.where() + ": its text encodes to no tokens");
            }
            if (c.family().learnedPositions() && tokens[b].length > c.maxPositions()) {
                throw new InputException(p.where() + ": " + tokens[b].length + " tokens exceed the model's "
                        + c.maxPositions() + " positions");
            }
            for (int s : steps) {
                if (s >= tokens[b].length) {
                    throw new InputException(p.where() + ": field \"step_boundaries\": " + s + " is beyond its " + tokens[b].length + " tokens");
                }
            }
            longest = Math.max(longest, tokens[b].length);
        }
        int[][] padded = new int[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            padded[b] = Arrays.copyOf(tokens[b], longest); // right padding with token 0, invisible to earlier positions
        }
        ForwardResult r = model.forward(padded, hooks, null, LogitsWanted.NONE); // activations only: no unembedding
        long rows = 0;
        for (int b = 0; b < batch.size(); b++) {
            if (firstIndex + b < alreadyDone) {
                continue;
            }
            Prompt p = batch.get(b);
            int[] range;
            try {
                range = positions.resolve(tokens[b].length);
            } catch (InputException e) {
                throw new InputException(p.where() + ": " + e.getMessage());
            }
            int n = range[1] - range[0];
            int[] pos = new int[n];
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                pos[i] = range[0] + i;
                ids[i] = tokens[b][range[0] + i];
            }
            List<float[]> perHook = new ArrayList<>();
            for (String h : names) {
                Activation a = r.activation(h);
                int[] row = HookNames.rowShape(c, h);
                if (row == null) {
                    perHook.add(queryRows(a, b, range[0], n, keys, h));
                    continue;
                }
                int w = Arrays.stream(row).reduce(1, Math::multiplyExact);
                int start = (b * longest + range[0]) * w; // [batch, longest, …row]
                perHook.add(Arrays.copyOfRange(a.data(), start, start + n * w));
            }
            writer.add(p.id(), p.domain(), p.labels(), boundaries.get(b), tokens[b].length, pos, ids, perHook);
            rows += n;
            task.step();
        }
        return rows;
    }

    /**
     * Rows {@code first} … {@code first + n − 1} of sequence {@code b} of a [batch, heads, query, key]
     * activation, each [heads, keys]: the batch's keys, then padding up to {@code keys} (0 for a
     * pattern, −∞ for scores: what the causal mask gives a key the query cannot see).
     */
    private static float[] queryRows(Activation a, int b, int first, int n, int keys, String hook) {
        int heads = (int) a.shape()[1];
        int longest = (int) a.shape()[3];
        float pad = hook.endsWith(".hook_attn_scores") ? Float.NEGATIVE_INFINITY : 0f;
        float[] out = new float[n * heads * keys];
        Arrays.fill(out, pad);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < heads; h++) {
                System.arraycopy(a.data(), ((b * heads + h) * longest + first + i) * longest, out, (i * heads + h) * keys, longest);
            }
        }
        return out;
    }
}
