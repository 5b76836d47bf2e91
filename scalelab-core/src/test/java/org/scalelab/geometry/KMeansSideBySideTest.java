package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KMeans#sideBySide}: the fits' results in their order; the first failure ends the call with the
 * exception the fit threw (a checked one too, as a Spark job's {@code SparkException}), after the other
 * fits were interrupted and have stopped.
 */
class KMeansSideBySideTest {
    private static final PointSet POINTS = PointSet.of(Synthetic.gaussian(300, 3, 4), "gaussian");

    @Test
    void resultsComeInTheFitsOrder() {
        KMeans.Fit[] fits = KMeans.sideBySide(3, f -> KMeans.fit(POINTS, f + 2, 7L));
        for (int f = 0; f < 3; f++) {
            assertEquals(f + 2, fits[f].k());
            assertEquals(KMeans.fit(POINTS, f + 2, 7L).inertia(), fits[f].inertia(), 0.0);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a fit awaited in index order would wait for ever
    void theFirstFailureIsThrownAsItWasAndTheOtherFitsAreStopped() {
        IOException cause = new IOException("a task failed");
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean();
        IOException thrown = assertThrows(IOException.class, () -> KMeans.sideBySide(2, f -> {
            if (f == 0) {
                running.set(true);
                try {
                    never.await(); // waits for ever unless interrupted
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
                running.set(false);
                return null;
            }
            throw KMeansSideBySideTest.<RuntimeException>sneaky(cause);
        }));
        assertSame(cause, thrown);
        assertTrue(interrupted.get(), "the waiting fit was interrupted");
        assertTrue(!running.get(), "and had stopped when the call returned");
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
