package org.scalelab;

import java.nio.file.Path;

/**
 * An input folder that is not marked complete (a capture, world or training run that was
 * interrupted): exit code 2. Every reader refuses one by default, because analysing part of the
 * data as if it were all of it misleads silently; the message says how to finish the work, or to
 * pass {@value #OPTION} to analyse what is there, which the result then records.
 */
public final class IncompleteInputException extends InputException {
    /** The option that lets a command read incomplete inputs. */
    public static final String OPTION = "--allow-incomplete";

    /**
     * @param folder      the incomplete folder
     * @param state       what is missing, e.g. "the capture is incomplete (3 trajectories written)"
     * @param howToFinish what finishes it, e.g. "re-run the same capture command to resume it"
     */
    public IncompleteInputException(Path folder, String state, String howToFinish) {
        super(folder + ": " + state + "; " + howToFinish + ", or pass " + OPTION + " to analyse what is there");
    }
}
