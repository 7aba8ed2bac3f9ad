package kiln.nn.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a chart axis maps data values to positions, and where its labelled ticks go.
 *
 * <p>A linear axis puts ticks at "nice" values, whole multiples of a step that is 1, 2 or 5 times a power of
 * ten: a reader can interpolate between 0.85 and 0.90, not between 0.8537 and 0.9012. The step is the
 * smallest nice number that keeps the tick count at or below the target, and the axis is widened to the
 * multiples of the step that enclose the data ("loose" labelling), so the outermost gridlines are labelled.
 * A logarithmic axis spans whole decades with ticks at powers of ten (and at 2 and 5 times them when the
 * axis spans at most two decades).
 *
 * <p>Labels use as many decimals as the step needs and switch to scientific notation ({@code 1.5e-5}) for
 * very small steps or very large values.
 */
final class AxisScale {
    /** Relative tolerance for floating-point noise in {@code value / step}, far below any visible difference. */
    private static final double SLACK = 1e-9;

    private final double lower;
    private final double upper;
    private final double[] ticks;
    private final boolean logarithmic;
    /** Linear axes: the step is {@code stepMantissa * 10^stepExponent}, stepMantissa in {1, 2, 5}. */
    private final int stepMantissa;
    private final int stepExponent;

    private AxisScale(double lower, double upper, double[] ticks, boolean logarithmic, int stepMantissa,
            int stepExponent) {
        this.lower = lower;
        this.upper = upper;
        this.ticks = ticks;
        this.logarithmic = logarithmic;
        this.stepMantissa = stepMantissa;
        this.stepExponent = stepExponent;
    }

    /**
     * A linear axis covering {@code [min, max]} with at most about {@code targetTicks} nice ticks. When the range
     * is empty (one value, or a constant series) it is widened around the value so that nothing divides by zero.
     *
     * @param integerSteps whether the step may not go below 1 (epochs, counts)
     */
    static AxisScale linear(double min, double max, int targetTicks, boolean integerSteps) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("AxisScale.linear: range [" + min + ", " + max + "] must be finite and ordered");
        }
        if (targetTicks < 2) {
            throw new IllegalArgumentException("AxisScale.linear: targetTicks " + targetTicks + " must be at least 2");
        }
        double[] range = widenIfEmpty(min, max);
        double span = range[1] - range[0];
        if (!Double.isFinite(span)) {
            throw new IllegalArgumentException("AxisScale.linear: range [" + min + ", " + max + "] is too wide to draw");
        }
        int exponent = (int) Math.floor(Math.log10(span / (targetTicks - 1)));
        double fraction = span / (targetTicks - 1) / Math.pow(10, exponent);
        int mantissa;
        // The smallest of 1, 2, 5, 10 that is at least the rough step keeps the tick count within the target.
        if (fraction <= 1 + SLACK) {
            mantissa = 1;
        } else if (fraction <= 2 + SLACK) {
            mantissa = 2;
        } else if (fraction <= 5 + SLACK) {
            mantissa = 5;
        } else {
            mantissa = 1;
            exponent++;
        }
        if (integerSteps && exponent < 0) {
            mantissa = 1;
            exponent = 0;
        }
        double step = multiple(1, mantissa, exponent);
        long first = (long) Math.floor(range[0] / step + SLACK);
        long last = (long) Math.ceil(range[1] / step - SLACK);
        double[] ticks = new double[(int) (last - first + 1)];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = multiple(first + i, mantissa, exponent);
        }
        return new AxisScale(ticks[0], ticks[ticks.length - 1], ticks, false, mantissa, exponent);
    }

    /**
     * A base-10 logarithmic axis covering {@code [min, max]}, both positive, widened to whole decades.
     */
    static AxisScale logarithmic(double min, double max) {
        if (!(min > 0) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("AxisScale.logarithmic: range [" + min + ", " + max
                    + "] must be positive, finite and ordered");
        }
        int firstDecade = (int) Math.floor(Math.log10(min) + SLACK);
        int lastDecade = (int) Math.ceil(Math.log10(max) - SLACK);
        if (firstDecade == lastDecade) {
            // A single power of ten: centre it in the decades around it.
            firstDecade--;
            lastDecade++;
        }
        int decades = lastDecade - firstDecade;
        int[] mantissas = decades <= 2 ? new int[] {1, 2, 5} : new int[] {1};
        int decadeStride = Math.max(1, (decades + 7) / 8);
        List<Double> ticks = new ArrayList<>();
        for (int decade = firstDecade; decade <= lastDecade; decade += decadeStride) {
            for (int mantissa : mantissas) {
                if (decade < lastDecade || mantissa == 1) {
                    ticks.add(multiple(1, mantissa, decade));
                }
            }
        }
        return new AxisScale(multiple(1, 1, firstDecade), multiple(1, 1, lastDecade),
                ticks.stream().mapToDouble(Double::doubleValue).toArray(), true, 0, 0);
    }

    /**
     * This linear axis with its bounds moved to {@code [min - margin * span, max + margin * span]} (the data
     * range plus a small margin, "tight" labelling) and only the ticks that fall inside kept. The x axis of a
     * training curve reads better tight: epochs 1..10 should not start at 0.
     */
    AxisScale tightened(double min, double max, double margin) {
        if (logarithmic) {
            throw new IllegalStateException("AxisScale.tightened: only linear axes can be tightened");
        }
        double[] range = widenIfEmpty(min, max);
        double pad = margin * (range[1] - range[0]);
        double low = range[0] - pad;
        double high = range[1] + pad;
        double tolerance = SLACK * multiple(1, stepMantissa, stepExponent);
        double[] inside = Arrays.stream(ticks)
                .filter(t -> t >= low - tolerance && t <= high + tolerance).toArray();
        return new AxisScale(low, high, inside, false, stepMantissa, stepExponent);
    }

    double lower() {
        return lower;
    }

    double upper() {
        return upper;
    }

    /** The tick values, ascending. */
    double[] ticks() {
        return ticks.clone();
    }

    /** The linear step between ticks; NaN for a logarithmic axis. */
    double step() {
        return logarithmic ? Double.NaN : multiple(1, stepMantissa, stepExponent);
    }

    /** Where {@code value} lies along the axis: 0 at the lower bound, 1 at the upper bound. */
    double fraction(double value) {
        if (logarithmic) {
            return (Math.log10(value) - Math.log10(lower)) / (Math.log10(upper) - Math.log10(lower));
        }
        return (value - lower) / (upper - lower);
    }

    /** The text for a tick value of this axis. */
    String label(double value) {
        return logarithmic ? logLabel(value) : linearLabel(value);
    }

    private String linearLabel(double value) {
        double step = multiple(1, stepMantissa, stepExponent);
        if (Math.abs(value) < step * SLACK) {
            return "0"; // never "-0.00" from floating-point noise
        }
        double largest = Math.max(Math.abs(lower), Math.abs(upper));
        if (stepExponent >= -4 && largest < 1e7) {
            return String.format(Locale.ROOT, "%." + Math.max(0, -stepExponent) + "f", value);
        }
        // Scientific: enough mantissa digits that neighbouring ticks differ, the same count on every label.
        int decimals = Math.max(0, exponentOf(largest) - stepExponent);
        int exponent = exponentOf(Math.abs(value));
        return String.format(Locale.ROOT, "%." + decimals + "fe%d", value / Math.pow(10, exponent), exponent);
    }

    /** Plain decimals when the whole axis lies within 0.0001..1000000, else scientific on every label. */
    private String logLabel(double value) {
        int exponent = exponentOf(value);
        if (exponentOf(lower) >= -4 && exponentOf(upper) < 7) {
            return String.format(Locale.ROOT, "%." + Math.max(0, -exponent) + "f", value);
        }
        return String.format(Locale.ROOT, "%de%d", Math.round(value / Math.pow(10, exponent)), exponent);
    }

    /** The power of ten of a positive value's leading digit, robust to values like 9.999999999e-6 for 1e-5. */
    private static int exponentOf(double positive) {
        return (int) Math.floor(Math.log10(positive) + SLACK);
    }

    /**
     * {@code k * mantissa * 10^exponent}, computed so that decimal multiples come out exact where a double can
     * hold them: {@code 3 * 1 / 10} is the double nearest 0.3, while {@code 3 * 0.1} is 0.30000000000000004.
     */
    private static double multiple(long k, int mantissa, int exponent) {
        return exponent >= 0 ? k * mantissa * Math.pow(10, exponent) : k * mantissa / Math.pow(10, -exponent);
    }

    /** An empty range [v, v] becomes [v - 10% of |v|, v + 10% of |v|], or [-1, 1] around zero. */
    private static double[] widenIfEmpty(double min, double max) {
        double magnitude = Math.max(Math.abs(min), Math.abs(max));
        if (max - min > magnitude * 1e-12) {
            return new double[] {min, max};
        }
        double middle = (min + max) / 2;
        double pad = middle == 0 ? 1 : Math.abs(middle) * 0.1;
        return new double[] {middle - pad, middle + pad};
    }
}
