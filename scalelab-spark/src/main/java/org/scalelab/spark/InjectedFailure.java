package org.scalelab.spark;

import org.apache.spark.TaskContext;

/**
 * A test-only way to fail a task: the system property {@value #PROPERTY} set to {@code JOB:PARTITION}
 * (e.g. {@code capture:1}) makes that partition's first attempt throw after it has written its
 * output, as a worker lost at the last moment would, so tests can check that the retry's output, and
 * only it, is merged. Unset in normal runs.
 */
final class InjectedFailure {
    static final String PROPERTY = "scalelab.spark.failFirstAttempt";

    private static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();

    private InjectedFailure() {
    }

    /** How many failures this JVM has injected (tests check that the failure they asked for happened). */
    static int injected() {
        return INJECTED.get();
    }

    static void maybeFail(String job) {
        String asked = System.getProperty(PROPERTY);
        TaskContext ctx = TaskContext.get();
        if (asked != null && ctx != null && ctx.attemptNumber() == 0 && asked.equals(job + ":" + ctx.partitionId())) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException("injected failure of " + job + " partition " + ctx.partitionId() + ", attempt 0");
        }
    }
}
