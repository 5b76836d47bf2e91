package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.ExampleScore;
import org.scalelab.eval.TaskMetrics;
import org.scalelab.interp.SteeringSweep;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.TrajectoryFilter;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Positions;
import org.scalelab.model.Transformer;
import org.scalelab.phase.CapabilityDirections;
import org.scalelab.phase.DoseResponse;
import org.scalelab.phase.LabelledPoints;
import org.scalelab.store.LabStore;

/**
 * Steering a trained model of the controlled world along its truth direction, measured on statements
 * that were not used to find the direction.
 *
 * <p>The truth direction is the difference of the class means of true and false statements at the
 * judgement position ({@code <check>}); adding it pushes the model toward answering {@code <true>}.
 * Its dose-response is read where its positive class is the right answer, on held-out <em>true</em>
 * statements: on a balanced set of true and false statements a push toward {@code <true>} helps half
 * the examples and hurts the other half by construction (the held-out false statements, scored here as
 * the other task, show the second half).
 */
@Tag("slow")
class WorldSteeringTest {
    /** The demo's world (64 entities, 120 truth facts) and the demo sweep's larger cell: width 64, depth 2, 1,500 steps. */
    static final RunSpec SPEC = new RunSpec(64, 2, 4, 3e-3, 0.1, 64, 1500, 1);
    /**
     * The last block's output: on this model both blocks' truth directions beat the controls on the
     * logit difference, the last one with the tighter interval (its controls barely move the
     * answer, while random pushes after block 0 do).
     */
    static final String HOOK = "blocks.1.hook_resid_post";
    /**
     * Doses in units of the hook's mean residual norm: at 0.5 and 1 the direction moves the logit
     * difference by several nats while the controls move it by less than one and a half; larger
     * doses saturate the held-out true statements' accuracy and add nothing the test needs.
     */
    static final double[] ALPHAS = {0, 0.5, 1};
    static final int CONTROLS = 8;

    @TempDir
    Path dir;

    @Test
    void truthDirectionFromTrainingPromptsBeatsRandomDirectionsOnHeldOutStatements() {
        World world = WorldGenerator.generate(WorldConfig.small());
        Path checkpoint;
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            // one evaluation, on few examples, and no alignment metrics: the test needs only the weights
            WorldTraining.RunResult run = WorldTraining.run(world, "steer", SPEC, dir.resolve("run"), store,
                    new WorldTraining.Options(1, 64, 0, false, false, 1), null);
            checkpoint = run.checkpoint();
        }
        // half the statement pairs held out: 60 true statements to measure on, 60 pairs to find the direction
        WorldPhasePrompts.Sets sets = WorldPhasePrompts.write(world, dir.resolve("phase"), new WorldPhasePrompts.Options(0.5, 0));
        Path acts = dir.resolve("acts");
        WorldCapture.run(sets.truth(), checkpoint, acts, List.of(HOOK), Positions.LAST);
        float[] direction;
        try (ActivationSet set = ActivationSet.open(acts)) {
            LabelledPoints train = LabelledPoints.read(set, HOOK,
                    TrajectoryFilter.parse("labels.truth=true").and(TrajectoryFilter.parse("labels.split=train")),
                    TrajectoryFilter.parse("labels.truth=false").and(TrajectoryFilter.parse("labels.split=train")), LabelledPoints.Pool.LAST);
            assertEquals(sets.truth().stream().filter(p -> p.labels().get("split").asText().equals(WorldPhasePrompts.TRAIN)).count(), train.size());
            direction = floats(CapabilityDirections.meanDifference(train));
        }

        List<EvalExample> heldTrue = new ArrayList<>();
        List<EvalExample> heldFalse = new ArrayList<>();
        for (EvalExample e : sets.truthTask().examples()) {
            assertEquals(WorldPhasePrompts.HELDOUT, e.labels().get("split"), e.id());
            ("true".equals(e.labels().get("truth")) ? heldTrue : heldFalse).add(e);
        }
        assertEquals(heldTrue.size(), heldFalse.size());
        EvalTask trueStatements = new EvalTask("truth-heldout-true", dir.resolve("true.jsonl"), heldTrue);
        EvalTask falseStatements = new EvalTask("truth-heldout-false", dir.resolve("false.jsonl"), heldFalse);

        try (Transformer model = Transformer.load(checkpoint); ModelTokenizer tokenizer = ModelTokenizer.load(checkpoint)) {
            ContinuationTokens tokens = new ContinuationTokens(tokenizer, false);
            ChoiceScorer plain = new ChoiceScorer(model, tokens, 32, model.config().maxPositions());
            double[] onTrue = plainScores(plain, heldTrue);
            double[] onFalse = plainScores(plain, heldFalse);
            double accuracy = (onTrue[0] * heldTrue.size() + onFalse[0] * heldFalse.size()) / (heldTrue.size() + heldFalse.size());
            assertTrue(accuracy > 0.75, "the model tells held-out true from false statements well above chance: accuracy " + accuracy);

            SteeringSweep.Options o = new SteeringSweep.Options(ALPHAS, CONTROLS, false, 32, model.config().maxPositions(), 1,
                    new DoseResponse.Options(1000, 0.95, 1, 2.0));
            DoseResponse.Result r = SteeringSweep.run(new SteeringSweep.Input(model, tokens, HOOK, direction, trueStatements, falseStatements), o)
                    .response();
            DoseResponse.Curve diff = r.target().logitDiff();
            assertEquals(onTrue[1], diff.points().get(0).score(), 1e-12, "α = 0 is the unsteered model's logit difference");
            assertEquals(onTrue[0], r.target().accuracy().points().get(0).score(), 1e-12, "α = 0 is the unsteered model's accuracy");
            assertEquals(onFalse[1], r.other().logitDiff().points().get(0).score(), 1e-12);

            StringBuilder table = new StringBuilder();
            boolean beats = false;
            for (DoseResponse.Point p : diff.points().subList(1, diff.points().size())) {
                DoseResponse.Effect e = p.effect();
                table.append(String.format(Locale.ROOT, " α=%s: effect %+.2f, controls %+.2f, gain %+.2f %s;", p.alpha(), e.mean(),
                        e.controlMean(), e.gain(), Arrays.toString(e.gainCi())));
                beats |= e.beatsControl();
            }
            System.out.println("held-out true statements, logit difference at " + HOOK + ":" + table);
            assertTrue(beats, "some dose's gain over the random directions has an interval above zero:" + table);

            // the other half of a balanced set: the push toward <true> lowers the false statements' logit difference
            DoseResponse.Effect onFalseAtOne = r.other().logitDiff().points().get(ALPHAS.length - 1).effect();
            assertTrue(onFalseAtOne.ci()[1] < 0, "held-out false statements lose: " + onFalseAtOne.mean() + " " + Arrays.toString(onFalseAtOne.ci()));

            // the sign: the same direction negated lowers the true statements' logit difference
            SteeringSweep.Options noControls = new SteeringSweep.Options(ALPHAS, 0, false, 32, model.config().maxPositions(), 1,
                    new DoseResponse.Options(1000, 0.95, 1, 2.0));
            DoseResponse.Result negated = SteeringSweep.run(new SteeringSweep.Input(model, tokens, HOOK, negate(direction), trueStatements, null),
                    noControls).response();
            for (DoseResponse.Point p : negated.target().logitDiff().points().subList(1, ALPHAS.length)) {
                assertTrue(p.effect().ci()[1] < 0, "−v at α = " + p.alpha() + " lowers the logit difference: " + p.effect().mean() + " "
                        + Arrays.toString(p.effect().ci()));
            }
        }
    }

    /** {accuracy, mean logit difference} of the unsteered model, computed here from the scorer's log-probs. */
    private static double[] plainScores(ChoiceScorer scorer, List<EvalExample> examples) {
        java.util.Map<String, ExampleScore> byId = new java.util.HashMap<>();
        scorer.score(examples, s -> byId.put(s.id(), s));
        double correct = 0;
        double diff = 0;
        for (EvalExample e : examples) {
            double[] lp = byId.get(e.id()).logprobs();
            correct += TaskMetrics.correct(e, byId.get(e.id())) ? 1 : 0;
            int gold = e.gold()[0];
            diff += lp[gold] - lp[1 - gold]; // two choices: <true>, <false>
        }
        return new double[] {correct / examples.size(), diff / examples.size()};
    }

    private static float[] negate(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
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
