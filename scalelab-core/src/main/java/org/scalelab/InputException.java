package org.scalelab;

/** Bad user input (a file, a column, a value, an option): exit code 2, nothing written. */
public class InputException extends ScaleLabException {
    public InputException(String message) {
        super(message, 2, null);
    }

    public InputException(String message, Throwable cause) {
        super(message, 2, cause);
    }
}
