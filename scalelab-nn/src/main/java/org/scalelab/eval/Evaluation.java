package org.scalelab.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;

/**
 * One evaluation of a model on task files: which examples (all, or {@code limit} of them), scored by
 * a {@link ChoiceScorer}, aggregated by {@link TaskMetrics}, resumable through a partial file
 * ({@link EvalPartialFile}) that records every example as soon as it is scored.
 */
public final class Evaluation {
    private Evaluation() {}

    /**
     * @param limit at most this many examples per task (null: all): the first ones in file order, as
     *              lm-eval's {@code --limit}, or with {@code seed} a random sample of that size (kept in
     *              file order)
     * @param seed  null, or the seed of the sample {@code limit} takes
     * @param norm  what acc_norm divides by
     */
    public record Options(Integer limit, Long seed, LengthNorm norm) {}

    /**
     * An example as {@code --examples-out} writes it: its summed log-prob and byte length per choice,
     * the gold choices, the chosen choice (argmax, first on ties) and whether it is a gold; then each
     * choice's length in characters and tokens and the unit acc_norm divided by, so that every metric
     * can be recomputed from the file ({@link EvalComparison}). Files written before those last three
     * fields read with them null.
     */
    public record ExampleRecord(String task, String id, double[] logprobs, int[] bytes, int[] gold, int chosen, boolean correct,
                                int[] chars, int[] tokens, String norm) {}

    /**
     * @param tasks    each task's metrics over the examples evaluated
     * @param examples every example's record, task by task in file order
     * @param resumed  examples whose scores came from the partial file of an earlier, interrupted run
     */
    public record Result(List<TaskScore> tasks, List<ExampleRecord> examples, int resumed) {}

    /** The examples of {@code task} that an evaluation with {@code options} scores. */
    public static List<EvalExample> select(EvalTask task, Options options) {
        List<EvalExample> all = task.examples();
        Integer limit = options.limit();
        if (limit == null || limit >= all.size()) {
            return all;
        }
        if (limit < 1) {
            throw new InputException("--limit " + limit + ": must be at least 1");
        }
        if (options.seed() == null) {
            return all.subList(0, limit);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(options.seed()));
        List<Integer> kept = new ArrayList<>(order.subList(0, limit));
        Collections.sort(kept);
        List<EvalExample> out = new ArrayList<>(limit);
        for (int i : kept) {
            out.add(all.get(i));
        }
        return out;
    }

    /**
     * Scores every selected example not yet in {@code partial}, appending each to it as it is
     * scored, then marks it complete and returns the aggregates. {@code header} says what produced
     * the scores (model, tasks, options that change a log-prob); a partial file with another header
     * is refused; a null {@code partial} keeps the scores in memory (nothing written, nothing resumed).
     * A progress bar counts the examples left to score; {@code onScored} sees each as it is scored.
     */
    public static Result run(ChoiceScorer scorer, List<EvalTask> tasks, Options options, Path partial, ObjectNode header,
            Consumer<ExampleScore> onScored) {
        List<List<EvalExample>> selected = selectAll(tasks, options);
        for (List<EvalExample> s : selected) {
            scorer.check(s); // every task's inputs checked before the first forward pass
        }
        try (EvalPartialFile file = EvalPartialFile.open(partial, header)) {
            int resumed = file.size();
            List<List<EvalExample>> todo = new ArrayList<>();
            int remaining = 0;
            for (int i = 0; i < tasks.size(); i++) {
                List<EvalExample> left = new ArrayList<>();
                for (EvalExample e : selected.get(i)) {
                    if (file.get(tasks.get(i).name(), e.id()) == null) {
                        left.add(e);
                    }
                }
                todo.add(left);
                remaining += left.size();
            }
            try (Progress.Task bar = Progress.start("eval", remaining)) {
                for (int i = 0; i < tasks.size(); i++) {
                    String name = tasks.get(i).name();
                    scorer.score(todo.get(i), s -> {
                        file.append(new EvalPartialFile.Scored(name, s.id(), s.logprobs(), s.tokens()));
                        bar.step();
                        onScored.accept(s);
                    });
                }
            }
            file.markComplete();
            List<List<ExampleScore>> scored = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                EvalTask task = tasks.get(i);
                List<ExampleScore> list = new ArrayList<>();
                for (EvalExample e : selected.get(i)) {
                    EvalPartialFile.Scored s = file.get(task.name(), e.id());
                    if (s.logprobs().length != e.choices().size() || s.tokens().length != e.choices().size()) {
                        throw new InputException(partial + ": example " + task.name() + "/" + e.id() + " has " + s.logprobs().length
                                + " scores for " + e.choices().size() + " choices; delete the file to start again");
                    }
                    list.add(ExampleScore.of(e, s.logprobs(), s.tokens()));
                }
                scored.add(list);
            }
            return of(tasks, selected, scored, options, resumed);
        }
    }

    /**
     * The examples of each task that an evaluation with {@code options} scores ({@link #select}), refusing
     * two tasks of one name.
     */
    public static List<List<EvalExample>> selectAll(List<EvalTask> tasks, Options options) {
        List<List<EvalExample>> selected = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (EvalTask t : tasks) {
            if (names.contains(t.name())) {
                throw new InputException(t.file() + ": a second task named " + t.name() + " (task names come from file names and must differ)");
            }
            names.add(t.name());
            selected.add(select(t, options));
        }
        return selected;
    }

    /**
     * The result of scores computed elsewhere (an evaluation split across machines) or read back:
     * {@code scores.get(i).get(j)} is the score of {@code selected.get(i).get(j)}, the examples of
     * {@code tasks.get(i)} that {@link #selectAll} chose; each task's metrics and every example's record.
     */
    public static Result of(List<EvalTask> tasks, List<List<EvalExample>> selected, List<List<ExampleScore>> scores, Options options, int resumed) {
        List<TaskScore> out = new ArrayList<>();
        List<ExampleRecord> records = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            EvalTask task = tasks.get(i);
            List<ExampleScore> list = scores.get(i);
            for (int j = 0; j < selected.get(i).size(); j++) {
                EvalExample e = selected.get(i).get(j);
                ExampleScore score = list.get(j);
                records.add(new ExampleRecord(task.name(), e.id(), score.logprobs(), score.bytes(), e.gold(), TaskMetrics.chosen(score),
                        TaskMetrics.correct(e, score), score.chars(), score.tokens(), options.norm().name().toLowerCase()));
            }
            out.add(TaskMetrics.compute(new EvalTask(task.name(), task.file(), selected.get(i)), list, options.norm()));
        }
        return new Result(out, records, resumed);
    }

    /** Writes {@code records} as JSON lines (--examples-out) through a temporary sibling and a rename. */
    public static void writeExamples(Path file, List<ExampleRecord> records) {
        StringBuilder sb = new StringBuilder();
        for (ExampleRecord r : records) {
            sb.append(Json.write(r)).append('\n');
        }
        try {
            AtomicFiles.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot write the per-example records: " + e.getMessage(), e);
        }
    }

    /** Removes the partial file of a finished evaluation whose results are saved. */
    public static void finish(Path partial) {
        try {
            java.nio.file.Files.deleteIfExists(partial);
        } catch (IOException e) {
            throw new ScaleLabException(partial + ": cannot remove the finished evaluation's partial file: " + e.getMessage(), e);
        }
    }
}
