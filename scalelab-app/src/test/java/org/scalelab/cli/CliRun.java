package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.io.Json;

/** One scalelab command line run in-process, with its stdout, stderr and exit code (shared by the CLI tests). */
final class CliRun {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final int code;

    CliRun(String... args) {
        code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /**
     * {@code scalelab model init} of a tiny random model (d_model 32, 2 layers, 4 heads, byte-level
     * vocabulary of 257, 128 positions, seed 5) of {@code family} into {@code out}, plus any {@code extra}
     * options; fails the test if the command does.
     */
    static Path tinyModel(String family, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("model", "init", "--family", family, "--d-model", "32", "--layers", "2",
                "--heads", "4", "--vocab", "257", "--max-positions", "128", "--seed", "5", "--out", out.toString()));
        args.addAll(List.of(extra));
        CliRun r = new CliRun(args.toArray(String[]::new));
        assertEquals(0, r.code, r.err.toString());
        return out;
    }

    /** The --json output, after checking the command succeeded. */
    JsonNode json() throws Exception {
        assertEquals(0, code, err.toString());
        return Json.mapper().readTree(out.toString());
    }
}
