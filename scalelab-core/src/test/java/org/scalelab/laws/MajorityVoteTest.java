package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

class MajorityVoteTest {
    @TempDir
    Path dir;

    static List<MajorityVote.Sample> problem(String id, String... answers) {
        // "A*" = answer A, correct; "B" = answer B, wrong; "" = no answer.
        List<MajorityVote.Sample> out = new ArrayList<>();
        for (String a : answers) {
            boolean ok = a.endsWith("*");
            String ans = ok ? a.substring(0, a.length() - 1) : a;
            out.add(new MajorityVote.Sample(id, ans.isEmpty() ? null : ans, ok));
        }
        return out;
    }

    static MajorityVote.Result vote(List<MajorityVote.Sample> samples, MajorityVote.Options options) {
        return MajorityVote.analyze(new MajorityVote.Input(samples, List.of()), options);
    }

    static MajorityVote.Options ks(int... k) {
        return new MajorityVote.Options(k, MajorityVote.Options.defaults().exactWorkLimit(), 1000, 0);
    }

    @Test
    void twoCorrectOneWrongByHand() {
        // Samples {A✓, A✓, B}. maj@1 = 2/3. maj@2: {A,A} right, {A,B}×2 ties → ½ each: (1 + ½ + ½)/3 = 2/3. maj@3: A wins.
        MajorityVote.Result r = vote(problem("q", "A*", "A*", "B"), ks(1, 2, 3));
        assertEquals(2.0 / 3, r.curve().get(0).majAtK(), 1e-15);
        assertEquals(2.0 / 3, r.curve().get(1).majAtK(), 1e-15);
        assertEquals(1.0, r.curve().get(2).majAtK(), 1e-15);
        // pass@k alongside: 2/3, 1, 1.
        assertEquals(2.0 / 3, r.curve().get(0).passAtK(), 1e-15);
        assertEquals(1.0, r.curve().get(1).passAtK(), 1e-15);
        assertEquals("exact", r.method());
        assertNull(r.monteCarloDraws());
    }

    @Test
    void aTieIsCountedAsHalf() {
        MajorityVote.Result r = vote(problem("q", "A*", "B"), ks(2));
        assertEquals(0.5, r.curve().get(0).majAtK(), 1e-15);
    }

    @Test
    void abstentionsUseDrawsButCastNoVote() {
        // {A✓, –, –}: maj@1 = 1/3; maj@2: {A,–}×2 right, {–,–} scores 0 → 2/3; maj@3 = 1.
        MajorityVote.Result r = vote(problem("q", "A*", "", ""), ks(1, 2, 3));
        assertEquals(1.0 / 3, r.curve().get(0).majAtK(), 1e-15);
        assertEquals(2.0 / 3, r.curve().get(1).majAtK(), 1e-15);
        assertEquals(1.0, r.curve().get(2).majAtK(), 1e-15);
        assertEquals(2, r.perProblem().get(0).abstentions());
    }

    @Test
    void majorityCanLoseToPassAtK() {
        // A wrong answer held by most samples: the vote converges to it while pass@k → 1.
        MajorityVote.Result r = vote(problem("q", "A*", "B", "B", "B", "C"), ks(5));
        assertEquals(0.0, r.curve().get(0).majAtK(), 1e-15);
        assertEquals(1.0, r.curve().get(0).passAtK(), 1e-15);
    }

    @Test
    void exactEqualsBruteForceOverAllSubsets() {
        // 300 random problems (n ≤ 11, up to 4 answers, some correct, some abstentions), seed 3:
        // enumerate every k-subset as a bit mask and average the tie-fractional vote score.
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int groups = 1 + rng.nextInt(4);
            int[] counts = new int[groups];
            boolean[] correct = new boolean[groups];
            for (int g = 0; g < groups; g++) {
                counts[g] = 1 + rng.nextInt(4);
                correct[g] = rng.nextInt(3) == 0;
            }
            int abstain = rng.nextInt(3);
            int n = abstain + java.util.Arrays.stream(counts).sum();
            if (n > 11) {
                continue;
            }
            int[] label = new int[n];
            int p = 0;
            for (int g = 0; g < groups; g++) {
                for (int i = 0; i < counts[g]; i++) {
                    label[p++] = g;
                }
            }
            while (p < n) {
                label[p++] = -1;
            }
            for (int k = 1; k <= n; k++) {
                double sum = 0;
                long subsets = 0;
                for (int mask = 0; mask < (1 << n); mask++) {
                    if (Integer.bitCount(mask) != k) {
                        continue;
                    }
                    int[] votes = new int[groups];
                    for (int i = 0; i < n; i++) {
                        if ((mask >> i & 1) == 1 && label[i] >= 0) {
                            votes[label[i]]++;
                        }
                    }
                    int max = java.util.Arrays.stream(votes).max().getAsInt();
                    int top = 0, topRight = 0;
                    for (int g = 0; g < groups; g++) {
                        if (max > 0 && votes[g] == max) {
                            top++;
                            topRight += correct[g] ? 1 : 0;
                        }
                    }
                    sum += top == 0 ? 0 : (double) topRight / top;
                    subsets++;
                }
                assertEquals(sum / subsets, MajorityVote.exact(counts, correct, abstain, k), 1e-12,
                        "counts=" + java.util.Arrays.toString(counts) + " correct=" + java.util.Arrays.toString(correct)
                                + " abstain=" + abstain + " k=" + k);
            }
        }
    }

    @Test
    void monteCarloAgreesWithExactAndIsReproducible() {
        int[] counts = {30, 25, 10, 5};
        boolean[] correct = {false, true, false, true};
        double exact = MajorityVote.exact(counts, correct, 4, 9);
        double mc = MajorityVote.monteCarlo(counts, correct, 4, 9, 50_000, 99);
        // Per-draw scores lie in [0, 1], so the standard error is at most ½/√draws.
        assertEquals(exact, mc, 4 * 0.5 / Math.sqrt(50_000));
        assertEquals(mc, MajorityVote.monteCarlo(counts, correct, 4, 9, 50_000, 99), 0.0);
    }

    @Test
    void analyzeFallsBackToSeededMonteCarloAboveTheWorkLimit() {
        List<MajorityVote.Sample> s = new ArrayList<>(problem("q", "A*", "A*", "B", "C", "A*", "B"));
        MajorityVote.Result r = vote(s, new MajorityVote.Options(new int[] {3}, 0, 40_000, 1));
        assertEquals("monte_carlo", r.method());
        assertEquals(40_000, r.monteCarloDraws());
        assertEquals(1L, r.provenance().seed());
        double exact = MajorityVote.exact(new int[] {3, 2, 1}, new boolean[] {true, false, false}, 0, 3);
        assertEquals(exact, r.curve().get(0).majAtK(), 4 * 0.5 / Math.sqrt(40_000));
    }

    @Test
    void meanIsOverProblemsAndDefaultKsStopAtTheSmallestN() {
        List<MajorityVote.Sample> s = new ArrayList<>(problem("a", "A*", "A*", "B"));
        s.addAll(problem("b", "X", "Y*", "Y*", "Y*", "Z"));
        MajorityVote.Result r = vote(s, MajorityVote.Options.defaults());
        assertEquals(List.of(1, 2, 3), r.ks());
        assertEquals((2.0 / 3 + 3.0 / 5) / 2, r.curve().get(0).majAtK(), 1e-15);
        assertThrows(InputException.class, () -> vote(s, ks(4)));
    }

    @Test
    void anAnswerMarkedBothRightAndWrongIsRefused() {
        List<MajorityVote.Sample> s = List.of(new MajorityVote.Sample("q", "7", true), new MajorityVote.Sample("q", "7", false));
        assertThrows(InputException.class, () -> vote(s, ks(1)));
    }

    @Test
    void readsAnswersWithReferenceFromCsvAndFlagsFromJsonl() throws Exception {
        Path csv = dir.resolve("answers.csv");
        Files.writeString(csv, "problem,answer,reference\ng1,007,007\ng1,7,007\ng1,,007\ng2,x,y\n");
        SampleAnswers.Data d = SampleAnswers.read(csv, "problem", "answer", "correct", "reference");
        assertEquals(List.of(new MajorityVote.Sample("g1", "007", true), new MajorityVote.Sample("g1", "7", false),
                new MajorityVote.Sample("g1", null, false), new MajorityVote.Sample("g2", "x", false)), d.samples());
        Path jsonl = dir.resolve("answers.jsonl");
        Files.writeString(jsonl, "{\"problem\":\"a\",\"answer\":42,\"correct\":true}\n{\"problem\":\"a\",\"answer\":\"41\",\"correct\":0}\n");
        d = SampleAnswers.read(jsonl, "problem", "answer", "correct", "reference");
        assertEquals(List.of(new MajorityVote.Sample("a", "42", true), new MajorityVote.Sample("a", "41", false)), d.samples());
    }

    @Test
    void badAnswerFilesNameFileRowColumnAndValue() throws Exception {
        Path csv = dir.resolve("a.csv");
        Files.writeString(csv, "problem,answer\ng1,3\n");
        InputException e = assertThrows(InputException.class, () -> SampleAnswers.read(csv, "problem", "answer", "correct", "reference"));
        assertTrue(e.getMessage().contains("'correct'") && e.getMessage().contains("'reference'"), e.getMessage());

        Files.writeString(csv, "problem,answer,correct\ng1,3,1\ng1,4,maybe\n");
        e = assertThrows(InputException.class, () -> SampleAnswers.read(csv, "problem", "answer", "correct", "reference"));
        assertTrue(e.getMessage().contains("a.csv: row 2, column 'correct': value 'maybe'"), e.getMessage());

        Files.writeString(csv, "problem,answer,correct\ng1,3,1\ng1,3,0\n");
        e = assertThrows(InputException.class, () -> SampleAnswers.read(csv, "problem", "answer", "correct", "reference"));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("row 1"), e.getMessage());

        Files.writeString(csv, "problem,answer,reference\ng1,3,3\ng1,3,4\n");
        e = assertThrows(InputException.class, () -> SampleAnswers.read(csv, "problem", "answer", "correct", "reference"));
        assertTrue(e.getMessage().contains("row 2, column 'reference'"), e.getMessage());

        Path jsonl = dir.resolve("a.jsonl");
        Files.writeString(jsonl, "{\"problem\":\"a\",\"answer\":\"1\",\"correct\":1}\nnot json\n");
        e = assertThrows(InputException.class, () -> SampleAnswers.read(jsonl, "problem", "answer", "correct", "reference"));
        assertTrue(e.getMessage().contains("a.jsonl: line 2"), e.getMessage());
    }
}
