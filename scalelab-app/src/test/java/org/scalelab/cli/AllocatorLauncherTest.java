package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher's choice of C allocator (bin/allocator.sh, sourced by bin/scalelab): jemalloc preloaded
 * when installed, the user's own preloads and settings kept, {@code SCALELAB_MALLOC=system} for glibc;
 * and a browser started by {@code serve --open} gets the environment back without what the launcher added.
 */
class AllocatorLauncherTest {
    private static final Path SCRIPT = Path.of("..", "bin", "allocator.sh").toAbsolutePath().normalize();
    private static final Path JEMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");

    /**
     * The variables the script leaves when sourced by bash with the command's {@code arguments} as
     * bin/scalelab sources it, in an environment of exactly {@code env} (set inside the shell, so that a
     * preload named there is not loaded into bash itself). Positional parameters: the script, the
     * values of {@code env}, then the arguments.
     */
    private static Map<String, String> sourced(Map<String, String> env, String... arguments) throws IOException, InterruptedException {
        List<String> values = new ArrayList<>();
        StringBuilder script = new StringBuilder();
        for (Map.Entry<String, String> e : env.entrySet()) {
            values.add(e.getValue());
            script.append("export ").append(e.getKey()).append("=\"${").append(1 + values.size()).append("}\"; ");
        }
        script.append("file=$1; shift ").append(1 + values.size()).append("; source \"$file\" \"$@\"; ")
                .append("for v in LD_PRELOAD MALLOC_CONF SCALELAB_PRELOADED SCALELAB_MALLOC_CONF; do echo \"$v=${!v-<unset>}\"; done");
        List<String> command = new ArrayList<>(List.of("bash", "-c", script.toString(), "bash", SCRIPT.toString()));
        command.addAll(values);
        command.addAll(List.of(arguments));
        ProcessBuilder bash = new ProcessBuilder(command);
        bash.environment().clear();
        bash.environment().put("PATH", "/usr/bin:/bin");
        Process p = bash.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, String> vars = new HashMap<>();
        for (String line : out.strip().split("\n")) {
            int eq = line.indexOf('=');
            assertTrue(eq > 0, "unexpected output: " + out);
            String value = line.substring(eq + 1);
            if (!value.equals("<unset>")) {
                vars.put(line.substring(0, eq), value);
            }
        }
        return vars;
    }

    @Test
    void preloadsJemallocWithItsSettingsWhenInstalled() throws Exception {
        assumeTrue(Files.isRegularFile(JEMALLOC), "Debian's libjemalloc2 is not installed here");
        Map<String, String> vars = sourced(Map.of(), "capture", "--model", "m");
        assertEquals(JEMALLOC.toString(), vars.get("LD_PRELOAD"));
        assertEquals(JEMALLOC.toString(), vars.get("SCALELAB_PRELOADED"));
        assertEquals("oversize_threshold:0,background_thread:true", vars.get("MALLOC_CONF"));
        assertEquals(vars.get("MALLOC_CONF"), vars.get("SCALELAB_MALLOC_CONF"));
    }

    @Test
    void generateKeepsGlibcUnlessAsked() throws Exception {
        assumeTrue(Files.isRegularFile(JEMALLOC), "Debian's libjemalloc2 is not installed here");
        assertNull(sourced(Map.of(), "generate", "--model", "m", "--prompt", "capture").get("LD_PRELOAD"));
        assertEquals(JEMALLOC.toString(), sourced(Map.of(), "capture", "--model", "generate").get("LD_PRELOAD"));
        assertEquals(JEMALLOC.toString(), sourced(Map.of("SCALELAB_MALLOC", "jemalloc"), "generate").get("LD_PRELOAD"));
    }

    @Test
    void keepsTheUsersPreloadsAndSettings() throws Exception {
        assumeTrue(Files.isRegularFile(JEMALLOC), "Debian's libjemalloc2 is not installed here");
        Map<String, String> vars = sourced(Map.of("LD_PRELOAD", "/opt/mine.so", "MALLOC_CONF", "narenas:1"));
        assertEquals(JEMALLOC + ":/opt/mine.so", vars.get("LD_PRELOAD"));
        assertEquals("narenas:1", vars.get("MALLOC_CONF"));
        assertNull(vars.get("SCALELAB_MALLOC_CONF"), "the user's settings are not the launcher's to take back");
    }

    @Test
    void theSystemAllocatorWhenAskedOrWhenNoneIsInstalled() throws Exception {
        Map<String, String> system = sourced(Map.of("SCALELAB_MALLOC", "system", "LD_PRELOAD", "/opt/mine.so"));
        assertEquals("/opt/mine.so", system.get("LD_PRELOAD"));
        assertNull(system.get("MALLOC_CONF"));
        assertNull(system.get("SCALELAB_PRELOADED"));
        if (!Files.isRegularFile(JEMALLOC)) {
            Map<String, String> vars = sourced(Map.of());
            assertNull(vars.get("LD_PRELOAD"));
            assertNull(vars.get("MALLOC_CONF"));
        }
    }

    @Test
    void aBrowserGetsTheEnvironmentWithoutWhatTheLauncherAdded() throws Exception {
        assumeTrue(Files.isRegularFile(JEMALLOC), "Debian's libjemalloc2 is not installed here");
        for (Map<String, String> before : List.of(Map.<String, String>of(), Map.of("LD_PRELOAD", "/opt/mine.so"),
                Map.of("LD_PRELOAD", "/opt/mine.so", "MALLOC_CONF", "narenas:1"))) {
            Map<String, String> env = new HashMap<>(before);
            env.putAll(sourced(before));
            ServeCommand.withoutLauncherAllocator(env);
            assertEquals(before, env, "from " + before);
        }
        Map<String, String> untouched = new HashMap<>(Map.of("LD_PRELOAD", "/opt/mine.so", "MALLOC_CONF", "narenas:1"));
        ServeCommand.withoutLauncherAllocator(untouched);
        assertEquals(Map.of("LD_PRELOAD", "/opt/mine.so", "MALLOC_CONF", "narenas:1"), untouched);
        assertFalse(untouched.containsKey("SCALELAB_PRELOADED"));
    }
}
