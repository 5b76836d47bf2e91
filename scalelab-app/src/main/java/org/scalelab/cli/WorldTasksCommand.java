package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.eval.EvalTask;
import org.scalelab.io.OutputFolder;
import org.scalelab.world.World;
import org.scalelab.world.WorldFiles;
import org.scalelab.world.WorldTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab world tasks}: the world's multiple-choice task files (see {@link WorldTasks}). */
@Command(
        name = "tasks",
        mixinStandardHelpOptions = true,
        description = {"Write a world's true/false statements, compositions and analogies as multiple-choice task files.",
            "Files: world-true-false.jsonl (choices <true>, <false>), world-composition.jsonl and world-analogy.jsonl",
            "(the answer among 4 entities of its category); labels split, eval_set and category on every line.",
            "Same world, same bytes. Score a model on them with scalelab eval."},
        footer = {"", "Example:", "  scalelab world tasks --world lab/worlds/small --out lab/worlds/small/tasks"})
final class WorldTasksCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--world", required = true, paramLabel = "DIR", description = "A world folder (from scalelab world generate).")
    Path world;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the three task files (created if missing).")
    Path out;

    @Option(names = "--force", description = "Replace task files of these names already in --out.")
    boolean force;

    @Override
    public Integer call() {
        World w = WorldFiles.read(world);
        List<EvalTask> tasks = WorldTasks.tasks(w, out);
        for (EvalTask t : tasks) {
            OutputFolder.checkFile("--out", t.file(), null, force, "--force");
        }
        PrintWriter pw = spec.commandLine().getOut();
        for (EvalTask t : tasks) {
            t.write();
            pw.printf("wrote %s: task %s, %d examples%n", t.file(), t.name(), t.examples().size());
        }
        pw.flush();
        return 0;
    }
}
