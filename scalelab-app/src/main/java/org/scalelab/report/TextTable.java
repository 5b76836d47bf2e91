package org.scalelab.report;

import java.util.List;
import java.util.Locale;

/** Plain-text table for the terminal: columns padded, numbers right-aligned. */
public final class TextTable {
    private TextTable() {}

    public static String render(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = header.get(c).length();
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], c < r.size() ? r.get(c).length() : 0);
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        for (int c = 0; c < w.length; c++) {
            sb.append(c == 0 ? "" : "  ").append("-".repeat(w[c]));
        }
        sb.append('\n');
        for (List<String> r : rows) {
            line(sb, r, w);
        }
        return sb.toString().stripTrailing();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w) {
        for (int c = 0; c < w.length; c++) {
            String s = c < cells.size() ? cells.get(c) : "";
            boolean numeric = c > 0 && s.matches("[-+0-9.eE%±\\[\\], ]+") && !s.isBlank();
            sb.append(c == 0 ? "" : "  ");
            sb.append(numeric ? " ".repeat(w[c] - s.length()) + s : s + " ".repeat(w[c] - s.length()));
        }
        while (sb.length() > 0 && sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 1);
        }
        sb.append('\n');
    }

    /** Four significant digits, or scientific for very large/small magnitudes; "—" for NaN/null. */
    public static String num(Double v) {
        if (v == null || v.isNaN()) {
            return "—";
        }
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.4g", v);
        }
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }

    /** "[lo, hi]" with {@link #num}. */
    public static String interval(double[] ci) {
        return ci == null || ci.length < 2 ? "—" : "[" + num(ci[0]) + ", " + num(ci[1]) + "]";
    }
}
