package org.scalelab.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.scalelab.ScaleLabException;
import org.scalelab.report.DemoRenderer;

/**
 * The demo's synthetic training runs, drawn from laws whose parameters we know, so the demo can
 * show each analysis recovering the truth. Seeded: the same seed writes the same bytes.
 */
final class DemoData {
    // Loss law: Hoffmann et al. 2022, eq. 10 (their fitted L(N, D)).
    static final double E = 1.69;
    static final double A = 406.4;
    static final double B = 410.7;
    static final double ALPHA = 0.34;
    static final double BETA = 0.28;
    /** Multiplicative noise on the loss (log-normal, σ = 0.5 %). */
    static final double LOSS_NOISE = 0.005;

    // Emergent accuracy: a 4-way multiple-choice task (chance 0.25) rising in log10 compute.
    static final double CHANCE = 0.25;
    static final double EMERGENCE_LOG10_C = 19.5;
    static final double EMERGENCE_SLOPE = 2.0;
    static final int QUESTIONS = 400;

    // Inverse scaling past a size: a "distractor" task where medium models are best (inverted U in log N).
    static final double PEAK_LOG10_N = 8.4;

    // Test-time sampling: per-problem solve rates ~ Beta(a, b); larger models solve more per sample.
    static final int SAMPLES = 256;
    static final int PROBLEMS = 200;

    static final long[] SIZES = {20_000_000L, 40_000_000L, 80_000_000L, 160_000_000L, 320_000_000L, 640_000_000L,
        1_280_000_000L, 2_560_000_000L};
    static final double[] TOKENS_PER_PARAM = {2.5, 5, 10, 20, 40, 80, 160};

    private static final java.text.DecimalFormat TOKENS_FORMAT =
            new java.text.DecimalFormat("0.#", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT));

    private DemoData() {}

    /** The generating laws, for the report to set beside what each analysis recovered. */
    static DemoRenderer.Truth truth() {
        return new DemoRenderer.Truth(E, A, B, ALPHA, BETA, EMERGENCE_LOG10_C, PEAK_LOG10_N);
    }

    static double loss(double n, double d) {
        return E + A / Math.pow(n, ALPHA) + B / Math.pow(d, BETA);
    }

    static double accuracy(double compute) {
        return CHANCE + (1 - CHANCE) / (1 + Math.exp(-EMERGENCE_SLOPE * (Math.log10(compute) - EMERGENCE_LOG10_C)));
    }

    static double distractor(double n) {
        double t = Math.log10(n) - PEAK_LOG10_N;
        return 0.72 - 0.22 * t * t;
    }

    /** The family column of every demo run, so the demo's queries ignore other runs in the same lab. */
    static final String FAMILY = "scalelab-demo";

    /** runs.csv: model,family,params,tokens,loss,accuracy,distractor — 56 runs (8 sizes × 7 token budgets). */
    static void writeRuns(Path file, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("model,family,params,tokens,loss,accuracy,distractor\n");
            for (long n : SIZES) {
                for (double r : TOKENS_PER_PARAM) {
                    double d = r * n;
                    double loss = loss(n, d) * Math.exp(LOSS_NOISE * gaussian(rng));
                    double acc = binomial(rng, QUESTIONS, accuracy(6 * n * d)) / (double) QUESTIONS;
                    double dis = binomial(rng, QUESTIONS, distractor(n)) / (double) QUESTIONS;
                    w.write(String.format(Locale.ROOT, "m%dM-%sx,%s,%d,%.6e,%.6f,%.4f,%.4f%n", n / 1_000_000, TOKENS_FORMAT.format(r), FAMILY, n, d, loss, acc, dis));
                }
            }
        } catch (IOException e) {
            throw new ScaleLabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** counts-{small,large}.csv: problem,n,c — per-problem correct counts out of 256 samples. */
    static void writeCounts(Path file, long seed, double betaA, double betaB) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("problem,n,c\n");
            for (int i = 0; i < PROBLEMS; i++) {
                double p = beta(rng, betaA, betaB);
                w.write("p" + i + "," + SAMPLES + "," + binomial(rng, SAMPLES, p) + "\n");
            }
        } catch (IOException e) {
            throw new ScaleLabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** bend.csv: x,y following a broken power law with one break at x = 1e8 (Caballero et al. 2022, eq. 1). */
    static void writeBend(Path file, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("x,y\n");
            for (int i = 0; i < 30; i++) {
                double x = Math.pow(10, 5 + 6.0 * i / 29);
                double y = (0.5 + 40 * Math.pow(x, -0.1) * Math.pow(1 + Math.pow(x / 1e8, 1 / 0.3), -0.4 * 0.3))
                        * Math.exp(0.01 * gaussian(rng));
                w.write(String.format(Locale.ROOT, "%.6e,%.6f%n", x, y));
            }
        } catch (IOException e) {
            throw new ScaleLabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The study's public table of 14 base models' HellaSwag and TruthfulQA scores, with each model's width (source in its README beside it). */
    static final String STUDY_SCORES = "/org/scalelab/phase/hellaswag-truthfulqa-14.csv";

    /** hellaswag-truthfulqa-14.csv: family,model,params,hellaswag,truthfulqa,d_model — published scores, not drawn. */
    static void writeStudyScores(Path file) {
        try (java.io.InputStream in = DemoData.class.getResourceAsStream(STUDY_SCORES)) {
            if (in == null) {
                throw new ScaleLabException("the demo's score table " + STUDY_SCORES + " is missing from the build; rebuild with mvn package");
            }
            Files.write(file, in.readAllBytes());
        } catch (IOException e) {
            throw new ScaleLabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static double gaussian(SplittableRandom rng) {
        // Box–Muller; one draw per call keeps the stream simple and reproducible.
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static int binomial(SplittableRandom rng, int n, double p) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (rng.nextDouble() < p) {
                c++;
            }
        }
        return c;
    }

    /** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b) (Marsaglia & Tsang 2000, with the a<1 boost). */
    static double beta(SplittableRandom rng, double a, double b) {
        double x = gamma(rng, a);
        double y = gamma(rng, b);
        return x / (x + y);
    }

    static double gamma(SplittableRandom rng, double shape) {
        if (shape < 1) {
            return gamma(rng, shape + 1) * Math.pow(1 - rng.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = gaussian(rng);
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
