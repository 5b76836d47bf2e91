package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.eval.EvalTask;
import picocli.CommandLine;

/** {@code eval convert}: writes task files the reader accepts, refuses to overwrite, and leaves nothing on bad input. */
class EvalConvertCommandTest {
    @TempDir Path dir;

    private static final String PIQA = "{\"goal\": \"To open a jar\", \"sol1\": \"twist the lid\", \"sol2\": \"cut the lid\", \"label\": 0}\n"
            + "{\"goal\": \"To dry a towel\", \"sol1\": \"hang it\", \"sol2\": \"fold it wet\", \"label\": 0}\n";
    private static final String TQA = "{\"question\": \"Q?\", \"mc1_targets\": {\"choices\": [\"a\", \"b\"], \"labels\": [1, 0]},"
            + " \"mc2_targets\": {\"choices\": [\"a\", \"c\", \"b\"], \"labels\": [1, 1, 0]}}\n";

    /** Runs the command as the CLI would (parse, then call) and returns its standard output. */
    private String run(String... args) {
        EvalConvertCommand cmd = new EvalConvertCommand();
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setOut(new PrintWriter(out, true));
        cl.parseArgs(args);
        assertEquals(0, cmd.call());
        return out.toString();
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void convertsRowsToATaskFileTheReaderAccepts() throws IOException {
        Path in = Files.writeString(dir.resolve("piqa_validation.jsonl"), PIQA);
        Path out = dir.resolve("tasks").resolve("piqa.jsonl");
        String printed = run("--format", "PIQA", in.toString(), out.toString());
        assertTrue(printed.contains("task piqa, 2 examples"), printed);
        EvalTask t = EvalTask.read(out);
        assertEquals(2, t.examples().size());
        assertEquals("Question: To open a jar\nAnswer:", t.examples().get(0).context());
    }

    @Test
    void refusesAnExistingOutAndKeepsIt() throws IOException {
        Path in = Files.writeString(dir.resolve("piqa_validation.jsonl"), PIQA);
        Path out = Files.writeString(dir.resolve("piqa.jsonl"), "mine\n");
        InputException e = assertThrows(InputException.class, () -> run("--format", "piqa", in.toString(), out.toString()));
        assertTrue(e.getMessage().contains("exists; choose another name, or add --force"), e.getMessage());
        assertEquals("mine\n", Files.readString(out));
        run("--format", "piqa", "--force", in.toString(), out.toString());
        assertEquals(2, EvalTask.read(out).examples().size());
    }

    @Test
    void truthfulQaWritesBothTasksOrNeither() throws IOException {
        Path in = Files.writeString(dir.resolve("tqa.jsonl"), TQA);
        Files.writeString(dir.resolve("truthfulqa_mc2.jsonl"), "mine\n");
        assertThrows(InputException.class, () -> run("--format", "truthfulqa", in.toString(), dir.resolve("truthfulqa.jsonl").toString()));
        assertEquals(List.of("tqa.jsonl", "truthfulqa_mc2.jsonl"), files());
        Files.delete(dir.resolve("truthfulqa_mc2.jsonl"));
        run("--format", "truthfulqa", in.toString(), dir.resolve("truthfulqa.jsonl").toString());
        assertEquals(List.of("tqa.jsonl", "truthfulqa_mc1.jsonl", "truthfulqa_mc2.jsonl"), files());
        assertEquals(2, EvalTask.read(dir.resolve("truthfulqa_mc2.jsonl")).examples().get(0).gold().length);
    }

    @Test
    void badRowsWriteNothing() throws IOException {
        Path in = Files.writeString(dir.resolve("bad.jsonl"), PIQA + "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"\", \"label\": 1}\n");
        InputException e = assertThrows(InputException.class, () -> run("--format", "piqa", in.toString(), dir.resolve("piqa.jsonl").toString()));
        assertEquals(in + ":3: field \"sol2\" is an empty string (a choice must have text to score)", e.getMessage());
        assertEquals(List.of("bad.jsonl"), files());
        assertThrows(InputException.class, () -> run("--format", "mmlu", in.toString(), dir.resolve("x.jsonl").toString()));
    }
}
