package kiln.bench.compare;

/**
 * What a row's figures measure, and which way is better: a rate (GFLOP/s, GB/s, samples/s: higher is
 * better) or a time (ms, µs, s/epoch: lower is better). Ratios are always speed ratios, so a time is
 * turned upside down before two of them are compared.
 */
enum Unit {
    GFLOPS("GFLOP/s", true, "%.1f"),
    GIGABYTES_PER_SECOND("GB/s", true, "%.1f"),
    SAMPLES_PER_SECOND("samples/s", true, "%,.0f"),
    MILLISECONDS("ms", false, "%.2f"),
    MICROSECONDS("µs", false, "%.2f"),
    SECONDS_PER_EPOCH("s/epoch", false, "%.3f");

    private final String symbol;
    private final boolean higherIsBetter;
    private final String format;

    Unit(String symbol, boolean higherIsBetter, String format) {
        this.symbol = symbol;
        this.higherIsBetter = higherIsBetter;
        this.format = format;
    }

    /** As printed: {@code GFLOP/s}, {@code ms}, ... */
    String symbol() {
        return symbol;
    }

    /** The unit printed as {@code symbol}. */
    static Unit ofSymbol(String symbol) {
        for (Unit unit : values()) {
            if (unit.symbol.equals(symbol)) {
                return unit;
            }
        }
        throw new IllegalArgumentException("no unit is written '" + symbol + "'");
    }

    boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** The symbol with an arrow saying which way is better: {@code GFLOP/s ↑}, {@code ms ↓}. */
    String withDirection() {
        return symbol + (higherIsBetter ? " ↑" : " ↓");
    }

    /** The printf pattern a value of this unit is printed with. */
    String format() {
        return format;
    }

    /**
     * How many times faster Kiln is than the peer, from one figure of each: {@code kiln / peer} for a
     * rate, {@code peer / kiln} for a time. Above 1, Kiln is faster.
     */
    double speedRatio(double kiln, double peer) {
        return higherIsBetter ? kiln / peer : peer / kiln;
    }
}
