package org.scalelab.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.StepPooling;
import org.scalelab.io.Json;

/**
 * The main class of the spark-submit jar: the geometry analysis of {@code scalelab geometry --spark},
 * its result written as the same JSON ({@code result.json}'s form) to {@code --out}, a path or URI the
 * driver writes through Hadoop's file system (a temporary sibling, then a rename). The master is
 * spark-submit's. Options: {@code --acts URI} (repeat), {@code --out URI}, {@code --hook NAME},
 * {@code --by KEYS}, {@code --label KEY}, {@code --unit token|step}, {@code --pool mean|last},
 * {@code --seed S}, {@code --allow-incomplete}. Bad input: one line on stderr, exit code 2.
 */
public final class GeometrySubmit {
    private GeometrySubmit() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (ScaleLabException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(e.exitCode());
        }
    }

    static void run(String[] args) {
        List<String> acts = new ArrayList<>();
        String out = null;
        String hook = null;
        String by = "model";
        String label = null;
        String unit = "token";
        String pool = "mean";
        long seed = 0;
        boolean allowIncomplete = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--allow-incomplete")) {
                allowIncomplete = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new InputException(a + ": expected a value after it (or an unknown option)");
            }
            String v = args[++i];
            switch (a) {
                case "--acts" -> acts.add(v);
                case "--out" -> out = v;
                case "--hook" -> hook = v;
                case "--by" -> by = v;
                case "--label" -> label = v;
                case "--unit" -> unit = v;
                case "--pool" -> pool = v;
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new InputException("unknown option " + InputException.quote(a)
                        + "; expected --acts, --out, --hook, --by, --label, --unit, --pool, --seed, --allow-incomplete");
            }
        }
        if (acts.isEmpty() || out == null) {
            throw new InputException("give one or more --acts URI and --out URI (the result's JSON)");
        }
        List<ActivationGroups.Key> keys = java.util.Arrays.stream(by.split(",")).map(ActivationGroups.Key::parse).toList();
        ActivationGroups.Options groups = new ActivationGroups.Options(hook, keys, label, StepPooling.Unit.parse(unit), StepPooling.Pool.parse(pool));
        GeometryAnalysis.Options options = GeometryAnalysis.Options.defaults().withNullReplicates(0).withSeed(seed);
        SparkSession spark = SparkSession.builder().appName("scalelab geometry").getOrCreate();
        try {
            ActivationSource source = ActivationSource.open(spark, acts,
                    new ActivationSource.Options(groups, allowIncomplete, ActivationSource.Options.DEFAULT_PART_BYTES));
            GeometryAnalysis.Result r = SparkGeometry.analyze(source, options, false);
            write(spark, out, Json.pretty(r) + "\n");
        } finally {
            spark.stop();
        }
    }

    /** Writes {@code text} to a hidden sibling of {@code uri}, then renames it into place. */
    private static void write(SparkSession spark, String uri, String text) {
        Path target = new Path(uri);
        Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.setWriteChecksum(false); // no .crc sidecar beside a result on a local file system
            try (OutputStream o = fs.create(temp, true)) {
                o.write(text.getBytes(StandardCharsets.UTF_8));
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(temp, target)) {
                throw new ScaleLabException(uri + ": cannot move the result into place from " + temp);
            }
        } catch (IOException e) {
            throw new ScaleLabException(uri + ": cannot write the result: " + e.getMessage(), e);
        }
    }
}
