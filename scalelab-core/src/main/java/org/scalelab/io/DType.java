package org.scalelab.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types a checkpoint tensor may have, spelled as in the safetensors header. Weights are
 * decoded to F32 on load (then computed in F32 unless a {@link ComputeDType} asks otherwise) and
 * encoded on save.
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    /** Signed 32-bit integers: never a weight, used for the row indices of activation shards. */
    I32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Whether values are floating point (weights and activations are; index tensors are not). */
    public boolean isFloat() {
        return this != I32;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The dtype spelled {@code name} in a safetensors header, or null when ScaleLab does not read it. */
    static DType fromHeader(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    static String supported() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /** IEEE 754 binary16 → binary32 (exact: every half is a float). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) { // inf / NaN keep their payload
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) { // zero or subnormal: mant · 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** binary32 → binary16, rounding to nearest even as numpy's astype(float16) does. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) { // inf or NaN
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
        }
        if (abs >= 0x477ff000) { // rounds to ≥ 65520 → overflow to inf
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) { // below the smallest normal half 2^-14: subnormal or zero
            // value / 2^-24 rounded half-to-even gives the subnormal mantissa.
            int m = Math.round(Float.intBitsToFloat(abs) * 0x1p24f);
            float exact = Float.intBitsToFloat(abs) * 0x1p24f;
            if (exact - Math.floor(exact) == 0.5 && (m & 1) == 1) {
                m -= 1;
            }
            return (short) (sign | m);
        }
        int e = (abs >>> 23) - 112;
        int mant = abs & 0x7fffff;
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, which is still correct
        }
        return (short) (sign | half);
    }

    /** bfloat16 is the top half of a float32. */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** float32 → bfloat16 with round-to-nearest-even (as torch's .to(torch.bfloat16)). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40); // keep NaN a NaN
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
