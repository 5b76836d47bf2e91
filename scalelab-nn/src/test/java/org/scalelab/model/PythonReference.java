package org.scalelab.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the independent Python references in src/test/python with Debian's interpreter. */
final class PythonReference {
    static final Path SCRIPTS = Path.of("src/test/python").toAbsolutePath();

    private PythonReference() {}

    static String interpreter() {
        return System.getProperty("scalelab.python", "/usr/bin/python3");
    }

    /** Skips the calling test, saying why, unless {@code import module} works. */
    static void assumeModule(String module) {
        Result r = run(List.of(interpreter(), "-c", "import " + module), 120);
        Assumptions.assumeTrue(r.exitCode() == 0, "skipped: the reference needs Python module '" + module + "' in "
                + interpreter() + " (" + r.stderr().strip() + ")");
    }

    static String run(List<String> cmd) {
        Result r = run(cmd, 900);
        if (r.exitCode() != 0) {
            throw new AssertionError(cmd + " failed (exit " + r.exitCode() + "): " + r.stderr());
        }
        return r.stdout();
    }

    static String runScript(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(interpreter(), SCRIPTS.resolve(script).toString()));
        cmd.addAll(List.of(args));
        Result r = run(cmd, 900);
        if (r.exitCode() != 0) {
            throw new AssertionError(script + " failed (exit " + r.exitCode() + "): " + r.stderr());
        }
        return r.stdout();
    }

    record Result(int exitCode, String stdout, String stderr) {}

    private static Result run(List<String> cmd, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Path err = java.nio.file.Files.createTempFile("scalelab-py", ".err");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "", "timed out");
            }
            String stderr = java.nio.file.Files.readString(err);
            java.nio.file.Files.deleteIfExists(err);
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), stderr);
        } catch (IOException e) {
            return new Result(-1, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted");
        }
    }
}
