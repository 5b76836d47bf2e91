package org.scalelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.io.Utf8Lines;
import org.scalelab.stats.McNemarResult;
import org.scalelab.stats.PairedBootstrapResult;
import org.scalelab.stats.PairedComparison;

/**
 * Two evaluations of the same examples (two models, or two checkpoints), compared pairwise on every
 * metric of {@link TaskMetrics#NAMES}: each example is scored by both, so the test is on the pairs —
 * McNemar's exact test on the discordant pairs for the 0/1 metrics (acc, acc_norm, mc1), a paired
 * bootstrap for the others (mc2, the probability mass on the golds) — rather than an unpaired test on
 * the two means, which ignores that the examples are shared and is too cautious (the per-example
 * outcomes of two models are strongly correlated).
 *
 * <p>Every example's metrics are recomputed from its record with {@link TaskMetrics}, the code that
 * computed the evaluation's aggregates, so a comparison's A and B columns are the two evaluations'
 * metrics. acc_norm divides by the unit the evaluations used (recorded on every line), or by the one
 * {@link Options#norm} names; records written before the lengths were recorded carry bytes alone, and
 * acc_norm by another unit is then left out with a note saying why.
 */
public final class EvalComparison {
    private EvalComparison() {}

    /** Two evaluations' per-example records (two --examples-out files, or two evaluations just run). */
    public record Input(String nameA, List<Evaluation.ExampleRecord> a, String nameB, List<Evaluation.ExampleRecord> b) {}

    /** @param norm what acc_norm divides by; null: the unit both evaluations recorded */
    public record Options(double level, int replicates, long seed, LengthNorm norm) {
        public static final Options DEFAULTS = new Options(0.95, 10_000, 0, null);
    }

    /**
     * One task's paired comparisons, differences A − B: the 0/1 metrics by McNemar's exact test, the
     * others by the paired bootstrap (none for fewer than 2 examples), each keyed by metric name in
     * {@link TaskMetrics#NAMES} order.
     */
    public record TaskComparison(String task, int n, Map<String, McNemarResult> mcnemar, Map<String, PairedBootstrapResult> bootstrap) {
        public TaskComparison {
            mcnemar = Collections.unmodifiableMap(new LinkedHashMap<>(mcnemar));
            bootstrap = Collections.unmodifiableMap(new LinkedHashMap<>(bootstrap));
        }
    }

    /**
     * @param norm  the unit acc_norm divided by (lower case), or null when acc_norm is left out
     * @param notes why a metric is left out, one line each
     */
    public record Result(String a, String b, List<TaskComparison> tasks, String norm, List<String> notes, Options options) {
        public Result {
            tasks = List.copyOf(tasks);
            notes = List.copyOf(notes);
        }
    }

    public static Result analyze(Input in, Options o) {
        Map<String, Map<String, Evaluation.ExampleRecord>> a = byTask(in.nameA(), in.a());
        Map<String, Map<String, Evaluation.ExampleRecord>> b = byTask(in.nameB(), in.b());
        for (String task : a.keySet()) {
            if (!b.containsKey(task)) {
                throw new InputException(in.nameB() + ": has no examples of task " + task + ", which " + in.nameA()
                        + " has; a paired comparison needs the same examples in both");
            }
        }
        for (String task : b.keySet()) {
            if (!a.containsKey(task)) {
                throw new InputException(in.nameA() + ": has no examples of task " + task + ", which " + in.nameB()
                        + " has; a paired comparison needs the same examples in both");
            }
        }
        List<String> notes = new ArrayList<>();
        LengthNorm norm = norm(in, o.norm(), notes);
        int metrics = TaskMetrics.NAMES.size();
        List<TaskComparison> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, Evaluation.ExampleRecord>> t : a.entrySet()) {
            Map<String, Evaluation.ExampleRecord> ta = t.getValue();
            Map<String, Evaluation.ExampleRecord> tb = b.get(t.getKey());
            for (String id : ta.keySet()) {
                if (!tb.containsKey(id)) {
                    throw new InputException(in.nameB() + ": has no example " + t.getKey() + "/" + id + ", which " + in.nameA()
                            + " has (" + ta.size() + " vs " + tb.size() + " examples); compare evaluations of the same examples");
                }
            }
            for (String id : tb.keySet()) {
                if (!ta.containsKey(id)) {
                    throw new InputException(in.nameA() + ": has no example " + t.getKey() + "/" + id + ", which " + in.nameB()
                            + " has (" + ta.size() + " vs " + tb.size() + " examples); compare evaluations of the same examples");
                }
            }
            int n = ta.size();
            double[][] va = new double[metrics][n];
            double[][] vb = new double[metrics][n];
            int i = 0;
            for (Map.Entry<String, Evaluation.ExampleRecord> e : ta.entrySet()) {
                Evaluation.ExampleRecord ra = e.getValue();
                Evaluation.ExampleRecord rb = tb.get(e.getKey());
                String where = t.getKey() + "/" + e.getKey();
                if (!Arrays.equals(ra.gold(), rb.gold()) || ra.logprobs().length != rb.logprobs().length) {
                    throw new InputException(in.nameB() + ": example " + where + " has other choices or golds than in "
                            + in.nameA() + "; compare evaluations of the same task file");
                }
                double[] xa = values(in.nameA(), where, ra, norm);
                double[] xb = values(in.nameB(), where, rb, norm);
                for (int m = 0; m < metrics; m++) {
                    va[m][i] = xa[m];
                    vb[m][i] = xb[m];
                }
                i++;
            }
            Map<String, McNemarResult> mcnemar = new LinkedHashMap<>();
            Map<String, PairedBootstrapResult> bootstrap = new LinkedHashMap<>();
            for (int m = 0; m < metrics; m++) {
                String name = TaskMetrics.NAMES.get(m);
                if (name.equals("acc_norm") && norm == null) {
                    continue;
                }
                if (TaskMetrics.BINARY.contains(name)) {
                    mcnemar.put(name, PairedComparison.mcnemar(ones(va[m]), ones(vb[m]), o.level()));
                } else if (n >= 2) {
                    bootstrap.put(name, PairedComparison.bootstrap(va[m], vb[m], o.replicates(), o.seed(), o.level()));
                }
            }
            out.add(new TaskComparison(t.getKey(), n, mcnemar, bootstrap));
        }
        return new Result(in.nameA(), in.nameB(), out, norm == null ? null : norm.name().toLowerCase(), notes, o);
    }

    /**
     * The unit acc_norm divides by: {@code asked}, else the one both inputs recorded; null (acc_norm left
     * out, with a note) when the records lack the lengths in that unit or recorded none.
     */
    private static LengthNorm norm(Input in, LengthNorm asked, List<String> notes) {
        LengthNorm norm = asked;
        if (norm == null) {
            String na = recordedNorm(in.nameA(), in.a());
            String nb = recordedNorm(in.nameB(), in.b());
            if (na != null && nb != null && !na.equals(nb)) {
                throw new InputException(in.nameB() + ": acc_norm divided by " + nb + ", in " + in.nameA() + " by " + na
                        + "; give --norm chars|bytes|tokens to compare both by one unit");
            }
            String recorded = na != null ? na : nb;
            if (recorded == null) {
                notes.add("acc_norm: not compared: the files do not say which unit it divided by (written by an older scalelab eval);"
                        + " give --norm bytes (the one length they record), or rerun the evaluations");
                return null;
            }
            norm = LengthNorm.valueOf(recorded.toUpperCase());
        }
        for (int side = 0; side < 2; side++) {
            String name = side == 0 ? in.nameA() : in.nameB();
            for (Evaluation.ExampleRecord r : side == 0 ? in.a() : in.b()) {
                if (lengths(r, norm) == null) {
                    notes.add("acc_norm: not compared: " + name + " has no " + norm.name().toLowerCase() + " lengths (example "
                            + r.task() + "/" + r.id() + ", written by an older scalelab eval); give --norm bytes, or rerun the evaluation");
                    return null;
                }
            }
        }
        return norm;
    }

    /** The unit every record of one input says acc_norm divided by; null when none says; an error when they disagree. */
    private static String recordedNorm(String name, List<Evaluation.ExampleRecord> records) {
        String found = null;
        for (Evaluation.ExampleRecord r : records) {
            if (r.norm() == null) {
                continue;
            }
            if (found != null && !found.equals(r.norm())) {
                throw new InputException(name + ": example " + r.task() + "/" + r.id() + " says acc_norm divided by " + r.norm()
                        + ", an earlier one by " + found + "; the records of one evaluation share one unit");
            }
            found = r.norm();
        }
        return found;
    }

    private static int[] lengths(Evaluation.ExampleRecord r, LengthNorm norm) {
        return switch (norm) {
            case CHARS -> r.chars();
            case BYTES -> r.bytes();
            case TOKENS -> r.tokens();
        };
    }

    /** The record's values of {@link TaskMetrics#NAMES}; acc_norm 0 when {@code norm} is null (then left out). */
    private static double[] values(String name, String where, Evaluation.ExampleRecord r, LengthNorm norm) {
        double[] lp = r.logprobs();
        int[] length = norm == null ? null : lengths(r, norm);
        if (length == null) {
            length = new int[lp.length];
            Arrays.fill(length, 1);
        }
        if (length.length != lp.length || r.gold().length == 0) {
            throw new InputException(name + ": example " + where + " has " + lp.length + " log-probs, " + length.length + " "
                    + (norm == null ? "" : norm.name().toLowerCase() + " ") + "lengths and " + r.gold().length + " golds");
        }
        for (int g : r.gold()) {
            if (g < 0 || g >= lp.length) {
                throw new InputException(name + ": example " + where + " has gold " + g + " among " + lp.length + " choices");
            }
        }
        double[] v;
        try {
            v = TaskMetrics.values(name + ": example " + where, lp, length, r.gold(), norm == null ? LengthNorm.CHARS : norm);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        for (int m = 0; m < v.length; m++) {
            if (!Double.isFinite(v[m])) {
                // mc2 is the golds' share of the choices' probability mass: undefined when every choice has probability 0.
                throw new InputException(name + ": example " + where + ": " + TaskMetrics.NAMES.get(m) + " is undefined ("
                        + v[m] + "): every choice has log-prob " + Arrays.toString(lp) + "; compare evaluations whose "
                        + "examples give each choice a finite log-prob, or remove this example from both");
            }
        }
        return v;
    }

    private static boolean[] ones(double[] x) {
        boolean[] out = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] == 1;
        }
        return out;
    }

    private static Map<String, Map<String, Evaluation.ExampleRecord>> byTask(String name, List<Evaluation.ExampleRecord> records) {
        Map<String, Map<String, Evaluation.ExampleRecord>> out = new LinkedHashMap<>();
        for (Evaluation.ExampleRecord r : records) {
            if (out.computeIfAbsent(r.task(), k -> new LinkedHashMap<>()).put(r.id(), r) != null) {
                throw new InputException(name + ": example " + r.task() + "/" + r.id() + " appears twice");
            }
        }
        return out;
    }

    /** Reads an --examples-out file; a line that is not such a record is an error naming FILE:LINE and the field. */
    public static List<Evaluation.ExampleRecord> read(Path file) {
        List<String> lines = Utf8Lines.read(file, "examples file (an --examples-out file of `scalelab eval`)");
        List<Evaluation.ExampleRecord> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode n;
            try {
                n = Json.mapper().readTree(line);
            } catch (IOException e) {
                throw new InputException(where + ": not valid JSON (" + Json.problem(e) + ")");
            }
            for (String field : new String[] {"task", "id", "logprobs", "gold", "correct"}) {
                if (n == null || !n.has(field) || n.get(field).isNull()) {
                    throw new InputException(where + ": field \"" + field + "\" is missing (a line of `scalelab eval --examples-out`)");
                }
            }
            try {
                out.add(Json.mapper().treeToValue(n, Evaluation.ExampleRecord.class));
            } catch (IOException e) {
                throw new InputException(where + ": not a record of `scalelab eval --examples-out` (" + Json.problem(e) + ")");
            }
        }
        if (out.isEmpty()) {
            throw new InputException(file + ": no examples");
        }
        return out;
    }
}
