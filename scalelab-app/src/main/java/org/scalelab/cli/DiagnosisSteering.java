package org.scalelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;
import org.scalelab.interp.SteeringSweep;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;
import org.scalelab.phase.CapabilityCoupling;
import org.scalelab.phase.CapabilityDirections;
import org.scalelab.phase.DoseResponse;
import org.scalelab.phase.PhaseDiagnosis;

/**
 * The interventions a diagnosis measures on one model: each capability's centred direction (difference
 * of the class means of the training prompts, pointing to the positive class) added at the strongest
 * layer's hook over the dose grid, scored on both held-out tasks against random directions of the same
 * norm ({@link SteeringSweep}); each non-zero dose becomes one {@link PhaseDiagnosis.Intervention}:
 * accuracy gain on the steered capability, its gain over the controls with its interval, and the
 * accuracy change of the other capability (the cost).
 *
 * <p>A direction's gain is measured where its positive class is the right answer. The truth direction
 * points from false to true statements, so it pushes the answer toward {@code <true>}: on a task of
 * true and false statements in equal numbers it helps one half and hurts the other by construction,
 * and the mean change says nothing about the direction. Its gain is therefore measured on the truth
 * task's true statements ({@code labels.truth = "true"}); its cost on reasoning, and reasoning's cost
 * on truth, on the whole other task. The reasoning task asks each held-out composition, whose right
 * answer is the one a valid chain reaches: all of it is the reasoning direction's positive class.
 */
final class DiagnosisSteering {
    /** Examples per forward pass while steering. */
    static final int BATCH = 32;
    /** Perplexity over the unsteered one at which steered outputs count as degenerate. */
    static final double DEGENERATE = 2.0;

    private final EvalTask truth;
    private final EvalTask trueStatements;
    private final EvalTask falseStatements;
    private final EvalTask reasoning;
    private final double[] alphas;
    private final int controls;
    private final int bootstrap;
    private final double level;
    private final long seed;

    DiagnosisSteering(EvalTask truth, EvalTask reasoning, double[] alphas, int controls, int bootstrap, double level, long seed) {
        boolean zero = false;
        for (double a : alphas) {
            zero |= a == 0;
        }
        if (!zero) {
            throw new InputException("--alphas: must hold 0 (the unsteered model every dose is compared with)");
        }
        if (controls < 2) {
            throw new InputException("--controls " + controls + ": the gain over the control needs at least 2 random directions for its interval");
        }
        this.truth = truth;
        this.trueStatements = trueStatements(truth);
        this.falseStatements = statements(truth, "false");
        this.reasoning = reasoning;
        this.alphas = alphas.clone();
        this.controls = controls;
        this.bootstrap = Math.max(100, bootstrap);
        this.level = level;
        this.seed = seed;
    }

    /** Steers {@code size}'s model with each capability's direction at {@code hook}; the model is the checkpoint its activation set names. */
    List<PhaseDiagnosis.Intervention> measure(CapabilityCoupling.SizePoints size, String hook) {
        Path checkpoint = Path.of(size.model());
        if (!Files.isRegularFile(checkpoint.resolve("config.json"))) {
            throw new InputException("--truth-task: steering loads the model the activation set came from, " + checkpoint
                    + ", which is not a checkpoint folder here (no config.json)");
        }
        CapabilityCoupling.LayerPoints points = size.layers().stream().filter(l -> l.hook().equals(hook)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no points at " + hook));
        float[] truthDirection = floats(CapabilityDirections.meanDifference(points.a()));
        float[] reasoningDirection = floats(CapabilityDirections.meanDifference(points.b()));
        List<PhaseDiagnosis.Intervention> out = new ArrayList<>();
        try (Transformer model = Transformer.load(checkpoint); ModelTokenizer tokenizer = ModelTokenizer.load(checkpoint)) {
            boolean bos = model.config().family().modelType().startsWith("gemma");
            ContinuationTokens tokens = new ContinuationTokens(tokenizer, bos);
            SteeringSweep.Options o = new SteeringSweep.Options(alphas, controls, false, BATCH, model.config().maxPositions(), seed,
                    new DoseResponse.Options(bootstrap, level, seed, DEGENERATE));
            // the false statements under the same doses: what the push toward <true> costs them (no controls: only the change is reported)
            SteeringSweep.Result opposite = falseStatements == null ? null
                    : SteeringSweep.run(new SteeringSweep.Input(model, tokens, hook, truthDirection, falseStatements, null),
                            new SteeringSweep.Options(alphas, 0, false, BATCH, model.config().maxPositions(), seed, o.stats()));
            out.addAll(interventions(size.model(), PhaseDiagnoseCommand.TRUTH, PhaseDiagnoseCommand.REASONING, hook,
                    SteeringSweep.run(new SteeringSweep.Input(model, tokens, hook, truthDirection, trueStatements, reasoning), o), opposite));
            out.addAll(interventions(size.model(), PhaseDiagnoseCommand.REASONING, PhaseDiagnoseCommand.TRUTH, hook,
                    SteeringSweep.run(new SteeringSweep.Input(model, tokens, hook, reasoningDirection, reasoning, truth), o), null));
        }
        return out;
    }

    /** The truth task's examples labelled {@code truth = "true"}: where the truth direction's positive class is the gold answer. */
    static EvalTask trueStatements(EvalTask truth) {
        EvalTask positives = statements(truth, "true");
        if (positives == null) {
            throw new InputException("--truth-task " + truth.file() + ": no example has labels.truth \"true\"; the truth direction pushes toward"
                    + " the answer of true statements and is measured on them (the held-out statements of scalelab world phase-prompts carry the label)");
        }
        return positives;
    }

    /** The truth task's examples labelled {@code truth = value}, or null when there are none. */
    private static EvalTask statements(EvalTask truth, String value) {
        List<EvalExample> examples = truth.examples().stream().filter(e -> value.equals(e.labels().get(PhaseDiagnoseCommand.TRUTH))).toList();
        return examples.isEmpty() ? null : new EvalTask(truth.name() + " (" + value + " statements)", truth.file(), examples);
    }

    private static List<PhaseDiagnosis.Intervention> interventions(String model, String steered, String other, String hook, SteeringSweep.Result r,
                                                                   SteeringSweep.Result opposite) {
        List<PhaseDiagnosis.Intervention> out = new ArrayList<>();
        List<DoseResponse.Point> target = r.response().target().accuracy().points();
        List<DoseResponse.Point> cost = r.response().other().accuracy().points();
        for (int i = 0; i < target.size(); i++) {
            DoseResponse.Point p = target.get(i);
            if (p.alpha() == 0) {
                continue;
            }
            DoseResponse.Effect e = p.effect();
            DoseResponse.Effect c = cost.get(i).effect();
            DoseResponse.Effect f = opposite == null ? null : opposite.response().target().accuracy().points().get(i).effect();
            out.add(new PhaseDiagnosis.Intervention(model, steered, other, hook, p.alpha(), e.mean(), e.ci(),
                    e.controlMean() == null ? Double.NaN : e.controlMean(), e.controlBand(), e.gain() == null ? Double.NaN : e.gain(),
                    e.gainCi(), c.mean(), c.ci(), f == null ? Double.NaN : f.mean(), f == null ? null : f.ci()));
        }
        return out;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
