package kiln.nn.data.audit;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How the audit writes values, in its text and in its JSON. */
final class Values {
    /** Texts longer than this are cut in reports: a cell may hold a paragraph. */
    private static final int MAX_TEXT = 40;

    private Values() {}

    /** A whole number as is ("1500"), anything else to 4 significant digits ("0.3333", "1.235e+12"). */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-4 && magnitude < 1e9) {
            return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.3e", value);
    }

    /** "1 row", "3 rows": {@code count} and the noun, with an "s" unless the count is one. */
    static String count(int count, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", count, noun, count == 1 ? "" : "s");
    }

    /** A share in [0, 1] as a percentage with one decimal: "15.0%". */
    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** A cell's text in quotes, cut to {@value #MAX_TEXT} characters. */
    static String quoted(String text) {
        return "'" + (text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...") + "'";
    }

    /** A number for JSON, which has no NaN or infinity: those become null. */
    static Double json(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
