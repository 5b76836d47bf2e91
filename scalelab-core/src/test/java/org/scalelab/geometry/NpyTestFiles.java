package org.scalelab.geometry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes .npy files by the numpy format spec (version 1.0) for tests and the Python cross-checks. */
final class NpyTestFiles {
    private NpyTestFiles() {}

    static byte[] header(String descr, boolean fortran, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String padded = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + padded.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) padded.length()).put(padded.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    static Path floats(Path file, float[][] x) throws IOException {
        int n = x.length;
        int d = x[0].length;
        byte[] h = header("<f4", false, "(" + n + ", " + d + ")");
        ByteBuffer b = ByteBuffer.allocate(h.length + 4 * n * d).order(ByteOrder.LITTLE_ENDIAN);
        b.put(h);
        for (float[] row : x) {
            for (float v : row) {
                b.putFloat(v);
            }
        }
        return Files.write(file, b.array());
    }

    static Path doubles(Path file, float[][] x) throws IOException {
        int n = x.length;
        int d = x[0].length;
        byte[] h = header("<f8", false, "(" + n + ", " + d + ")");
        ByteBuffer b = ByteBuffer.allocate(h.length + 8 * n * d).order(ByteOrder.LITTLE_ENDIAN);
        b.put(h);
        for (float[] row : x) {
            for (float v : row) {
                b.putDouble(v);
            }
        }
        return Files.write(file, b.array());
    }

    static Path longs(Path file, long[] v) throws IOException {
        byte[] h = header("<i8", false, "(" + v.length + ",)");
        ByteBuffer b = ByteBuffer.allocate(h.length + 8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(h);
        for (long x : v) {
            b.putLong(x);
        }
        return Files.write(file, b.array());
    }

    static Path ints(Path file, long[] v) throws IOException {
        byte[] h = header("<i4", false, "(" + v.length + ",)");
        ByteBuffer b = ByteBuffer.allocate(h.length + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(h);
        for (long x : v) {
            b.putInt((int) x);
        }
        return Files.write(file, b.array());
    }

    static Path raw(Path file, byte[] header, int dataBytes) throws IOException {
        byte[] all = new byte[header.length + dataBytes];
        System.arraycopy(header, 0, all, 0, header.length);
        return Files.write(file, all);
    }
}
