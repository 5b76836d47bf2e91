package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

class PassAtKTest {
    @TempDir
    Path dir;

    /** Reference: eq. 1 of Chen et al. (2021) with exact BigInteger binomials, 1 − C(n−c,k)/C(n,k). */
    static double closedForm(int n, int c, int k) {
        BigDecimal ratio = new BigDecimal(choose(n - c, k)).divide(new BigDecimal(choose(n, k)), MathContext.DECIMAL128);
        return BigDecimal.ONE.subtract(ratio).doubleValue();
    }

    static BigInteger choose(int n, int k) {
        if (k < 0 || k > n) {
            return BigInteger.ZERO;
        }
        BigInteger r = BigInteger.ONE;
        for (int i = 1; i <= k; i++) {
            r = r.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
        }
        return r;
    }

    @Test
    void productFormEqualsExactBinomialClosedFormForEverySmallCase() {
        for (int n = 1; n <= 12; n++) {
            for (int c = 0; c <= n; c++) {
                for (int k = 1; k <= n; k++) {
                    assertEquals(closedForm(n, c, k), PassAtK.unbiased(n, c, k), 1e-15, "n=" + n + " c=" + c + " k=" + k);
                }
            }
        }
    }

    @Test
    void equalsBruteForceExpectationOverAllKSubsets() {
        // Samples 0..c-1 are the correct ones; pass@k = share of k-subsets (bit masks) holding one of them.
        for (int n = 1; n <= 12; n++) {
            for (int c = 0; c <= n; c++) {
                int correctMask = (1 << c) - 1;
                for (int k = 1; k <= n; k++) {
                    long subsets = 0, hit = 0;
                    for (int mask = 0; mask < (1 << n); mask++) {
                        if (Integer.bitCount(mask) == k) {
                            subsets++;
                            hit += (mask & correctMask) != 0 ? 1 : 0;
                        }
                    }
                    assertEquals((double) hit / subsets, PassAtK.unbiased(n, c, k), 1e-15, "n=" + n + " c=" + c + " k=" + k);
                }
            }
        }
    }

    @Test
    void staysAccurateWhereBinomialsOverflowDoubles() {
        // C(2000, 500) ≈ 1e486 overflows a double; the product form does not.
        assertEquals(closedForm(2000, 3, 500), PassAtK.unbiased(2000, 3, 500), 1e-14);
        assertEquals(closedForm(2000, 1000, 7), PassAtK.unbiased(2000, 1000, 7), 1e-14);
        assertEquals(1e-5, PassAtK.unbiased(100_000, 1, 1), 1e-18);
    }

    @Test
    void rejectsImpossibleCounts() {
        assertThrows(InputException.class, () -> PassAtK.unbiased(5, 3, 6));
        assertThrows(InputException.class, () -> PassAtK.unbiased(5, 6, 1));
        assertThrows(InputException.class, () -> PassAtK.unbiased(5, -1, 1));
        assertThrows(InputException.class, () -> PassAtK.unbiased(5, 1, 0));
        assertThrows(InputException.class, () -> PassAtK.unbiased(0, 0, 1));
        assertThrows(InputException.class, () -> new PassAtK.Problem("p", 4, 5));
    }

    @Test
    void defaultKsArePowersOfTwoUpToNThenN() {
        assertArrayEquals(new int[] {1, 2, 4, 8, 10}, PassAtK.defaultKs(10));
        assertArrayEquals(new int[] {1, 2, 4, 8, 16}, PassAtK.defaultKs(16));
        assertArrayEquals(new int[] {1}, PassAtK.defaultKs(1));
    }

    @Test
    void meanIsTheAverageOfPerProblemValuesWithStandardError() {
        // Hand-checkable: (n=2, c=1) gives pass@1 = ½, pass@2 = 1; (n=2, c=0) gives 0 and 0.
        PassAtK.Result r = PassAtK.analyze(new PassAtK.Input(List.of(new PassAtK.Problem("a", 2, 1), new PassAtK.Problem("b", 2, 0)),
                List.of()), PassAtK.Options.defaults());
        assertEquals(List.of(1, 2), r.ks());
        assertEquals(0.25, r.mean(1), 1e-15);
        assertEquals(0.5, r.mean(2), 1e-15);
        // sd of {½, 0} is √(1/8); standard error = sd/√2 = 0.25.
        assertEquals(0.25, r.curve().get(0).standardError(), 1e-15);
        assertEquals(2, r.problems());
        assertEquals("testtime.passk", r.provenance().analysis());
    }

    @Test
    void oneProblemHasNoStandardError() {
        PassAtK.Result r = PassAtK.analyze(new PassAtK.Input(List.of(new PassAtK.Problem("a", 4, 1)), List.of()),
                new PassAtK.Options(new int[] {1}));
        assertNull(r.curve().get(0).standardError());
    }

    @Test
    void kAboveTheSmallestNIsRefusedNamingTheProblem() {
        InputException e = assertThrows(InputException.class, () -> PassAtK.analyze(
                new PassAtK.Input(List.of(new PassAtK.Problem("big", 100, 3), new PassAtK.Problem("small", 8, 1)), List.of()),
                new PassAtK.Options(new int[] {1, 16})));
        assertTrue(e.getMessage().contains("'small'") && e.getMessage().contains("k = 16"), e.getMessage());
    }

    @Test
    void readsCsvAndJsonlWithConfigurableColumns() throws Exception {
        Path csv = dir.resolve("counts.csv");
        Files.writeString(csv, "task,samples,solved\nHumanEval/0,10,3\nHumanEval/1,10,0\n");
        PassAtKInput.Data d = PassAtKInput.read(csv, "task", "samples", "solved");
        assertEquals(List.of(new PassAtK.Problem("HumanEval/0", 10, 3), new PassAtK.Problem("HumanEval/1", 10, 0)), d.problems());
        assertEquals(2, d.input().rows());
        Path jsonl = dir.resolve("counts.jsonl");
        Files.writeString(jsonl, "{\"problem\": \"p1\", \"n\": 5, \"c\": 2.0}\n\n{\"problem\": 7, \"n\": 5, \"c\": 5}\n");
        d = PassAtKInput.read(jsonl, "problem", "n", "c");
        assertEquals(List.of(new PassAtK.Problem("p1", 5, 2), new PassAtK.Problem("7", 5, 5)), d.problems());
    }

    @Test
    void readsParquetWrittenByDuckDb() throws Exception {
        Path parquet = dir.resolve("counts.parquet");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                java.sql.Statement st = c.createStatement()) {
            st.execute("COPY (SELECT * FROM (VALUES ('x', 8, 2), ('y', 8, 8)) t(problem, n, c)) TO '"
                    + parquet.toAbsolutePath() + "' (FORMAT parquet)");
        }
        PassAtKInput.Data d = PassAtKInput.read(parquet, "problem", "n", "c");
        assertEquals(List.of(new PassAtK.Problem("x", 8, 2), new PassAtK.Problem("y", 8, 8)), d.problems());
    }

    @Test
    void badCountsNameFileRowColumnAndValue() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "problem,n,c\na,10,3\nb,10,11\n");
        InputException e = assertThrows(InputException.class, () -> PassAtKInput.read(csv, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("bad.csv: row 2, column 'c': value 11"), e.getMessage());

        Files.writeString(csv, "problem,n,c\na,NaN,3\n");
        e = assertThrows(InputException.class, () -> PassAtKInput.read(csv, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("row 1, column 'n': value NaN"), e.getMessage());

        Files.writeString(csv, "problem,n,c\na,10,2.5\n");
        e = assertThrows(InputException.class, () -> PassAtKInput.read(csv, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("column 'c': value 2.5"), e.getMessage());

        Files.writeString(csv, "problem,n,correct\na,10,2\n");
        e = assertThrows(InputException.class, () -> PassAtKInput.read(csv, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("no column 'c'") && e.getMessage().contains("correct"), e.getMessage());

        Files.writeString(csv, "problem,n,c\na,10,2\na,10,4\n");
        e = assertThrows(InputException.class, () -> PassAtKInput.read(csv, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("already appeared at row 1"), e.getMessage());

        Path jsonl = dir.resolve("bad.jsonl");
        Files.writeString(jsonl, "{\"problem\": \"a\", \"n\": 4, \"c\": 1}\n{\"problem\": \"b\", \"n\": 4, \"c\": -1}\n");
        e = assertThrows(InputException.class, () -> PassAtKInput.read(jsonl, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("bad.jsonl: line 2, column 'c': value -1"), e.getMessage());
    }

    @Test
    void emptyFilesAreRefused() throws Exception {
        Path jsonl = dir.resolve("empty.jsonl");
        Files.writeString(jsonl, "\n");
        InputException e = assertThrows(InputException.class, () -> PassAtKInput.read(jsonl, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("empty.jsonl: no data rows"), e.getMessage());
        Path csv = dir.resolve("empty.csv");
        Files.writeString(csv, "problem,n,c\n");
        e = assertThrows(InputException.class, () -> PassAtKInput.read(csv, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("empty.csv"), e.getMessage());
        Path none = dir.resolve("zero.csv");
        Files.writeString(none, "");
        e = assertThrows(InputException.class, () -> PassAtKInput.read(none, "problem", "n", "c"));
        assertTrue(e.getMessage().contains("zero.csv"), e.getMessage());
    }
}
