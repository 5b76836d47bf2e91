package org.scalelab.curves;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.scalelab.InputException;
import org.scalelab.dynamics.SeedInterval;
import org.scalelab.io.Json;

/**
 * Runs of one configuration trained with different seeds, drawn as one curve: the mean across seeds at
 * each step with its 95 % Student-t interval ({@link SeedInterval}: mean ± t(0.975, n−1)·s/√n, given from
 * {@link SeedInterval#MIN_SEEDS} seeds on), and n per point.
 *
 * <p>Alignment: seeds are compared at the <em>common steps</em> only, the steps every seed logged. No
 * value is invented by interpolation, and the mean never jumps where a seed stops (a seed still
 * training, or one that logged on another schedule, shortens the group's curve instead). At a common
 * step a seed whose value is NaN (nothing finite logged) is left out, so n may be below the seed count
 * there.
 */
public final class SeedGroups {
    private SeedGroups() {}

    /**
     * The group curve.
     *
     * @param name  the legend entry (the runs' shared name without their seed)
     * @param runs  the seeds' runs, in the order given
     * @param steps the common steps
     * @param mean  mean across seeds at each step (NaN where no seed has a finite value)
     * @param lo    lower edge of the 95 % interval, NaN where fewer than {@link SeedInterval#MIN_SEEDS} values
     * @param hi    upper edge, likewise
     * @param n     seeds with a finite value at each step
     */
    public record Band(String name, List<String> runs, long[] steps, double[] mean, double[] lo, double[] hi, int[] n) {
        public Band {
            runs = List.copyOf(runs);
        }

        public int size() {
            return steps.length;
        }

        /** The mean as a series (e.g. to downsample or smooth it). */
        public StepSeries meanSeries() {
            return new StepSeries(name, steps, mean);
        }

        /** The points at {@code indices} (increasing). */
        public Band select(int[] indices) {
            long[] s = new long[indices.length];
            double[] m = new double[indices.length];
            double[] l = new double[indices.length];
            double[] h = new double[indices.length];
            int[] c = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                s[i] = steps[indices[i]];
                m[i] = mean[indices[i]];
                l[i] = lo[indices[i]];
                h[i] = hi[indices[i]];
                c[i] = n[indices[i]];
            }
            return new Band(name, runs, s, m, l, h, c);
        }
    }

    /** Mean and interval of {@code seeds} (one series per run of {@code runs}) at their common steps. */
    public static Band mean(String name, List<String> runs, List<StepSeries> seeds) {
        if (seeds.isEmpty() || seeds.size() != runs.size()) {
            throw new InputException(name + ": " + seeds.size() + " curves for " + runs.size() + " runs");
        }
        long[] common = seeds.get(0).steps();
        for (StepSeries s : seeds.subList(1, seeds.size())) {
            common = intersect(common, s.steps());
        }
        int[] cursor = new int[seeds.size()];
        double[] mean = new double[common.length];
        double[] lo = new double[common.length];
        double[] hi = new double[common.length];
        int[] n = new int[common.length];
        double[] values = new double[seeds.size()];
        for (int i = 0; i < common.length; i++) {
            int count = 0;
            for (int k = 0; k < seeds.size(); k++) {
                StepSeries s = seeds.get(k);
                while (s.steps()[cursor[k]] != common[i]) {
                    cursor[k]++;
                }
                double v = s.values()[cursor[k]];
                if (!Double.isNaN(v)) {
                    values[count++] = v;
                }
            }
            SeedInterval interval = SeedInterval.of(Arrays.copyOf(values, count));
            mean[i] = interval.mean();
            lo[i] = interval.ci95() == null ? Double.NaN : interval.ci95().get(0);
            hi[i] = interval.ci95() == null ? Double.NaN : interval.ci95().get(1);
            n[i] = count;
        }
        return new Band(name, runs, common, mean, lo, hi, n);
    }

    private static long[] intersect(long[] a, long[] b) {
        long[] out = new long[Math.min(a.length, b.length)];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                out[k++] = a[i];
                i++;
                j++;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /**
     * What makes runs seeds of one configuration: the experiment and the run's settings ({@code specJson},
     * a JSON object) without its {@code seed} field, written with sorted keys. Settings that are not a JSON
     * object make a configuration of their own run alone.
     */
    public static String configuration(String run, String experiment, String specJson) {
        JsonNode spec;
        try {
            spec = specJson == null ? null : Json.mapper().readTree(specJson);
        } catch (JsonProcessingException e) {
            spec = null;
        }
        if (!(spec instanceof ObjectNode object)) {
            return "run:" + run;
        }
        Map<String, String> sorted = new TreeMap<>();
        object.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("seed")) {
                sorted.put(f.getKey(), f.getValue().toString());
            }
        });
        return experiment + " " + sorted;
    }

    /** {@code runs} (name → configuration) grouped by configuration, groups and runs in their first order. */
    public static List<List<String>> group(Map<String, String> configurationByRun) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        configurationByRun.forEach((run, conf) -> groups.computeIfAbsent(conf, c -> new ArrayList<>()).add(run));
        return new ArrayList<>(groups.values());
    }

    /**
     * A legend name for a group: the runs' name with its seed part ({@code -seed3}) removed when every run
     * has one and the rest agrees, else the first run's name; then the number of seeds.
     */
    public static String name(List<String> runs) {
        String first = runs.get(0).replaceFirst("-seed\\d+$", "");
        boolean shared = runs.stream().allMatch(r -> r.matches(".*-seed\\d+$") && r.replaceFirst("-seed\\d+$", "").equals(first));
        String base = shared ? first : runs.get(0);
        return base + " (" + runs.size() + (runs.size() == 1 ? " seed)" : " seeds)");
    }
}
