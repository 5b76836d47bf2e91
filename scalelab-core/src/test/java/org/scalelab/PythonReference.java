package org.scalelab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the independent Python references (numpy, scipy, scikit-learn, PyTorch) that tests compare
 * ScaleLab with, in one way for every module.
 *
 * <p>The rule: a reference script that is missing, or that fails, fails the test; only a Python
 * module that cannot be imported (numpy, scipy, sklearn, torch, …) skips it, with a message naming the
 * module. The interpreter is Debian's {@code /usr/bin/python3} (system property {@code scalelab.python},
 * set by the build), not the first {@code python3} on the PATH. Scripts are named by their path from
 * the repository's root, e.g. {@code bench/laws_scipy.py}.
 */
public final class PythonReference {
    private static final int TIMEOUT_SECONDS = 900;
    private static final Pattern MISSING_MODULE = Pattern.compile("ModuleNotFoundError: No module named '([^']+)'");
    /** Module name → null when it imports, else why not; one interpreter start per module and JVM. */
    private static final Map<String, String> IMPORT_ERRORS = new ConcurrentHashMap<>();

    private PythonReference() {}

    /** The interpreter the references run with. */
    public static String interpreter() {
        return System.getProperty("scalelab.python", "/usr/bin/python3");
    }

    /** Skips the calling test unless every one of {@code modules} imports, naming the first that does not. */
    public static void requireModules(String... modules) {
        for (String module : modules) {
            String error = IMPORT_ERRORS.computeIfAbsent(module, PythonReference::importError);
            Assumptions.assumeTrue(error.isEmpty(), () -> "skipped: the reference needs the Python module '" + module + "' in "
                    + interpreter() + " (Debian: apt-get install python3-" + debianName(module) + "): " + error);
        }
    }

    /**
     * A reference script by its path from the repository's root; fails the test when it is not there (a
     * missing script is a broken checkout, not a missing optional tool).
     */
    public static Path script(String pathFromRoot) {
        Path script = root().resolve(pathFromRoot);
        if (!Files.isRegularFile(script)) {
            throw new AssertionError("the Python reference script " + script + " does not exist");
        }
        return script;
    }

    /** Runs a reference script with {@code args} and returns its standard output. */
    public static String run(String scriptFromRoot, String... args) {
        return run(Map.of(), scriptFromRoot, args);
    }

    /** Runs a reference script with {@code args} and these environment variables added; returns its standard output. */
    public static String run(Map<String, String> environment, String scriptFromRoot, String... args) {
        List<String> cmd = new ArrayList<>(List.of(interpreter(), script(scriptFromRoot).toString()));
        cmd.addAll(List.of(args));
        return run(scriptFromRoot, cmd, environment);
    }

    /** Runs a few lines of Python ({@code python3 -c code args…}) and returns their standard output. */
    public static String runCode(String code, String... args) {
        List<String> cmd = new ArrayList<>(List.of(interpreter(), "-c", code));
        cmd.addAll(List.of(args));
        return run("python3 -c", cmd, Map.of());
    }

    /** The repository's root: the nearest folder above the working directory holding {@code bench/} and {@code pom.xml}. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bench")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository root (a folder with bench/ and pom.xml) above " + Path.of("").toAbsolutePath());
    }

    private static String run(String what, List<String> cmd, Map<String, String> environment) {
        Child.Outcome outcome = Child.run(cmd, environment, TIMEOUT_SECONDS);
        if (outcome.exitCode() != 0) {
            Matcher missing = MISSING_MODULE.matcher(outcome.stderr());
            if (missing.find()) {
                String module = missing.group(1).split("\\.")[0];
                Assumptions.abort("skipped: " + what + " needs the Python module '" + module + "' in " + interpreter()
                        + " (Debian: apt-get install python3-" + debianName(module) + ")");
            }
            throw new AssertionError(what + " failed (exit " + outcome.exitCode() + "): " + outcome.stderr());
        }
        return outcome.stdout();
    }

    private static String importError(String module) {
        Child.Outcome outcome = Child.run(List.of(interpreter(), "-c", "import " + module), Map.of(), 120);
        return outcome.exitCode() == 0 ? "" : outcome.stderr().strip();
    }

    private static String debianName(String module) {
        return module.toLowerCase(java.util.Locale.ROOT);
    }

    /** One child process: its exit code (−1 when it could not start or timed out) and its output. */
    private static final class Child {
        record Outcome(int exitCode, String stdout, String stderr) {}

        static Outcome run(List<String> cmd, Map<String, String> environment, int timeoutSeconds) {
            Path err = null;
            try {
                err = Files.createTempFile("scalelab-python", ".err");
                ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(err.toFile());
                builder.environment().putAll(environment);
                Process p = builder.start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Outcome(-1, "", "timed out after " + timeoutSeconds + " s");
                }
                return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
            } catch (IOException e) {
                return new Outcome(-1, "", cmd.get(0) + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(-1, "", "interrupted");
            } finally {
                if (err != null) {
                    try {
                        Files.deleteIfExists(err);
                    } catch (IOException ignored) {
                        // a temporary file left behind
                    }
                }
            }
        }
    }
}
