package org.scalelab.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;

/**
 * Generates a continuation of each prompt and streams the activations the model computed while
 * generating into an activation set, in the same format as {@link Capture}: one trajectory per
 * prompt whose rows are every position the model was fed, the prompt's and then each generated
 * token's (the last generated token is never fed back, so it has no row). The position of the
 * first generated token is appended to the trajectory's {@code step_boundaries}, so analyses can
 * split prompt and generation; with a {@link StepRule} the generated text is cut into steps too (the
 * prompt keeps its own boundaries), at fed positions only: the last generated token has no row, so
 * no step starts there. Interventions act on every forward pass, so the rows are those of
 * the steered model. Memory is bounded by one prompt's rows plus one shard; an interrupted run
 * resumes after the last prompt written, and generation is seeded, so it produces the same set.
 */
public final class GenerationCapture {
    private GenerationCapture() {}

    /**
     * @param hooks         hook names or globs (attention scores and patterns are left out: their key axis grows while generating)
     * @param maxNewTokens  tokens to generate per prompt (≥ 1)
     * @param sampler       greedy or sampled decoding
     * @param seed          the sampling seed of every prompt
     * @param stopTokens    generation of a prompt ends after any of these (included)
     * @param shardBytes    shard size in bytes
     * @param interventions steering/ablation at every step
     * @param specialTokens prompts encoded with the tokenizer's special tokens (a BOS), as transformers' {@code tokenizer(text)}
     * @param steps         the rule that cuts each generated continuation into steps, or null: only where generation starts
     */
    public record Options(List<String> hooks, int maxNewTokens, Sampler sampler, long seed, int[] stopTokens, long shardBytes,
                          List<Intervention> interventions, boolean specialTokens, StepRule steps) {
        /** No step rule: the prompt's boundaries and where generation starts. */
        public Options(List<String> hooks, int maxNewTokens, Sampler sampler, long seed, int[] stopTokens, long shardBytes,
                       List<Intervention> interventions, boolean specialTokens) {
            this(hooks, maxNewTokens, sampler, seed, stopTokens, shardBytes, interventions, specialTokens, null);
        }

        /** With special tokens, as transformers encodes by default. */
        public Options(List<String> hooks, int maxNewTokens, Sampler sampler, long seed, int[] stopTokens, long shardBytes,
                       List<Intervention> interventions) {
            this(hooks, maxNewTokens, sampler, seed, stopTokens, shardBytes, interventions, true);
        }

        public Options {
            hooks = List.copyOf(hooks);
            interventions = List.copyOf(interventions);
            stopTokens = stopTokens.clone();
            if (maxNewTokens < 1) {
                throw new InputException("max new tokens " + maxNewTokens + " must be at least 1 to capture activations during generation");
            }
        }

        /** Cut each generated continuation into steps with {@code rule} (null: none). */
        public Options withSteps(StepRule rule) {
            return new Options(hooks, maxNewTokens, sampler, seed, stopTokens, shardBytes, interventions, specialTokens, rule);
        }

        /**
         * What the manifest's {@code positions} records: every fed position, and the decoding
         * settings, so a resumed run with other settings is refused rather than mixed in.
         */
        String positionsLabel() {
            return "all+generated(max_tokens=" + maxNewTokens + ", temperature=" + sampler.temperature() + ", top_k=" + sampler.topK()
                    + ", top_p=" + sampler.topP() + ", seed=" + seed + ")";
        }
    }

    /**
     * One prompt's continuation: its generated tokens (the stop token included, if reached) and the
     * step boundaries its trajectory records.
     */
    public record Completion(Prompt prompt, int[] promptTokens, int[] generated, List<Integer> stepBoundaries) {
        public Completion(Prompt prompt, int[] promptTokens, int[] generated) {
            this(prompt, promptTokens, generated, List.of());
        }
    }

    /**
     * Runs every prompt not already in {@code out}; hands each new completion to {@code onCompletion}.
     */
    public static Capture.Summary run(Transformer model, ModelTokenizer tokenizer, List<Prompt> prompts, Path out, Options options,
                                      Consumer<Completion> onCompletion) {
        ModelConfig c = model.config();
        List<String> names = CaptureTarget.hooks(c, options.hooks(), "--capture-hooks", false);
        ActivationSetWriter writer = CaptureTarget.open(model, tokenizer, options.specialTokens(), names, CaptureTarget.shapes(c, names, 0),
                options.positionsLabel(),
                options.interventions(), options.steps(), out, options.shardBytes(), prompts);
        List<ActivationManifest.Trajectory> done = writer.trajectories();
        HookSet hooks = HookSet.of(names.toArray(String[]::new)).with(options.interventions().toArray(Intervention[]::new));
        long rows = 0;
        int unsegmented = 0;
        try (Progress.Task task = Progress.start("generate", prompts.size())) {
            for (int i = 0; i < done.size(); i++) {
                task.step();
            }
            for (int i = done.size(); i < prompts.size(); i++) {
                long[] done1 = one(model, tokenizer, prompts.get(i), names, hooks, options, writer, onCompletion);
                rows += done1[0];
                unsegmented += (int) done1[1];
                task.step();
            }
        }
        ActivationManifest m = writer.finish();
        return new Capture.Summary(out, m.trajectories().size(), done.size(), rows, m.shards().size(), names, unsegmented);
    }

    /** Captures one prompt's generation; returns {rows written, 1 if the step rule found no step in its continuation}. */
    private static long[] one(Transformer model, ModelTokenizer tokenizer, Prompt p, List<String> names, HookSet hooks, Options options,
                            ActivationSetWriter writer, Consumer<Completion> onCompletion) {
        int[] promptTokens = tokenizer.encode(p.text(), options.specialTokens());
        if (promptTokens.length == 0) {
            throw new InputException(p.where() + ": its text encodes to no tokens");
        }
        for (int s : p.stepBoundaries()) {
            if (s >= promptTokens.length) {
                throw new InputException(p.where() + ": field \"step_boundaries\": " + s + " is beyond its " + promptTokens.length + " tokens");
            }
        }
        // Per hook, the rows of every step in order: the prompt's positions, then one per fed-back token.
        List<List<float[]>> perHook = new ArrayList<>();
        names.forEach(n -> perHook.add(new ArrayList<>()));
        int[] generated = Generation.sample(model, promptTokens, options.maxNewTokens(), options.sampler(), options.seed(), hooks, step -> {
            for (int h = 0; h < names.size(); h++) {
                perHook.get(h).add(step.activation(names.get(h)).data()); // [1, new positions, …row shape]
            }
        }, options.stopTokens());
        int n = promptTokens.length + generated.length - 1; // every token except the last generated one was fed
        int[] positions = new int[n];
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
            ids[i] = i < promptTokens.length ? promptTokens[i] : generated[i - promptTokens.length];
        }
        List<float[]> rows = new ArrayList<>();
        for (int h = 0; h < perHook.size(); h++) {
            List<float[]> steps = perHook.get(h);
            int[] row = HookNames.rowShape(model.config(), names.get(h));
            float[] all = new float[n * java.util.Arrays.stream(row).reduce(1, Math::multiplyExact)];
            int at = 0;
            for (float[] s : steps) {
                System.arraycopy(s, 0, all, at, s.length);
                at += s.length;
            }
            rows.add(all);
        }
        java.util.TreeSet<Integer> boundaries = new java.util.TreeSet<>(p.stepBoundaries());
        boundaries.add(promptTokens.length); // where generation starts
        boolean unsegmented = false;
        if (options.steps() != null) {
            List<Integer> found = steps(tokenizer, generated, options.stopTokens(), options.steps());
            unsegmented = found.isEmpty();
            found.forEach(b -> boundaries.add(promptTokens.length + b));
        }
        List<Integer> recorded = List.copyOf(boundaries);
        writer.add(p.id(), p.domain(), p.labels(), recorded, promptTokens.length + generated.length, positions, ids, rows);
        onCompletion.accept(new Completion(p, promptTokens, generated, recorded));
        return new long[] {n, unsegmented ? 1 : 0};
    }

    /**
     * Where {@code rule} starts steps in a continuation, as indices into {@code generated}: the decoded
     * text of the generated tokens (without a final stop token, which is not text) is cut by the rule,
     * and steps that would start at the last generated token, which is never fed and has no row, are
     * left out.
     */
    static List<Integer> steps(ModelTokenizer tokenizer, int[] generated, int[] stopTokens, StepRule rule) {
        int textTokens = generated.length;
        if (textTokens > 0 && java.util.Arrays.stream(stopTokens).anyMatch(s -> s == generated[generated.length - 1])) {
            textTokens--;
        }
        List<Integer> out = new ArrayList<>();
        for (int b : rule.boundaries(tokenizer.decodeSpans(java.util.Arrays.copyOf(generated, textTokens)))) {
            if (b < generated.length - 1) {
                out.add(b);
            }
        }
        return out;
    }
}
