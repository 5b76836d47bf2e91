package org.scalelab.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Malformed variants of a valid file, for fuzzing the readers: one to four edits chosen by a seeded
 * {@link Random} among byte flips, truncation, insertion, deletion, duplication, numbers replaced by
 * extreme ones (huge, negative, NaN, overflowing), deep nesting, huge strings and binary header fields
 * overwritten with extreme integers. Half the edits fall in the first 256 bytes, where headers are.
 * The same seed gives the same bytes.
 */
final class Mutations {
    private Mutations() {}

    private static final String[] NUMBERS = {"-1", "0", "-0", "1", "2147483647", "2147483648", "-2147483649", "4294967296",
        "9223372036854775807", "9223372036854775808", "4611686018427387904", "-60", "1e308", "-1e308", "1e999", "NaN", "Infinity",
        "-Infinity", "99999999999999999999999999", "0.5", "1e-320", "3.0", "null", "true", "\"7\"", "[]", "{}"};
    private static final long[] LONGS = {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, 1L << 31, 1L << 32, 1L << 62, 100_000_001};

    static byte[] mutate(byte[] valid, long seed) {
        Random r = new Random(seed);
        byte[] b = valid;
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            b = edit(b, r);
        }
        return b;
    }

    private static byte[] edit(byte[] b, Random r) {
        int kind = r.nextInt(10);
        int n = b.length;
        int at = position(n, r);
        switch (kind) {
            case 0 -> { // flip bits
                if (n > 0) {
                    b = b.clone();
                    b[Math.min(at, n - 1)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, at); // truncate
            case 2 -> { // insert random bytes
                byte[] ins = new byte[1 + r.nextInt(16)];
                r.nextBytes(ins);
                b = splice(b, at, at, ins);
            }
            case 3 -> b = splice(b, at, Math.min(n, at + 1 + r.nextInt(64)), new byte[0]); // delete
            case 4 -> { // duplicate a range
                int end = Math.min(n, at + 1 + r.nextInt(256));
                b = splice(b, end, end, Arrays.copyOfRange(b, at, end));
            }
            case 5, 6 -> b = replaceNumber(b, r);
            case 7 -> { // deep nesting
                String open = r.nextBoolean() ? "[" : "{\"a\":";
                b = splice(b, at, at, open.repeat(500 + r.nextInt(5000)).getBytes(StandardCharsets.US_ASCII));
            }
            case 8 -> { // a huge string value
                byte[] big = ("\"" + "x".repeat(1 + r.nextInt(200_000)) + "\"").getBytes(StandardCharsets.US_ASCII);
                b = splice(b, at, Math.min(n, at + r.nextInt(8)), big);
            }
            default -> { // an extreme little-endian integer over a header field (safetensors length, npy header length)
                if (n >= 8) {
                    b = b.clone();
                    int p = r.nextBoolean() ? 0 : Math.min(at, n - 8);
                    long v = LONGS[r.nextInt(LONGS.length)];
                    if (r.nextBoolean()) {
                        ByteBuffer.wrap(b, p, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                    } else {
                        ByteBuffer.wrap(b, Math.min(p + 8, n - 4), 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v);
                    }
                }
            }
        }
        return b;
    }

    private static int position(int n, Random r) {
        if (n == 0) {
            return 0;
        }
        return r.nextBoolean() ? r.nextInt(Math.min(n, 256) + 1) : r.nextInt(n + 1);
    }

    /** Replaces one run of ASCII digits (with its sign, fraction and exponent) by an extreme value. */
    private static byte[] replaceNumber(byte[] b, Random r) {
        int n = b.length;
        if (n == 0) {
            return b;
        }
        int start = r.nextInt(n);
        int i = start;
        while (i < n && !(b[i] >= '0' && b[i] <= '9')) {
            i++;
        }
        if (i == n) {
            return b;
        }
        int s = i > 0 && b[i - 1] == '-' ? i - 1 : i;
        int e = i;
        while (e < n && ((b[e] >= '0' && b[e] <= '9') || b[e] == '.' || b[e] == 'e' || b[e] == 'E' || b[e] == '+' || b[e] == '-')) {
            e++;
        }
        return splice(b, s, e, NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] with) {
        byte[] out = new byte[b.length - (to - from) + with.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(b, to, out, from + with.length, b.length - to);
        return out;
    }
}
