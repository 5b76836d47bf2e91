package org.scalelab;

/** Bad user input (a file, a column, a value, an option): exit code 2, nothing written. */
public class InputException extends ScaleLabException {
    /** How many characters of a user's value an error message repeats before cutting it with "…". */
    public static final int QUOTE_LIMIT = 60;

    public InputException(String message) {
        super(message, 2, null);
    }

    public InputException(String message, Throwable cause) {
        super(message, 2, cause);
    }

    /**
     * A value from the user's input as an error message may repeat it: at most {@link #QUOTE_LIMIT}
     * characters, then "…", with line breaks shown as \n so the message stays one line. A 10 MB line
     * would otherwise bury the message's reason.
     */
    public static String quote(Object value) {
        String s = String.valueOf(value);
        boolean cut = s.length() > QUOTE_LIMIT;
        if (cut) {
            int end = QUOTE_LIMIT;
            if (Character.isHighSurrogate(s.charAt(end - 1))) {
                end--;
            }
            s = s.substring(0, end);
        }
        s = s.replace("\r", "\\r").replace("\n", "\\n");
        return cut ? s + "…" : s;
    }

    /** Names from the input (columns, members) for a message: each {@link #quote}d, the first 30, then how many more. */
    public static String quoteList(java.util.Collection<?> values) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (Object v : values) {
            if (i == 30) {
                return sb.append(", … (").append(values.size() - 30).append(" more)").toString();
            }
            sb.append(i++ == 0 ? "" : ", ").append(quote(v));
        }
        return sb.toString();
    }
}
