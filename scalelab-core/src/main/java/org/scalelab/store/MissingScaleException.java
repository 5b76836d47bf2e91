package org.scalelab.store;

import org.scalelab.InputException;

/**
 * A query read a run's tokens or compute for an analysis, and the run has none (it came from a score
 * table with parameters alone). Commands prefix their own name with {@link #forCommand} so the line
 * says which law needed the quantity.
 */
public final class MissingScaleException extends InputException {
    public MissingScaleException(String message) {
        super(message);
    }

    /** The same message prefixed with the command that needed the quantity, e.g. {@code fit chinchilla: …}. */
    public MissingScaleException forCommand(String command) {
        return new MissingScaleException(command + ": " + getMessage());
    }
}
