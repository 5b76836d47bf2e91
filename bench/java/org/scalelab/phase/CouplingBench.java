package org.scalelab.phase;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.io.NpyFile;

/**
 * Times {@link CapabilityCoupling#analyze} on the .npy files bench/phase_coupling_numpy.py writes
 * (size{k}_layer{l}_{a,b}.npy, labels_{a,b}.npy) and prints one JSON line: seconds per repeat and
 * each size × layer's centred cosine, uncentred cosine and transfer accuracy, for the script to
 * compare with numpy's.
 * Usage: java -cp "$(bench/classpath.sh)" org.scalelab.phase.CouplingBench DIR SIZES LAYERS RESAMPLES REPEAT
 */
public final class CouplingBench {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int sizes = Integer.parseInt(args[1]);
        int layers = Integer.parseInt(args[2]);
        int resamples = Integer.parseInt(args[3]);
        int repeat = Integer.parseInt(args[4]);
        boolean[] ya = labels(dir.resolve("labels_a.npy"));
        boolean[] yb = labels(dir.resolve("labels_b.npy"));
        List<CapabilityCoupling.SizePoints> in = new ArrayList<>();
        for (int k = 0; k < sizes; k++) {
            long params = (long) Math.pow(10, 7 + k * 0.5);
            List<CapabilityCoupling.LayerPoints> ls = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                String hook = "blocks." + l + ".hook_resid_post";
                ls.add(new CapabilityCoupling.LayerPoints(hook, points(dir.resolve("size" + k + "_layer" + l + "_a.npy"), "a", k, params, hook, ya),
                        points(dir.resolve("size" + k + "_layer" + l + "_b.npy"), "b", k, params, hook, yb)));
            }
            in.add(new CapabilityCoupling.SizePoints("size" + k, params, ls, List.of()));
        }
        CapabilityCoupling.Input input = new CapabilityCoupling.Input(in);
        CapabilityCoupling.Options o = new CapabilityCoupling.Options(resamples, 20, 0.95, 1.0, 0);
        StringBuilder times = new StringBuilder();
        CapabilityCoupling.Result r = null;
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            r = CapabilityCoupling.analyze(input, o);
            times.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - t0) / 1e9));
        }
        StringBuilder cells = new StringBuilder();
        for (CapabilityCoupling.SizeCoupling s : r.sizes()) {
            for (CapabilityCoupling.LayerCoupling l : s.layers()) {
                cells.append(cells.length() == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT,
                        "[%.10f, %.10f, %.6f, %.6f, %.6f]", l.centredCosine(), l.uncentredCosine(), l.probeTransferAccuracy(), l.ci()[0], l.ci()[1]));
            }
        }
        System.out.println("{\"seconds\": [" + times + "], \"cells\": [" + cells + "]}");
    }

    static boolean[] labels(Path file) {
        long[] v = NpyFile.readIntegers(file);
        boolean[] y = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            y[i] = v[i] != 0;
        }
        return y;
    }

    static LabelledPoints points(Path file, String set, int k, long params, String hook, boolean[] y) {
        NpyFile.Matrix m = NpyFile.readMatrix(file);
        FloatBuffer b = m.rowMajor();
        double[][] x = new double[m.rows()][m.columns()];
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.columns(); j++) {
                x[i][j] = b.get(i * m.columns() + j);
            }
        }
        List<String> ids = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < m.rows(); i++) {
            ids.add(set + i);
            pairs.add(null);
        }
        return new LabelledPoints(set + k, "size" + k, params, hook, x, y, ids, pairs);
    }
}
