package org.scalelab.model;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import org.scalelab.ScaleLabException;

/**
 * The one place the DJL PyTorch engine is started. Before the first start it forces offline
 * mode: without {@code DJL_OFFLINE} DJL looks up native-library metadata on the network, and
 * without {@code OPT_OUT_TRACKING} it sends a usage ping. The CPU libtorch travels in the
 * {@code pytorch-native-cpu} jar; the first start unpacks it (~430 MB) into {@code DJL_CACHE_DIR}
 * (default {@code ~/.djl.ai}), later starts reuse it.
 */
public final class TorchEngine {
    private static final String ENGINE_NAME = "PyTorch";
    private static volatile Engine engine;
    private static volatile long startMillis = -1;

    private TorchEngine() {}

    /** The PyTorch engine, started offline on first use. */
    public static Engine get() {
        Engine e = engine;
        if (e != null) {
            return e;
        }
        synchronized (TorchEngine.class) {
            if (engine == null) {
                forceOffline();
                long t0 = System.nanoTime();
                try {
                    engine = Engine.getEngine(ENGINE_NAME);
                } catch (RuntimeException | UnsatisfiedLinkError err) {
                    throw new ScaleLabException("cannot start the PyTorch engine (DJL " + Engine.getDjlVersion()
                            + ", cache " + cacheDir() + "): " + err.getMessage()
                            + "; check that pytorch-native-cpu (linux-x86_64) is on the class path and the cache folder is writable", err);
                }
                startMillis = (System.nanoTime() - t0) / 1_000_000;
            }
            return engine;
        }
    }

    /** Milliseconds the first {@link #get()} took to load the native libraries, or -1 before it. */
    public static long startMillis() {
        return startMillis;
    }

    /** Folder where DJL unpacks libtorch: {@code DJL_CACHE_DIR} if set, else {@code ~/.djl.ai}. */
    public static Path cacheDir() {
        String dir = System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR"));
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".djl.ai");
    }

    static void forceOffline() {
        // System properties, because a running JVM cannot change its own environment; DJL reads both.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("DJL_OFFLINE", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", cacheDir().toString());
        }
    }
}
