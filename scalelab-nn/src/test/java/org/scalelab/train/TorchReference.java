package org.scalelab.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the independent PyTorch scripts in bench/ with Debian's interpreter (skips the test when torch is missing). */
final class TorchReference {
    static final Path BENCH = Path.of("..", "bench").toAbsolutePath().normalize();

    private TorchReference() {}

    static String interpreter() {
        return System.getProperty("scalelab.python", "/usr/bin/python3");
    }

    static void assumeTorch() {
        String why;
        try {
            Process p = new ProcessBuilder(interpreter(), "-c", "import torch, numpy").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            why = done && p.exitValue() == 0 ? null : out;
        } catch (IOException | InterruptedException e) {
            why = e.toString();
        }
        Assumptions.assumeTrue(why == null, "skipped: the PyTorch reference needs torch and numpy in " + interpreter()
                + " (Debian: apt-get install python3-torch python3-numpy): " + why);
    }

    static String run(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(interpreter(), BENCH.resolve(script).toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("scalelab-torch", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " timed out");
        }
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        if (p.exitValue() != 0) {
            throw new AssertionError(script + " failed (exit " + p.exitValue() + "): " + stderr);
        }
        return out;
    }
}
