package org.scalelab.phase;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scalelab.InputException;

/**
 * One diagnosis per model of two capabilities A and B (e.g. truth and reasoning), composed from the
 * measurements that answer each part:
 * <ul>
 *   <li>the <b>verdict</b> — antagonistic, independent or cooperative — is the {@link CouplingVerdict}
 *       of the layer where the coupling is strongest: among the layers whose verdict is not
 *       independent, the one with the largest |centred cosine| (so a layer whose interval and null
 *       both exclude zero); when every layer is independent, the model is, and the layer with the
 *       largest |centred cosine| is named;</li>
 *   <li>the <b>recommended intervention</b> is, among the measured ones of that model, the one with the
 *       largest gain over its random-direction control whose interval excludes zero (ties: the smaller
 *       cost on the other capability); when none has such an interval, "nothing beats the control"; when the
 *       steered capability's held-out examples of its other class were measured too, the sentence gives
 *       that change beside it (a direction toward one class's answer costs the other class);</li>
 *   <li>across sizes, the <b>flip</b> is the first pair of consecutive sizes whose verdicts go directly
 *       between antagonistic and cooperative, else the first pair whose verdicts differ at all, next
 *       to the coupling's own sign change in log10 parameters with its bootstrap interval
 *       ({@link CapabilityCoupling.SignChange});</li>
 *   <li>with a score table, each size's <b>benchmark γ12</b> is the step of the table's family that ends
 *       at it (matched by model name, else by a parameter count within 1 %).</li>
 * </ul>
 * Nothing is re-estimated here: every number comes with the interval its own analysis gave it.
 */
public final class PhaseDiagnosis {
    private PhaseDiagnosis() {}

    /**
     * One intervention measured on held-out prompts: a capability's direction added at {@code hook}
     * with strength {@code alpha} (in units of the hook's mean residual norm).
     *
     * @param steered    the capability whose direction was added (its score is the gain)
     * @param other      the other capability (its score change is the cost)
     * @param gain       change of the steered capability's held-out score against the unsteered model
     * @param control    the same change for a random direction of the same norm
     * @param excess     gain − control, over the same prompts
     * @param excessCi   its bootstrap interval over prompts
     * @param cost       change of the other capability's held-out score (negative: it lost)
     * @param opposite   change of the steered capability's score on its held-out examples of the other class (for the
     *                   truth direction, measured on true statements, the false statements: a push toward the answer
     *                   {@code <true>} costs them what it gains), NaN when the task has no such examples
     */
    public record Intervention(String model, String steered, String other, String hook, double alpha, double gain, double[] gainCi,
                               double control, double[] controlCi, double excess, double[] excessCi, double cost, double[] costCi,
                               double opposite, double[] oppositeCi) {
        /** An intervention whose steered capability has no held-out examples of the other class. */
        public Intervention(String model, String steered, String other, String hook, double alpha, double gain, double[] gainCi,
                            double control, double[] controlCi, double excess, double[] excessCi, double cost, double[] costCi) {
            this(model, steered, other, hook, alpha, gain, gainCi, control, controlCi, excess, excessCi, cost, costCi, Double.NaN, null);
        }

        /** The gain over the control has an interval above zero. */
        public boolean beatsControl() {
            return excessCi != null && excessCi.length == 2 && excessCi[0] > 0;
        }
    }

    /**
     * @param a             the first capability's name (A: the positive direction of the coupling's first set)
     * @param b             the second capability's name
     * @param coupling      the coupling of A and B per size and layer
     * @param interventions measured interventions of any of the sizes (may be empty: no recommendation then)
     * @param scores        a score table's analysis with A's and B's benchmarks, or null
     */
    public record Input(String a, String b, CapabilityCoupling.Result coupling, List<Intervention> interventions, ScoreCoupling.Result scores) {
        public Input {
            interventions = interventions == null ? List.of() : List.copyOf(interventions);
        }
    }

    /** The benchmark step of a score table's family that ends at a size. */
    public record BenchmarkStep(String family, String from, String to, Double gamma, double[] ci95, String phase) {}

    /**
     * @param verdict         the model's verdict: that of its strongest layer
     * @param strongest       the strongest layer's coupling (hook, centred cosine, interval, null, uncentred cosine, …)
     * @param layerVerdicts   how many layers earned each verdict ("antagonistic", "independent", "cooperative")
     * @param recommended     the best intervention that beats its control, or null
     * @param bestMeasured    the best intervention by gain over control whether or not it beats it, or null when none was measured
     * @param recommendation  the recommendation in one sentence
     * @param benchmark       the benchmark γ12 step ending at this size, or null
     */
    public record ModelDiagnosis(String model, long parameterCount, CouplingVerdict verdict, CapabilityCoupling.LayerCoupling strongest,
                                 Map<String, Integer> layerVerdicts, Intervention recommended, Intervention bestMeasured,
                                 String recommendation, BenchmarkStep benchmark) {}

    /**
     * Where the verdict changes between consecutive sizes.
     *
     * @param from        the last size before the change, null when no verdict changes (see note)
     * @param signChange  the coupling's sign change of its centred cosine across sizes, with its interval
     */
    public record Flip(String from, String to, long fromParameters, long toParameters, CouplingVerdict before, CouplingVerdict after,
                       CapabilityCoupling.SignChange signChange, String note) {}

    /** Per model in order of size, the flip across sizes (null for one size), and the compositions' inputs. */
    public record Result(String a, String b, List<ModelDiagnosis> models, Flip flip, CapabilityCoupling.Result coupling,
                         List<Intervention> interventions, ScoreCoupling.Result scores) {}

    public static Result analyze(Input in) {
        if (in.coupling() == null || in.coupling().sizes().isEmpty()) {
            throw new InputException("a diagnosis needs the coupling of at least one model size");
        }
        List<CapabilityCoupling.SizeCoupling> sizes = new ArrayList<>(in.coupling().sizes());
        sizes.sort(Comparator.comparingLong(CapabilityCoupling.SizeCoupling::parameterCount));
        for (Intervention i : in.interventions()) {
            if (sizes.stream().noneMatch(s -> s.model().equals(i.model()))) {
                throw new InputException("intervention at " + i.hook() + " was measured on " + i.model()
                        + ", which is not among the diagnosed models " + sizes.stream().map(CapabilityCoupling.SizeCoupling::model).toList());
            }
        }
        List<ModelDiagnosis> models = new ArrayList<>();
        for (CapabilityCoupling.SizeCoupling s : sizes) {
            models.add(diagnose(in, s));
        }
        Flip flip = sizes.size() < 2 ? null : flip(models, in.coupling().signChange());
        return new Result(in.a(), in.b(), List.copyOf(models), flip, in.coupling(), in.interventions(), in.scores());
    }

    private static ModelDiagnosis diagnose(Input in, CapabilityCoupling.SizeCoupling s) {
        if (s.layers().isEmpty()) {
            throw new InputException(s.model() + ": no layer was analysed");
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (CouplingVerdict v : CouplingVerdict.values()) {
            counts.put(v.key(), 0);
        }
        CapabilityCoupling.LayerCoupling strongest = null;
        CapabilityCoupling.LayerCoupling largest = null;
        for (CapabilityCoupling.LayerCoupling l : s.layers()) {
            counts.merge(l.verdict().key(), 1, Integer::sum);
            if (largest == null || abs(l) > abs(largest)) {
                largest = l;
            }
            if (l.verdict() != CouplingVerdict.INDEPENDENT && (strongest == null || abs(l) > abs(strongest))) {
                strongest = l;
            }
        }
        if (strongest == null) {
            strongest = largest;
        }
        CouplingVerdict verdict = strongest.verdict();

        List<Intervention> mine = in.interventions().stream().filter(i -> i.model().equals(s.model())).toList();
        Comparator<Intervention> better = Comparator.comparingDouble(Intervention::excess).reversed()
                .thenComparingDouble(i -> -i.cost());
        Intervention best = mine.stream().filter(i -> Double.isFinite(i.excess())).min(better).orElse(null);
        Intervention recommended = mine.stream().filter(Intervention::beatsControl).min(better).orElse(null);
        String sentence = sentence(in, s, verdict, strongest, mine.size(), recommended, best);
        return new ModelDiagnosis(s.model(), s.parameterCount(), verdict, strongest, counts, recommended, best, sentence,
                benchmark(in.scores(), s));
    }

    private static double abs(CapabilityCoupling.LayerCoupling l) {
        return Double.isFinite(l.centredCosine()) ? Math.abs(l.centredCosine()) : -1;
    }

    private static String sentence(Input in, CapabilityCoupling.SizeCoupling s, CouplingVerdict verdict, CapabilityCoupling.LayerCoupling at,
                                   int measured, Intervention recommended, Intervention best) {
        String coupling = String.format(Locale.ROOT, "%s and %s are %s (strongest at %s: centred cosine %+.2f [%+.2f, %+.2f])",
                in.a(), in.b(), verdict.key(), at.hook(), at.centredCosine(), at.ci()[0], at.ci()[1]);
        if (measured == 0) {
            return coupling + "; no intervention was measured.";
        }
        if (recommended == null) {
            return coupling + String.format(Locale.ROOT, "; nothing beats the control: the best of %d interventions (%s at %s, α = %s)"
                    + " gains %+.3f [%+.3f, %+.3f] over a random direction.", measured, best.steered(), best.hook(), alpha(best.alpha()),
                    best.excess(), best.excessCi()[0], best.excessCi()[1]);
        }
        Intervention r = recommended;
        return coupling + String.format(Locale.ROOT, "; steer %s at %s with α = %s: %+.3f [%+.3f, %+.3f] over the random-direction control"
                + " (control %+.3f), at a cost of %+.3f [%+.3f, %+.3f] on %s.", r.steered(), r.hook(), alpha(r.alpha()), r.excess(),
                r.excessCi()[0], r.excessCi()[1], r.control(), r.cost(), ci(r.costCi(), 0), ci(r.costCi(), 1), r.other())
                + opposite(r);
    }

    /** The change on the steered capability's examples of the other class, when measured: what the push costs them. */
    private static String opposite(Intervention r) {
        if (!Double.isFinite(r.opposite())) {
            return "";
        }
        return String.format(Locale.ROOT, " On the held-out %s examples of the other class (e.g. false statements) it changes the score by"
                + " %+.3f [%+.3f, %+.3f].", r.steered(), r.opposite(), ci(r.oppositeCi(), 0), ci(r.oppositeCi(), 1));
    }

    private static double ci(double[] ci, int i) {
        return ci == null || ci.length != 2 ? Double.NaN : ci[i];
    }

    private static String alpha(double a) {
        return a == Math.rint(a) && Math.abs(a) < 1e6 ? Long.toString((long) a) : String.format(Locale.ROOT, "%.3g", a);
    }

    private static Flip flip(List<ModelDiagnosis> models, CapabilityCoupling.SignChange sign) {
        ModelDiagnosis change = null;
        ModelDiagnosis before = null;
        for (int i = 1; i < models.size(); i++) {
            CouplingVerdict v0 = models.get(i - 1).verdict();
            CouplingVerdict v1 = models.get(i).verdict();
            boolean direct = v0 != CouplingVerdict.INDEPENDENT && v1 != CouplingVerdict.INDEPENDENT && v0 != v1;
            // a change between the two verdicts that are not independent is the one the question is about; else the first change
            if (direct || v0 != v1 && change == null) {
                before = models.get(i - 1);
                change = models.get(i);
                if (direct) {
                    break;
                }
            }
        }
        if (change == null) {
            return new Flip(null, null, 0, 0, null, null, sign, "every size is " + models.get(0).verdict().key() + "; no flip");
        }
        return new Flip(before.model(), change.model(), before.parameterCount(), change.parameterCount(), before.verdict(), change.verdict(),
                sign, before.verdict().key() + " up to " + before.parameterCount() + " parameters, " + change.verdict().key() + " from "
                        + change.parameterCount());
    }

    private static BenchmarkStep benchmark(ScoreCoupling.Result scores, CapabilityCoupling.SizeCoupling s) {
        if (scores == null) {
            return null;
        }
        for (boolean byName : new boolean[] {true, false}) {
            for (ScoreCoupling.Family f : scores.families()) {
                for (ScoreCoupling.Step st : f.steps()) {
                    boolean match = byName ? st.to().equals(s.model()) || s.model().endsWith("/" + st.to())
                            : Math.abs(st.toParams() - s.parameterCount()) <= 0.01 * s.parameterCount();
                    if (match) {
                        return new BenchmarkStep(f.family(), st.from(), st.to(), st.gamma(), st.ci95(), st.phase());
                    }
                }
            }
        }
        return null;
    }
}
