package org.scalelab.store;

import org.scalelab.ScaleLabException;

/**
 * Another process holds the lab's store (DuckDB allows one writing process, or several reading ones)
 * and did not release it within the wait. Exit code {@value #EXIT_CODE}, the "temporary failure, try
 * again" code of sysexits.h: nothing is wrong with the input, and the same command succeeds later.
 */
public final class LabBusyException extends ScaleLabException {
    /** Process exit code of a command that gave up waiting for the lab. */
    public static final int EXIT_CODE = 75;

    LabBusyException(String message, Throwable cause) {
        super(message, EXIT_CODE, cause);
    }
}
