package kiln.nn.data.prep;

/** Quantiles of sorted values, interpolating linearly between neighbours (numpy's default rule). */
public final class Quantiles {
    private Quantiles() {}

    /**
     * The {@code q}-quantile ({@code q} in [0, 1]) of {@code sorted} (ascending, non-empty): the value at
     * position {@code q·(n−1)}, interpolated between the two values around it when that is not whole.
     */
    public static double of(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        double fraction = position - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }
}
