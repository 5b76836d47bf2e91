package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.store.LabBusyException;

/** Commands wait for a lab that another process holds (--wait), and give up with one line and the busy exit code. */
class LabWaitCommandTest {
    @TempDir
    Path dir;

    private Process hold(Path lab, long millis) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HoldLabChild.class.getName(), lab.toString(), Long.toString(millis))
                .redirectErrorStream(true).start();
        assertEquals("held", new BufferedReader(new InputStreamReader(p.getInputStream())).readLine());
        return p;
    }

    @Test
    void importAndSqlWaitForTheLabAndWithoutWaitingFailAsBusy() throws Exception {
        Path lab = dir.resolve("lab");
        Path csv = dir.resolve("runs.csv");
        Files.writeString(csv, "params,tokens,loss\n1e6,2e7,4.5\n1e7,2e8,3.5\n");
        assertEquals(0, new CliRun("runs", "sql", "SELECT 1", "--lab", lab.toString()).code);

        Process p = hold(lab, 3000);
        CliRun busy = new CliRun("runs", "sql", "SELECT 1", "--lab", lab.toString(), "--wait", "0");
        assertEquals(LabBusyException.EXIT_CODE, busy.code, busy.err.toString());
        assertEquals(1, busy.err.toString().strip().lines().count(), busy.err.toString());
        assertTrue(busy.err.toString().contains("the lab is in use by process " + p.pid()), busy.err.toString());

        CliRun imported = new CliRun("runs", "import", csv.toString(), "--lab", lab.toString());
        assertEquals(0, imported.code, imported.err.toString());
        assertTrue(imported.err.toString().contains("waiting up to 30 s for it (--wait SECONDS)"), imported.err.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));

        p = hold(lab, 3000);
        CliRun sql = new CliRun("runs", "sql", "SELECT count(*) AS n FROM runs", "--lab", lab.toString(), "--wait", "20");
        assertEquals(0, sql.code, sql.err.toString());
        assertTrue(sql.out.toString().contains("2"), sql.out.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));

        CliRun bad = new CliRun("runs", "sql", "SELECT 1", "--lab", lab.toString(), "--wait", "-1");
        assertEquals(2, bad.code, bad.err.toString());
    }
}
