package org.scalelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Two evaluations of the same examples (two models, or two checkpoints), compared pairwise: each
 * example is scored by both, so the test is on the pairs — McNemar's exact test on the discordant
 * pairs for acc, a paired bootstrap for mc2 (the probability mass on the golds) — rather than an
 * unpaired test on the two means, which ignores that the examples are shared and is too cautious
 * (the per-example outcomes of two models are strongly correlated).
 */
public final class EvalComparison {
    private EvalComparison() {}

    /** Two files of --examples-out records. */
    public record Input(String nameA, List<Evaluation.ExampleRecord> a, String nameB, List<Evaluation.ExampleRecord> b) {}

    public record Options(double level, int replicates, long seed) {
        public static final Options DEFAULTS = new Options(0.95, 10_000, 0);
    }

    /** One task's paired comparisons: acc by McNemar, mc2 by paired bootstrap; differences are A − B. */
    public record TaskComparison(String task, int n, McNemarResult acc, PairedBootstrapResult mc2) {}

    public record Result(String a, String b, List<TaskComparison> tasks, Options options) {}

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
            boolean[] ca = new boolean[n];
            boolean[] cb = new boolean[n];
            double[] ma = new double[n];
            double[] mb = new double[n];
            int i = 0;
            for (Map.Entry<String, Evaluation.ExampleRecord> e : ta.entrySet()) {
                Evaluation.ExampleRecord ra = e.getValue();
                Evaluation.ExampleRecord rb = tb.get(e.getKey());
                if (!java.util.Arrays.equals(ra.gold(), rb.gold()) || ra.logprobs().length != rb.logprobs().length) {
                    throw new InputException(in.nameB() + ": example " + t.getKey() + "/" + e.getKey() + " has other choices or golds than in "
                            + in.nameA() + "; compare evaluations of the same task file");
                }
                ca[i] = ra.correct();
                cb[i] = rb.correct();
                ma[i] = TaskMetrics.goldMass(ra.logprobs(), ra.gold());
                mb[i] = TaskMetrics.goldMass(rb.logprobs(), rb.gold());
                i++;
            }
            out.add(new TaskComparison(t.getKey(), n, PairedComparison.mcnemar(ca, cb, o.level()),
                    n < 2 ? null : PairedComparison.bootstrap(ma, mb, o.replicates(), o.seed(), o.level())));
        }
        return new Result(in.nameA(), in.nameB(), out, o);
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
