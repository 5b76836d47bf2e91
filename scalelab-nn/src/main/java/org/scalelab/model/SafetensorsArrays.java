package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.scalelab.InputException;
import org.scalelab.io.DType;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;

/**
 * The runtime's adapter from a {@link SafetensorsFile} (core, engine-free: raw little-endian
 * bytes and header entries) to DJL arrays.
 */
public final class SafetensorsArrays {
    private SafetensorsArrays() {}

    /**
     * Tensor {@code name} of {@code file} as a float32 NDArray owned by {@code manager}. F32 bytes go
     * from the mapping straight to the engine; F16/BF16 are widened into a transient off-heap buffer
     * first (the DJL 0.35.1 PyTorch engine aborted the JVM when handed an F16/BF16 buffer).
     *
     * <p>The F32 array aliases the read-only mapping (DJL wraps a direct buffer without copying):
     * it must never be modified in place; training copies parameters first.
     */
    public static NDArray load(NDManager manager, SafetensorsFile file, String name) {
        TensorInfo t = file.info(name);
        if (!t.dtype().isFloat()) {
            throw new InputException(file.path() + ": tensor '" + name + "' is " + t.dtype() + ", expected a float tensor (F32, F16 or BF16)");
        }
        Shape shape = new Shape(t.shape());
        ByteBuffer b = file.bytes(name);
        if (t.dtype() == DType.F32) {
            return manager.create(b, shape, DataType.FLOAT32);
        }
        int n = Math.toIntExact(t.elementCount());
        ByteBuffer wide = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            short v = b.getShort(2 * i);
            wide.putFloat(t.dtype() == DType.F16 ? DType.halfToFloat(v) : DType.bf16ToFloat(v));
        }
        wide.flip();
        return manager.create(wide, shape, DataType.FLOAT32);
    }
}
