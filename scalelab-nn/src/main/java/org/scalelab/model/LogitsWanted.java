package org.scalelab.model;

/**
 * Which positions' logits a forward pass computes and copies to Java. The unembedding is a
 * [d_model, vocab] product per position and its result the largest array of a pass (Llama 3:
 * 128,256 floats per token), so capture, which needs only activations, asks for {@link #NONE}, and
 * each decoding step, which samples from the last position, for {@link #LAST}.
 */
public enum LogitsWanted {
    /** [batch, seq, vocab]. */
    ALL,
    /** [batch, 1, vocab]: the last position of each sequence. */
    LAST,
    /** [batch, 0, vocab]: the unembedding is skipped (the hooks, ln_final.hook_normalized included, still run). */
    NONE
}
