package org.scalelab.eval;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.RaggedBatch;
import org.scalelab.model.Transformer;

/**
 * The log-likelihood of a whole text in lm-evaluation-harness's rolling windows
 * ({@code loglikelihood_rolling}: {@code get_rolling_token_windows} with context length 1, then
 * {@code make_disjoint_window}): the text's tokens are cut into consecutive windows of at most
 * {@code maxLength} predicted tokens; the first window is predicted from the prefix token (BOS, else
 * end of text), every later one from the single token before it, so each token is predicted once
 * and the windows' sums add up to the text's log-likelihood. Words are counted as the harness's
 * wikitext task counts them, {@code len(re.split(r"\s+", text))}.
 */
public final class RollingPerplexity {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** Most log-prob rows ([positions, vocab] floats) one pass unembeds at once. */
    private static final long ROW_BUDGET = 1L << 25;

    private RollingPerplexity() {}

    /** One window: the tokens the model reads and how many of the last ones' successors it predicts. */
    record Window(int[] input, int[] targets) {}

    public static RollingScore score(Transformer model, ModelTokenizer tokenizer, Path file, int maxLength, int batch, boolean specialTokens) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new InputException(file + ": not UTF-8 text (--rolling reads plain UTF-8 text)");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage());
        }
        int[] tokens = tokenizer.encode(text, specialTokens);
        if (tokens.length == 0) {
            throw new InputException(file + ": no text to score (it tokenises to nothing)");
        }
        int prefix = ContinuationTokens.prefixToken(tokenizer);
        if (prefix < 0) {
            throw new InputException(file + ": the tokenizer has no BOS or end-of-text token to predict the first token from");
        }
        List<Window> windows = windows(tokens, prefix, maxLength);
        int perPass = (int) Math.max(1, Math.min(batch, ROW_BUDGET / ((long) maxLength * model.config().vocabSize())));
        double ll = 0;
        for (int from = 0; from < windows.size(); from += perPass) {
            ll += run(model, windows.subList(from, Math.min(windows.size(), from + perPass)));
        }
        long words = WHITESPACE.split(text, -1).length;
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        return RollingScore.of(file.getFileName().toString(), tokens.length, words, bytes, ll);
    }

    /** The harness's rolling windows (context length 1), already made disjoint. */
    static List<Window> windows(int[] tokens, int prefix, int maxLength) {
        List<Window> out = new ArrayList<>();
        int n = tokens.length;
        int first = Math.min(maxLength, n);
        int[] input = new int[first];
        input[0] = prefix;
        System.arraycopy(tokens, 0, input, 1, first - 1);
        out.add(new Window(input, java.util.Arrays.copyOfRange(tokens, 0, first)));
        int predicted = first;
        while (predicted < n) {
            int len = Math.min(n - predicted, maxLength);
            int end = predicted + len;
            // the window reads the maxLength tokens [end − maxLength − 1, end − 1) and predicts the last
            // len of their successors, [end − len, end): a short last window keeps a long context
            out.add(new Window(java.util.Arrays.copyOfRange(tokens, end - maxLength - 1, end - 1), java.util.Arrays.copyOfRange(tokens, end - len, end)));
            predicted = end;
        }
        return out;
    }

    private static double run(Transformer model, List<Window> group) {
        int rows = group.size();
        int seq = 0;
        int selected = 0;
        for (Window w : group) {
            seq = Math.max(seq, w.input().length);
            selected += w.targets().length;
        }
        int[][] tokens = new int[rows][seq];
        int[] valid = new int[rows];
        int[] row = new int[selected];
        int[] pos = new int[selected];
        int[] target = new int[selected];
        int s = 0;
        for (int r = 0; r < rows; r++) {
            Window w = group.get(r);
            System.arraycopy(w.input(), 0, tokens[r], 0, w.input().length);
            valid[r] = w.input().length;
            int start = w.input().length - w.targets().length;
            for (int t = 0; t < w.targets().length; t++) {
                row[s] = r;
                pos[s] = start + t;
                target[s++] = w.targets()[t];
            }
        }
        double sum = 0;
        for (float lp : model.logProbs(tokens, null, RaggedBatch.of(valid), row, pos, target)) {
            sum += lp;
        }
        return sum;
    }
}
