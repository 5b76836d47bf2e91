package org.scalelab.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.ActivationSet;
import org.scalelab.model.HookSet;
import org.scalelab.phase.CapabilityCoupling;
import org.scalelab.phase.CouplingPoints;
import org.scalelab.phase.LabelledPoints;
import org.scalelab.report.PhaseCouplingRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "coupling",
        mixinStandardHelpOptions = true,
        description = {
            "Measure whether two capabilities' directions inside models point together, apart or neither.",
            "Per model size and hook: the cosine between their centred difference-of-means directions with a bootstrap interval and a label-shuffled null, the",
            "uncentred cosine of the mean hidden states beside it (near +1 for almost any two prompt sets: not",
            "a coupling), a probe fit on A read on B, per-head writes (--heads), and the size where the",
            "coupling changes sign, with an interval. Sets of A and B are matched by model."
        },
        footer = {"", "Example:",
            "  scalelab phase coupling --a-set lab/activations/s1 --a-set lab/activations/s2 \\",
            "      --a-positive labels.truth=true --a-negative labels.truth=false \\",
            "      --b-positive labels.valid=true --b-negative labels.valid=false --hook 'blocks.*.hook_resid_post'",
            "  (without --b-set, B's prompts are read from the same sets as A's)"})
final class PhaseCouplingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--a-set", required = true, arity = "1..*", paramLabel = "DIR",
            description = "Activation sets holding capability A's prompts, one per model size (scalelab capture).")
    List<Path> aSets;

    @Option(names = "--a-positive", required = true, paramLabel = "KEY=VALUE", description = "A's first class: domain=X, id=X or labels.NAME=X.")
    String aPositive;

    @Option(names = "--a-negative", required = true, paramLabel = "KEY=VALUE", description = "A's second class (same syntax).")
    String aNegative;

    @Option(names = "--b-set", arity = "1..*", paramLabel = "DIR",
            description = "Activation sets holding capability B's prompts, one per model size. Default: the --a-set folders.")
    List<Path> bSets;

    @Option(names = "--b-positive", required = true, paramLabel = "KEY=VALUE", description = "B's first class.")
    String bPositive;

    @Option(names = "--b-negative", required = true, paramLabel = "KEY=VALUE", description = "B's second class.")
    String bNegative;

    @Option(names = "--hook", required = true, paramLabel = "PATTERN",
            description = "Hooks to analyse, names or globs, comma-separated (e.g. 'blocks.*.hook_resid_post'); d_model-wide hooks only.")
    String hook;

    @Option(names = "--heads", description = "Also classify attention heads from blocks.L.attn.hook_result (capture it with --hook 'blocks.*.attn.hook_result').")
    boolean heads;

    @Option(names = "--pool", defaultValue = "last", paramLabel = "last|mean",
            description = "A prompt's vector: its last token's row or the mean of its rows (default: ${DEFAULT-VALUE}).")
    String pool;

    @Option(names = "--resamples", defaultValue = "1000", description = "Bootstrap replicates and label shuffles per size and hook (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--head-resamples", defaultValue = "1000", description = "Label shuffles per head test (default: ${DEFAULT-VALUE}).")
    int headResamples;

    @Option(names = "--level", defaultValue = "0.95", description = "Confidence of the intervals; heads' false discovery rate is 1 − level (default: ${DEFAULT-VALUE}).")
    double level;

    @Option(names = "--c", defaultValue = "1.0", description = "Inverse L2 strength of the transfer probe, as sklearn's C (default: ${DEFAULT-VALUE}).")
    double c;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every resample and shuffle (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--allow-incomplete", description = "Use activation sets whose capture was interrupted (the trajectories written so far); the result records them.")
    boolean allowIncomplete;

    @Override
    public Integer call() {
        LabelledPoints.Pool p = switch (pool.toLowerCase(Locale.ROOT)) {
            case "last" -> LabelledPoints.Pool.LAST;
            case "mean" -> LabelledPoints.Pool.MEAN;
            default -> throw new InputException("--pool: '" + pool + "' is not last or mean");
        };
        CapabilityCoupling.Options options = new CapabilityCoupling.Options(resamples, headResamples, level, c, seed);
        ActivationInputs opened = ActivationInputs.open(aSets, allowIncomplete);
        List<ActivationSet> a = List.copyOf(opened.sets()); // before the b sets join them
        List<ActivationSet> b = bSets == null || bSets.isEmpty() ? a : opened.add(bSets, allowIncomplete);
        List<Provenance.Input> inputs = opened.inputs();
        List<String> incomplete = opened.incomplete();
        HookSet hooks = HookSet.of(hook.split(","));
        CapabilityCoupling.Input in = CouplingPoints.read(a, b, new CouplingPoints.Classes(aPositive, aNegative),
                new CouplingPoints.Classes(bPositive, bNegative), hooks::matches, hook, p, heads);
        CapabilityCoupling.Result r = CapabilityCoupling.analyze(in, options);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("a_positive", aPositive);
        opts.put("a_negative", aNegative);
        opts.put("b_positive", bPositive);
        opts.put("b_negative", bNegative);
        opts.put("hook", hook);
        opts.put("heads", heads);
        opts.put("pool", p.name().toLowerCase(Locale.ROOT));
        opts.put("resamples", resamples);
        opts.put("head_resamples", headResamples);
        opts.put("level", level);
        opts.put("c", c);
        Provenance provenance = Provenance.of("phase.coupling", inputs, opts, seed);
        if (!incomplete.isEmpty()) {
            provenance = provenance.withOption("incomplete_inputs", incomplete);
        }
        opened.noteIncomplete(spec);
        CliSupport.emit(spec, lab, output, "phase.coupling", r, provenance, new PhaseCouplingRenderer());
        return 0;
    }
}
