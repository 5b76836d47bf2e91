package org.scalelab.interp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.Provenance;
import org.scalelab.model.Activation;
import org.scalelab.model.ActivationPatch;
import org.scalelab.model.ForwardResult;
import org.scalelab.model.HookNames;
import org.scalelab.model.HookSet;
import org.scalelab.model.LogitsWanted;
import org.scalelab.model.Transformer;

/**
 * Activation patching and head ablation, scored by the logit difference (answer − wrong) at the
 * last position, as TransformerLens' patching utilities and its IOI demos do (Wang et al. 2023;
 * Heimersheim &amp; Nanda 2024, "How to use and interpret activation patching").
 *
 * <p>Patching: each pair's clean prompt is run once and its activations recorded; then the
 * corrupted prompt is run once per cell with one activation replaced by the clean one (a hook at
 * one position, one head at every position, or a whole hook). The score of a cell is the
 * normalised recovery
 * <pre>  recovery = (LD_patched − LD_corrupted) / (LD_clean − LD_corrupted)</pre>
 * with each LD the mean over pairs of the logit difference (TransformerLens' {@code ioi_metric}):
 * 0 = as the corrupted run, 1 = as the clean run. When LD_clean = LD_corrupted the fraction is 0/0;
 * it is defined as 1 when LD_patched equals them too (nothing was lost, so all of it is recovered,
 * which is what patching a run with itself gives) and NaN otherwise.
 *
 * <p>Ablation: the clean prompt is run with one head's activation replaced by zeros or by its mean
 * over every clean prompt and position, scored with the same fraction: 1 = the head's removal
 * changes nothing, 0 = the logit difference falls to the corrupted run's.
 *
 * <p>Every run is one sequence (batch 1), with the logits of the last position only, so the clean
 * and corrupted baselines are computed exactly as the patched runs are.
 */
public final class Patching {
    private Patching() {}

    /** What a grid's cells are. */
    public enum By {
        /** one hook kind (default resid_pre) at one layer and one position */
        LAYER_POSITION,
        /** one head (default hook_z) at one layer, every position */
        LAYER_HEAD,
        /** resid_pre, attn_out and mlp_out, whole, at each layer */
        HOOK;

        public String cliName() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** How a head is removed. */
    public enum Ablation {
        /** its activation set to zero */
        ZERO,
        /** its activation set to its mean over every clean prompt and position */
        MEAN
    }

    /**
     * @param model   the model
     * @param pairs   tokenised pairs (in file order)
     * @param sources the files read, for the provenance
     */
    public record Input(Transformer model, List<PatchPair.Tokens> pairs, List<Provenance.Input> sources) {
        public Input {
            if (pairs.isEmpty()) {
                throw new InputException("patching: no pairs");
            }
            pairs = List.copyOf(pairs);
            sources = List.copyOf(sources);
        }
    }

    /**
     * A grid of patched (or ablated) runs.
     *
     * @param method             "patch" or "ablate-zero" / "ablate-mean"
     * @param by                 what rows and columns are (layer-position, layer-head, hook)
     * @param hook               the hook kind patched (as in {@code blocks.L.<hook>}), "resid_pre,attn_out,mlp_out" for {@code hook}
     * @param rowAxis            name of the row axis ("layer" or "hook")
     * @param columnAxis         name of the column axis ("position", "head" or "layer")
     * @param rows               row labels
     * @param columns            column labels (positions: "index:token" of the first pair's clean prompt)
     * @param logitDiff          [row][column] mean logit difference of the patched runs
     * @param recovery           [row][column] the normalised recovery (see the class comment)
     * @param cleanLogitDiff     mean logit difference of the clean runs
     * @param corruptedLogitDiff mean logit difference of the corrupted runs
     * @param pairs              number of pairs
     */
    public record Result(String method, String by, String hook, String rowAxis, String columnAxis, List<String> rows, List<String> columns,
                         double[][] logitDiff, double[][] recovery, double cleanLogitDiff, double corruptedLogitDiff, int pairs,
                         Provenance provenance) {}

    /** (patched − corrupted) / (clean − corrupted), with 0/0 defined as in the class comment. */
    public static double recovery(double patched, double clean, double corrupted) {
        double range = clean - corrupted;
        if (range == 0) {
            return patched == clean ? 1.0 : Double.NaN;
        }
        return (patched - corrupted) / range;
    }

    /** Patches every cell of the grid {@code by} from clean into corrupted; {@code hook} null: the default for {@code by}. */
    public static Result patch(Input in, By by, String hook, Map<Integer, String> positionTokens) {
        Transformer model = in.model();
        int layers = model.config().nLayers();
        if (by == By.HOOK && hook != null) {
            throw new InputException("--hook " + hook + ": patching by hook covers resid_pre, attn_out and mlp_out itself;"
                    + " choose one hook kind with --by layer-position or layer-head");
        }
        List<String> kinds = by == By.HOOK ? List.of("hook_resid_pre", "hook_attn_out", "hook_mlp_out")
                : List.of(kind(model, hook == null ? (by == By.LAYER_POSITION ? "resid_pre" : "z") : hook));
        List<String> recordedHooks = new ArrayList<>();
        for (String k : kinds) {
            for (int l = 0; l < layers; l++) {
                recordedHooks.add(name(l, k));
            }
        }
        int seq = in.pairs().get(0).clean().length;
        if (by == By.LAYER_POSITION) {
            for (PatchPair.Tokens p : in.pairs()) {
                if (p.clean().length != seq) {
                    throw new InputException("patching by layer-position: pair \"" + InputException.quote(p.id()) + "\" has " + p.clean().length
                            + " tokens and pair \"" + InputException.quote(in.pairs().get(0).id()) + "\" " + seq
                            + "; positions are compared across pairs, so every pair needs the same length (or patch by layer-head or hook)");
                }
            }
        }
        Baselines base = baselines(model, in.pairs(), HookSet.of(recordedHooks.toArray(String[]::new)));
        List<String> rows = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        List<List<Cell>> cells = new ArrayList<>();
        switch (by) {
            case LAYER_POSITION -> {
                for (int p = 0; p < seq; p++) {
                    columns.add(p + (positionTokens.containsKey(p) ? ":" + positionTokens.get(p) : ""));
                }
                for (int l = 0; l < layers; l++) {
                    rows.add(Integer.toString(l));
                    List<Cell> row = new ArrayList<>();
                    for (int p = 0; p < seq; p++) {
                        row.add(new Cell(name(l, kinds.get(0)), p, ActivationPatch.ALL));
                    }
                    cells.add(row);
                }
            }
            case LAYER_HEAD -> {
                int heads = heads(base.recorded().get(0).get(name(0, kinds.get(0))));
                for (int h = 0; h < heads; h++) {
                    columns.add(Integer.toString(h));
                }
                for (int l = 0; l < layers; l++) {
                    rows.add(Integer.toString(l));
                    List<Cell> row = new ArrayList<>();
                    for (int h = 0; h < heads; h++) {
                        row.add(new Cell(name(l, kinds.get(0)), ActivationPatch.ALL, h));
                    }
                    cells.add(row);
                }
            }
            case HOOK -> {
                for (int l = 0; l < layers; l++) {
                    columns.add(Integer.toString(l));
                }
                for (String k : kinds) {
                    rows.add(k.substring(k.lastIndexOf("hook_") + 5));
                    List<Cell> row = new ArrayList<>();
                    for (int l = 0; l < layers; l++) {
                        row.add(new Cell(name(l, k), ActivationPatch.ALL, ActivationPatch.ALL));
                    }
                    cells.add(row);
                }
            }
        }
        double[][] diff = new double[rows.size()][columns.size()];
        try (Progress.Task task = Progress.start("patch", (long) rows.size() * columns.size() * in.pairs().size())) {
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < columns.size(); c++) {
                    Cell cell = cells.get(r).get(c);
                    double sum = 0;
                    for (int i = 0; i < in.pairs().size(); i++) {
                        PatchPair.Tokens p = in.pairs().get(i);
                        Activation clean = base.recorded().get(i).get(cell.hook());
                        sum += logitDiff(model, p.corrupted(), p,
                                HookSet.none().patched(new ActivationPatch(cell.hook(), clean, cell.position(), cell.head())));
                        task.step();
                    }
                    diff[r][c] = sum / in.pairs().size();
                }
            }
        }
        String hookLabel = by == By.HOOK ? "resid_pre,attn_out,mlp_out" : kinds.get(0);
        return result("patch", by, hookLabel, rows, columns, diff, base, in,
                Map.of("by", by.cliName(), "hook", hookLabel));
    }

    /**
     * Removes each head of each layer in turn from the clean runs ({@code hook} null: hook_z; a
     * hook with a head axis, [batch, pos, head, width], or for zero ablation the attention pattern).
     */
    public static Result ablate(Input in, Ablation how, String hook) {
        Transformer model = in.model();
        int layers = model.config().nLayers();
        String kind = kind(model, hook == null ? "z" : hook);
        List<String> names = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            names.add(name(l, kind));
        }
        Baselines base = baselines(model, in.pairs(), HookSet.of(names.toArray(String[]::new)));
        Activation first = base.recorded().get(0).get(names.get(0));
        boolean patternLike = kind.endsWith("hook_pattern") || kind.endsWith("hook_attn_scores");
        if (first.shape().length != 4 || (patternLike && how == Ablation.MEAN)) {
            throw new InputException("ablation at " + kind + ": " + (first.shape().length != 4 ? "this hook has no head axis"
                    : "a mean attention pattern is not a pattern of this prompt") + "; ablate heads at attn.hook_z (or hook_q/k/v/result)");
        }
        if (patternLike && how == Ablation.ZERO && kind.endsWith("hook_attn_scores")) {
            throw new InputException("ablation at " + kind + ": zero scores are a uniform pattern, not a removed head; ablate attn.hook_z");
        }
        int heads = heads(first);
        List<String> rows = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            columns.add(Integer.toString(h));
        }
        double[][] diff = new double[layers][heads];
        try (Progress.Task task = Progress.start("ablate", (long) layers * heads * in.pairs().size())) {
            for (int l = 0; l < layers; l++) {
                rows.add(Integer.toString(l));
                float[] mean = how == Ablation.MEAN ? headMean(base, names.get(l)) : null;
                for (int h = 0; h < heads; h++) {
                    double sum = 0;
                    for (int i = 0; i < in.pairs().size(); i++) {
                        PatchPair.Tokens p = in.pairs().get(i);
                        Activation shape = base.recorded().get(i).get(names.get(l));
                        Activation replacement = replacement(shape, mean);
                        sum += logitDiff(model, p.clean(), p, HookSet.none().patched(new ActivationPatch(names.get(l), replacement, ActivationPatch.ALL, h)));
                        task.step();
                    }
                    diff[l][h] = sum / in.pairs().size();
                }
            }
        }
        String method = "ablate-" + how.name().toLowerCase();
        return result(method, By.LAYER_HEAD, kind, rows, columns, diff, base, in, Map.of("ablation", how.name().toLowerCase(), "hook", kind));
    }

    private record Cell(String hook, int position, int head) {}

    /** The clean runs' recorded activations (per pair, by hook name) and the two baselines. */
    private record Baselines(List<Map<String, Activation>> recorded, double clean, double corrupted) {}

    private static Baselines baselines(Transformer model, List<PatchPair.Tokens> pairs, HookSet record) {
        List<Map<String, Activation>> recorded = new ArrayList<>();
        double clean = 0;
        double corrupted = 0;
        for (PatchPair.Tokens p : pairs) {
            ForwardResult r = model.forward(new int[][] {p.clean()}, record, null, LogitsWanted.LAST);
            recorded.add(new LinkedHashMap<>(r.activations()));
            clean += difference(r, p);
            corrupted += logitDiff(model, p.corrupted(), p, HookSet.none());
        }
        return new Baselines(recorded, clean / pairs.size(), corrupted / pairs.size());
    }

    private static Result result(String method, By by, String hook, List<String> rows, List<String> columns, double[][] diff, Baselines base,
                                 Input in, Map<String, Object> options) {
        double[][] recovery = new double[rows.size()][columns.size()];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                recovery[r][c] = recovery(diff[r][c], base.clean(), base.corrupted());
            }
        }
        Map<String, Object> o = new LinkedHashMap<>(options);
        o.put("model", in.model().dir().toString());
        String rowAxis = by == By.HOOK ? "hook" : "layer";
        String columnAxis = switch (by) {
            case LAYER_POSITION -> "position";
            case LAYER_HEAD -> "head";
            case HOOK -> "layer";
        };
        return new Result(method, by.cliName(), hook, rowAxis, columnAxis, List.copyOf(rows), List.copyOf(columns), diff, recovery, base.clean(),
                base.corrupted(), in.pairs().size(), Provenance.of(method, in.sources(), o, null));
    }

    /** The logit difference answer − wrong at the last position of {@code tokens} run with {@code hooks}. */
    static double logitDiff(Transformer model, int[] tokens, PatchPair.Tokens pair, HookSet hooks) {
        return difference(model.forward(new int[][] {tokens}, hooks, null, LogitsWanted.LAST), pair);
    }

    private static double difference(ForwardResult r, PatchPair.Tokens pair) {
        float[] last = r.logits().at(0, 0);
        return (double) last[pair.answer()] - last[pair.wrong()];
    }

    /**
     * The full hook name of a kind at layer 0 resolved against the model's hook list: "resid_pre",
     * "hook_resid_pre", "z", "attn.hook_z" and "hook_z" all name blocks.L.attn.hook_z or
     * blocks.L.hook_resid_pre. Returns the kind as written after "blocks.L.".
     */
    static String kind(Transformer model, String kind) {
        List<String> all = HookNames.all(model.config());
        String k = kind.startsWith("blocks.") ? kind.substring(kind.indexOf('.', 7) + 1) : kind;
        for (String candidate : List.of(k, "hook_" + k, "attn.hook_" + k, "attn." + k, "mlp.hook_" + k, "mlp." + k)) {
            if (all.contains(name(0, candidate))) {
                return candidate;
            }
        }
        List<String> known = new ArrayList<>();
        for (String n : all) {
            if (n.startsWith("blocks.0.")) {
                known.add(n.substring("blocks.0.".length()));
            }
        }
        throw new InputException("hook '" + kind + "': no such hook in every block of this " + model.config().family().modelType()
                + " model; its block hooks: " + String.join(", ", known));
    }

    static String name(int layer, String kind) {
        return "blocks." + layer + "." + kind;
    }

    private static int heads(Activation a) {
        long[] s = a.shape();
        if (s.length != 4) {
            throw new InputException("patching by head at " + a.name() + ": the hook has shape " + java.util.Arrays.toString(s)
                    + " with no head axis; patch heads at attn.hook_z (or hook_q/k/v/result, attn.hook_pattern)");
        }
        String n = a.name();
        return (int) (n.endsWith("hook_pattern") || n.endsWith("hook_attn_scores") ? s[1] : s[2]);
    }

    /** Mean over every clean prompt and position of a [1, pos, head, width] hook: [head · width]. */
    private static float[] headMean(Baselines base, String hook) {
        double[] sum = null;
        long count = 0;
        for (Map<String, Activation> m : base.recorded()) {
            Activation a = m.get(hook);
            int pos = (int) a.shape()[1];
            int row = (int) (a.shape()[2] * a.shape()[3]);
            sum = sum == null ? new double[row] : sum;
            for (int p = 0; p < pos; p++) {
                for (int j = 0; j < row; j++) {
                    sum[j] += a.data()[p * row + j];
                }
            }
            count += pos;
        }
        float[] mean = new float[sum.length];
        for (int j = 0; j < mean.length; j++) {
            mean[j] = (float) (sum[j] / count);
        }
        return mean;
    }

    /** A recording of {@code like}'s shape holding zeros, or {@code mean} [head · width] at every position. */
    private static Activation replacement(Activation like, float[] mean) {
        float[] data = new float[like.data().length];
        if (mean != null) {
            for (int i = 0; i < data.length; i += mean.length) {
                System.arraycopy(mean, 0, data, i, mean.length);
            }
        }
        return new Activation(like.name(), like.shape(), data);
    }
}
