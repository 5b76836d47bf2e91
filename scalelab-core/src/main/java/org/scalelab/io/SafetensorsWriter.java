package org.scalelab.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;

/**
 * Writes a {@code .safetensors} file atomically: everything goes to a temporary file in the same
 * folder, is forced to disk, then moved over the target, so a crash never leaves a half-written
 * file under the final name. Tensors are laid out in the order given; the JSON header is padded
 * with spaces to a multiple of 8 bytes so every tensor starts 8-byte aligned (as the reference
 * writer does).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** One tensor to write: raw little-endian bytes of {@code dtype}, {@code shape}'s element count long. */
    public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            if (n * dtype.bytes() != data.remaining()) {
                throw new IllegalArgumentException("tensor '" + name + "': shape needs " + n * dtype.bytes()
                        + " bytes, got " + data.remaining());
            }
        }

        /** Little-endian signed 32-bit integers. */
        public static Tensor ofInts(String name, long[] shape, int[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(values);
            return new Tensor(name, DType.I32, shape, b);
        }

        /** Encodes float32 values as {@code dtype} (round to nearest even for F16/BF16). */
        public static Tensor ofFloats(String name, DType dtype, long[] shape, float[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> b.asFloatBuffer().put(values);
                case F16 -> {
                    for (float v : values) {
                        b.putShort(DType.floatToHalf(v));
                    }
                }
                case BF16 -> {
                    for (float v : values) {
                        b.putShort(DType.floatToBf16(v));
                    }
                }
                case I32 -> throw new IllegalArgumentException("tensor '" + name + "': floats cannot be written as I32");
            }
            b.position(0);
            b.limit(values.length * dtype.bytes());
            return new Tensor(name, dtype, shape, b);
        }
    }

    public static void write(Path file, List<Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = Json.mapper().createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Tensor t : tensors) {
            if (!seen.add(t.name()) || t.name().equals("__metadata__")) {
                throw new InputException(file + ": tensor name '" + t.name() + "' is duplicated or reserved");
            }
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long end = offset + t.data().remaining();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = AtomicFiles.temporarySibling(file);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                writeFully(ch, head);
                for (Tensor t : tensors) {
                    writeFully(ch, t.data().duplicate());
                }
                ch.force(true);
            }
            AtomicFiles.moveIntoPlace(tmp, file);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new ScaleLabException(file + ": cannot write safetensors file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // Best effort: a leftover hidden .tmp file never looks like a finished checkpoint.
            }
        }
    }
}
