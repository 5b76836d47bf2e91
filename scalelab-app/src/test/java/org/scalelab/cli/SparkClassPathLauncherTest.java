package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/scalelab puts the Spark module's jar, Spark's libraries and the JVM flags Spark needs on the command
 * line only for a command that asks for Spark ({@code --spark MASTER} or {@code --spark=MASTER}, also inside an
 * {@code @file} of arguments); every other
 * command keeps the app's own class path, the one the class-data sharing archive was dumped for. Run on a
 * copy of the launcher in a tree of empty stand-in jars, with {@code JAVA} a script that prints the
 * arguments it was given, one a line.
 */
class SparkClassPathLauncherTest {
    @TempDir
    static Path root;

    private static List<String> launch(String... arguments) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        for (String script : new String[] {"scalelab", "allocator.sh"}) {
            Files.copy(Path.of("..", "bin", script).toAbsolutePath().normalize(), bin.resolve(script),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        bin.resolve("scalelab").toFile().setExecutable(true);
        for (String file : new String[] {"scalelab-app/target/scalelab-app.jar", "scalelab-app/target/lib/picocli.jar",
                "scalelab-app/target/lib/slf4j-nop-2.0.jar", "scalelab-spark/target/scalelab-spark.jar", "scalelab-spark/target/lib/spark-core.jar"}) {
            Files.createDirectories(root.resolve(file).getParent());
            if (!Files.exists(root.resolve(file))) {
                Files.createFile(root.resolve(file));
            }
        }
        Path java = root.resolve("print-arguments");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>(List.of(bin.resolve("scalelab").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JAVA", java.toString());
        pb.environment().put("SCALELAB_MALLOC", "system");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return List.of(out.strip().split("\n"));
    }

    private static String classPath(List<String> args) {
        return args.get(args.indexOf("-cp") + 1);
    }

    @Test
    void aCommandWithoutSparkKeepsTheAppsClassPath() throws Exception {
        List<String> args = launch("geometry", "--acts", "set", "--json");
        String cp = classPath(args);
        assertFalse(cp.contains("scalelab-spark"), cp);
        assertTrue(cp.contains("scalelab-app/target/lib/*"), cp);
        assertFalse(args.stream().anyMatch(a -> a.startsWith("--add-opens")), String.join(" ", args));
        assertEquals(List.of("org.scalelab.cli.Main", "geometry", "--acts", "set", "--json"), args.subList(args.size() - 5, args.size()));
    }

    @Test
    void sparkAskedForInsideAnArgumentFileCounts() throws Exception {
        Path options = root.resolve("options.txt");
        Files.writeString(options, "--acts set\n--spark local[2]\n");
        assertTrue(classPath(launch("geometry", "@" + options)).contains("scalelab-spark.jar"));
        Files.writeString(options, "--acts set\n--json\n");
        assertFalse(classPath(launch("geometry", "@" + options)).contains("scalelab-spark.jar"));
    }

    @Test
    void aCommandThatAsksForSparkGetsItsJarsAndFlags() throws Exception {
        for (String[] spark : new String[][] {{"--spark", "local[2]"}, {"--spark=local[2]"}}) {
            List<String> given = new ArrayList<>(List.of("geometry", "--acts", "set"));
            given.addAll(List.of(spark));
            List<String> args = launch(given.toArray(String[]::new));
            String cp = classPath(args);
            assertTrue(cp.contains("scalelab-spark/target/scalelab-spark.jar"), cp);
            assertTrue(cp.indexOf("scalelab-spark.jar") < cp.indexOf("picocli.jar"), "Spark's libraries before the app's: " + cp);
            assertFalse(cp.contains("slf4j-nop"), "Spark brings its own SLF4J binding: " + cp);
            assertTrue(args.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), String.join(" ", args));
        }
    }
}
