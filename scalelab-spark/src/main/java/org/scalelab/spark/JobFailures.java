package org.scalelab.spark;

import org.scalelab.ScaleLabException;

/**
 * Turns a failed Spark job into the error a single-machine run would have given. A task that throws
 * a {@link ScaleLabException} (a prompt too long for the model, a bad step boundary) fails the job
 * after its retries with a {@code SparkException} whose cause chain holds it: that exception is
 * rethrown as is, one line naming the file and field. Anything else becomes one line naming the job
 * and the first line of Spark's message.
 */
final class JobFailures {
    private JobFailures() {
    }

    static RuntimeException of(String job, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ScaleLabException s) {
                return s;
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new ScaleLabException(job + " on Spark failed: " + message, e);
    }
}
