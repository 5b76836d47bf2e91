package org.scalelab.model;

/**
 * Llama 3.1's RoPE frequency scaling ({@code "rope_scaling": {"rope_type": "llama3", …}} in
 * config.json), from Meta's reference code ({@code apply_scaling} in llama-models, Llama 3.1):
 * frequencies whose wavelength is longer than {@code originalMaxPositions / lowFreqFactor} are
 * divided by {@code factor}; wavelengths shorter than {@code originalMaxPositions / highFreqFactor}
 * are kept; in between, the two are blended linearly in {@code originalMaxPositions / wavelength}.
 *
 * @param factor               how much the context was stretched (8 for Llama 3.1, 32 for 3.2)
 * @param lowFreqFactor        wavelengths above original / lowFreqFactor are fully scaled
 * @param highFreqFactor       wavelengths below original / highFreqFactor are untouched
 * @param originalMaxPositions context length the model was pre-trained with (8192 for Llama 3)
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
    public RopeScaling {
        if (!(factor >= 1) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalMaxPositions <= 0) {
            throw new org.scalelab.InputException("rope_scaling: need factor ≥ 1, 0 < low_freq_factor < high_freq_factor and"
                    + " original_max_position_embeddings > 0, got factor " + factor + ", low " + lowFreqFactor + ", high "
                    + highFreqFactor + ", original " + originalMaxPositions);
        }
    }

    /** The scaled inverse frequency for an unscaled {@code invFreq} = base^(−2i/d). */
    double scale(double invFreq) {
        double wavelength = 2 * Math.PI / invFreq;
        double lowFreqWavelength = originalMaxPositions / lowFreqFactor;
        double highFreqWavelength = originalMaxPositions / highFreqFactor;
        if (wavelength < highFreqWavelength) {
            return invFreq;
        }
        if (wavelength > lowFreqWavelength) {
            return invFreq / factor;
        }
        double smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * invFreq / factor + smooth * invFreq;
    }
}
