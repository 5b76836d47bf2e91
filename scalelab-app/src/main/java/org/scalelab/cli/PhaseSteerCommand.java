package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.Evaluation;
import org.scalelab.eval.LengthNorm;
import org.scalelab.interp.SteeringSweep;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.Directions;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;
import org.scalelab.phase.DoseResponse;
import org.scalelab.report.PhaseSteerRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "steer",
        mixinStandardHelpOptions = true,
        description = {
            "Dose-response of activation steering on held-out eval tasks, against random directions.",
            "Adds α·r̄·v̂ at a hook (v̂ the unit direction, r̄ the hook's mean activation norm over the task's contexts,",
            "so α = 1 is as long as a typical activation), over a grid of α, scored",
            "by log-likelihood as `scalelab eval` (accuracy and logit difference per prompt), against K random directions of the",
            "same norm, with bootstrap intervals over prompts; the other capability's task shows the cost; --ablate projects the",
            "direction out. Summaries: ED50 (the dose at half the maximum effect) and the degeneration dose (held-out perplexity",
            "above --degenerate-factor × the unsteered). Positive α pushes toward the direction's first class (the files of",
            "`phase directions` point to the positive class). A grid without 0 gets 0 added: every effect is measured against it."
        },
        footer = {"", "Example:",
            "  scalelab phase steer --model lab/models/tiny --direction dirs/truth/blocks.1.hook_resid_post.mean_diff.npy \\",
            "      --at blocks.1.hook_resid_post --task truth_heldout.jsonl --other-task reasoning_heldout.jsonl --ablate --json"})
final class PhaseSteerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--direction", required = true, paramLabel = "FILE", description = "The steering direction: a 1-D .npy (float32/float64) or .safetensors file of the hook's width; normalised to unit length.")
    Path direction;

    @Option(names = "--tensor", paramLabel = "NAME", description = "Which tensor of a .safetensors direction file holding several.")
    String tensor;

    @Option(names = "--at", required = true, paramLabel = "HOOK", description = "Hook to steer at, a [batch, pos, width] hook, e.g. blocks.1.hook_resid_post.")
    String at;

    @Option(names = "--task", required = true, paramLabel = "FILE", description = "Held-out task the direction should help (eval task JSONL, docs/eval.md).")
    Path task;

    @Option(names = "--other-task", paramLabel = "FILE", description = "The other capability's held-out task: the cost of steering and of ablation.")
    Path otherTask;

    @Option(names = "--alphas", paramLabel = "A,A,…", defaultValue = "0,0.25,0.5,1,2,4",
            description = "Doses in units of the hook's mean residual norm (negative pushes toward the second class). Default: ${DEFAULT-VALUE}.")
    String alphas;

    @Option(names = "--controls", paramLabel = "K", defaultValue = "5", description = "Random directions of the same norm (at least 2). Default: ${DEFAULT-VALUE}.")
    int controls;

    @Option(names = "--ablate", description = "Also project the direction (and each control) out at the hook and measure both tasks.")
    boolean ablate;

    @Option(names = "--degenerate-factor", paramLabel = "X", defaultValue = "2",
            description = "Outputs count as degenerate where held-out perplexity exceeds X × the unsteered. Default: ${DEFAULT-VALUE}.")
    double degenerateFactor;

    @Option(names = "--limit", paramLabel = "N", description = "Use the first N examples of each task.")
    Integer limit;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the random directions and of the bootstrap. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--bootstrap", paramLabel = "B", defaultValue = "2000", description = "Bootstrap resamples of the prompts. Default: ${DEFAULT-VALUE}.")
    int bootstrap;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Examples per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--max-length", paramLabel = "N", description = "Most positions an input may take (default: the model's).")
    Integer maxLength;

    @Option(names = "--add-bos", description = "Encode with the tokenizer's special tokens (a leading BOS), as `scalelab eval --add-bos`.")
    boolean addBos;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", description = "Compute dtype: float32 or float16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Override
    public Integer call() {
        ComputeDType compute = ComputeDType.parse(dtype);
        double[] grid = grid(CliSupport.doubles("--alphas", alphas));
        if (controls < 2) {
            throw new InputException("--controls " + controls + ": the gain over random directions needs at least 2 of them");
        }
        if (!(degenerateFactor > 1) || !Double.isFinite(degenerateFactor)) {
            throw new InputException("--degenerate-factor " + degenerateFactor + ": must be a number greater than 1");
        }
        if (bootstrap < 100) {
            throw new InputException("--bootstrap " + bootstrap + ": use at least 100 resamples");
        }
        if (limit != null && limit < 1) {
            throw new InputException("--limit " + limit + ": must be at least 1");
        }
        if (batch < 1) {
            throw new InputException("--batch " + batch + ": must be at least 1");
        }
        Evaluation.Options select = new Evaluation.Options(limit, null, LengthNorm.CHARS);
        EvalTask target = selected(EvalTask.read(task), select);
        EvalTask other = otherTask == null ? null : selected(EvalTask.read(otherTask), select);
        if (other != null && other.name().equals(target.name())) {
            throw new InputException("--other-task " + otherTask + ": has the target task's name " + target.name() + "; give the two tasks different file names");
        }
        float[] v = Directions.read(direction, tensor);
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(this::note);
            boolean bos = addBos || t.config().family().modelType().startsWith("gemma");
            int length = maxLength == null ? t.config().maxPositions() : maxLength;
            SteeringSweep.Options o = new SteeringSweep.Options(grid, controls, ablate, batch, length, seed,
                    new DoseResponse.Options(bootstrap, 0.95, seed, degenerateFactor));
            SteeringSweep.Result r = SteeringSweep.run(new SteeringSweep.Input(t, new ContinuationTokens(tok, bos), at, v, target, other), o);
            CliSupport.emit(spec, lab, output, "phase.steer", r, provenance(grid, compute, length, bos), new PhaseSteerRenderer());
        }
        return 0;
    }

    /** The grid as given, with 0 put first when it is missing (said on stderr); a repeated dose is refused. */
    private double[] grid(double[] given) {
        boolean zero = false;
        for (int i = 0; i < given.length; i++) {
            if (!Double.isFinite(given[i])) {
                throw new InputException("--alphas: " + given[i] + " is not a finite dose");
            }
            for (int j = 0; j < i; j++) {
                if (given[j] == given[i]) {
                    throw new InputException("--alphas: " + given[i] + " is given twice");
                }
            }
            zero |= given[i] == 0;
        }
        if (zero) {
            return given;
        }
        note("--alphas: 0 added to the grid; every effect is measured against the unsteered model");
        double[] out = new double[given.length + 1];
        System.arraycopy(given, 0, out, 1, given.length);
        return out;
    }

    private static EvalTask selected(EvalTask t, Evaluation.Options o) {
        return new EvalTask(t.name(), t.file(), Evaluation.select(t, o));
    }

    private Provenance provenance(double[] grid, ComputeDType compute, int length, boolean bos) {
        List<Provenance.Input> inputs = new ArrayList<>();
        inputs.add(new Provenance.Input(model.toString(), Provenance.sha256(model.resolve("config.json")), 0));
        inputs.add(new Provenance.Input(direction.toString(), Provenance.sha256(direction), 0));
        inputs.add(new Provenance.Input(task.toString(), Provenance.sha256(task), 0));
        if (otherTask != null) {
            inputs.add(new Provenance.Input(otherTask.toString(), Provenance.sha256(otherTask), 0));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("at", at);
        o.put("alphas", grid);
        o.put("alpha_unit", "mean residual norm at the hook");
        o.put("controls", controls);
        o.put("ablate", ablate);
        o.put("degenerate_factor", degenerateFactor);
        o.put("limit", limit);
        o.put("bootstrap", bootstrap);
        o.put("dtype", compute.cliName());
        o.put("max_length", length);
        o.put("add_bos", bos);
        return Provenance.of("phase.steer", inputs, o, seed);
    }

    private void note(String line) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(line);
        err.flush();
    }
}
