package kiln.nn.data.audit;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import kiln.nn.data.prep.Quantiles;

/**
 * The range and spread of a numeric column's values (missing values left out).
 *
 * <ul>
 *   <li>{@code std} is the sample standard deviation (divided by count − 1, as pandas' {@code describe});
 *       NaN for a single value;</li>
 *   <li>quartiles interpolate linearly between the sorted values (NumPy's default): the quantile q is
 *       at position q · (count − 1);</li>
 *   <li>{@code farOutliers} counts values beyond Tukey's far-out fences, more than {@value #FAR_OUT}
 *       interquartile ranges below the lower quartile or above the upper one. A column whose quartiles
 *       are equal (mostly one value) has no fences, and no outliers are counted.</li>
 * </ul>
 */
public record NumericSummary(int count, double min, double max, double mean, double std, double median,
                             double lowerQuartile, double upperQuartile, int farOutliers) {
    /** How many interquartile ranges beyond a quartile a value must lie to count as far out. */
    public static final double FAR_OUT = 3.0;

    /** The summary of {@code values}, which must not be empty nor hold NaN. */
    public static NumericSummary of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("NumericSummary.of: no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        if (Double.isNaN(sorted[sorted.length - 1])) {   // Arrays.sort puts NaN last
            throw new IllegalArgumentException("NumericSummary.of: NaN among the values (leave missing values out)");
        }
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        double mean = sum / sorted.length;
        double squares = 0;   // a second pass around the mean: no cancellation of large sums
        for (double v : sorted) {
            squares += (v - mean) * (v - mean);
        }
        double std = sorted.length > 1 ? Math.sqrt(squares / (sorted.length - 1)) : Double.NaN;
        double q1 = Quantiles.of(sorted, 0.25);
        double q3 = Quantiles.of(sorted, 0.75);
        return new NumericSummary(sorted.length, sorted[0], sorted[sorted.length - 1], mean, std, Quantiles.of(sorted, 0.5),
                q1, q3, farOutliers(sorted, q1, q3));
    }

    private static int farOutliers(double[] sorted, double q1, double q3) {
        double spread = q3 - q1;
        if (!(spread > 0)) {
            return 0;
        }
        int count = 0;
        for (double v : sorted) {
            count += v < q1 - FAR_OUT * spread || v > q3 + FAR_OUT * spread ? 1 : 0;
        }
        return count;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("min", Values.json(min));
        json.put("max", Values.json(max));
        json.put("mean", Values.json(mean));
        json.put("std", Values.json(std));
        json.put("median", Values.json(median));
        json.put("q1", Values.json(lowerQuartile));
        json.put("q3", Values.json(upperQuartile));
        json.put("far_outliers", farOutliers);
        return json;
    }
}
