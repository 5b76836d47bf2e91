package org.scalelab.io;

import java.util.Collection;
import java.util.List;
import org.scalelab.InputException;

/** Column lookups shared by the table readers, so a missing column reads the same whichever reader met it. */
public final class Columns {
    private Columns() {}

    /** Refuses the first of {@code wanted} that is not in {@code available}, listing the columns there are. */
    public static void require(String source, Collection<String> available, List<String> wanted) {
        for (String col : wanted) {
            if (!available.contains(col)) {
                throw new InputException(source + ": no column '" + InputException.quote(col) + "' (columns: " + InputException.quoteList(available)
                        + "); name the right one with the matching --*-col option");
            }
        }
    }
}
