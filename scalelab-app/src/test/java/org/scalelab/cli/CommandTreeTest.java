package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code scalelab} builds only the branch of its command tree that a command line names
 * ({@link CommandTree}); these tests pin that it behaves as the whole tree: same help, same parsing,
 * same errors.
 */
class CommandTreeTest {

    @Test
    void topLevelHelpListsEveryCommand() {
        CliRun r = new CliRun("--help");
        assertEquals(0, r.code, r.err.toString());
        for (Class<?> sub : Main.SUBCOMMANDS) {
            String name = sub.getAnnotation(Command.class).name();
            assertTrue(r.out.toString().contains("\n  " + name + " "), "--help misses " + name + ":\n" + r.out);
        }
    }

    @Test
    void everyGroupsHelpListsEveryOneOfItsCommands() {
        for (Map.Entry<String, CommandLine> group : Main.commandLine().getSubcommands().entrySet()) {
            if (group.getValue().getSubcommands().isEmpty()) {
                continue;
            }
            CliRun r = new CliRun(group.getKey(), "--help");
            assertEquals(0, r.code, r.err.toString());
            for (String sub : group.getValue().getSubcommands().keySet()) {
                assertTrue(r.out.toString().contains("\n  " + sub + " "), group.getKey() + " --help misses " + sub + ":\n" + r.out);
            }
        }
    }

    @Test
    void everyCommandsHelpIsTheSameAsFromTheWholeTree() {
        List<String[]> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() > 30, "expected the whole tree, found " + paths.size() + " commands");
        for (String[] path : paths) {
            CommandLine whole = Main.commandLine();
            for (String name : path) {
                whole = whole.getSubcommands().get(name);
            }
            List<String> args = new ArrayList<>(List.of(path));
            args.add("--help");
            CliRun r = new CliRun(args.toArray(String[]::new));
            assertEquals(0, r.code, String.join(" ", args) + ": " + r.err);
            assertEquals(whole.getUsageMessage(), r.out.toString(), String.join(" ", args));
        }
    }

    @Test
    void noHelpTextHasAStrayFormatSpecifier() {
        // picocli formats descriptions with String.format: "95 % interval" reads as the conversion "% i",
        // prints "[picocli WARN] Could not format …" on stderr and shows the raw text.
        List<String[]> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Main.commandLine().getUsageMessage();
            for (String[] path : paths) {
                CommandLine cl = Main.commandLine();
                for (String name : path) {
                    cl = cl.getSubcommands().get(name);
                }
                cl.getUsageMessage();
                String warnings = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(!warnings.contains("picocli WARN"), String.join(" ", path) + " --help: " + warnings);
            }
        } finally {
            System.setErr(stderr);
        }
    }

    private static void collect(CommandLine cl, List<String> prefix, List<String[]> out) {
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(sub.getKey());
            out.add(path.toArray(String[]::new));
            collect(sub.getValue(), path, out);
        }
    }

    @Test
    void aCommandLineBuildsOnlyTheBranchItNames() {
        CommandLine cl = Main.commandLine(new String[] {"fit", "chinchilla", "--data", "runs.csv"});
        assertEquals(List.of("fit"), List.copyOf(cl.getSubcommands().keySet()));
        assertEquals(List.of("chinchilla"), List.copyOf(cl.getSubcommands().get("fit").getSubcommands().keySet()));
        // a group followed by no command of its own gets all of them, for its usage help and suggestions
        CommandLine group = Main.commandLine(new String[] {"fit", "chinchillaa"}).getSubcommands().get("fit");
        assertEquals(Main.commandLine().getSubcommands().get("fit").getSubcommands().keySet(), group.getSubcommands().keySet());
        assertEquals(Main.SUBCOMMANDS.size(), Main.commandLine(new String[] {"help", "fit"}).getSubcommands().size());
        assertTrue(Main.commandLine(new String[] {"--version"}).getSubcommands().isEmpty());
    }

    @Test
    void aNestedCommandStillParsesAndRuns(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("runs.csv");
        Files.writeString(csv, "x,y\n1,10\n2,7.1\n4,5\n8,3.6\n16,2.6\n32,1.9\n64,1.4\n");
        JsonNode j = new CliRun("fit", "power", "--data", csv.toString(), "--x-col", "x", "--y-col", "y", "--bootstrap", "0",
                "--no-backtest", "--no-store", "--json").json();
        assertTrue(j.toString().contains("alpha"), j.toString());
    }

    @Test
    void aNestedCommandsUsageErrorsAreUnchanged() {
        CliRun r = new CliRun("fit", "chinchilla", "--no-such-option");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().startsWith("Unknown option: '--no-such-option'"), r.err.toString());
        assertTrue(r.err.toString().contains("Possible solutions: --no-store, --no-backtest"), r.err.toString());
        CliRun typo = new CliRun("fit", "chinchillaa");
        assertEquals(2, typo.code);
        assertTrue(typo.err.toString().contains("Did you mean: fit chinchilla?"), typo.err.toString());
        CliRun unknown = new CliRun("fitt");
        assertEquals(2, unknown.code);
        assertTrue(unknown.err.toString().contains("Did you mean: scalelab fit or"), unknown.err.toString());
    }

    @Test
    void versionIsTheSameWithOrWithoutTheTree() {
        StringWriter whole = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(whole, true));
        assertEquals(0, cl.execute("--version"));
        CliRun r = new CliRun("--version");
        assertEquals(0, r.code);
        assertTrue(r.out.toString().startsWith("ScaleLab "), r.out.toString());
        assertEquals(whole.toString(), r.out.toString());
    }

    @Test
    void commandsAreRegisteredThroughGroupsOnlyNotAnnotations() {
        List<Class<?>> todo = new ArrayList<>(Main.SUBCOMMANDS);
        while (!todo.isEmpty()) {
            Class<?> c = todo.remove(todo.size() - 1);
            // @Command(subcommands = …) would build its commands eagerly and defeat CommandTree
            assertEquals(0, c.getAnnotation(Command.class).subcommands().length, c.getName());
            if (CommandTree.Group.class.isAssignableFrom(c)) {
                todo.addAll(childrenOf(c));
            }
        }
    }

    private static List<Class<?>> childrenOf(Class<?> group) {
        try {
            return ((CommandTree.Group) group.getDeclaredConstructor().newInstance()).subcommands();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
