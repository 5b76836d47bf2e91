package org.scalelab;

/**
 * The one exception type users see. Its message is a single actionable line (what was wrong,
 * where: file, row, column, value, and what to do); the CLI prints it to stderr and exits with
 * {@link #exitCode()} instead of printing a stack trace.
 */
public class ScaleLabException extends RuntimeException {
    private final int exitCode;

    public ScaleLabException(String message) {
        this(message, 1, null);
    }

    public ScaleLabException(String message, Throwable cause) {
        this(message, 1, cause);
    }

    protected ScaleLabException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Process exit code the CLI uses for this failure: 2 for bad input, 1 otherwise. */
    public int exitCode() {
        return exitCode;
    }
}
