package org.scalelab.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

/**
 * How a diagnosis composes its parts: the verdict is the strongest non-independent layer's, the recommendation
 * the best intervention whose gain over the control has an interval above zero (else "nothing beats the
 * control"), the flip the direct change between antagonistic and cooperative across sizes.
 */
class PhaseDiagnosisTest {
    private static CapabilityCoupling.LayerCoupling layer(int l, double cos, double lo, double hi, CouplingVerdict v) {
        return new CapabilityCoupling.LayerCoupling("blocks." + l + ".hook_resid_post", l, cos, new double[] {lo, hi}, 0.2, 0.98, 0.5,
                new double[] {0.4, 0.6}, v, 0.01, 100, 100);
    }

    private static CapabilityCoupling.SizeCoupling size(String model, long params, CapabilityCoupling.LayerCoupling... layers) {
        return new CapabilityCoupling.SizeCoupling(model, params, List.of(layers));
    }

    private static CapabilityCoupling.Result coupling(CapabilityCoupling.SizeCoupling... sizes) {
        return new CapabilityCoupling.Result(List.of(sizes), List.of(), null, CapabilityCoupling.Options.defaults());
    }

    private static PhaseDiagnosis.Intervention steer(String model, String hook, double alpha, double excess, double lo, double hi, double cost) {
        return new PhaseDiagnosis.Intervention(model, "truth", "reasoning", hook, alpha, excess + 0.01, new double[] {lo, hi}, 0.01,
                new double[] {-0.02, 0.04}, excess, new double[] {lo, hi}, cost, new double[] {cost - 0.05, cost + 0.05});
    }

    @Test
    void theVerdictIsTheStrongestLayerThatIsNotIndependent() {
        // layer 2 has the largest |cos| but its interval straddles zero: it is independent, so layer 1 decides
        CapabilityCoupling.SizeCoupling s = size("m", 1000, layer(0, -0.1, -0.3, 0.1, CouplingVerdict.INDEPENDENT),
                layer(1, -0.5, -0.7, -0.3, CouplingVerdict.ANTAGONISTIC), layer(2, 0.6, -0.1, 0.9, CouplingVerdict.INDEPENDENT));
        PhaseDiagnosis.ModelDiagnosis d = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(s), List.of(), null))
                .models().get(0);
        assertEquals(CouplingVerdict.ANTAGONISTIC, d.verdict());
        assertEquals(1, d.strongest().layer());
        assertEquals(1, d.layerVerdicts().get("antagonistic"));
        assertEquals(2, d.layerVerdicts().get("independent"));
        assertTrue(d.recommendation().contains("no intervention was measured"), d.recommendation());

        CapabilityCoupling.SizeCoupling none = size("m", 1000, layer(0, -0.1, -0.3, 0.1, CouplingVerdict.INDEPENDENT),
                layer(1, 0.3, -0.1, 0.5, CouplingVerdict.INDEPENDENT));
        PhaseDiagnosis.ModelDiagnosis i = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(none), List.of(), null))
                .models().get(0);
        assertEquals(CouplingVerdict.INDEPENDENT, i.verdict());
        assertEquals(1, i.strongest().layer(), "the largest |cos| is named when every layer is independent");
    }

    @Test
    void theRecommendationNeedsAnIntervalAboveTheControl() {
        CapabilityCoupling.SizeCoupling s = size("m", 1000, layer(0, 0.5, 0.3, 0.7, CouplingVerdict.COOPERATIVE));
        // the largest gain over the control has an interval that holds zero; the smaller one's does not
        List<PhaseDiagnosis.Intervention> measured = List.of(steer("m", "blocks.0.hook_resid_post", 4, 0.20, -0.02, 0.40, -0.01),
                steer("m", "blocks.0.hook_resid_post", 2, 0.08, 0.03, 0.13, -0.02), steer("m", "blocks.0.hook_resid_post", 1, 0.08, 0.02, 0.14, -0.04));
        PhaseDiagnosis.ModelDiagnosis d = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(s), measured, null))
                .models().get(0);
        assertEquals(2, d.recommended().alpha(), "the best that beats the control; a tie goes to the smaller cost");
        assertEquals(4, d.bestMeasured().alpha());
        assertTrue(d.recommendation().contains("steer truth at blocks.0.hook_resid_post with α = 2"), d.recommendation());
        assertFalse(d.recommendation().contains("other class"), "no examples of the other class measured: " + d.recommendation());

        // with the other class measured, the sentence gives what the push cost it
        PhaseDiagnosis.Intervention two = measured.get(1);
        PhaseDiagnosis.Intervention withOpposite = new PhaseDiagnosis.Intervention(two.model(), two.steered(), two.other(), two.hook(), two.alpha(),
                two.gain(), two.gainCi(), two.control(), two.controlCi(), two.excess(), two.excessCi(), two.cost(), two.costCi(), -0.4,
                new double[] {-0.5, -0.3});
        String sentence = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(s), List.of(withOpposite), null))
                .models().get(0).recommendation();
        assertTrue(sentence.contains("held-out truth examples of the other class") && sentence.contains("-0.400 [-0.500, -0.300]"), sentence);

        List<PhaseDiagnosis.Intervention> weak = List.of(steer("m", "blocks.0.hook_resid_post", 4, 0.05, -0.02, 0.12, 0),
                steer("m", "blocks.0.hook_resid_post", 1, 0.01, -0.05, 0.07, 0));
        PhaseDiagnosis.ModelDiagnosis n = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(s), weak, null))
                .models().get(0);
        assertNull(n.recommended());
        assertTrue(n.recommendation().contains("nothing beats the control"), n.recommendation());
        assertTrue(n.recommendation().contains("α = 4"), "it names the best measured: " + n.recommendation());

        List<PhaseDiagnosis.Intervention> elsewhere = List.of(steer("other", "blocks.0.hook_resid_post", 1, 0.1, 0.05, 0.15, 0));
        InputException e = assertThrows(InputException.class,
                () -> PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(s), elsewhere, null)));
        assertTrue(e.getMessage().contains("other"), e.getMessage());
    }

    @Test
    void theFlipIsTheDirectChangeBetweenAntagonisticAndCooperative() {
        List<CapabilityCoupling.SizeCoupling> sizes = new ArrayList<>();
        // given out of order: sorted by parameters
        sizes.add(size("c", 3000, layer(0, 0.5, 0.3, 0.7, CouplingVerdict.COOPERATIVE)));
        sizes.add(size("a", 1000, layer(0, -0.5, -0.7, -0.3, CouplingVerdict.ANTAGONISTIC)));
        sizes.add(size("i", 2000, layer(0, -0.5, -0.7, -0.3, CouplingVerdict.ANTAGONISTIC)));
        sizes.add(size("d", 4000, layer(0, 0.1, -0.1, 0.3, CouplingVerdict.INDEPENDENT)));
        PhaseDiagnosis.Result r = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning",
                coupling(sizes.toArray(CapabilityCoupling.SizeCoupling[]::new)), List.of(), null));
        assertEquals(List.of("a", "i", "c", "d"), r.models().stream().map(PhaseDiagnosis.ModelDiagnosis::model).toList());
        assertEquals("i", r.flip().from());
        assertEquals("c", r.flip().to());
        assertEquals(CouplingVerdict.ANTAGONISTIC, r.flip().before());
        assertEquals(CouplingVerdict.COOPERATIVE, r.flip().after());

        // without a direct change, the first change
        PhaseDiagnosis.Result viaIndependent = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(
                size("a", 1000, layer(0, -0.5, -0.7, -0.3, CouplingVerdict.ANTAGONISTIC)),
                size("b", 2000, layer(0, 0.1, -0.1, 0.3, CouplingVerdict.INDEPENDENT)),
                size("c", 3000, layer(0, 0.5, 0.3, 0.7, CouplingVerdict.COOPERATIVE))), List.of(), null));
        assertEquals("a", viaIndependent.flip().from());
        assertEquals("b", viaIndependent.flip().to());

        PhaseDiagnosis.Result same = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(
                size("a", 1000, layer(0, 0.5, 0.3, 0.7, CouplingVerdict.COOPERATIVE)),
                size("b", 2000, layer(0, 0.5, 0.3, 0.7, CouplingVerdict.COOPERATIVE))), List.of(), null));
        assertNull(same.flip().from());
        assertTrue(same.flip().note().contains("cooperative"), same.flip().note());

        PhaseDiagnosis.Result one = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input("truth", "reasoning", coupling(
                size("a", 1000, layer(0, 0.5, 0.3, 0.7, CouplingVerdict.COOPERATIVE))), List.of(), null));
        assertNull(one.flip(), "one size has no flip");
    }
}
