package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

class SamplingBudgetTest {
    // A small model that improves fast with samples (b = 0.5) vs a 100× costlier one that starts far higher
    // but flattens (b = 0.2): the large model wins from its first sample (B = 100) until the small one's
    // steeper curve catches up, the pattern of Brown et al. 2024, Fig. 4.
    static final SamplingBudget.Model SMALL = new SamplingBudget.Model("small", 8.0, 0.5, 1.0);
    static final SamplingBudget.Model LARGE = new SamplingBudget.Model("large", 0.1, 0.2, 100.0);
    static final List<SamplingBudget.Model> MODELS = List.of(SMALL, LARGE);

    /** Direct evaluation, written independently: coverage = exp(−a·floor(B/f)^(−b)), 0 below one sample. */
    static String directWinner(double budget) {
        double ks = Math.floor(budget / 1.0), kl = Math.floor(budget / 100.0);
        double cs = ks < 1 ? 0 : Math.exp(-8.0 * Math.pow(ks, -0.5));
        double cl = kl < 1 ? 0 : Math.exp(-0.1 * Math.pow(kl, -0.2));
        if (cs == 0 && cl == 0) {
            return null;
        }
        return cl > cs ? "large" : "small";
    }

    static double[] logGrid(double from, double to, int points) {
        double[] b = new double[points];
        for (int i = 0; i < points; i++) {
            b[i] = from * Math.pow(to / from, (double) i / (points - 1));
        }
        return b;
    }

    static SamplingBudget.Result compare(List<SamplingBudget.Model> models, double[] budgets) {
        return SamplingBudget.analyze(new SamplingBudget.Input(models, List.of()), new SamplingBudget.Options(budgets));
    }

    @Test
    void winnersMatchDirectEvaluationAtEveryBudget() {
        double[] budgets = logGrid(0.5, 1e7, 400);
        SamplingBudget.Result r = compare(MODELS, budgets);
        for (SamplingBudget.BudgetRow row : r.rows()) {
            assertEquals(directWinner(row.budget()), row.winner(), "budget " + row.budget());
            assertEquals(Math.floor(row.budget() / 100.0), row.models().get(1).samples(), 0.0);
        }
        assertNull(r.rows().get(0).winner(), "half a FLOP of budget buys no sample of either model");
    }

    @Test
    void crossoversAreWhereTheDirectWinnerChanges() {
        double[] budgets = logGrid(0.5, 1e7, 400);
        SamplingBudget.Result r = compare(MODELS, budgets);
        List<String> changes = new ArrayList<>();
        for (int i = 0; i + 1 < budgets.length; i++) {
            if (!Objects.equals(directWinner(budgets[i]), directWinner(budgets[i + 1]))) {
                changes.add(directWinner(budgets[i]) + "->" + directWinner(budgets[i + 1]));
            }
        }
        assertEquals(changes, r.crossovers().stream().map(c -> c.from() + "->" + c.to()).toList());
        for (SamplingBudget.Crossover c : r.crossovers()) {
            assertEquals(c.to(), directWinner(c.budget()), "at " + c.budget());
            assertEquals(c.from(), directWinner(c.budget() * (1 - 1e-9)), "just below " + c.budget());
        }
        // small's first sample at B = 1 FLOP, large's first at B = 100, then small catches up.
        assertEquals(3, r.crossovers().size(), r.crossovers().toString());
        assertEquals(1.0, r.crossovers().get(0).budget(), 1e-9);
        assertEquals(100.0, r.crossovers().get(1).budget(), 1e-9);
        assertEquals("large", r.crossovers().get(1).to());
    }

    @Test
    void theContinuousCrossoverIsNearTheFlooredOne() {
        // Without floors the laws cross where 8·B^−0.5 = 0.1·(B/100)^−0.2, i.e. B = (8 / (0.1·100^0.2))^(1/0.3)
        // ≈ 1.03e5; there the large model draws ~1,000 samples, so flooring moves the crossover by well under 1 %.
        double continuous = Math.pow(8 / (0.1 * Math.pow(100, 0.2)), 1 / 0.3);
        SamplingBudget.Result r = compare(MODELS, logGrid(1e3, 1e7, 50));
        assertEquals(1, r.crossovers().size(), r.crossovers().toString());
        assertEquals("large", r.crossovers().get(0).from());
        assertEquals("small", r.crossovers().get(0).to());
        assertEquals(continuous, r.crossovers().get(0).budget(), 0.01 * continuous);
    }

    @Test
    void flopsPerSampleIsTwoFlopsPerParameterPerToken() {
        assertEquals(2 * 7e9 * 1000, SamplingBudget.flopsPerSample(7e9, 1000), 0.0);
    }

    @Test
    void rejectsBadModelsAndBudgets() {
        assertThrows(InputException.class, () -> new SamplingBudget.Model("m", -1, 0.5, 1));
        assertThrows(InputException.class, () -> new SamplingBudget.Model("m", 1, 0.5, 0));
        assertThrows(InputException.class, () -> compare(List.of(SMALL, SMALL), new double[] {1}));
        assertThrows(InputException.class, () -> compare(MODELS, new double[] {-1}));
    }
}
