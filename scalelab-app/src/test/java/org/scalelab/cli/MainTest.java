package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
    static final class Run {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        int code;

        Run(String... args) {
            code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        }
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitCode2() {
        Run r = new Run("fit", "--no-such-option");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("Unknown option: '--no-such-option'"), r.err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run r = new Run("--help");
        assertEquals(0, r.code);
        assertTrue(r.out.toString().contains("fit"), r.out.toString());
    }
}
