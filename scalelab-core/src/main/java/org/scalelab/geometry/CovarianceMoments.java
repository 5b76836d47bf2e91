package org.scalelab.geometry;

import java.io.Serializable;
import java.nio.DoubleBuffer;

/**
 * Count, mean and centred second moments M₂ = Σ (x − x̄)(x − x̄)ᵀ of rows that arrive in blocks, in
 * float64, mergeable in any grouping: a block's own M₂ comes from its rows centred on the block's mean
 * ({@code cblas_dsyrk}), and two parts combine as M₂ = M₂ₐ + M₂ᵦ + δδᵀ nₐnᵦ / n with δ = x̄ᵦ − x̄ₐ
 * (Chan, Golub &amp; LeVeque 1979, "Updating formulae and a pairwise algorithm for computing sample
 * variances", eq. 2.1, per coordinate pair). No sum of raw squares is ever formed, so a large mean
 * costs no digits. The covariance M₂ / (n − 1) then gives the same participation ratio, d90/d95
 * and explained variance as {@link Covariance#of(PointSet)} through the same eigen path (LAPACK's
 * ssyevd); the two differ only by summation order and float32 versus float64 partial sums.
 * Memory: d² doubles (only the upper triangle is used). Serializable, so a distributed engine
 * can aggregate it.
 */
public final class CovarianceMoments implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int d;
    private long n;
    private final double[] mean;
    private final double[] m2; // [d, d] row-major, upper triangle (c ≥ r)

    public CovarianceMoments(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        this.d = dimension;
        this.mean = new double[dimension];
        this.m2 = new double[dimension * dimension];
    }

    public int dimension() {
        return d;
    }

    public long count() {
        return n;
    }

    /** Rows centred per call to dsyrk: at most this many floats (16 MB of doubles) at a time. */
    private static final int CHUNK_VALUES = 1 << 21;

    /** Adds {@code count} rows, row-major from index {@code offset} of {@code rows}; returns this. */
    public CovarianceMoments add(float[] rows, int offset, int count) {
        int chunk = Math.max(1, CHUNK_VALUES / d);
        for (int start = 0; start < count; start += chunk) {
            addChunk(rows, offset + start * d, Math.min(chunk, count - start));
        }
        return this;
    }

    private void addChunk(float[] rows, int offset, int count) {
        double[] blockMean = new double[d];
        for (int i = 0; i < count; i++) {
            int base = offset + i * d;
            for (int j = 0; j < d; j++) {
                blockMean[j] += rows[base + j];
            }
        }
        for (int j = 0; j < d; j++) {
            blockMean[j] /= count;
        }
        DoubleBuffer centred = Blas.doubles((long) count * d);
        for (int i = 0; i < count; i++) {
            int base = offset + i * d;
            for (int j = 0; j < d; j++) {
                centred.put(i * d + j, rows[base + j] - blockMean[j]);
            }
        }
        DoubleBuffer gram = Blas.doubles((long) d * d);
        Blas.gramUpperAdd(centred, count, d, gram);
        double[] blockM2 = new double[d * d];
        gram.get(0, blockM2);
        merge(count, blockMean, blockM2);
    }

    /** Adds the moments of {@code o} (disjoint rows); returns this. */
    public CovarianceMoments merge(CovarianceMoments o) {
        if (o.d != d) {
            throw new IllegalArgumentException("moments of width " + o.d + " cannot merge into width " + d);
        }
        return merge(o.n, o.mean, o.m2);
    }

    private CovarianceMoments merge(long nb, double[] meanB, double[] m2b) {
        if (nb == 0) {
            return this;
        }
        long total = n + nb;
        double w = (double) n * nb / total;
        double[] delta = new double[d];
        for (int j = 0; j < d; j++) {
            delta[j] = meanB[j] - mean[j];
        }
        for (int r = 0; r < d; r++) {
            int base = r * d;
            double dr = delta[r] * w;
            for (int c = r; c < d; c++) {
                m2[base + c] += m2b[base + c] + dr * delta[c];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] += delta[j] * nb / total;
        }
        n = total;
        return this;
    }

    /** The mean row. */
    public double[] mean() {
        return mean.clone();
    }

    /** The sample covariance (denominator n − 1); needs at least 2 rows. */
    Covariance covariance() {
        if (n < 2) {
            throw new IllegalArgumentException("covariance needs at least 2 points, got " + n);
        }
        double[] c = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int col = r; col < d; col++) {
                c[r * d + col] = m2[r * d + col] / (n - 1);
            }
        }
        return new Covariance((int) Math.min(n, Integer.MAX_VALUE), d, mean.clone(), c);
    }

    /** Total variance tr C (tangling's default ε is a fraction of it); needs at least 2 rows. */
    public double trace() {
        return covariance().trace();
    }

    /** {@link ParticipationRatio} of these rows, missing below 2 rows or with zero variance. */
    public MetricValue participationRatio() {
        if (n < 2) {
            return MetricValue.missing("participation ratio needs at least 2 points, got " + n);
        }
        return ParticipationRatio.of(covariance());
    }

    /** The covariance spectrum ({@link VarianceSpectrum}: d90, d95, explained variance); needs at least 2 rows. */
    public VarianceSpectrum spectrum() {
        return VarianceSpectrum.of(covariance());
    }
}
