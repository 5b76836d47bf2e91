package org.scalelab.eval;

/**
 * The log-likelihood of a whole text, lm-evaluation-harness's {@code loglikelihood_rolling} metrics:
 * word perplexity exp(−ll / words), byte perplexity exp(−ll / bytes) and bits per byte −ll / (bytes · ln 2).
 *
 * @param text       the file's name
 * @param tokens     tokens scored
 * @param words      whitespace-separated words
 * @param bytes      UTF-8 bytes
 * @param logLikelihood Σ log p(token | the tokens before it in its window), natural log
 */
public record RollingScore(String text, long tokens, long words, long bytes, double logLikelihood,
                           double wordPerplexity, double bytePerplexity, double bitsPerByte) {
    public static RollingScore of(String text, long tokens, long words, long bytes, double ll) {
        return new RollingScore(text, tokens, words, bytes, ll, Math.exp(-ll / words), Math.exp(-ll / bytes), -ll / (bytes * Math.log(2)));
    }
}
