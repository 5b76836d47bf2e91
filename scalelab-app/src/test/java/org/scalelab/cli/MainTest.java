package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void unknownOptionIsAUsageErrorWithExitCode2() {
        CliRun r = new CliRun("fit", "--no-such-option");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("Unknown option: '--no-such-option'"), r.err.toString());
    }

    @Test
    void helpListsTheCommands() {
        CliRun r = new CliRun("--help");
        assertEquals(0, r.code);
        assertTrue(r.out.toString().contains("fit"), r.out.toString());
    }
}
