package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Repeated sampling vs a larger model at equal inference FLOPs (Brown et al. 2024, "Large Language
 * Monkeys", §3.2): with budget B, model m affords k_m = floor(B / f_m) samples of f_m FLOPs each, and
 * its coverage is the fitted exponentiated power law exp(−a_m·k_m^(−b_m)) (0 when k_m = 0). The
 * winner at B is the model with the highest coverage (ties: the first listed).
 *
 * <p>Crossovers are searched between consecutive budgets of the given list whose winners differ, by
 * bisection on B over the exact floored coverage to a relative width of 1e-12; the reported budget is
 * the upper end, where the new winner already leads. A change that reverts before the next listed
 * budget is not seen: give a dense (e.g. log-spaced) list to find every change.
 */
public final class SamplingBudget {
    private SamplingBudget() {}

    /** A model's coverage law −ln coverage = a·k^(−b) and its cost per sample in FLOPs. */
    public record Model(String name, double a, double b, double flopsPerSample) {
        public Model {
            if (name == null || name.isBlank()) {
                throw new InputException("every model needs a name");
            }
            if (!(a > 0) || !Double.isFinite(a) || !(b > 0) || !Double.isFinite(b)) {
                throw new InputException("model '" + name + "': coverage law needs finite a > 0 and b > 0; got a = " + a + ", b = " + b);
            }
            if (!(flopsPerSample > 0) || !Double.isFinite(flopsPerSample)) {
                throw new InputException("model '" + name + "': FLOPs per sample " + flopsPerSample + " must be finite and > 0");
            }
        }
    }

    /** Model m at one budget: samples afforded and coverage reached. */
    public record Evaluation(String model, double samples, double coverage) {}

    /** One budget: every model's evaluation and the winner (null when no model affords a sample). */
    public record BudgetRow(double budget, List<Evaluation> models, String winner, double winnerCoverage) {}

    /** The winner changes from {@code from} to {@code to} at {@code budget} FLOPs (null = no model affords a sample). */
    public record Crossover(double budget, String from, String to) {}

    public record Result(List<Model> models, List<BudgetRow> rows, List<Crossover> crossovers, Provenance provenance) {}

    /**
     * FLOPs of one sample of {@code tokens} tokens from a dense model of {@code params} parameters:
     * 2·N per token for the forward pass (Kaplan et al. 2020, "Scaling Laws for Neural Language
     * Models", §2.1), ignoring the attention term, which is small when the context is short relative to 12·d_model.
     */
    public static double flopsPerSample(double params, double tokens) {
        return 2.0 * params * tokens;
    }

    /** Coverage of model m at budget B: exp(−a·floor(B/f)^(−b)), 0 when not even one sample fits. */
    public static double coverage(Model m, double budget) {
        double k = Math.floor(budget / m.flopsPerSample());
        return k < 1 ? 0.0 : Math.exp(-m.a() * Math.pow(k, -m.b()));
    }

    /** The model with the highest coverage at B (the first listed on ties), or null when all are 0. */
    public static String winner(List<Model> models, double budget) {
        String best = null;
        double bestCov = 0;
        for (Model m : models) {
            double c = coverage(m, budget);
            if (c > bestCov) {
                bestCov = c;
                best = m.name();
            }
        }
        return best;
    }

    /** The input: the models to compare, and where their laws came from (recorded in the provenance). */
    public record Input(List<Model> models, List<Provenance.Input> inputs) {}

    /**
     * @param budgets the FLOP budgets at which to compare (finite, &gt; 0; any order)
     */
    public record Options(double[] budgets) {}

    /** Every model's coverage at every budget, the winner at each, and the budgets where the winner changes. */
    public static Result analyze(Input input, Options options) {
        List<Model> models = input.models();
        double[] budgets = options.budgets();
        if (models.isEmpty()) {
            throw new InputException("sampling budget: give at least one model");
        }
        if (models.stream().map(Model::name).distinct().count() != models.size()) {
            throw new InputException("sampling budget: model names must be distinct");
        }
        if (budgets.length == 0) {
            throw new InputException("sampling budget: give at least one FLOP budget");
        }
        double[] b = Arrays.stream(budgets).sorted().toArray();
        for (double x : b) {
            if (!(x > 0) || !Double.isFinite(x)) {
                throw new InputException("sampling budget: budget " + x + " FLOPs must be finite and > 0");
            }
        }
        List<BudgetRow> rows = new ArrayList<>();
        for (double budget : b) {
            List<Evaluation> ev = new ArrayList<>();
            for (Model m : models) {
                ev.add(new Evaluation(m.name(), Math.floor(budget / m.flopsPerSample()), coverage(m, budget)));
            }
            String w = winner(models, budget);
            double wc = ev.stream().filter(e -> e.model().equals(w)).mapToDouble(Evaluation::coverage).findFirst().orElse(0);
            rows.add(new BudgetRow(budget, ev, w, wc));
        }
        List<Crossover> crossovers = new ArrayList<>();
        for (int i = 0; i + 1 < b.length; i++) {
            String from = rows.get(i).winner();
            if (Objects.equals(from, rows.get(i + 1).winner())) {
                continue;
            }
            double lo = b[i], hi = b[i + 1];
            while (hi - lo > 1e-12 * hi) {
                double mid = 0.5 * (lo + hi);
                if (Objects.equals(winner(models, mid), from)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            crossovers.add(new Crossover(hi, from, winner(models, hi)));
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("budgets", Arrays.stream(b).boxed().toList());
        recorded.put("models", models);
        return new Result(List.copyOf(models), rows, crossovers,
                Provenance.of("testtime.budget", input.inputs(), recorded, null));
    }
}
