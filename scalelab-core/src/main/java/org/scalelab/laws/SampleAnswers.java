package org.scalelab.laws;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.TextColumns;

/**
 * Reads per-sample answers for majority voting: one row per sample, with columns problem (text id),
 * answer (the sample's final answer as text; empty or null = no answer, which abstains) and either
 * correct (1/0, true/false) or reference (the problem's reference answer; a sample is correct when its
 * trimmed answer equals the trimmed reference exactly). When both exist, correct wins. CSV, Parquet
 * or JSONL, e.g.
 * <pre>
 * problem,answer,reference        {"problem": "gsm8k/17", "answer": "42", "correct": 1}
 * gsm8k/17,42,42
 * gsm8k/17,41,42
 * </pre>
 * Answers are compared as exact strings after trimming: normalise them (units, "1/2" vs "0.5")
 * before, or pass a correct flag.
 */
public final class SampleAnswers {
    private SampleAnswers() {}

    public record Data(List<MajorityVote.Sample> samples, Provenance.Input input) {}

    public static Data read(Path file, String problemCol, String answerCol, String correctCol, String referenceCol) {
        TextColumns t = TextColumns.read(file, List.of(problemCol, answerCol), List.of(correctCol, referenceCol));
        boolean flag = t.has(correctCol);
        if (!flag && !t.has(referenceCol)) {
            throw new InputException(file + ": needs a '" + correctCol + "' column (1/0) or a '" + referenceCol
                    + "' column (reference answer) to score samples (columns: " + String.join(", ", t.columns()) + ")");
        }
        List<MajorityVote.Sample> samples = new ArrayList<>();
        Map<String, String> reference = new HashMap<>();
        Map<String, Integer> referenceRow = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            String problem = t.get(i, problemCol);
            if (problem == null || problem.isBlank()) {
                throw new InputException(t.at(i, problemCol) + ": empty problem id; fill it in or drop the row");
            }
            String answer = t.get(i, answerCol);
            answer = answer == null || answer.isBlank() ? null : answer.trim();
            boolean correct;
            if (flag) {
                correct = flag(t, i, correctCol);
            } else {
                String ref = t.get(i, referenceCol);
                if (ref == null || ref.isBlank()) {
                    throw new InputException(t.at(i, referenceCol) + ": empty reference answer; every sample row needs its problem's reference");
                }
                ref = ref.trim();
                String before = reference.putIfAbsent(problem, ref);
                if (before != null && !before.equals(ref)) {
                    throw new InputException(t.at(i, referenceCol) + ": reference '" + ref + "' differs from '" + before
                            + "' at " + t.where().get(referenceRow.get(problem)) + " for problem '" + problem + "'");
                }
                referenceRow.putIfAbsent(problem, i);
                correct = ref.equals(answer);
            }
            if (answer == null && correct) {
                throw new InputException(t.at(i, correctCol) + ": a sample with no answer cannot be correct");
            }
            samples.add(new MajorityVote.Sample(problem, answer, correct));
        }
        checkConsistentFlags(t, samples, correctCol, flag);
        return new Data(samples, t.provenanceInput());
    }

    private static boolean flag(TextColumns t, int row, String col) {
        String s = t.get(row, col);
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "1", "1.0", "true", "yes" -> {
                return true;
            }
            case "0", "0.0", "false", "no" -> {
                return false;
            }
            default -> throw new InputException(t.at(row, col) + ": value '" + s + "' is not a correct flag; use 1/0 or true/false");
        }
    }

    /** With flags, one answer string of one problem must be always right or always wrong. */
    private static void checkConsistentFlags(TextColumns t, List<MajorityVote.Sample> samples, String col, boolean flag) {
        if (!flag) {
            return;
        }
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            MajorityVote.Sample s = samples.get(i);
            if (s.answer() == null) {
                continue;
            }
            String key = s.problem() + "\u0000" + s.answer();
            Integer j = first.putIfAbsent(key, i);
            if (j != null && samples.get(j).correct() != s.correct()) {
                throw new InputException(t.at(i, col) + ": answer '" + s.answer() + "' of problem '" + s.problem()
                        + "' is marked " + (s.correct() ? "correct" : "wrong") + " here but " + (s.correct() ? "wrong" : "correct")
                        + " at " + t.where().get(j) + "; normalise answers or fix the flags");
            }
        }
    }
}
