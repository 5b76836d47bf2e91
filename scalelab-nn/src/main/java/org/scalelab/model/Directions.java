package org.scalelab.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.scalelab.InputException;
import org.scalelab.io.NpyFile;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;

/**
 * Reads a steering or ablation direction: a 1-D vector of d_model numbers from a NumPy
 * {@code .npy} file (float32 or float64, little-endian, C order) or from a {@code .safetensors}
 * file (its only tensor, or the one named).
 */
public final class Directions {
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

    /** Writes {@code v} as a float32 1-D {@code .npy} file ({@link NpyFile#writeVector}), atomically. */
    public static void writeNpy(Path file, float[] v) {
        NpyFile.writeVector(file, v);
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
        NpyFile.Header h = NpyFile.header(b, file.toString());
        String descr = h.descr();
        if (h.fortran()) {
            throw new InputException(file + ": Fortran-order arrays are not supported; save with numpy's default C order");
        }
        if (h.shape().length != 1) {
            throw new InputException(file + ": shape " + shapeTuple(h.shape()) + " is not 1-D; a direction is [d_model]");
        }
        long n = h.shape()[0];
        int width = switch (descr) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            default -> throw new InputException(file + ": dtype '" + descr + "' is not supported; save the direction as float32 or float64");
        };
        int data = h.dataOffset();
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

    /** A shape as numpy prints it: (3, 4), (5,), (). */
    private static String shapeTuple(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
