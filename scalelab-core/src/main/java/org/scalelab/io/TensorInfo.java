package org.scalelab.io;

import java.util.Arrays;

/**
 * One entry of a safetensors header: a tensor's name, element type, shape and byte span
 * {@code [begin, end)} relative to the start of the data region (just after the header).
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    /** Number of elements (1 for a scalar with shape []). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
