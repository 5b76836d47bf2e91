package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;

/**
 * A lab holding real results of every kind the dashboard shows, for the dashboard's tests. It is built
 * once per test JVM, on first use, by the real command line ({@link Main#execute}), exactly as a user would
 * build it: two imported families of runs, law fits and a forecast, test-time and reliability results,
 * capability-phase scores, a tiny controlled-world sweep (training runs with curve points), its
 * activations and their geometry, and capability-phase results on its models: a diagnosis (phase map and
 * recommendation), their coupling per layer and size, the largest model's truth direction and a steering
 * dose-response against random directions. The folder is deleted when the JVM exits.
 *
 * <p>Tests that only read use {@link #lab()}; tests that write (jobs, imports) work on {@link #copy(Path)}.
 * What the lab holds is listed in {@link #COMMANDS} order by {@link #commands()}; the number of saved
 * results per analysis is {@link #EXPECTED_RESULTS}.
 */
public final class LabFixture {
    /** The family of the synthetic runs drawn from the Chinchilla law (Hoffmann et al. 2022, eq. 10). */
    public static final String SYNTHETIC_FAMILY = "fixture-synthetic";
    /** The family of the runs read from Hoffmann et al. 2022, figure 4 ({@code data/}). */
    public static final String HOFFMANN_FAMILY = "chinchilla-fig4";
    /** The world sweep's experiment name. */
    public static final String EXPERIMENT = "fixture-world";
    /** The world sweep's model widths (one depth, one seed: one training run per width). */
    public static final List<Integer> WIDTHS = List.of(16, 32);
    /** Steps of each world run. */
    public static final int WORLD_STEPS = 40;

    /** Saved results per analysis name, as {@code scalelab results list} shows them. */
    public static final Map<String, Integer> EXPECTED_RESULTS = expectedResults();

    private static final Object LOCK = new Object();
    private static volatile Path lab;
    private static final List<String> commands = new ArrayList<>();
    private static final Map<String, Double> seconds = new LinkedHashMap<>();

    private LabFixture() {}

    private static Map<String, Integer> expectedResults() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("fit.chinchilla", 1);
        m.put("forecast.chinchilla", 1);
        m.put("fit.power", 2);
        m.put("fit.shape", 1);
        m.put("testtime.passk", 1);
        m.put("testtime.coverage", 2);
        m.put("testtime.budget", 1);
        m.put("testtime.majority", 1);
        m.put("reliability.table", 1);
        m.put("reliability.requirement", 1);
        m.put("phase.scores", 1);
        m.put("geometry", 1);
        m.put("geometry_layers", 1);
        m.put("thought_cost", 1);
        m.put("phase.diagnose", 1);
        m.put("phase.coupling", 1);
        m.put("phase.directions", 1);
        m.put("phase.steer", 1);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The lab folder, built on first call (by one thread; the others wait for it). */
    public static Path lab() {
        Path l = lab;
        if (l == null) {
            synchronized (LOCK) {
                l = lab;
                if (l == null) {
                    l = build();
                    lab = l;
                }
            }
        }
        return l;
    }

    /**
     * A copy of the lab in {@code dir} (which must be empty or absent), for a test that writes. Paths the
     * results recorded (activation sets, checkpoints, input files) still name the original lab's files.
     */
    public static Path copy(Path dir) {
        Path from = lab();
        try {
            Files.createDirectories(dir);
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(dir.resolve(from.relativize(d).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.copy(f, dir.resolve(from.relativize(f).toString()));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the test lab to " + dir, e);
        }
        return dir;
    }

    /** The command lines that built the lab, in order (after {@link #lab()}). */
    public static List<String> commands() {
        lab();
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    /** Seconds each building step took (wall clock), "total" (wall clock) and "cpu" (CPU time of the JVM while building). */
    public static Map<String, Double> seconds() {
        lab();
        synchronized (seconds) {
            return Map.copyOf(seconds);
        }
    }

    private static Path build() {
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        try {
            Path dir = Files.createTempDirectory("scalelab-lab-fixture-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            Path labDir = dir.resolve("lab");
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            new Builder(labDir, data).run();
            seconds.put("total", (System.nanoTime() - t0) / 1e9);
            seconds.put("cpu", (processCpuNanos() - cpu0) / 1e9);
            System.err.printf(Locale.ROOT, "test lab built in %.1f s (%.1f s of CPU): %s%n", seconds.get("total"), seconds.get("cpu"), seconds);
            return labDir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the test lab", e);
        }
    }

    /** CPU time of this JVM so far, all threads (wall time alone misleads on a shared machine). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Runs the commands, in order, writing their input files first. */
    private record Builder(Path lab, Path data) {
        void run() throws IOException {
            Path synthetic = data.resolve("synthetic-runs.csv");
            writeSyntheticRuns(synthetic);
            Path hoffmann = data.resolve("hoffmann-fig4.csv");
            writeHoffmannRuns(hoffmann);
            step("import", () -> {
                cli("runs", "import", synthetic.toString(), "--metric", "loss=loss", "--metric", "accuracy=accuracy",
                        "--metric", "distractor=distractor");
                cli("runs", "import", hoffmann.toString(), "--metric", "loss=loss");
            });

            String own = " FROM points WHERE family = '" + SYNTHETIC_FAMILY + "'";
            step("laws", () -> {
                JsonNode chinchilla = cli("fit", "chinchilla", "--query", "SELECT params, tokens, loss" + own,
                        "--grid", "coarse", "--bootstrap", "20", "--seed", "1", "--json");
                Path fit = data.resolve("chinchilla.json");
                write(fit, Json.write(chinchilla));
                cli("forecast", "--fit", fit.toString(), "--compute", "1e21,1e22,1e23", "--json");
                cli("fit", "power", "--query", "SELECT params, loss" + own + " AND tokens / params = 20",
                        "--x-col", "params", "--y-col", "loss", "--bootstrap", "20", "--seed", "1", "--json");
                cli("fit", "power", "--query", "SELECT compute, loss FROM points WHERE family = '" + HOFFMANN_FAMILY + "'",
                        "--x-col", "compute", "--y-col", "loss", "--bootstrap", "20", "--seed", "1", "--json");
                cli("fit", "shape", "--query", "SELECT params, distractor" + own,
                        "--x-col", "params", "--y-col", "distractor", "--bootstrap", "20", "--seed", "1", "--json");
            });

            step("testtime", () -> {
                Path small = data.resolve("counts-small.csv");
                Path large = data.resolve("counts-large.csv");
                writeCounts(small, 11, 3.0);
                writeCounts(large, 12, 1.5);
                cli("testtime", "passk", "--data", small.toString(), "--k", "1,2,4,8,16,32,64", "--json");
                JsonNode a = cli("testtime", "coverage", "--data", small.toString(), "--target", "0.9", "--bootstrap", "20",
                        "--seed", "1", "--json");
                JsonNode b = cli("testtime", "coverage", "--data", large.toString(), "--target", "0.9", "--bootstrap", "20",
                        "--seed", "1", "--json");
                cli("testtime", "budget",
                        "--model", String.format(Locale.ROOT, "small,%s,%s,%s", a.path("a").asDouble(), a.path("b").asDouble(), 2 * 1.6e8 * 512),
                        "--model", String.format(Locale.ROOT, "large,%s,%s,%s", b.path("a").asDouble(), b.path("b").asDouble(), 2 * 1.28e9 * 512),
                        "--budgets", "1e12:1e17:21", "--json");
                Path samples = data.resolve("samples.csv");
                writeSamples(samples);
                cli("testtime", "majority", "--data", samples.toString(), "--k", "1,2,4,8", "--json");
                cli("reliability", "--p", "0.99,0.999,0.9999", "--steps", "10,100,1000", "--json");
                cli("reliability", "--target", "0.9,0.99", "--steps", "10,100,1000", "--json");
            });

            step("phase", () -> {
                Path scores = data.resolve("hellaswag-truthfulqa-14.csv");
                copyResource("/org/scalelab/phase/hellaswag-truthfulqa-14.csv", scores);
                cli("phase", "scores", "--data", scores.toString(), "--a", "hellaswag", "--b", "truthfulqa", "--d-model-col", "d_model",
                        "--bootstrap", "200", "--permutations", "200", "--seed", "1", "--json");
            });

            List<String> sets = new ArrayList<>();
            step("world", () -> {
                String widths = String.join(",", WIDTHS.stream().map(String::valueOf).toList());
                cli("world", "sweep", "--experiment", EXPERIMENT, "--widths", widths, "--depths", "1", "--seeds", "1",
                        "--entities", "16", "--trajectories", "12", "--truth-facts", "40", "--compositions", "40", "--steps", Integer.toString(WORLD_STEPS), "--batch", "16",
                        "--eval-per-decade", "4", "--parallel", "2", "--json");
                JsonNode captured = cli("world", "capture", "--experiment", EXPERIMENT, "--json");
                for (JsonNode set : captured) {
                    sets.add(set.path("out").asText());
                }
            });
            step("geometry", () -> {
                List<String> g = new ArrayList<>(List.of("geometry"));
                for (String s : sets) {
                    g.add("--acts");
                    g.add(s);
                }
                g.addAll(List.of("--by", "domain", "--compare-sizes", "--bootstrap", "10", "--null-replicates", "2",
                        "--seed", "1", "--json"));
                cli(g.toArray(String[]::new));
            });
            step("cost of thought", () -> {
                // The world's trajectory sets: each trajectory's cost in steps against its geometry and its hops.
                List<String> c = new ArrayList<>(List.of("geometry", "cost", "--cost", "steps", "--difficulty", "hops", "--bootstrap", "50",
                        "--seed", "1", "--json"));
                for (String s : sets) {
                    c.add("--acts");
                    c.add(s);
                }
                cli(c.toArray(String[]::new));
            });
            step("geometry layers", () -> {
                // The world's models have one block each: every layer at once is shown on two small layered sets.
                Path small = org.scalelab.geometry.LayeredSets.write(data, "layers-small", 2, 6, 1_000, false);
                Path large = org.scalelab.geometry.LayeredSets.write(data, "layers-large", 3, 8, 9_000, false);
                cli("geometry", "--acts", small.toString(), "--acts", large.toString(), "--hook", "blocks.*.hook_resid_post", "--by", "domain",
                        "--compare-sizes", "--bootstrap", "10", "--null-replicates", "2", "--k-range", "2:3", "--seed", "1", "--json");
            });
            step("phase world", () -> {
                Path prompts = data.resolve("phase");
                cliWithoutLab("world", "phase-prompts", "--world", lab.resolve("worlds").resolve(EXPERIMENT).toString(),
                        "--out", prompts.toString(), "--json");
                JsonNode captured = cli("world", "capture", "--experiment", EXPERIMENT, "--name", "phase", "--positions", "last",
                        "--prompts", prompts.resolve("truth-prompts.jsonl").toString(),
                        "--prompts", prompts.resolve("reasoning-prompts.jsonl").toString(),
                        "--hooks", "blocks.*.hook_resid_post,blocks.*.attn.hook_result", "--json");
                List<String> d = new ArrayList<>(List.of("phase", "diagnose"));
                for (JsonNode set : captured) {
                    d.add("--set");
                    d.add(set.path("out").asText());
                }
                d.addAll(List.of("--truth-task", prompts.resolve("world-phase-truth.jsonl").toString(),
                        "--reasoning-task", prompts.resolve("world-phase-reasoning.jsonl").toString(),
                        "--alphas", "0,2", "--controls", "2", "--resamples", "20", "--seed", "1", "--json"));
                cli(d.toArray(String[]::new));

                List<String> c = new ArrayList<>(List.of("phase", "coupling"));
                for (JsonNode set : captured) {
                    c.add("--a-set");
                    c.add(set.path("out").asText());
                }
                c.addAll(List.of("--a-positive", "labels.truth=true", "--a-negative", "labels.truth=false",
                        "--b-positive", "labels.valid=true", "--b-negative", "labels.valid=false", "--hook", "blocks.*.hook_resid_post",
                        "--resamples", "20", "--head-resamples", "20", "--seed", "1", "--json"));
                cli(c.toArray(String[]::new));

                // The largest model steered along its own truth direction, against random directions of the same norm.
                JsonNode largest = captured.get(captured.size() - 1);
                Path set = Path.of(largest.path("out").asText());
                Path directions = data.resolve("directions");
                cli("phase", "directions", "--set", set.toString(), "--hook", "blocks.0.hook_resid_post",
                        "--positive", "labels.truth=true", "--negative", "labels.truth=false", "--resamples", "10",
                        "--out", directions.toString(), "--json");
                cli("phase", "steer", "--model", largest.path("checkpoint").asText(),
                        "--direction", directions.resolve(set.getFileName().toString()).resolve("blocks.0.hook_resid_post.mean_diff.npy").toString(),
                        "--at", "blocks.0.hook_resid_post", "--task", prompts.resolve("world-phase-truth.jsonl").toString(),
                        "--other-task", prompts.resolve("world-phase-reasoning.jsonl").toString(), "--alphas", "0,1,4", "--controls", "2",
                        "--limit", "8", "--bootstrap", "100", "--seed", "1", "--json");
            });
        }

        private void step(String name, Runnable body) {
            long t = System.nanoTime();
            body.run();
            synchronized (seconds) {
                seconds.put(name, (System.nanoTime() - t) / 1e9);
            }
        }

        /** Runs one command line in the lab, in-process, and returns what it printed as JSON (null for none). */
        private JsonNode cli(String... args) {
            List<String> full = new ArrayList<>(List.of(args));
            full.add("--lab");
            full.add(lab.toString());
            return execute(args, full);
        }

        /** Runs a command that has no lab (it only writes files). */
        private JsonNode cliWithoutLab(String... args) {
            return execute(args, new ArrayList<>(List.of(args)));
        }

        private JsonNode execute(String[] args, List<String> full) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.execute(full.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
            synchronized (commands) {
                commands.add("scalelab " + String.join(" ", args));
            }
            if (code != 0) {
                throw new IllegalStateException("the test lab's command failed (exit " + code + "): scalelab "
                        + String.join(" ", args) + "\n" + err.toString().strip());
            }
            String text = out.toString().strip();
            if (!full.contains("--json") || text.isEmpty()) {
                return null;
            }
            try {
                return Json.mapper().readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("scalelab " + String.join(" ", args) + " printed no JSON: " + text, e);
            }
        }
    }

    // Chinchilla's fitted law (Hoffmann et al. 2022, eq. 10), for the synthetic family.
    private static double chinchillaLoss(double n, double d) {
        return 1.69 + 406.4 / Math.pow(n, 0.34) + 410.7 / Math.pow(d, 0.28);
    }

    /** 30 runs: 6 sizes × 5 tokens-per-parameter, loss with 0.5 % log-normal noise, an emergent accuracy, an inverted-U task. */
    static void writeSyntheticRuns(Path file) {
        SplittableRandom rng = new SplittableRandom(1);
        StringBuilder sb = new StringBuilder("model,family,params,tokens,loss,accuracy,distractor\n");
        for (long n : new long[] {40_000_000L, 80_000_000L, 160_000_000L, 320_000_000L, 640_000_000L, 1_280_000_000L}) {
            for (double r : new double[] {5, 10, 20, 40, 80}) {
                double d = r * n;
                double loss = chinchillaLoss(n, d) * Math.exp(0.005 * gaussian(rng));
                double acc = 0.25 + 0.75 / (1 + Math.exp(-2 * (Math.log10(6 * n * d) - 20)));
                double t = Math.log10(n) - 8.6;
                double distractor = 0.7 - 0.2 * t * t + 0.01 * gaussian(rng);
                sb.append(String.format(Locale.ROOT, "m%dM-%dx,%s,%d,%.6e,%.6f,%.4f,%.4f%n", n / 1_000_000, (int) r,
                        SYNTHETIC_FAMILY, n, d, loss, acc, distractor));
            }
        }
        write(file, sb.toString());
    }

    /** The project's copy of Hoffmann et al. 2022 figure 4 (params, compute, loss), with a family and model column added. */
    static void writeHoffmannRuns(Path file) {
        Path source = projectFile("data/chinchilla_hoffmann2022_fig4.csv");
        try {
            List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder("model,family," + lines.get(0) + "\n");
            for (int i = 1; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    sb.append("fig4-").append(i).append(',').append(HOFFMANN_FAMILY).append(',').append(lines.get(i)).append('\n');
                }
            }
            write(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    /** 100 problems, 64 samples each; problem i is solved per sample with rate ((i + 0.5) / 100)^power. */
    static void writeCounts(Path file, long seed, double power) {
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("problem,n,c\n");
        for (int i = 0; i < 100; i++) {
            double p = Math.pow((i + 0.5) / 100, power);
            int c = 0;
            for (int s = 0; s < 64; s++) {
                c += rng.nextDouble() < p ? 1 : 0;
            }
            sb.append("p").append(i).append(",64,").append(c).append('\n');
        }
        write(file, sb.toString());
    }

    /** 20 problems × 8 sampled answers among "a".."d"; "a" is right, drawn with rate (i + 1) / 21. */
    static void writeSamples(Path file) {
        SplittableRandom rng = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder("problem,answer,correct\n");
        for (int i = 0; i < 20; i++) {
            for (int s = 0; s < 8; s++) {
                boolean right = rng.nextDouble() < (i + 1) / 21.0;
                String answer = right ? "a" : String.valueOf((char) ('b' + rng.nextInt(3)));
                sb.append("q").append(i).append(',').append(answer).append(',').append(right ? 1 : 0).append('\n');
            }
        }
        write(file, sb.toString());
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** A file of the project (tests run in a module folder; the data folder is the project's). */
    static Path projectFile(String relative) {
        Path d = Path.of("").toAbsolutePath();
        while (d != null) {
            if (Files.exists(d.resolve(relative))) {
                return d.resolve(relative);
            }
            d = d.getParent();
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    private static void copyResource(String name, Path to) {
        try (InputStream in = LabFixture.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            Files.write(to, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            if (!Files.exists(dir)) {
                return;
            }
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Best effort at exit: a leftover temporary folder is harmless.
        }
    }
}
