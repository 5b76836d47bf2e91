package org.scalelab.spark;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.ScaleLabException;
import org.scalelab.eval.Evaluation;
import org.scalelab.eval.LengthNorm;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.Positions;
import org.scalelab.model.StepRule;

/**
 * The entry point {@code spark-submit} runs: {@code capture} and {@code eval} with the single-machine
 * commands' options, plus {@code --master} (when spark-submit does not give one) and
 * {@code --partitions}. Errors are one line on stderr, {@code scalelab: error: …}, exit code 2 for bad
 * input and 1 otherwise, as the {@code scalelab} command has them.
 *
 * <pre>
 * spark-submit --class org.scalelab.spark.SparkMain scalelab-spark.jar capture --model /shared/models/m \
 *     --prompts /shared/prompts.jsonl --out /shared/activations/m --partitions 64
 * </pre>
 */
public final class SparkMain {
    private static final String USAGE = "usage: SparkMain capture|eval [--master URL] [--partitions N] OPTIONS (as scalelab capture / scalelab eval)";
    private static final Set<String> CAPTURE_OPTIONS = Set.of("--master", "--partitions", "--model", "--prompts", "--out", "--hooks", "--positions",
            "--shard-mb", "--batch", "--dtype", "--no-special-tokens", "--steps", "--json");
    private static final Set<String> EVAL_OPTIONS = Set.of("--master", "--partitions", "--model", "--task", "--batch", "--limit", "--seed",
            "--norm", "--max-length", "--add-bos", "--examples-out", "--force", "--dtype", "--json");
    private static final Set<String> FLAGS = Set.of("--no-special-tokens", "--json", "--add-bos", "--force");

    private SparkMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs one command; returns the exit code. A session it opens is stopped at the end; one already running is left running. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0 || !(args[0].equals("capture") || args[0].equals("eval"))) {
                throw new InputException(USAGE);
            }
            boolean capture = args[0].equals("capture");
            Map<String, List<String>> o = parse(args, capture ? CAPTURE_OPTIONS : EVAL_OPTIONS);
            String master = one(o, "--master", System.getProperty("spark.master"));
            SparkMasters.requireReachable("--master", master);
            if (capture) {
                return capture(o, master, out, err);
            }
            return eval(o, master, out, err);
        } catch (ScaleLabException e) {
            err.println("scalelab: error: " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
    }

    private static int capture(Map<String, List<String>> o, String master, PrintStream out, PrintStream err) {
        ComputeDType dtype = ComputeDType.parse(one(o, "--dtype", "float32"));
        String steps = one(o, "--steps", null);
        StepRule rule = steps == null ? null : StepRule.parse(steps);
        double shardMb = number(o, "--shard-mb", 64);
        if (!(shardMb > 0)) {
            throw new InputException("--shard-mb: " + shardMb + " must be positive");
        }
        Capture.Options options = new Capture.Options(List.of(one(o, "--hooks", "blocks.*.hook_resid_post").split(",")),
                Positions.parse(one(o, "--positions", "all")), Math.max(1, (long) (shardMb * (1 << 20))), (int) number(o, "--batch", 8), List.of(),
                !o.containsKey("--no-special-tokens"), rule);
        Path model = Path.of(required(o, "--model", "the checkpoint folder"));
        Path prompts = Path.of(required(o, "--prompts", "the JSONL prompts file"));
        Path target = Path.of(required(o, "--out", "the new activation set folder"));
        DistributedCapture.requireNewOutput(target); // before a session starts
        SparkRuns.inSession(master, "scalelab capture", spark -> {
            int partitions = (int) number(o, "--partitions", spark.sparkContext().defaultParallelism());
            Capture.Summary s = Progress.reportingTo(new PartitionLines(err),
                    () -> DistributedCapture.run(spark, model, dtype, prompts, target, options, partitions));
            s.unsegmentedWarning(rule, "the prompts file's step_boundaries (if any)").ifPresent(err::println);
            if (o.containsKey("--json")) {
                out.println(Json.pretty(s));
            } else {
                out.printf("captured %d prompts (%d resumed from an earlier run), %,d new rows of %d hooks, %d shards → %s%n",
                        s.trajectories(), s.resumed(), s.rows(), s.hooks().size(), s.shards(), s.out());
            }
            return s;
        });
        out.flush();
        return 0;
    }

    private static int eval(Map<String, List<String>> o, String master, PrintStream out, PrintStream err) {
        ComputeDType dtype = ComputeDType.parse(one(o, "--dtype", "float32"));
        LengthNorm norm = switch (one(o, "--norm", "chars").toLowerCase()) {
            case "chars" -> LengthNorm.CHARS;
            case "bytes" -> LengthNorm.BYTES;
            case "tokens" -> LengthNorm.TOKENS;
            default -> throw new InputException("--norm " + InputException.quote(one(o, "--norm", "")) + ": expected chars, bytes or tokens");
        };
        Path model = Path.of(required(o, "--model", "the checkpoint folder to evaluate"));
        List<Path> tasks = o.getOrDefault("--task", List.of()).stream().map(Path::of).toList();
        if (tasks.isEmpty()) {
            throw new InputException("--task FILE: give at least one task file (JSON lines)");
        }
        Integer limit = o.containsKey("--limit") ? (int) number(o, "--limit", 0) : null;
        Long seed = o.containsKey("--seed") ? (long) number(o, "--seed", 0) : null;
        if (seed != null && limit == null) {
            throw new InputException("--seed: chooses which examples --limit keeps; give --limit N too");
        }
        Integer maxLength = o.containsKey("--max-length") ? (int) number(o, "--max-length", 0) : null;
        String examplesOut = one(o, "--examples-out", null);
        if (examplesOut != null) {
            for (Path t : tasks) {
                if (t.toAbsolutePath().normalize().equals(Path.of(examplesOut).toAbsolutePath().normalize())) {
                    throw new InputException("--examples-out " + examplesOut + ": is an input of this command (" + t
                            + "); write the per-example records to a file of their own");
                }
            }
            OutputFolder.checkFile("--examples-out", Path.of(examplesOut), null, o.containsKey("--force"), "--force");
        }
        SparkRuns.inSession(master, "scalelab eval", spark -> {
            int partitions = (int) number(o, "--partitions", spark.sparkContext().defaultParallelism());
            DistributedEval.Settings settings = new DistributedEval.Settings((int) number(o, "--batch", 8), maxLength, o.containsKey("--add-bos"), partitions);
            DistributedEval.Outcome r = Progress.reportingTo(new PartitionLines(err),
                    () -> DistributedEval.run(spark, model, dtype, tasks, new Evaluation.Options(limit, seed, norm), settings));
            if (examplesOut != null) {
                Evaluation.writeExamples(Path.of(examplesOut), r.evaluation().examples());
            }
            out.println(o.containsKey("--json") ? Json.pretty(r.result()) : Json.write(r.result()));
            return r;
        });
        out.flush();
        return 0;
    }

    /** Progress as one stderr line per finished partition ({@code capture: 3/8 partitions done}): spark-submit's output is a log, not a terminal. */
    private static final class PartitionLines implements Progress.Listener {
        private final PrintStream err;
        private String name;
        private long total;

        PartitionLines(PrintStream err) {
            this.err = err;
        }

        @Override
        public void start(String task, long total) {
            this.name = task;
            this.total = total;
        }

        @Override
        public synchronized void update(long done) {
            err.println(name + ": " + done + "/" + total + " partitions done");
            err.flush();
        }

        @Override
        public void finish() {
        }
    }

    /** Options by name (a repeated option keeps every value); flags map to an empty list. */
    static Map<String, List<String>> parse(String[] args, Set<String> known) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (!known.contains(a)) {
                throw new InputException(InputException.quote(args[i]) + ": unknown option of " + args[0] + "; " + USAGE);
            }
            List<String> values = out.computeIfAbsent(a, k -> new ArrayList<>());
            if (FLAGS.contains(a)) {
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new InputException(a + ": needs a value");
                }
                value = args[++i];
            }
            values.add(value);
        }
        return out;
    }

    private static String one(Map<String, List<String>> o, String name, String fallback) {
        List<String> v = o.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        if (v.size() > 1) {
            throw new InputException(name + ": given " + v.size() + " times; give it once");
        }
        return v.get(0);
    }

    private static String required(Map<String, List<String>> o, String name, String what) {
        String v = one(o, name, null);
        if (v == null) {
            throw new InputException(name + ": missing; give " + what);
        }
        return v;
    }

    private static double number(Map<String, List<String>> o, String name, double fallback) {
        String v = one(o, name, null);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (!name.equals("--shard-mb") && d != Math.rint(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InputException(name + " " + InputException.quote(v) + ": expected a " + (name.equals("--shard-mb") ? "number" : "whole number"));
        }
    }
}
