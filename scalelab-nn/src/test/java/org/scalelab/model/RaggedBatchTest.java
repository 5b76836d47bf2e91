package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A right-padded batch of rows of different lengths, run in two passes (a first part filling the
 * KV cache, then the rest continuing it, as the evaluation does with contexts and choices), gives
 * every row the log-probs of that row's plain forward pass alone: per-row positions (RoPE,
 * learned), padded keys hidden, windows counted in positions. The plain pass is the definition.
 */
class RaggedBatchTest {
    private static final double TOLERANCE = 1e-5;
    @TempDir Path dir;

    @Test
    void gpt2LearnedPositionsPerRow() {
        check(ModelConfig.gpt2(96, 32, 2, 4, 64));
    }

    @Test
    void llamaRotaryPositionsPerRowWithGroupedQueries() {
        check(ModelConfig.llama(96, 32, 2, 4, 2, 64, 64, 10000.0, false));
    }

    @Test
    void mistralSlidingWindowCountsPositionsNotPaddedColumns() {
        check(ModelConfig.of(new MistralFamily(), 96, 32, 2, 4, 2, 8, 64, 64).withOptions(new FamilyOptions(4, 0, false, false, 0, 0, 0)));
    }

    @Test
    void gemma2SoftCapsAndWindowsPerRow() {
        check(ModelConfig.of(new Gemma2Family(), 96, 32, 3, 4, 2, 8, 64, 64).withOptions(new FamilyOptions(5, 0, true, false, 24, 1.5, 2.0)));
    }

    @Test
    void gptNeoXRotaryPerRow() {
        check(ModelConfig.gptNeoX(96, 32, 2, 4, 64));
    }

    @Test
    void maskHidesPaddedKeysAndKeepsEveryQueryRowFinite() {
        // Row 0: 2 cached of a 3-long cache, 1 real new token of 2; row 1: 3 cached, 2 real.
        RaggedBatch r = new RaggedBatch(new int[] {2, 3}, new int[] {1, 2});
        float[] m = r.mask(3, 2, 0);
        float inf = Float.NEGATIVE_INFINITY;
        // row 0, query 0 (position 2): cached 0, 1 visible, cached column 2 is padding, itself visible
        assertRow(m, 0, new float[] {0, 0, inf, 0, inf});
        // row 0, query 1 is padding: sees the real keys and itself, never NaN
        assertRow(m, 1, new float[] {0, 0, inf, 0, 0});
        assertRow(m, 2, new float[] {0, 0, 0, 0, inf});
        assertRow(m, 3, new float[] {0, 0, 0, 0, 0});
        // a window of 2 positions: row 1's query 1 sits at position 4 and sees positions 3 and 4 only
        assertRow(r.mask(3, 2, 2), 3, new float[] {inf, inf, inf, 0, 0});
        assertThrows(IllegalArgumentException.class, () -> new RaggedBatch(new int[] {1}, new int[] {1, 2}));
    }

    /**
     * A cache continued by three ragged passes: a row whose new tokens always followed its cached ones
     * directly stays contiguous and any number of passes continue it correctly (its log-probs equal its
     * plain forward pass); a row whose new tokens went after padding is scattered, which the mask cannot
     * express, so a further pass over it is refused naming the row; so is a pass claiming more cached
     * tokens than the row holds, and a plain (unragged) pass over a row followed by padding.
     */
    @Test
    void furtherPassesContinueContiguousRowsAndRefuseScatteredOnes() {
        ModelConfig config = ModelConfig.llama(96, 32, 2, 4, 2, 64, 64, 10000.0, false);
        Path m = dir.resolve("llama-three-passes");
        ModelInit.write(m, config, 7, ModelInit.Scheme.ALL_RANDOM);
        Random random = new Random(11);
        int[][] p1 = new int[3][4];
        int[][] p2 = new int[3][5];
        int[][] p3 = new int[3][3];
        for (int[][] p : new int[][][] {p1, p2, p3}) {
            for (int[] row : p) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = random.nextInt(config.vocabSize());
                }
            }
        }
        int[] valid2 = {5, 2, 0}; // row 0 fills the pass; row 1 is followed by padding; row 2 adds nothing
        try (Transformer t = Transformer.load(m); KvCache cache = t.newCache()) {
            t.logProbs(p1, cache, RaggedBatch.of(new int[] {4, 4, 4}), new int[0], new int[0], new int[0]);
            t.logProbs(p2, cache, new RaggedBatch(new int[] {4, 4, 4}, valid2), new int[0], new int[0], new int[0]);
            // Rows 0, 1 and 2 hold 9, 6 and 4 contiguous tokens of a 9-long cache.
            try (KvCache copy = cache.select(new int[] {0, 1, 2})) {
                IllegalArgumentException more = assertThrows(IllegalArgumentException.class,
                        () -> t.logProbs(p3, copy, new RaggedBatch(new int[] {9, 7, 4}, new int[] {3, 3, 3}), new int[0], new int[0], new int[0]));
                assertTrue(more.getMessage().contains("row 1 continues past 7 cached tokens") && more.getMessage().contains("holds 6"), more.getMessage());
                IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> t.forward(p3, HookSet.none(), copy));
                assertTrue(plain.getMessage().contains("row 1: holds 6 tokens and padding"), plain.getMessage());
            }
            int[] rows = new int[9];
            int[] pos = new int[9];
            int[] target = new int[9];
            for (int k = 0; k < 9; k++) {
                rows[k] = k / 3;
                pos[k] = k % 3;
                target[k] = random.nextInt(config.vocabSize());
            }
            float[] got = t.logProbs(p3, cache, new RaggedBatch(new int[] {9, 6, 4}, new int[] {3, 3, 3}), rows, pos, target);
            for (int k = 0; k < 9; k++) {
                int b = rows[k];
                int[] whole = new int[4 + valid2[b] + 3];
                System.arraycopy(p1[b], 0, whole, 0, 4);
                System.arraycopy(p2[b], 0, whole, 4, valid2[b]);
                System.arraycopy(p3[b], 0, whole, 4 + valid2[b], 3);
                float[] logits = t.forward(whole, HookSet.none()).logits().at(0, 4 + valid2[b] + pos[k]);
                assertEquals(logSoftmax(logits, target[k]), got[k], TOLERANCE, "row " + b + " position " + pos[k] + " of the third pass");
            }
            // Row 0 is still contiguous (12 tokens); rows 1 and 2 put their third pass after padding.
            IllegalArgumentException scattered = assertThrows(IllegalArgumentException.class,
                    () -> t.logProbs(p3, cache, new RaggedBatch(new int[] {12, 9, 7}, new int[] {3, 3, 3}), new int[0], new int[0], new int[0]));
            assertTrue(scattered.getMessage().contains("row 1: its tokens are not contiguous"), scattered.getMessage());
        }
    }

    @Test
    void logProbsRefusePaddedPositionsAndAnEmptyBatch() {
        ModelConfig config = ModelConfig.gpt2(96, 32, 2, 4, 64);
        Path m = dir.resolve("gpt2-refusals");
        ModelInit.write(m, config, 7, ModelInit.Scheme.ALL_RANDOM);
        int[][] tokens = {{1, 2, 3, 4}, {5, 6, 7, 8}};
        try (Transformer t = Transformer.load(m)) {
            RaggedBatch ragged = RaggedBatch.of(new int[] {4, 2});
            // row 1 has 2 real tokens: position 1 is its last, position 2 is padding
            assertEquals(1, t.logProbs(tokens, null, ragged, new int[] {1}, new int[] {1}, new int[] {3}).length);
            IllegalArgumentException padded = assertThrows(IllegalArgumentException.class,
                    () -> t.logProbs(tokens, null, ragged, new int[] {0, 1}, new int[] {3, 2}, new int[] {3, 3}));
            assertTrue(padded.getMessage().contains("log-prob 1: position 2 of row 1 is padding (the row has 2 real tokens)"), padded.getMessage());
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                    () -> t.logProbs(new int[0][], null, null, new int[0], new int[0], new int[0]));
            assertTrue(empty.getMessage().contains("empty batch"), empty.getMessage());
            IllegalArgumentException noTokens = assertThrows(IllegalArgumentException.class,
                    () -> t.logProbs(new int[][] {{}}, null, RaggedBatch.of(new int[] {0}), new int[0], new int[0], new int[0]));
            assertTrue(noTokens.getMessage().contains("empty batch"), noTokens.getMessage());
            IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                    () -> t.logProbs(tokens, null, ragged, new int[] {2}, new int[] {0}, new int[] {3}));
            assertTrue(outside.getMessage().contains("row 2"), outside.getMessage());
        }
    }

    private static void assertRow(float[] mask, int row, float[] expected) {
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], mask[row * expected.length + j], "mask row " + row + " key " + j);
        }
    }

    private void check(ModelConfig config) {
        Path m = dir.resolve(config.family().modelType());
        ModelInit.write(m, config, 5, ModelInit.Scheme.ALL_RANDOM);
        Random random = new Random(3);
        int rows = 5;
        int[][] seqs = new int[rows][];
        int[] split = new int[rows];
        for (int b = 0; b < rows; b++) {
            seqs[b] = new int[3 + random.nextInt(12)];
            for (int i = 0; i < seqs[b].length; i++) {
                seqs[b][i] = random.nextInt(config.vocabSize());
            }
            split[b] = b == 2 ? 0 : 1 + random.nextInt(seqs[b].length - 1); // row 2 has nothing cached
        }
        int firstLen = 0;
        int restLen = 0;
        for (int b = 0; b < rows; b++) {
            firstLen = Math.max(firstLen, split[b]);
            restLen = Math.max(restLen, seqs[b].length - split[b]);
        }
        firstLen += 2; // extra padding on every row
        int[][] first = new int[rows][firstLen];
        int[][] rest = new int[rows][restLen + 1];
        int[] restValid = new int[rows];
        int n = 0;
        for (int b = 0; b < rows; b++) {
            System.arraycopy(seqs[b], 0, first[b], 0, split[b]);
            restValid[b] = seqs[b].length - split[b];
            System.arraycopy(seqs[b], split[b], rest[b], 0, restValid[b]);
            java.util.Arrays.fill(rest[b], restValid[b], rest[b].length, 9); // padding with a real token id
            n += restValid[b] - 1;
        }
        int[] rowOf = new int[n];
        int[] pos = new int[n];
        int[] target = new int[n];
        int k = 0;
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i + 1 < restValid[b]; i++) {
                rowOf[k] = b;
                pos[k] = i;
                target[k++] = rest[b][i + 1];
            }
        }
        try (Transformer t = Transformer.load(m); KvCache cache = t.newCache()) {
            assertEquals(0, t.logProbs(first, cache, RaggedBatch.of(split), new int[0], new int[0], new int[0]).length);
            // the cache's rows, reordered, continue as their own rows
            int[] order = {4, 3, 2, 1, 0};
            try (KvCache reordered = cache.select(order)) {
                int[][] restR = new int[rows][];
                int[] pastR = new int[rows];
                int[] validR = new int[rows];
                for (int r = 0; r < rows; r++) {
                    restR[r] = rest[order[r]];
                    pastR[r] = split[order[r]];
                    validR[r] = restValid[order[r]];
                }
                int[] rowR = new int[n];
                for (int i = 0; i < n; i++) {
                    rowR[i] = rows - 1 - rowOf[i];
                }
                float[] got = t.logProbs(restR, reordered, new RaggedBatch(pastR, validR), rowR, pos, target);
                double worst = 0;
                for (int i = 0; i < n; i++) {
                    int b = rowOf[i];
                    float[] logits = t.forward(seqs[b], HookSet.none()).logits().at(0, split[b] + pos[i]);
                    double expected = logSoftmax(logits, target[i]);
                    worst = Math.max(worst, Math.abs(expected - got[i]));
                }
                assertTrue(worst <= TOLERANCE, config.family().modelType() + ": ragged log-probs differ from each row's own pass by " + worst);
            }
        }
    }

    private static double logSoftmax(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return logits[target] - max - Math.log(sum);
    }
}
