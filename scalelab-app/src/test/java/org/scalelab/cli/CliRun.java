package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.scalelab.io.Json;

/** One scalelab command line run in-process, with its stdout, stderr and exit code (shared by the CLI tests). */
final class CliRun {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final int code;

    CliRun(String... args) {
        code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** The --json output, after checking the command succeeded. */
    JsonNode json() throws Exception {
        assertEquals(0, code, err.toString());
        return Json.mapper().readTree(out.toString());
    }
}
