package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.scalelab.InputException;

/**
 * The element type an inference model computes in. Parameters are converted to it once at load
 * and every array a forward pass creates (masks, RoPE tables, scalars, steering vectors) is made
 * in it, so no matmul mixes types; activations and logits reach Java as float32 whatever it is.
 * float32 is the default (the checkpoint's dtype is widened unless asked otherwise); float16 halves the parameter
 * memory at a relative error of about 2⁻¹¹ per operation (11 significant bits). bfloat16 is named
 * so that the CLI and API accept the word, but is refused at load (see {@link #requireSupported()}).
 */
public enum ComputeDType {
    FLOAT32("float32", DataType.FLOAT32),
    BFLOAT16("bfloat16", DataType.BFLOAT16),
    FLOAT16("float16", DataType.FLOAT16);

    private final String cliName;
    private final DataType dataType;

    ComputeDType(String cliName, DataType dataType) {
        this.cliName = cliName;
        this.dataType = dataType;
    }

    /** The name used on the command line and by PyTorch ({@code float32}, {@code bfloat16}, {@code float16}). */
    public String cliName() {
        return cliName;
    }

    DataType dataType() {
        return dataType;
    }

    /** The dtype spelled {@code name} (as {@link #cliName()}, case-insensitive). */
    public static ComputeDType parse(String name) {
        for (ComputeDType d : values()) {
            if (d.cliName.equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new InputException("--dtype " + name + ": unknown compute dtype (one of "
                + Arrays.stream(values()).map(ComputeDType::cliName).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * Refuses a dtype the engine cannot hold. DJL 0.35.1's PyTorch bridge maps its dtypes to
     * libtorch's by number and has no entry for bfloat16: creating or converting to a bfloat16
     * tensor aborts the whole JVM ("terminate called without an active exception"), so it is
     * stopped here, before any tensor exists. float16 works on the CPU (libtorch 2.7 has its kernels).
     */
    void requireSupported() {
        if (this == BFLOAT16) {
            throw new InputException("--dtype bfloat16: the engine bridge (DJL 0.35.1) cannot create bfloat16 tensors on PyTorch;"
                    + " use --dtype float16 (half the memory, 11 significant bits) or float32");
        }
    }

    /** {@code a} in this dtype: itself when it already is, else a converted copy in its manager. */
    NDArray convert(NDArray a) {
        return a.getDataType() == dataType ? a : a.toType(dataType, false);
    }

    /** {@code a} as float32 for copying out to Java: itself when it already is. */
    static NDArray toFloat32(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
    }

    @Override
    public String toString() {
        return cliName;
    }
}
