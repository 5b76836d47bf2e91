package org.scalelab.phase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.scalelab.InputException;
import org.scalelab.io.ActivationSet;

/**
 * Reads the {@link CapabilityCoupling.Input} from activation sets: capability A's sets and B's sets
 * (the same folders when one capture holds both prompt sets), matched by model, each pooled at every
 * selected hook, and each block's per-head writes ({@code blocks.L.attn.hook_result}) when heads are
 * asked for.
 */
public final class CouplingPoints {
    private CouplingPoints() {}

    /** One capability's two classes, as {@code TrajectoryFilter} specs ({@code labels.truth=true}). */
    public record Classes(String positive, String negative) {}

    /**
     * @param hooks     which hooks to analyse (only d_model-wide hooks are taken)
     * @param hookNames how the user named the selection, for messages
     * @param heads     also read {@code blocks.L.attn.hook_result} for every analysed block L
     */
    public static CapabilityCoupling.Input read(List<ActivationSet> aSets, List<ActivationSet> bSets, Classes a, Classes b,
                                                Predicate<String> hooks, String hookNames, LabelledPoints.Pool pool, boolean heads) {
        Map<String, ActivationSet> aByModel = byModel(aSets, "A");
        Map<String, ActivationSet> bByModel = byModel(bSets, "B");
        if (!aByModel.keySet().equals(bByModel.keySet())) {
            TreeSet<String> onlyA = new TreeSet<>(aByModel.keySet());
            onlyA.removeAll(bByModel.keySet());
            TreeSet<String> onlyB = new TreeSet<>(bByModel.keySet());
            onlyB.removeAll(aByModel.keySet());
            throw new InputException("capability A's and B's activation sets must come from the same models: only in A: " + onlyA
                    + "; only in B: " + onlyB + " (the manifests' \"model\" field)");
        }
        List<CapabilityCoupling.SizePoints> sizes = new ArrayList<>();
        for (Map.Entry<String, ActivationSet> e : aByModel.entrySet()) {
            ActivationSet as = e.getValue();
            ActivationSet bs = bByModel.get(e.getKey());
            List<String> selected = new ArrayList<>();
            for (String h : as.hooks()) {
                if (hooks.test(h) && as.width(h) == as.dModel() && as.rowShape(h).length == 1) {
                    selected.add(h);
                }
            }
            if (selected.isEmpty()) {
                throw new InputException(as.dir() + ": --hook " + hookNames + " selects no d_model-wide hook of this set; captured: " + as.hooks());
            }
            for (String h : selected) {
                if (!bs.hooks().contains(h)) {
                    throw new InputException(bs.dir() + ": hook '" + h + "' was not captured (it is in A's set " + as.dir()
                            + "); captured: " + bs.hooks());
                }
            }
            List<CapabilityCoupling.LayerPoints> layers = new ArrayList<>();
            for (String h : selected) {
                layers.add(new CapabilityCoupling.LayerPoints(h, LabelledPoints.read(as, h, a.positive(), a.negative(), pool),
                        LabelledPoints.read(bs, h, b.positive(), b.negative(), pool)));
            }
            List<CapabilityCoupling.HeadPoints> headPoints = new ArrayList<>();
            if (heads) {
                TreeSet<Integer> blocks = new TreeSet<>();
                for (String h : selected) {
                    int layer = CapabilityCoupling.layerOf(h);
                    if (layer >= 0) {
                        blocks.add(layer);
                    }
                }
                if (blocks.isEmpty()) {
                    throw new InputException("--heads needs hooks of blocks (blocks.L.…), --hook " + hookNames + " selects " + selected);
                }
                for (int layer : blocks) {
                    String result = "blocks." + layer + ".attn.hook_result";
                    for (ActivationSet s : new ActivationSet[] {as, bs}) {
                        if (!s.hooks().contains(result)) {
                            throw new InputException(s.dir() + ": " + result + " was not captured, so head coupling has no per-head writes;"
                                    + " capture with --hook 'blocks.*.attn.hook_result' (beside the residual hooks), or leave out --heads");
                        }
                    }
                    int[] shape = as.rowShape(result);
                    if (shape.length != 2 || shape[1] != as.dModel()) {
                        throw new InputException(as.dir() + ": " + result + " rows are " + java.util.Arrays.toString(shape)
                                + ", expected [heads, d_model] (hook_shapes in manifest.json)");
                    }
                    headPoints.add(new CapabilityCoupling.HeadPoints(layer, shape[0],
                            LabelledPoints.read(as, result, a.positive(), a.negative(), pool),
                            LabelledPoints.read(bs, result, b.positive(), b.negative(), pool)));
                }
            }
            sizes.add(new CapabilityCoupling.SizePoints(as.model(), as.parameterCount(), layers, headPoints));
        }
        return new CapabilityCoupling.Input(sizes);
    }

    private static Map<String, ActivationSet> byModel(List<ActivationSet> sets, String capability) {
        Map<String, ActivationSet> out = new LinkedHashMap<>();
        for (ActivationSet s : sets) {
            ActivationSet before = out.put(s.model(), s);
            if (before != null) {
                throw new InputException("capability " + capability + ": two activation sets from model " + s.model() + ": " + before.dir()
                        + " and " + s.dir() + "; give one set per model size");
            }
        }
        return out;
    }
}
