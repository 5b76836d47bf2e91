package org.scalelab.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;

/**
 * Reads a steering or ablation direction: a 1-D vector of d_model numbers from a NumPy
 * {@code .npy} file (float32 or float64, little-endian, C order) or from a {@code .safetensors}
 * file (its only tensor, or the one named).
 */
public final class Directions {
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Directions() {}

    /**
     * @param tensor for a .safetensors file holding several tensors, which one; else null
     */
    public static float[] read(Path file, String tensor) {
        String name = file.getFileName().toString();
        if (name.endsWith(".npy")) {
            return readNpy(file);
        }
        if (name.endsWith(".safetensors")) {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                String pick = tensor;
                if (pick == null) {
                    if (f.tensors().size() != 1) {
                        throw new InputException(file + ": holds " + f.tensors().size() + " tensors " + f.tensors().keySet()
                                + "; name the direction to use");
                    }
                    pick = f.tensors().keySet().iterator().next();
                }
                TensorInfo t = f.info(pick);
                if (t.shape().length != 1) {
                    throw new InputException(file + ": tensor '" + pick + "' has shape " + t.shapeString() + ", a direction is 1-D [d_model]");
                }
                return f.floats(pick);
            }
        }
        throw new InputException(file + ": a direction file must end in .npy or .safetensors");
    }

    /**
     * Writes {@code v} as a float32 1-D NPY 1.0 file (numpy.lib.format: the header dict is padded
     * with spaces and a newline so the data starts at a multiple of 64 bytes), atomically.
     */
    public static void writeNpy(Path file, float[] v) {
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
                // Best effort: a hidden .tmp leftover is never mistaken for the direction file.
            }
        }
    }

    /** NPY format 1.0–3.0 (numpy.lib.format): magic, version, header length, a Python dict literal, data. */
    private static float[] readNpy(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": direction file not found");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 10 || (all[0] & 0xff) != 0x93 || !new String(all, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
            throw new InputException(file + ": not a .npy file (missing the \\x93NUMPY magic)");
        }
        int major = all[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            start = 10;
        } else {
            headerLen = b.getInt(8);
            start = 12;
        }
        if (headerLen < 0 || start + headerLen > all.length) {
            throw new InputException(file + ": .npy header length " + headerLen + " points past the end of the file (truncated?)");
        }
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR.matcher(header), file, "descr");
        if ("True".equals(group(FORTRAN.matcher(header), file, "fortran_order"))) {
            throw new InputException(file + ": Fortran-order arrays are not supported; save with numpy's default C order");
        }
        String[] dims = group(SHAPE.matcher(header), file, "shape").split(",");
        int nonEmpty = 0;
        long n = 1;
        for (String d : dims) {
            if (!d.isBlank()) {
                nonEmpty++;
                n *= Long.parseLong(d.trim());
            }
        }
        if (nonEmpty != 1) {
            throw new InputException(file + ": shape (" + group(SHAPE.matcher(header), file, "shape") + ") is not 1-D; a direction is [d_model]");
        }
        int width = switch (descr) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            default -> throw new InputException(file + ": dtype '" + descr + "' is not supported; save the direction as float32 or float64");
        };
        int data = start + headerLen;
        if (data + n * width != all.length) {
            throw new InputException(file + ": " + n + " values of " + descr + " need " + n * width + " bytes, the file has "
                    + (all.length - data) + " after its header");
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = width == 4 ? b.getFloat(data + 4 * i) : (float) b.getDouble(data + 8 * i);
        }
        return out;
    }

    private static String group(Matcher m, Path file, String key) {
        if (!m.find()) {
            throw new InputException(file + ": .npy header has no '" + key + "'");
        }
        return m.group(1);
    }
}
