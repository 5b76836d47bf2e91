package org.scalelab.spark;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark sessions ScaleLab starts: a master URL ({@code local[2]}, {@code spark://host:7077},
 * {@code yarn}) and an application name. No web UI (it would open a port nobody asked for); a local
 * master's driver binds to 127.0.0.1 so that a machine with no resolvable host name still runs.
 *
 * <p>On a cluster the executors are other JVMs, started from the cluster's Spark installation: they have
 * Spark's classes but not ScaleLab's. So for a master that is not local, and unless {@code spark.jars} is
 * already set (as {@code spark-submit} sets it), the session ships the driver's own jars
 * ({@link #applicationJars}): every jar of the class path outside the folder Spark's own jars came from.
 * Spark serves them to each executor once, when it starts.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** A session on {@code master}, created or the running one with that master. */
    public static SparkSession open(String master, String appName) {
        SparkSession.Builder b = SparkSession.builder().master(master).appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false");
        if (master.equals("local") || master.startsWith("local[")) { // not local-cluster[…]: its executors are JVMs of their own
            // Spark SQL's 200 shuffle partitions are sized for a cluster; on one machine's threads a small
            // job (MLlib's evaluators, a group-by over trajectories) would run 200 near-empty tasks.
            b = b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "8");
        } else if (System.getProperty("spark.jars") == null) {
            List<String> jars = applicationJars(System.getProperty("java.class.path", ""), sparkJarsFolder());
            if (!jars.isEmpty()) {
                b = b.config("spark.jars", String.join(",", jars));
            }
        }
        return b.getOrCreate();
    }

    /** The folder of the jar Spark's own classes were loaded from, or null (classes from a folder). */
    static Path sparkJarsFolder() {
        try {
            Path at = Path.of(SparkContext.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(at) ? at.toAbsolutePath().normalize().getParent() : null;
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }

    /**
     * The jars an executor needs beside the cluster's Spark: the entries of {@code classPath} (as
     * {@code java.class.path}) that are jar files, outside {@code sparkFolder} (null: none left out), each
     * once, in class path order. Folders of classes are left out (Spark ships jars).
     */
    static List<String> applicationJars(String classPath, Path sparkFolder) {
        Set<String> out = new LinkedHashSet<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty() || !entry.endsWith(".jar")) {
                continue;
            }
            Path jar = Path.of(entry).toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar) || (sparkFolder != null && sparkFolder.equals(jar.getParent()))) {
                continue;
            }
            out.add(jar.toString());
        }
        return new ArrayList<>(out);
    }
}
