package org.scalelab.eval;

/** What acc_norm divides a choice's summed log-prob by: its length in characters (lm-eval's default), UTF-8 bytes or tokens. */
public enum LengthNorm { CHARS, BYTES, TOKENS }
