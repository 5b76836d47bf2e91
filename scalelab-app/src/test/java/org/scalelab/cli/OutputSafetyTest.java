package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.OutputFolder;

/**
 * Outputs never destroy user data: every command that writes a folder or file the user names
 * refuses one that holds something else than its own previous output, the lab and any file, with
 * exit code 2 and one line, and leaves no new folder behind when it fails.
 */
class OutputSafetyTest {
    @TempDir
    Path dir;

    private Path lab;
    private Path powerData;
    private Path counts;
    private Path points;

    @BeforeEach
    void labWithRuns() throws Exception {
        lab = dir.resolve("lab");
        Path runs = Files.writeString(dir.resolve("runs.csv"), "name,params,tokens,loss\na,1e6,2e7,4.5\nb,1e7,2e8,3.5\nc,1e8,2e9,3.0\n");
        assertEquals(0, new CliRun("runs", "import", runs.toString(), "--lab", lab.toString(), "--metric", "loss=loss",
                "--model-col", "name").code);
        powerData = Files.writeString(dir.resolve("power.csv"), "x,y\n1,2\n2,1.5\n4,1.2\n8,1.0\n16,0.9\n32,0.85\n");
        counts = Files.writeString(dir.resolve("counts.csv"), "problem,n,c\na,10,3\nb,10,0\nc,10,9\n");
        SplittableRandom r = new SplittableRandom(1);
        double[] v = r.doubles(60 * 4).toArray();
        points = GeometryCommandTest.npy(dir.resolve("x.npy"), "<f4", "(60, 4)", 4, 60 * 4, i -> v[i]);
    }

    /** The report-writing commands under test, each as a function of its --out. */
    private List<Function<Path, String[]>> reportCommands() {
        String l = lab.toString();
        return List.of(
                out -> new String[] {"fit", "power", "--lab", l, "--data", powerData.toString(), "--x-col", "x", "--y-col", "y",
                    "--bootstrap", "20", "--out", out.toString()},
                out -> new String[] {"testtime", "passk", "--lab", l, "--data", counts.toString(), "--k", "1,2", "--out", out.toString()},
                out -> new String[] {"geometry", "--lab", l, "--npy", points.toString(), "--null-replicates", "0", "--out", out.toString()});
    }

    private long count(String table) throws Exception {
        return new CliRun("runs", "sql", "SELECT count(*) AS n FROM " + table, "--lab", lab.toString(), "--json").json().at("/rows/0/0").asLong();
    }

    /** Hidden entries of {@code folder} (temporary siblings of a failed or refused write). */
    private static List<String> hidden(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    private static void assertRefused(CliRun r, String expected) {
        assertEquals(2, r.code, r.err.toString());
        String err = r.err.toString().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(expected), err);
    }

    @Test
    void reportCommandsRefuseAFolderHoldingAUserFileAndLeaveItIntact() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("r"));
        Files.writeString(mine.resolve("notes.txt"), "my notes");
        long results = count("results");
        for (Function<Path, String[]> command : reportCommands()) {
            assertRefused(new CliRun(command.apply(mine)), "holds notes.txt, which ScaleLab did not write there");
            assertEquals("my notes", Files.readString(mine.resolve("notes.txt")));
            try (Stream<Path> s = Files.list(mine)) {
                assertEquals(1, s.count());
            }
        }
        assertEquals(results, count("results"), "refused before the analysis: nothing saved");
        assertEquals(List.of(), hidden(dir));
    }

    @Test
    void reportCommandsRefuseARegularFile() throws Exception {
        Path file = Files.writeString(dir.resolve("report.html"), "mine");
        for (Function<Path, String[]> command : reportCommands()) {
            assertRefused(new CliRun(command.apply(file)), "is a file, not a folder");
            assertEquals("mine", Files.readString(file));
        }
    }

    @Test
    void reportCommandsRefuseTheLabItsParentAndTheStoreAndTheStoreKeepsItsRuns() throws Exception {
        long runs = count("runs");
        assertEquals(3, runs);
        for (Function<Path, String[]> command : reportCommands()) {
            assertRefused(new CliRun(command.apply(lab)), "is the lab folder");
            assertRefused(new CliRun(command.apply(dir)), "contains the lab folder");
            assertRefused(new CliRun(command.apply(lab.resolve("scalelab.duckdb"))), "is a lab store");
            assertEquals(runs, count("runs"));
        }
        Path otherLab = Files.createDirectories(dir.resolve("other"));
        assertEquals(0, new CliRun("runs", "list", "--lab", otherLab.toString()).code);
        assertFalse(Files.exists(otherLab.resolve("scalelab.duckdb")), "a command that only reads creates no store");
        org.scalelab.store.LabStore.open(otherLab).close(); // a writing command makes it a lab
        assertRefused(new CliRun(reportCommands().get(0).apply(otherLab)), "is a lab folder (it holds scalelab.duckdb)");
    }

    @Test
    void reRunningIntoAPreviousReportReplacesIt() throws Exception {
        Path r = dir.resolve("r");
        List<Function<Path, String[]>> commands = reportCommands();
        for (Function<Path, String[]> command : commands) {
            CliRun run = new CliRun(command.apply(r));
            assertEquals(0, run.code, run.err.toString());
            assertEquals("report", OutputFolder.kindOf(r));
        }
        assertTrue(Files.readString(r.resolve("result.json")).contains("\"geometry\""), "the last report");
        assertFalse(Files.exists(r.resolve("fit.svg")), "the power fit's plot went with its report");
        assertEquals(List.of(), hidden(dir));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(0, new CliRun(commands.get(1).apply(empty)).code);
        assertTrue(Files.isRegularFile(empty.resolve("index.html")));
    }

    @Test
    void aFailingCommandLeavesNoFolderAndNoTemporarySibling() throws Exception {
        Path r = dir.resolve("r");
        assertEquals(2, new CliRun("fit", "power", "--lab", lab.toString(), "--data", powerData.toString(), "--x-col", "x", "--y-col", "nope",
                "--out", r.toString()).code);
        Path labels = GeometryCommandTest.npy(dir.resolve("l.npy"), "<i8", "(7,)", 8, 7, i -> 0L);
        assertEquals(2, new CliRun("geometry", "--lab", lab.toString(), "--npy", points.toString(), "--labels", labels.toString(),
                "--out", r.toString()).code);
        assertFalse(Files.exists(r));
        assertEquals(List.of(), hidden(dir));
    }

    @Test
    void worldGenerateReplacesOnlyAPreviousWorld() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("w"));
        Files.writeString(mine.resolve("notes.txt"), "my notes");
        String[] small = {"--entities", "16", "--relations", "4"};
        assertRefused(new CliRun(args(small, "world", "generate", "--out", mine.toString())), "holds notes.txt");
        assertEquals("my notes", Files.readString(mine.resolve("notes.txt")));
        Path w = dir.resolve("world");
        assertEquals(0, new CliRun(args(small, "world", "generate", "--out", w.toString())).code);
        assertEquals(0, new CliRun(args(new String[] {"--entities", "16", "--relations", "6"}, "world", "generate", "--out", w.toString())).code);
        assertTrue(Files.readString(w.resolve("world.json")).contains("\"relations\" : 6"), "the new world replaced the old one");
        assertRefused(new CliRun(args(small, "world", "generate", "--out", lab.toString())), "is a lab folder");
        assertEquals(3, count("runs"));
        assertEquals(List.of(), hidden(dir));
    }

    @Test
    void modelInitRefusesAFolderThatIsNotEmptyAndAFile() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("m"));
        Files.writeString(mine.resolve("notes.txt"), "my notes");
        String[] tiny = {"--family", "gpt2", "--d-model", "16", "--layers", "1", "--heads", "2", "--vocab", "64"};
        assertRefused(new CliRun(args(tiny, "model", "init", "--out", mine.toString())), "holds notes.txt");
        assertEquals("my notes", Files.readString(mine.resolve("notes.txt")));
        Path file = Files.writeString(dir.resolve("model.bin"), "mine");
        assertRefused(new CliRun(args(tiny, "model", "init", "--out", file.toString())), "is a file");
        assertEquals("mine", Files.readString(file));
        assertRefused(new CliRun(args(tiny, "model", "init", "--out", lab.toString())), "is a lab folder");
        assertEquals(List.of(), hidden(dir));
    }

    @Test
    void directionNeverOverwritesAFileUnlessForced() throws Exception {
        Path file = Files.writeString(dir.resolve("d.npy"), "mine");
        Path noSet = dir.resolve("no-such-set");
        String[] rest = {"--set", noSet.toString(), "--hook", "blocks.0.hook_resid_post", "--positive", "domain=a", "--negative", "domain=b"};
        assertRefused(new CliRun(args(rest, "direction", "--out", file.toString())), "exists; choose another name, or add --force to replace it");
        assertEquals("mine", Files.readString(file));
        assertRefused(new CliRun(args(rest, "direction", "--out", dir.toString())), "is a folder");
        assertRefused(new CliRun(args(rest, "direction", "--out", lab.resolve("scalelab.duckdb").toString(), "--force")), "is a lab store");
        CliRun forced = new CliRun(args(rest, "direction", "--out", file.toString(), "--force"));
        assertEquals(2, forced.code);
        assertFalse(forced.err.toString().contains("exists"), "with --force the file is no obstacle: " + forced.err);
        assertEquals("mine", Files.readString(file), "a failed command leaves the file alone");
    }

    @Test
    void captureRefusesFoldersThatAreNotActivationSetsAndFiles() throws Exception {
        Path model = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path prompts = Files.writeString(dir.resolve("prompts.jsonl"), "{\"id\": \"q1\", \"text\": \"2+2=4\", \"domain\": \"math\"}\n");
        Path mine = Files.createDirectories(dir.resolve("acts"));
        Files.writeString(mine.resolve("shard-00000.safetensors"), "not ours");
        assertRefused(new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--out", mine.toString()),
                "holds shard-00000.safetensors, which is not part of an activation set");
        assertEquals("not ours", Files.readString(mine.resolve("shard-00000.safetensors")));
        Path file = Files.writeString(dir.resolve("acts.bin"), "mine");
        assertRefused(new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--out", file.toString()), "is a file");
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void aCaptureThatFailsBeforeItsFirstShardLeavesNoFolder() throws Exception {
        Path model = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path badSteps = Files.writeString(dir.resolve("bad.jsonl"),
                "{\"id\": \"q1\", \"text\": \"2+2=4\", \"domain\": \"math\", \"step_boundaries\": [1, 400]}\n");
        Path out = dir.resolve("new-acts");
        assertEquals(2, new CliRun("capture", "--model", model.toString(), "--prompts", badSteps.toString(), "--out", out.toString()).code);
        assertFalse(Files.exists(out), "a capture that fails before its first shard leaves no folder");
        assertEquals(List.of(), hidden(dir));
    }

    @Test
    void trainRefusesAFolderThatIsNotARun() throws Exception {
        Path model = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path data = Files.writeString(dir.resolve("train.jsonl"), "{\"text\": \"the cat sat on the mat\"}\n");
        Path mine = Files.createDirectories(dir.resolve("run"));
        Files.writeString(mine.resolve("notes.txt"), "my notes");
        assertRefused(new CliRun("train", "--model", model.toString(), "--data", data.toString(), "--out", mine.toString(), "--steps", "2"),
                "holds notes.txt, which is not part of a training run");
        assertEquals("my notes", Files.readString(mine.resolve("notes.txt")));
        assertRefused(new CliRun("train", "--model", model.toString(), "--data", data.toString(), "--out", lab.toString(), "--steps", "2"),
                "is a lab folder");
        assertEquals(3, count("runs"));
    }

    @Test
    void demoRefusesAReportFolderHoldingUserFiles() throws Exception {
        Path demo = Files.createDirectories(lab.resolve("reports/demo"));
        Files.writeString(demo.resolve("notes.txt"), "my notes");
        assertRefused(new CliRun("demo", "--no-world", "--lab", lab.toString()), "holds notes.txt");
        assertEquals("my notes", Files.readString(demo.resolve("notes.txt")));
        assertFalse(Files.exists(lab.resolve("demo-data")), "refused before any work");
    }

    @Test
    void aLabThatIsAFileIsRefusedWithOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        assertRefused(new CliRun("runs", "list", "--lab", file.toString()), "--lab " + file + ": is a file, not a lab folder");
        assertRefused(new CliRun("fit", "power", "--lab", file.resolve("sub").toString(), "--data", powerData.toString(), "--x-col", "x",
                "--y-col", "y"), "is a file, not a lab folder");
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void aFolderGivenAsAnInputFileIsCalledAFolder() {
        assertRefused(new CliRun("fit", "power", "--lab", lab.toString(), "--data", dir.toString(), "--x-col", "x", "--y-col", "y"),
                dir + ": is a folder, not a file");
        assertRefused(new CliRun("runs", "import", dir.toString(), "--lab", lab.toString()), dir + ": is a folder, not a file");
        assertRefused(new CliRun("geometry", "--lab", lab.toString(), "--npy", dir.toString(), "--no-store"), dir + ": is a folder, not a file");
    }

    /** {@code head} followed by {@code tail}. */
    private static String[] args(String[] tail, String... head) {
        return Stream.concat(Stream.of(head), Stream.of(tail)).toArray(String[]::new);
    }
}
