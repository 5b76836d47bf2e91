package org.scalelab.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;

/**
 * A read-only view of one {@code .safetensors} file (format: github.com/huggingface/safetensors):
 * 8 bytes little-endian header length N, N bytes of JSON mapping tensor names to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data region),
 * then the data region. The header is validated as strictly as the reference Rust reader does
 * (tensors tile the data region exactly, in order, without gaps or overlaps), so a file accepted
 * here is also accepted by Python's {@code safetensors}.
 *
 * <p>Tensor bytes are memory-mapped one tensor at a time (a single mapping is limited to 2 GB,
 * real checkpoints are larger); {@link #bytes} hands out the mapping itself, so the runtime's
 * NDArray adapter ({@code model.Weights}) gives F32 tensors to the engine without a copy.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference reader's limit on the header size (100 MB); anything larger is corrupt. */
    private static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code file}; any defect is an {@link InputException} naming file and tensor. */
    public static SafetensorsFile open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": safetensors file not found");
        } catch (IOException e) {
            throw new InputException(file + ": cannot open safetensors file: " + e.getMessage(), e);
        }
        try {
            return parse(file, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile parse(Path file, FileChannel channel) {
        try {
            Header h = readHeader(file.toString(), channel.size(), (position, into) -> readFully(channel, into, position));
            return new SafetensorsFile(file, channel, h.dataStart(), h.tensors(), h.metadata());
        } catch (IOException e) {
            throw new InputException(file + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    /** Reads bytes at a position of a file until {@code into} is full (a channel, a remote file system's stream). */
    @FunctionalInterface
    public interface PositionalReader {
        void readFully(long position, ByteBuffer into) throws IOException;
    }

    /**
     * A validated header: where the data region starts and each tensor's entry, in file order.
     * Offsets of a tensor's bytes in the file are {@code dataStart + info.begin()}.
     */
    public record Header(long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

    /**
     * Reads and validates the header of a safetensors file of {@code size} bytes through {@code reader}
     * (for files that are not local paths: a shard on HDFS or an object store), exactly as {@link #open}
     * does; messages name {@code where}.
     */
    public static Header readHeader(String where, long size, PositionalReader reader) throws IOException {
        if (size < 8) {
            throw bad(where, "file is " + size + " bytes, shorter than the 8-byte header length (truncated?)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        reader.readFully(0, lenBuf);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
            throw bad(where, "header length " + headerLen + " is not between 1 and " + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
        }
        if (8 + headerLen > size) {
            throw bad(where, "header length " + headerLen + " runs beyond the end of the " + size + "-byte file (truncated?)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        reader.readFully(8, headerBuf);
        String headerText = new String(headerBuf.array(), StandardCharsets.UTF_8);
        JsonNode header;
        try {
            header = Json.mapper().readTree(headerText);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad(where, "header is not valid JSON: " + Json.problem(e));
        }
        if (header == null || !header.isObject()) {
            throw bad(where, "header must be a JSON object of tensor entries");
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            list.add(entry(where, field.getKey(), field.getValue(), dataLen));
        }
        list.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : list) {
            if (t.begin() < expected) {
                throw bad(where, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > expected) {
                throw bad(where, "tensor '" + t.name() + "': data_offsets start at " + t.begin() + " but the previous tensor ends at "
                        + expected + " (tensors must tile the data region without gaps)");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataLen) {
            throw bad(where, "tensors cover " + expected + " data bytes but the file holds " + dataLen
                    + (expected > dataLen ? " (truncated?)" : " (trailing bytes)"));
        }
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : list) {
            byName.put(t.name(), t);
        }
        return new Header(dataStart, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo entry(String file, String name, JsonNode node, long dataLen) {
        String where = "tensor '" + InputException.quote(name) + "': ";
        if (!node.isObject()) {
            throw bad(file, where + "entry must be an object with dtype, shape, data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw bad(file, where + "missing \"dtype\"");
        }
        DType dtype = DType.fromHeader(dtypeNode.asText());
        if (dtype == null) {
            throw bad(file, where + "dtype " + InputException.quote(dtypeNode.asText()) + " is not supported (supported: " + DType.supported() + ")");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw bad(file, where + "missing \"shape\" array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw bad(file, where + "shape " + InputException.quote(shapeNode) + " must hold non-negative integers");
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw bad(file, where + "\"data_offsets\" is " + InputException.quote(offsets) + "; expected [begin, end] of whole numbers");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw bad(file, where + "data_offsets [" + begin + ", " + end + "] are not an increasing pair");
        }
        if (end > dataLen) {
            throw bad(file, where + "data_offsets [" + begin + ", " + end + "] point outside the " + dataLen
                    + "-byte data region (truncated file?)");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(info.elementCount(), dtype.bytes());
        } catch (ArithmeticException e) {
            throw bad(file, where + "shape " + info.shapeString() + " is too large");
        }
        if (expectedBytes != end - begin) {
            throw bad(file, where + "shape " + info.shapeString() + " × " + dtype + " (" + dtype.bytes() + " bytes) needs "
                    + expectedBytes + " bytes but data_offsets span " + (end - begin));
        }
        return info;
    }

    public Path path() {
        return file;
    }

    /** Tensor entries in file order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The optional {@code __metadata__} string map. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new InputException(file + ": tensor '" + name + "' not found (the file has " + tensors.size() + " tensors)");
        }
        return t;
    }

    /** The tensor's raw little-endian bytes, memory-mapped (no copy). */
    public ByteBuffer bytes(String name) {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw new ScaleLabException(file + ": tensor '" + name + "' is larger than 2 GB, which one mapping cannot hold");
        }
        if (t.byteLength() == 0) {
            return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength());
            return mapped.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Copies bytes {@code [offset, offset + into.remaining())} of tensor {@code name} into {@code into}
     * by positional reads, without a mapping: a pass over a file larger than memory then holds only
     * the bytes it asked for (mapped pages would count towards the process's resident memory).
     */
    public void read(String name, long offset, ByteBuffer into) {
        TensorInfo t = info(name);
        if (offset < 0 || offset + into.remaining() > t.byteLength()) {
            throw new IllegalArgumentException(file + ": bytes " + offset + "+" + into.remaining() + " are outside tensor '" + name
                    + "' (" + t.byteLength() + " bytes)");
        }
        try {
            readFully(channel, into, dataStart + t.begin() + offset);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read tensor '" + name + "': " + e.getMessage());
        }
    }

    /** An I32 tensor's values, copied into the heap. */
    public int[] ints(String name) {
        TensorInfo t = info(name);
        if (t.dtype() != DType.I32) {
            throw new InputException(file + ": tensor '" + name + "' is " + t.dtype() + ", expected I32");
        }
        int[] out = new int[Math.toIntExact(t.elementCount())];
        bytes(name).asIntBuffer().get(out);
        return out;
    }

    /** The tensor decoded to float32, copied into the heap (for tests and small tensors). */
    public float[] floats(String name) {
        TensorInfo t = requireFloat(name);
        ByteBuffer b = bytes(name);
        float[] out = new float[Math.toIntExact(t.elementCount())];
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = DType.halfToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = DType.bf16ToFloat(b.getShort(2 * i));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private TensorInfo requireFloat(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isFloat()) {
            throw new InputException(file + ": tensor '" + name + "' is " + t.dtype() + ", expected a float tensor (F32, F16 or BF16)");
        }
        return t;
    }

    private static InputException bad(String file, String what) {
        return new InputException(file + ": " + what);
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing to flush, a failed close loses nothing.
        }
    }
}
