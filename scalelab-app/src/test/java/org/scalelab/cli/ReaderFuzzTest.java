package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.NpyPoints;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.NpyFile;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Prompt;
import org.scalelab.store.ImportOptions;
import org.scalelab.store.LabStore;
import org.scalelab.store.LmEvalResults;
import org.scalelab.world.WorldFiles;

/**
 * Every reader of user files, fed malformed variants of valid files ({@link Mutations}): it returns
 * normally or throws a {@link ScaleLabException} with exit code 2 and a one-line message; never
 * another exception, never longer than 5 s. jqwik draws the seeds; the number of inputs per reader
 * is {@code jqwik.tries.default} (src/test/resources/junit-platform.properties keeps the CI run
 * short; bench/fuzz_readers.sh runs the long one). A failing input is saved under
 * target/fuzz-failures/ for replay.
 */
class ReaderFuzzTest {
    /** A reader may use this much CPU time on one input (its thread's, so a loaded machine does not fail the test)... */
    private static final long TIMEOUT_SECONDS = 5;
    /** ...and this much wall time, which also catches a reader waiting on native threads forever. */
    private static final long WALL_TIMEOUT_SECONDS = 120;
    private static volatile Thread runnerThread;
    private static Path corpus;
    private static Path work;
    private static LabStore store;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private static ExecutorService runner = Executors.newSingleThreadExecutor(daemon());
    private static final Map<String, byte[]> seeds = new LinkedHashMap<>();

    /** The valid files the mutations start from, made by the commands that write them. */
    @BeforeContainer
    static void corpus() throws Exception {
        corpus = Files.createTempDirectory("scalelab-fuzz-corpus");
        // Under target/, not deleted afterwards: if the JVM dies on an input (a native library's abort), the input is there.
        work = Path.of("target", "fuzz-work").toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        Path model = CliRun.tinyModel("gpt2", corpus.resolve("model"));
        Path llama = CliRun.tinyModel("llama", corpus.resolve("llama"));
        seeds.put("config-gpt2", Files.readAllBytes(model.resolve("config.json")));
        seeds.put("config-llama", Files.readAllBytes(llama.resolve("config.json")));
        seeds.put("tokenizer", Files.readAllBytes(model.resolve("tokenizer.json")));
        seeds.put("safetensors", Files.readAllBytes(model.resolve("model.safetensors")));

        Path prompts = Files.writeString(corpus.resolve("prompts.jsonl"), """
                {"id": "a", "text": "two plus two is four", "domain": "math", "labels": {"correct": true}, "step_boundaries": [0, 3]}
                {"id": "b", "text": "the court held", "domain": "law", "labels": {"correct": false}}
                {"id": 7, "text": "x", "domain": null}
                """);
        seeds.put("prompts", Files.readAllBytes(prompts));
        Path acts = corpus.resolve("acts");
        CliRun capture = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks",
                "blocks.1.hook_resid_post", "--out", acts.toString());
        assertEquals(0, capture.code, capture.err.toString());
        seeds.put("manifest", Files.readAllBytes(acts.resolve("manifest.json")));
        seeds.put("shard", Files.readAllBytes(acts.resolve("shard-00000.safetensors")));

        Path world = corpus.resolve("world");
        CliRun gen = new CliRun("world", "generate", "--out", world.toString(), "--entities", "40", "--relations", "8", "--seed", "3");
        assertEquals(0, gen.code, gen.err.toString());
        seeds.put("world", Files.readAllBytes(world.resolve(WorldFiles.WORLD)));

        seeds.put("npy-f32", npy("<f4", "(3, 2)", 24));
        seeds.put("npy-f64", npy("<f8", "(2, 2)", 32));
        seeds.put("npy-i8", npy("<i8", "(3,)", 24));
        seeds.put("npz-stored", npz(ZipEntry.STORED));
        seeds.put("npz-deflated", npz(ZipEntry.DEFLATED));

        String csv = "model,params,tokens,loss\na,1e6,2e7,4.5\nb,1e7,2e8,3.5\nc,1e8,2e9,2.5\n";
        seeds.put("csv", csv.getBytes(StandardCharsets.UTF_8));
        seeds.put("jsonl", ("{\"model\": \"a\", \"params\": 1e6, \"tokens\": 2e7, \"loss\": 4.5}\n"
                + "{\"model\": \"b\", \"params\": 1e7, \"tokens\": 2e8, \"loss\": 3.5}\n").getBytes(StandardCharsets.UTF_8));
        Path parquet = corpus.resolve("runs.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 'm' || i AS model, 1e6 * i AS params, 1e8 * i AS tokens, 3.0 / i AS loss FROM range(1, 6) t(i)) TO '"
                    + parquet + "' (FORMAT parquet)");
        }
        seeds.put("parquet", Files.readAllBytes(parquet));
        Path lmEval = Path.of("..", "scalelab-core", "src", "test", "resources", "lmeval");
        seeds.put("lm-eval-v03", Files.readAllBytes(lmEval.resolve("v03-pythia-1.4b-step143000.json")));
        seeds.put("lm-eval-v04", Files.readAllBytes(lmEval.resolve("v04-pythia-160m.json")));

        StringBuilder runs = new StringBuilder("params,tokens,loss\n");
        for (double n = 1e7; n <= 1e10; n *= 4) {
            for (double d = 1e9; d <= 1e12; d *= 4) {
                runs.append(n).append(',').append(d).append(',').append(1.7 + 400 / Math.pow(n, 0.34) + 410 / Math.pow(d, 0.28)).append('\n');
            }
        }
        Path data = Files.writeString(corpus.resolve("fit-runs.csv"), runs.toString());
        CliRun fit = new CliRun("fit", "chinchilla", "--data", data.toString(), "--grid", "coarse", "--bootstrap", "5",
                "--keep-replicates", "--no-backtest", "--json", "--no-store");
        assertEquals(0, fit.code, fit.err.toString());
        seeds.put("fit", fit.out.toString().getBytes(StandardCharsets.UTF_8));

        store = LabStore.open(work.resolve("lab"));
        copyTree(acts, work.resolve("acts"));
        copyTree(world, work.resolve("world"));
        // Each reader once on its valid file: the corpus must be accepted, and classes and native
        // libraries load here rather than inside the first timed input.
        ModelTokenizer.load(model).encode("two plus two", true);
        ModelConfig.read(model);
        NpyPoints.load(Files.write(work.resolve("warm.npz"), seeds.get("npz-stored")), null, null);
        readSet(work.resolve("acts"));
        WorldFiles.read(work.resolve("world"));
        Prompt.readJsonl(prompts);
        store.importRuns(Files.write(work.resolve("warm.csv"), seeds.get("csv")), ImportOptions.defaults());
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        if (store != null) {
            store.close();
        }
        runner.shutdownNow();
        deleteTree(corpus);
    }

    private static void deleteTree(Path p) throws IOException {
        if (p != null && Files.exists(p)) {
            try (Stream<Path> all = Files.walk(p)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Property
    void npyPoints(@ForAll long seed) {
        fuzz("npy-points", pick(seed, "npy-f32", "npy-f64", "npy-i8"), seed, "x.npy", NpyPoints::readPoints);
    }

    @Property
    void npyIntegers(@ForAll long seed) {
        fuzz("npy-integers", pick(seed, "npy-i8", "npy-f32"), seed, "t.npy", NpyFile::readIntegers);
    }

    @Property
    void npz(@ForAll long seed) {
        fuzz("npz", pick(seed, "npz-stored", "npz-deflated"), seed, "x.npz", f -> NpyPoints.load(f, null, null));
    }

    @Property
    void safetensors(@ForAll long seed) {
        fuzz("safetensors", pick(seed, "safetensors", "shard"), seed, "model.safetensors", f -> {
            try (SafetensorsFile s = SafetensorsFile.open(f)) {
                for (TensorInfo t : s.tensors().values()) {
                    if (t.dtype().isFloat()) {
                        s.floats(t.name());
                    }
                }
            }
        });
    }

    @Property
    void activationSetManifest(@ForAll long seed) {
        Path set = work.resolve("acts");
        fuzz("activation-manifest", "manifest", seed, "acts/" + ActivationManifest.FILE, f -> readSet(set));
    }

    @Property
    void activationSetShard(@ForAll long seed) throws IOException {
        Path set = work.resolve("acts");
        Files.write(set.resolve(ActivationManifest.FILE), seeds.get("manifest"));
        fuzz("activation-shard", "shard", seed, "acts/shard-00000.safetensors", f -> readSet(set));
    }

    @Property
    void modelConfig(@ForAll long seed) {
        fuzz("config.json", pick(seed, "config-gpt2", "config-llama"), seed, "config.json", ModelConfig::read);
    }

    @Property
    void tokenizer(@ForAll long seed) {
        fuzz("tokenizer.json", "tokenizer", seed, "tokenizer.json", f -> ModelTokenizer.load(f).encode("two plus two", true));
    }

    @Property
    void prompts(@ForAll long seed) {
        fuzz("prompts", "prompts", seed, "prompts.jsonl", Prompt::readJsonl);
    }

    @Property
    void world(@ForAll long seed) {
        Path world = work.resolve("world");
        fuzz("world", "world", seed, "world/" + WorldFiles.WORLD, f -> WorldFiles.read(world));
    }

    @Property
    void runsImport(@ForAll long seed) {
        String kind = pick(seed, "csv", "jsonl", "parquet");
        fuzz("runs-import", kind, seed, "runs." + kind, f -> store.importRuns(f, ImportOptions.defaults()));
    }

    @Property
    void lmEvalResults(@ForAll long seed) {
        fuzz("lm-eval-results", pick(seed, "lm-eval-v03", "lm-eval-v04"), seed, "results.json",
                f -> store.importRecords(List.of(LmEvalResults.read(f, LmEvalResults.Options.defaults()).source())));
    }

    @Property
    void forecastFit(@ForAll long seed) {
        fuzz("forecast-fit", "fit", seed, "fit.json", f -> {
            CliRun r = new CliRun("forecast", "--fit", f.toString(), "--compute", "1e21", "--params", "7e10", "--tokens", "1.4e12",
                    "--json", "--no-store");
            String err = r.err.toString().strip();
            if (r.code != 0 && (r.code != 2 || err.contains("\n") || err.contains("\tat "))) {
                throw new AssertionError("exit " + r.code + ": " + err);
            }
        });
    }

    interface Reader {
        void read(Path file) throws Exception;
    }

    private static String pick(long seed, String... names) {
        return names[(int) Math.floorMod(seed >>> 17, (long) names.length)];
    }

    private static void readSet(Path set) {
        try (ActivationSet s = ActivationSet.open(set, true)) {
            for (ActivationManifest.Trajectory t : s.trajectories()) {
                s.rows(s.hooks().get(0), t);
            }
        }
    }

    /** Writes the mutant of seed file {@code seedName} to {@code work/fileName} and reads it with {@code reader}. */
    private static void fuzz(String reader, String seedName, long seed, String fileName, Reader read) {
        byte[] input = Mutations.mutate(seeds.get(seedName), seed);
        Path file = work.resolve(fileName);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long[] cpuAtStart = new long[1];
        Future<?> f = runner.submit(() -> {
            cpuAtStart[0] = CPU.getCurrentThreadCpuTime();
            read.read(file);
            return null;
        });
        Throwable failure;
        long wallStart = System.nanoTime();
        try {
            while (true) {
                try {
                    f.get(200, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    long cpu = CPU.getThreadCpuTime(runnerThread.getId()) - cpuAtStart[0];
                    long wall = System.nanoTime() - wallStart;
                    if (cpuAtStart[0] != 0 && cpu > TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS) || wall > TimeUnit.SECONDS.toNanos(WALL_TIMEOUT_SECONDS)) {
                        f.cancel(true);
                        runner.shutdownNow();
                        runner = Executors.newSingleThreadExecutor(daemon());
                        throw new TimeoutException(String.format("no answer after %.1f s of CPU time (%.1f s wall)", cpu / 1e9, wall / 1e9));
                    }
                }
            }
        } catch (TimeoutException e) {
            failure = new AssertionError(e.getMessage());
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ScaleLabException s && s.exitCode() == 2 && s.getMessage() != null && !s.getMessage().contains("\n")
                    && !s.getMessage().isBlank()) {
                return;
            }
            failure = c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        Path saved = save(reader, input);
        AssertionError err = new AssertionError(reader + ": input " + saved + " (mutant of " + seedName + ", seed " + seed + "): " + failure,
                failure);
        throw err;
    }

    private static Path save(String reader, byte[] input) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "fuzz-failures"));
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input)).substring(0, 12);
            return Files.write(dir.resolve(reader + "-" + hash), input).toAbsolutePath();
        } catch (Exception e) {
            return Path.of("(not saved: " + e + ")");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "fuzz-reader");
            t.setDaemon(true);
            runnerThread = t;
            return t;
        };
    }

    private static byte[] npy(String descr, String shape, int dataBytes) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String padded = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + padded.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) padded.length()).put(padded.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < dataBytes / 4; i++) {
            if (descr.equals("<f4")) {
                b.putFloat(i * 0.5f);
            } else {
                b.putInt(descr.equals("<i8") && i % 2 == 1 ? 0 : i);
            }
        }
        return b.array();
    }

    private static byte[] npz(int method) throws IOException {
        List<Map.Entry<String, byte[]>> members = new ArrayList<>(List.of(
                Map.entry("points.npy", npy("<f4", "(4, 2)", 32)), Map.entry("trajectories.npy", npy("<i8", "(2,)", 16)),
                Map.entry("labels.npy", npy("<i8", "(4,)", 32))));
        Path file = corpus.resolve(method == ZipEntry.STORED ? "stored.npz" : "deflated.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> m : members) {
                ZipEntry e = new ZipEntry(m.getKey());
                e.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(m.getValue());
                    e.setSize(m.getValue().length);
                    e.setCompressedSize(m.getValue().length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(m.getValue());
                z.closeEntry();
            }
        }
        return Files.readAllBytes(file);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
