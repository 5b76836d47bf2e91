package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Builds the picocli command tree only as far as a command line needs it.
 *
 * <p>Why: picocli builds a full model (options, mixins, help text, converters) of every registered
 * command when the root {@link CommandLine} is constructed, and it has no lazy registration
 * (remkop/picocli#690): with about 40 commands, most of a start would go to loading and reflecting on
 * classes the command line never touches (docs/development.md, "Start-up"). So groups list their
 * subcommands as {@link Group#subcommands()} instead of {@code @Command(subcommands = …)}, and
 * {@link #build} follows the arguments: when {@code args[0]} names a subcommand only that one is
 * built, and so on down; anywhere the next argument names no subcommand (an option, a typo,
 * {@code help}, nothing at all) every subcommand of that group is built, recursively, so that usage
 * help, "Did you mean" suggestions and the {@code help} command see the whole tree.
 *
 * <p>The result parses exactly as the full tree does: picocli only consults a command's own
 * subcommands while parsing its arguments (and its parent's only for repeatable subcommands, which
 * ScaleLab does not use), so the siblings left out of a branch cannot change how it parses.
 */
final class CommandTree {
    private CommandTree() {}

    /**
     * A command with subcommands: it lists them in {@link #subcommands()}, in the order its usage help
     * shows them, and run without one it prints that usage.
     */
    abstract static class Group implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract List<Class<?>> subcommands();

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** The whole tree under {@code command}. */
    static CommandLine full(Object command) {
        return build(command, new String[0], Integer.MAX_VALUE);
    }

    /** The branch of the tree under {@code command} that {@code args} walk into, with every group it stops at complete. */
    static CommandLine forArgs(Object command, String[] args) {
        return build(command, args, 0);
    }

    private static CommandLine build(Object command, String[] args, int depth) {
        CommandLine cl = new CommandLine(command);
        if (cl.getCommand() instanceof Group group && !onlyAsksForVersion(cl, args, depth)) {
            List<Class<?>> subcommands = group.subcommands();
            Class<?> chosen = depth < args.length ? named(subcommands, args[depth]) : null;
            if (chosen != null && chosen != CommandLine.HelpCommand.class) {
                cl.addSubcommand(build(chosen, args, depth + 1));
            } else {
                for (Class<?> sub : subcommands) {
                    cl.addSubcommand(build(sub, args, Integer.MAX_VALUE));
                }
            }
        }
        return cl;
    }

    /**
     * Whether the rest of the command line is just this command's {@code --version} (or {@code -V}): picocli
     * then prints the version and stops, and no subcommand is looked at.
     */
    private static boolean onlyAsksForVersion(CommandLine cl, String[] args, int depth) {
        if (depth != args.length - 1) {
            return false;
        }
        CommandLine.Model.OptionSpec option = cl.getCommandSpec().optionsMap().get(args[depth]);
        return option != null && option.versionHelp();
    }

    /** The subcommand whose name or alias is exactly {@code arg} (picocli's default: case-sensitive, no abbreviations), or null. */
    static Class<?> named(List<Class<?>> subcommands, String arg) {
        for (Class<?> sub : subcommands) {
            Command c = sub.getAnnotation(Command.class);
            if (c.name().equals(arg) || List.of(c.aliases()).contains(arg)) {
                return sub;
            }
        }
        return null;
    }
}
