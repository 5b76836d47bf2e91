package org.scalelab.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;

/**
 * Reads NumPy {@code .npy} arrays (format versions 1–3, little-endian, C order) and {@code .npz}
 * archives (a zip of {@code .npy} members), as specified in numpy's {@code numpy.lib.format} docs.
 *
 * <p>Points are 2-D float32 or float64 [n_points, d]; a float32 {@code .npy} file is memory-mapped
 * (nothing copied), and so are float32 points stored uncompressed in an {@code .npz} ({@code np.savez});
 * float64 and compressed members are converted into a float32 buffer (the metrics
 * compute in float32 BLAS with float64 accumulation). Trajectory offsets and labels are 1-D int32 or
 * int64. In an {@code .npz} the points are the member {@code points} (or the only 2-D float array),
 * offsets the member {@code trajectories} and labels the member {@code labels}.
 */
public final class NpyFile {
    private NpyFile() {}

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** A parsed array header: dtype string, C/Fortran order, shape, and where the data start. */
    public record Header(String descr, boolean fortran, long[] shape, int dataOffset) {
        /** The number of elements; {@link #header} has checked that it and its byte size fit in a long. */
        public long count() {
            long c = 1;
            for (long s : shape) {
                c *= s;
            }
            return c;
        }
    }

    /** The largest header a .npy may declare; numpy writes a few hundred bytes. */
    private static final int MAX_HEADER_BYTES = 1 << 20;

    /**
     * A 2-D float array [rows, columns], row-major float32 in native order (the file's own mapping
     * when it holds little-endian float32); {@code source} names the file (and member) for messages.
     */
    public record Matrix(FloatBuffer rowMajor, int rows, int columns, String source) {}

    /** The members of an {@code .npz}: points, and trajectory offsets and labels (each may be null). */
    public record Archive(Matrix points, long[] trajectories, long[] labels) {}

    /** A 2-D float32/float64 {@code .npy} file of points; float32 files are memory-mapped. */
    public static Matrix readMatrix(Path file) {
        InputFile.require(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(ch.size(), 1 << 16))
                    .order(ByteOrder.LITTLE_ENDIAN);
            Header h = header(head, file.toString());
            checkPoints(h, file.toString());
            long bytes = h.count() * itemSize(h.descr());
            long available = ch.size() - h.dataOffset();
            if (available < bytes) {
                throw truncated(file.toString(), h, bytes, available);
            }
            if (bytes > Integer.MAX_VALUE) {
                throw new InputException(file + ": " + bytes + " bytes of points; arrays above 2 GiB are not supported yet, split the points into groups");
            }
            ByteBuffer body = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset(), bytes).order(ByteOrder.LITTLE_ENDIAN);
            return toMatrix(h, body, file.toString());
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A 1-D int32/int64 {@code .npy} file (trajectory offsets, labels) as longs. */
    public static long[] readIntegers(Path file) {
        InputFile.require(file);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        return integers(b, header(b, file.toString()), file.toString());
    }

    /** All members of an {@code .npz} archive, picked apart into points, offsets and labels. */
    public static Archive readNpz(Path file) {
        InputFile.require(file);
        Map<String, ByteBuffer> members = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile());
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, ZipMembers.Member> offsets = ZipMembers.list(ch);
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (!e.getName().endsWith(".npy")) {
                    continue;
                }
                String key = InputException.quote(e.getName().substring(0, e.getName().length() - 4));
                // np.savez stores members uncompressed: map those; inflate the rest (np.savez_compressed).
                ZipMembers.Member m = offsets.get(e.getName());
                ByteBuffer mapped = m != null && m.size() == e.getSize() ? ZipMembers.map(ch, m) : null;
                if (mapped != null) {
                    members.put(key, mapped);
                    continue;
                }
                if (e.getSize() > Integer.MAX_VALUE - 8) {
                    throw new InputException(file + ":" + key + ": compressed member above 2 GiB; save with np.savez (uncompressed) instead");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    members.put(key, ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN));
                }
            }
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": not a readable .npz (zip) archive: " + e.getMessage(), e);
        }
        String pointsKey = null;
        if (members.containsKey("points")) {
            pointsKey = "points";
        } else {
            List<String> twoD = new ArrayList<>();
            for (Map.Entry<String, ByteBuffer> m : members.entrySet()) {
                Header h = header(m.getValue().duplicate().order(ByteOrder.LITTLE_ENDIAN), file + ":" + m.getKey());
                if (h.shape().length == 2 && h.descr().contains("f")) {
                    twoD.add(m.getKey());
                }
            }
            if (twoD.size() != 1) {
                throw new InputException(file + ": cannot tell which member holds the points (members " + InputException.quote(members.keySet())
                        + "); name it 'points', e.g. np.savez(f, points=X, trajectories=offsets, labels=y)");
            }
            pointsKey = twoD.get(0);
        }
        String where = file + ":" + pointsKey;
        ByteBuffer pb = members.get(pointsKey);
        Header ph = header(pb, where);
        checkPoints(ph, where);
        long bytes = ph.count() * itemSize(ph.descr());
        if (pb.capacity() - ph.dataOffset() < bytes) {
            throw truncated(where, ph, bytes, pb.capacity() - ph.dataOffset());
        }
        Matrix points = toMatrix(ph, pb.duplicate().position(ph.dataOffset()).slice().order(ByteOrder.LITTLE_ENDIAN), where);
        long[] traj = members.containsKey("trajectories")
                ? integers(members.get("trajectories"), header(members.get("trajectories"), file + ":trajectories"), file + ":trajectories")
                : null;
        long[] labels = members.containsKey("labels")
                ? integers(members.get("labels"), header(members.get("labels"), file + ":labels"), file + ":labels")
                : null;
        return new Archive(points, traj, labels);
    }

    /**
     * The header of the array at the start of {@code b} (little-endian): magic, version 1–3, length,
     * and the dict literal's {@code descr}, {@code fortran_order} and {@code shape}; {@code where}
     * names the file (and member) in messages.
     */
    public static Header header(ByteBuffer b, String where) {
        byte[] magic = new byte[6];
        if (b.capacity() < 10) {
            throw new InputException(where + ": too short to be a .npy file (" + b.capacity() + " bytes)");
        }
        b.get(0, magic);
        if ((magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new InputException(where + ": not a .npy file (missing the \\x93NUMPY magic); save it with numpy.save");
        }
        int major = b.get(6);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else {
            throw new InputException(where + ": unsupported .npy format version " + major);
        }
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new InputException(where + ": header length " + Integer.toUnsignedString(headerLen)
                    + " bytes is not plausible (numpy writes a few hundred); the file is damaged or not a .npy");
        }
        if (start + headerLen > b.capacity()) {
            throw new InputException(where + ": header of " + headerLen + " bytes runs past the end of the file (truncated?)");
        }
        byte[] text = new byte[headerLen];
        b.get(start, text);
        String dict = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher md = DESCR.matcher(dict);
        Matcher mf = FORTRAN.matcher(dict);
        Matcher ms = SHAPE.matcher(dict);
        if (!md.find() || !mf.find() || !ms.find()) {
            throw new InputException(where + ": malformed .npy header: " + InputException.quote(dict.trim()));
        }
        List<Long> shape = new ArrayList<>();
        long bytes = itemSize(md.group(1));
        for (String part : ms.group(1).split(",")) {
            if (part.isBlank()) {
                continue;
            }
            long dim;
            try {
                dim = Long.parseLong(part.trim());
            } catch (NumberFormatException e) {
                throw new InputException(where + ": header field 'shape' has '" + InputException.quote(part.trim()) + "'; expected a whole number");
            }
            if (dim < 0) {
                throw new InputException(where + ": header field 'shape' has the negative size " + dim);
            }
            try {
                bytes = Math.multiplyExact(bytes, dim);
            } catch (ArithmeticException e) {
                throw new InputException(where + ": header field 'shape' (" + InputException.quote(ms.group(1).trim())
                        + ") describes more than 2^63 bytes; the file is damaged");
            }
            shape.add(dim);
        }
        return new Header(md.group(1), mf.group(1).equals("True"), shape.stream().mapToLong(Long::longValue).toArray(),
                start + headerLen);
    }

    private static void checkPoints(Header h, String where) {
        if (!h.descr().equals("<f4") && !h.descr().equals("<f8")) {
            throw new InputException(where + ": points have dtype '" + InputException.quote(h.descr())
                    + "'; expected little-endian float32 ('<f4') or float64 ('<f8'), e.g. np.save(f, X.astype(np.float32))");
        }
        if (h.shape().length != 2) {
            throw new InputException(where + ": points must be 2-D [n_points, d], got shape " + java.util.Arrays.toString(h.shape()));
        }
        for (long dim : h.shape()) {
            if (dim > Integer.MAX_VALUE) {
                throw new InputException(where + ": header field 'shape' has the size " + dim
                        + "; a points array has at most 2^31 - 1 rows and columns");
            }
        }
        if (h.fortran() && h.shape()[0] > 1 && h.shape()[1] > 1) {
            throw new InputException(where + ": array is in Fortran (column-major) order; save np.ascontiguousarray(X) instead");
        }
    }

    private static int itemSize(String descr) {
        return descr.endsWith("8") ? 8 : descr.endsWith("4") ? 4 : descr.endsWith("2") ? 2 : 1;
    }

    private static InputException truncated(String where, Header h, long expected, long available) {
        return new InputException(where + ": truncated: shape " + java.util.Arrays.toString(h.shape()) + " of '" + InputException.quote(h.descr())
                + "' needs " + expected + " data bytes, the file has " + available);
    }

    private static Matrix toMatrix(Header h, ByteBuffer body, String where) {
        int n = Math.toIntExact(h.shape()[0]);
        int d = Math.toIntExact(h.shape()[1]);
        FloatBuffer f;
        if (h.descr().equals("<f4") && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && body.isDirect()) {
            f = body.asFloatBuffer();
        } else {
            f = floats((long) n * d);
            int count = n * d;
            if (h.descr().equals("<f4")) {
                for (int i = 0; i < count; i++) {
                    f.put(i, body.getFloat(i * 4));
                }
            } else {
                for (int i = 0; i < count; i++) {
                    f.put(i, (float) body.getDouble(i * 8));
                }
            }
        }
        return new Matrix(f, n, d, where);
    }

    /** A native-order direct float32 buffer of {@code count} values (one buffer holds at most 2 GiB). */
    private static FloatBuffer floats(long count) {
        if (count * Float.BYTES > Integer.MAX_VALUE) {
            throw new InputException("arrays above 2 GiB (" + count + " float32 values) are not supported yet; split the points into groups");
        }
        return ByteBuffer.allocateDirect((int) (count * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static long[] integers(ByteBuffer b, Header h, String where) {
        if (h.shape().length != 1) {
            throw new InputException(where + ": expected a 1-D integer array, got shape " + java.util.Arrays.toString(h.shape()));
        }
        boolean i4 = h.descr().equals("<i4");
        if (!i4 && !h.descr().equals("<i8")) {
            throw new InputException(where + ": dtype '" + InputException.quote(h.descr()) + "'; expected int32 ('<i4') or int64 ('<i8'), e.g. np.save(f, a.astype(np.int64))");
        }
        long need = h.shape()[0] * (i4 ? 4 : 8);
        if (b.capacity() - h.dataOffset() < need) {
            throw truncated(where, h, need, b.capacity() - h.dataOffset());
        }
        int len = (int) h.shape()[0];
        long[] out = new long[len];
        for (int i = 0; i < len; i++) {
            out[i] = i4 ? b.getInt(h.dataOffset() + i * 4) : b.getLong(h.dataOffset() + i * 8);
        }
        return out;
    }

    /**
     * Writes {@code v} as a float32 1-D NPY 1.0 file (numpy.lib.format: the header dict is padded
     * with spaces and a newline so the data starts at a multiple of 64 bytes), atomically.
     */
    public static void writeVector(Path file, float[] v) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + v.length + ",), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float x : v) {
            b.putFloat(x);
        }
        Path tmp = AtomicFiles.temporarySibling(file);
        try {
            Files.write(tmp, b.array());
            AtomicFiles.moveIntoPlace(tmp, file);
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // Best effort: a hidden .tmp leftover is never mistaken for the array file.
            }
        }
    }
}
