package kiln.nn.data.prep;

/**
 * Which numeric values count as outliers, by bounds fitted on the training rows; values beyond the
 * bounds are clipped to them (kept, not dropped, so every row still gets a prediction).
 *
 * <ul>
 *   <li>{@code none}: no clipping;</li>
 *   <li>{@code iqr:K} (K = 1.5 if left out): Tukey's fences, [Q1 − K·IQR, Q3 + K·IQR], where Q1 and Q3 are
 *       the quartiles and IQR = Q3 − Q1; robust, since the quartiles ignore the outliers themselves;</li>
 *   <li>{@code quantile:P}: the P and 1 − P quantiles (e.g. 0.01: the middle 98% of the values).</li>
 * </ul>
 */
public record OutlierRule(Kind kind, double parameter) {
    public enum Kind { NONE, IQR, QUANTILE }

    public static final OutlierRule NONE = new OutlierRule(Kind.NONE, 0);

    public OutlierRule {
        if (kind == null) {
            throw new IllegalArgumentException("OutlierRule: the kind must not be null");
        }
        if (kind == Kind.IQR && !(parameter >= 0 && Double.isFinite(parameter))) {
            throw new IllegalArgumentException("OutlierRule: the IQR factor must be finite and at least 0, got " + parameter);
        }
        if (kind == Kind.QUANTILE && !(parameter > 0 && parameter < 0.5)) {
            throw new IllegalArgumentException("OutlierRule: the quantile must be in (0, 0.5), got " + parameter);
        }
    }

    public static OutlierRule iqr(double factor) {
        return new OutlierRule(Kind.IQR, factor);
    }

    public static OutlierRule quantile(double p) {
        return new OutlierRule(Kind.QUANTILE, p);
    }

    /** Reads {@code none}, {@code iqr}, {@code iqr:K} or {@code quantile:P}. */
    public static OutlierRule parse(String spec) {
        try {
            if (spec.equals("none")) {
                return NONE;
            }
            if (spec.equals("iqr")) {
                return iqr(1.5);
            }
            if (spec.startsWith("iqr:")) {
                return iqr(Double.parseDouble(spec.substring(4)));
            }
            if (spec.startsWith("quantile:")) {
                return quantile(Double.parseDouble(spec.substring(9)));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("outliers: expected none, iqr, iqr:K or quantile:P, got '" + spec + "'");
    }

    /** The clipping bounds {lower, upper} for these values (ascending, non-empty), or null for {@code none}. */
    double[] bounds(double[] sorted) {
        return switch (kind) {
            case NONE -> null;
            case IQR -> {
                double q1 = Quantiles.of(sorted, 0.25);
                double q3 = Quantiles.of(sorted, 0.75);
                yield new double[] {q1 - parameter * (q3 - q1), q3 + parameter * (q3 - q1)};
            }
            case QUANTILE -> new double[] {Quantiles.of(sorted, parameter), Quantiles.of(sorted, 1 - parameter)};
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case IQR -> "iqr:" + format(parameter);
            case QUANTILE -> "quantile:" + format(parameter);
        };
    }

    /** 3.0 as "3", 1.5 as "1.5". */
    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
