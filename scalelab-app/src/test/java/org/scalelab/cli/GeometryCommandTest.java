package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

/** {@code scalelab geometry}, run in-process through picocli on .npy files written by the numpy format spec. */
class GeometryCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    static Path npy(Path file, String descr, String shape, int itemBytes, int count, java.util.function.IntFunction<Number> value)
            throws Exception {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String h = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + itemBytes * count).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length()).put(h.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < count; i++) {
            if (itemBytes == 4) {
                b.putFloat(value.apply(i).floatValue());
            } else {
                b.putLong(value.apply(i).longValue());
            }
        }
        return Files.write(file, b.array());
    }

    /** 8 trajectories × 25 points of iid Gaussian noise in 32 dims; labels = trajectory % 2. */
    Path[] noiseSet(int labelCount) throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        double[] values = r.doubles(200 * 32).map(u -> Math.sqrt(-2 * Math.log(1 - u))).toArray();
        SplittableRandom phase = new SplittableRandom(4);
        for (int i = 0; i < values.length; i++) {
            values[i] *= Math.cos(2 * Math.PI * phase.nextDouble());
        }
        Path x = npy(dir.resolve("x.npy"), "<f4", "(200, 32)", 4, 200 * 32, i -> values[i]);
        Path t = npy(dir.resolve("t.npy"), "<i8", "(8,)", 8, 8, k -> 25L * k);
        Path l = npy(dir.resolve("l.npy"), "<i8", "(" + labelCount + ",)", 8, labelCount, i -> (long) (i / 25 % 2));
        return new Path[] {x, t, l};
    }

    @Test
    void jsonHasEveryMetricWithBaselinesAndNoiseLooksLikeItsGaussianNull() throws Exception {
        Path[] f = noiseSet(200);
        Run r = run("geometry", "--npy", f[0].toString(), "--trajectories", f[1].toString(), "--labels", f[2].toString(),
                "--null-replicates", "3", "--json", "--no-store");
        assertEquals(0, r.code(), r.err());
        JsonNode g = Json.mapper().readTree(r.out()).get("groups").get(0);
        assertEquals(200, g.get("n_points").asInt());
        for (String k : new String[] {"participation_ratio", "d90", "d95", "twonn", "alignment", "tangling", "step_cosine", "silhouette"}) {
            assertTrue(g.get(k).isNumber(), k + " should be a number: " + g);
        }
        // iid points: consecutive steps share a point with opposite signs, cos → −1/2 (closed form).
        assertEquals(-0.5, g.get("step_cosine").asDouble(), 0.06);
        JsonNode gauss = g.get("baselines").get("gaussian").get("step_cosine");
        assertEquals(-0.5, gauss.get("mean").asDouble(), 0.06);
        assertEquals(3, gauss.get("replicates").asInt());
        assertTrue(g.get("baselines").get("shuffled_steps").get("step_cosine").get("z").isNumber());
        assertEquals(gauss.get("difference").asDouble(), g.get("step_cosine").asDouble() - gauss.get("mean").asDouble(), 1e-12);
        assertTrue(gauss.get("p").asDouble() >= 2.0 / 4 && gauss.get("p").asDouble() <= 1, gauss.toString());
        assertTrue(gauss.get("ratio").isNull(), "no ratio of negative cosines");
        JsonNode twonn = g.get("baselines").get("gaussian").get("twonn");
        assertEquals(g.get("twonn").asDouble() / twonn.get("mean").asDouble(), twonn.get("ratio").asDouble(), 1e-12);
        assertTrue(g.get("baselines").get("gaussian").get("d90").get("reason").asText().contains("covariance"));
        assertTrue(Math.abs(g.get("silhouette").asDouble()) < 0.1, "labels unrelated to noise");

        Run single = run("geometry", "--npy", f[0].toString(), "--labels", f[2].toString(), "--null-replicates", "0",
                "--distances", "float32", "--json", "--no-store");
        assertEquals(0, single.code(), single.err());
        JsonNode s = Json.mapper().readTree(single.out()).get("groups").get(0);
        assertEquals(g.get("silhouette").asDouble(), s.get("silhouette").asDouble(), 1e-5);
        assertEquals(g.get("twonn").asDouble(), s.get("twonn").asDouble(), 1e-3);
        assertTrue(s.get("baselines").isEmpty(), "no baselines with --null-replicates 0");
    }

    @Test
    void theTextSaysWhatZMeansHowManyReplicatesAndWhichMetricsANullCannotTest() throws Exception {
        Path[] f = noiseSet(200);
        Run r = run("geometry", "--npy", f[0].toString(), "--trajectories", f[1].toString(), "--null-replicates", "4",
                "--k-range", "2:3", "--no-store");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Null baselines, 4 replicates each: z = (value − null mean) / (null sd · √(1 + 1/4))"), r.out());
        assertTrue(r.out().contains("|z| > 2 in about 5 %"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("participation_ratio") && l.contains("no test")), r.out());
        Run help = run("geometry", "--help");
        assertTrue(help.out().replaceAll("\\s+", " ").contains("fewer than 20 make z and the rank p-value coarse. Default: 20"), help.out());
    }

    @Test
    void missingTrajectoriesGiveNullMetricsWithReasonsAndTheReportHasPlots() throws Exception {
        Path[] f = noiseSet(200);
        Path out = dir.resolve("report");
        Run r = run("geometry", "--npy", f[0].toString(), "--null-replicates", "0", "--out", out.toString(), "--no-store");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step_cosine: null — no trajectories given"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("index.html")));
        assertTrue(Files.isRegularFile(out.resolve("scree.svg")));
        assertTrue(Files.isRegularFile(out.resolve("pca.svg")));
        JsonNode g = Json.mapper().readTree(out.resolve("result.json").toFile()).get("groups").get(0);
        assertTrue(g.get("step_cosine").isNull());
        // Without labels the silhouette is k-means' (k chosen by silhouette over 2..8).
        assertEquals("kmeans", g.get("silhouette_source").asText());
        assertTrue(g.get("k").asInt() >= 2 && g.get("k").asInt() <= 8, g.toString());
        assertTrue(g.get("reasons").get("oscillation_coherence").asText().contains("--acts"));
    }

    @Test
    void labelsOfTheWrongLengthAreABadInputNamingTheFile() throws Exception {
        Path[] f = noiseSet(150);
        Run r = run("geometry", "--npy", f[0].toString(), "--labels", f[2].toString(), "--no-store");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("l.npy") && r.err().contains("150 labels for 200 points"), r.err());
        Run p = run("geometry", "--npy", f[0].toString(), "--distances", "float16", "--no-store");
        assertEquals(2, p.code());
        assertTrue(p.err().contains("--distances: 'float16'"), p.err());
    }

    @Test
    void sparkWithoutTheSparkModuleSaysHowToGetItInOneLine() throws Exception {
        Path set = org.scalelab.geometry.LayeredSets.write(dir, "small", 2, 4, 1000, false);
        Run r = run("geometry", "--acts", set.toString(), "--spark", "local[2]", "--no-store");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--spark needs ScaleLab's Spark module on the class path"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("", r.out());
        Path[] f = noiseSet(200);
        Run npy = run("geometry", "--npy", f[0].toString(), "--spark", "local[2]", "--no-store");
        assertEquals(2, npy.code());
        assertTrue(npy.err().contains("--spark reads activation sets"), npy.err());
    }
}
